"""Visitors' replies while sign-ins with unknown names flood the server (issue 15).

Each password check is an Argon2id hash of 64 MiB. The audit of issue 15 found 24 parallel
sign-ins with unknown names making visitor replies 15 times slower and taking the server from
497 to 891 MB. This runs, for each server given (this checkout, and with `--compare-with` another
checkout as the baseline, in the same run on the same machine):

1. **Quiet**: `--visitors` visitors ask the demo smoke suite's answered questions one after the
   other for `--seconds` s; the latency of each is from its send to the bot's reply.
2. **Flood**: the same, while `--flooders` clients each send sign-ins with unknown names as
   fast as they are answered, every request from its own address (`X-Forwarded-For`, which
   uvicorn trusts from loopback), as a botnet would: limits per address do not help here, only
   the cap on concurrent hashes does.

It reports the visitors' median and p95 latency in each phase, the server's peak RSS, and how
the sign-ins were answered (401 checked, 429 refused before hashing).

Usage:
  python -m benchmarks.run_sign_in_flood [--data-dir var] [--visitors 4] [--flooders 24]
      [--seconds 20] [--compare-with /path/to/other/checkout] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from benchmarks._report import machine_info, write_json
from benchmarks.run_ws import Server, baseline, start_server, summary

REPLY_TIMEOUT = 30.0
LOOPBACK = {f"CHAT_RATE_LIMIT_{n}": "1000000" for n in ("NEW_VISITORS", "HELLOS", "TYPING")}


async def _visitor(
    server: Server, questions: list[str], until: float, rng: random.Random, missing: list[int]
) -> list[float]:
    """Questions one after the other, each from a new visitor (no state carries over: a
    hand-off or a field being asked for changes nothing), until `until`."""
    latencies = []
    while time.monotonic() < until:
        async with connect(server.ws_url, max_size=2**20) as ws:
            await ws.send(json.dumps({"type": "hello", "page": {"url": "/", "title": "Demo"}}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
            client_id = str(uuid.uuid4())
            text = rng.choice(questions)
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
            try:
                await asyncio.wait_for(_reply(ws, client_id), REPLY_TIMEOUT)
            except TimeoutError:
                missing[0] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def _reply(ws: Any, client_id: str) -> None:
    acked = False
    while True:
        frame = json.loads(await ws.recv())
        acked = acked or (frame["type"] == "ack" and frame["client_id"] == client_id)
        message = frame.get("message") or {}
        is_reply = frame["type"] == "message" and message.get("role") == "bot"
        if acked and is_reply and message.get("decision") != "proactive":
            return


async def _flooder(server: Server, until: float, answers: Counter[int], n: int) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        k = 0
        while time.monotonic() < until:
            k += 1
            address = f"10.{n}.{k // 250 % 250}.{k % 250 + 1}"
            response = await http.post(
                "/api/v1/agent/sign-in",
                json={"name": f"ingen-{uuid.uuid4().hex[:8]}", "password": "gjetning-123"},
                headers={"X-Forwarded-For": address},
            )
            answers[response.status_code] += 1
            if response.status_code == 429:
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))


def _peak_rss(server: Server, stop: threading.Event, peak: list[float]) -> None:
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], server.rss_mb())
        except (OSError, RuntimeError):
            return
        stop.wait(0.2)


async def _phase(
    server: Server, questions: list[str], args: argparse.Namespace, *, flood: bool
) -> dict[str, Any]:
    until = time.monotonic() + args.seconds
    rng = random.Random(7)
    answers: Counter[int] = Counter()
    stop, peak = threading.Event(), [server.rss_mb()]
    watcher = threading.Thread(target=_peak_rss, args=(server, stop, peak), daemon=True)
    watcher.start()
    flooders = [
        asyncio.create_task(_flooder(server, until, answers, n))
        for n in range(args.flooders if flood else 0)
    ]
    missing = [0]
    per_visitor = await asyncio.gather(
        *(
            _visitor(server, questions, until, random.Random(rng.random()), missing)
            for _ in range(args.visitors)
        )
    )
    await asyncio.gather(*flooders)
    stop.set()
    watcher.join()
    latencies = [ms for one in per_visitor for ms in one]
    return {
        "replies": summary(latencies),
        "replies_missing": missing[0],
        "peak_rss_mb": round(peak[0], 1),
        "sign_ins": {str(status): count for status, count in sorted(answers.items())},
    }


def _measure(
    code: Path | None, data_dir: Path, questions: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="samsvar-flood-") as folder:
        saved = os.environ.get("PYTHONPATH")
        if code is not None:
            os.environ["PYTHONPATH"] = str(code)
        try:
            server = start_server(data_dir, Path(folder) / "samsvar.db", LOOPBACK)
        finally:
            if code is not None:
                if saved is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = saved
        try:
            quiet = asyncio.run(_phase(server, questions, args, flood=False))
            flood = asyncio.run(_phase(server, questions, args, flood=True))
        finally:
            server.stop()
    slower = flood["replies"]["p50_ms"] / max(quiet["replies"]["p50_ms"], 1e-9)
    return {"quiet": quiet, "flood": flood, "p50_slower_x": round(slower, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("var"))
    parser.add_argument("--visitors", type=int, default=4)
    parser.add_argument("--flooders", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--compare-with", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    questions, _ = baseline(args.data_dir)
    report: dict[str, Any] = {
        "machine": machine_info(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    if args.compare_with is not None:
        report["baseline"] = _measure(args.compare_with, args.data_dir, questions, args)
    report["this"] = _measure(None, args.data_dir, questions, args)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out is not None:
        write_json(args.out, report)


if __name__ == "__main__":
    main()
