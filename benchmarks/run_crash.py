"""A server killed while visitors chat: does every acknowledged message get exactly one reply?

What it does, in one run (issue 13, "Turns that survive a crash"):

1. Picks the questions the bot answers (the demo smoke suite's, six languages; as
   `benchmarks.run_ws` does), so no visitor is handed off half-way.
2. Starts `samsvar serve` (SQLite in a temporary folder, the demo index in `--data-dir`).
3. `--visitors` visitors connect and chat: send a message, wait for its `ack`, then send the
   next after a short think (uniform in [`--think-min`, `--think-max`] s) without waiting for
   the reply, so that turns are in flight at any moment.
4. After `--kill-after` seconds the server gets SIGKILL: no shutdown, no draining.
5. The server is started again on the same database. Nobody resends anything: what was
   acknowledged before the kill must be answered by the server on its own.
6. Waits until no turn is pending (at most `--settle` seconds), then counts in the database,
   for the messages acknowledged before the kill: stored (0 lost), without a bot reply, with
   more than one; and how long after the restart the last one was answered.

Usage:
  python -m benchmarks.run_crash [--visitors 40] [--kill-after 8] [--think-min 0.2]
      [--think-max 1.0] [--data-dir var] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from benchmarks._report import machine_info, write_json
from benchmarks.run_ws import PAGES, Server, baseline, start_server


@dataclass
class Chatter:
    acked: dict[str, str] = field(default_factory=dict)  # client id -> message id
    replied: set[str] = field(default_factory=set)  # message ids the visitor saw answered
    conversation_id: str | None = None


async def chat(
    server: Server, questions: list[str], args: argparse.Namespace, seed: float
) -> Chatter:
    """One visitor until the server dies under it."""
    rng, result = random.Random(seed), Chatter()
    try:
        async with connect(server.ws_url, max_size=2**20) as ws:
            await ws.send(json.dumps({"type": "hello", "page": {"url": rng.choice(PAGES)}}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
            reader = asyncio.create_task(_read(ws, result))
            while not reader.done():
                client_id = str(uuid.uuid4())
                await ws.send(
                    json.dumps(
                        {"type": "message", "client_id": client_id, "text": rng.choice(questions)}
                    )
                )
                while client_id not in result.acked and not reader.done():
                    await asyncio.sleep(0.01)
                await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
    except (ConnectionClosed, OSError):
        pass
    return result


async def _read(ws: Any, result: Chatter) -> None:
    with contextlib.suppress(ConnectionClosed):
        await _frames(ws, result)


async def _frames(ws: Any, result: Chatter) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame["type"] == "ack":
            result.acked[frame["client_id"]] = frame["message_id"]
        elif frame["type"] == "conversation":
            result.conversation_id = frame["conversation_id"]
        elif frame["type"] == "message" and frame["message"]["reply_to"]:
            result.replied.add(frame["message"]["reply_to"])


def _pending(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("select count(*) from pending_turns").fetchone()[0])


def _counts(database: Path, message_ids: list[str]) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        db.execute("create temp table acked (id text primary key)")
        db.executemany("insert into acked values (?)", [(m,) for m in message_ids])
        stored = db.execute(
            "select count(*) from acked a join messages m on m.id = a.id"
        ).fetchone()[0]
        replies = dict(
            db.execute(
                "select a.id, count(b.id) from acked a left join messages b "
                "on b.reply_to = a.id and b.role in ('bot', 'system') group by a.id"
            ).fetchall()
        )
    return {
        "acknowledged": len(message_ids),
        "lost": len(message_ids) - stored,
        "without_reply": sum(1 for n in replies.values() if n == 0),
        "with_more_than_one_reply": sum(1 for n in replies.values() if n > 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir).resolve()
    questions, _ = baseline(data_dir)
    folder = Path(tempfile.mkdtemp(prefix="samsvar-crash-"))
    database = folder / "samsvar.db"
    server = start_server(data_dir, database, {})
    rng = random.Random(args.seed)
    chatters = [
        asyncio.create_task(chat(server, questions, args, rng.random()))
        for _ in range(args.visitors)
    ]
    await asyncio.sleep(args.kill_after)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(30)
    results = await asyncio.gather(*chatters)
    acked = [m for r in results for m in r.acked.values()]
    seen = {m for r in results for m in r.replied}
    in_flight = sum(1 for m in acked if m not in seen)
    pending_at_kill = _pending(database)
    before = _counts(database, acked)

    restarted_at = time.perf_counter()
    again = start_server(data_dir, database, {})
    try:
        while _pending(database) and time.perf_counter() - restarted_at < args.settle:
            await asyncio.sleep(0.5)
        settled = round(time.perf_counter() - restarted_at, 1)
    finally:
        again.stop()
    after = _counts(database, acked)
    return {
        "visitors": args.visitors,
        "kill_after_s": args.kill_after,
        "think_s": [args.think_min, args.think_max],
        "acknowledged_before_kill": len(acked),
        "acknowledged_without_reply_seen_at_kill": in_flight,
        "pending_turns_at_kill": pending_at_kill,
        "at_kill": before,
        "after_restart": after,
        "seconds_until_no_turn_pending": settled,
        "pending_turns_left": _pending(database),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument("--kill-after", type=float, default=8.0)
    parser.add_argument("--think-min", type=float, default=0.2)
    parser.add_argument("--think-max", type=float, default=1.0)
    parser.add_argument("--settle", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    figures = {"machine": machine_info(), **asyncio.run(run(args))}
    print(json.dumps(figures, indent=2))
    if args.out:
        write_json(Path(args.out), figures)
    after = figures["after_restart"]
    if after["lost"] or after["without_reply"] or after["with_more_than_one_reply"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
