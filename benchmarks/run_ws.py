"""Concurrent visitors on WebSockets against one `samsvar serve` process.

What it does, in one run:

1. **Baseline**: the bare `Bot.turn` in this process, one question at a time, on the same
   questions (the demo smoke suite's questions that expect an answer, six languages). This is
   what a turn costs without any server, and it picks the questions the bot answers, so that
   no visitor is handed off half-way (which would leave later messages without a bot reply).
2. Starts `samsvar serve --port 0` as a subprocess (SQLite in a temporary folder, the demo
   index in `--data-dir`), and waits for the URL it prints.
3. **Idle connections**: opens `--idle` WebSockets that each say `hello` (a visitor and a
   conversation each) and stay idle; the server's RSS before and after, divided by the count.
4. **Load**: `--visitors` visitors connect (start times spread over the first think time),
   `hello` on a demo page, then send `--messages` messages each, one at a time: send, wait for
   the ack and the bot's reply, think, send the next. Think time is uniform in
   [`--think-min`, `--think-max`] seconds. The latency of a message is from its send to the
   bot's reply arriving. `--think-max 0` is a closed loop without thinking.
5. **Checks**: every message acked once and never as a duplicate, every reply received once
   (no message id twice), and in the database exactly one visitor message per message sent and
   exactly one bot reply to each.

Usage:
  python -m benchmarks.run_ws [--visitors 200] [--messages 10] [--think-min 5 --think-max 15]
      [--idle 1000] [--workers 8] [--encode-batch 16] [--versus-unbatched] [--unique]
      [--also-closed-loop] [--data-dir var] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from benchmarks._report import machine_info, write_json

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "knowledge" / "demo" / "suites" / "smoke.yaml"
PAGES = ["/", "/produkt/lampe", "/checkout", "/orders", "/en/", "/en/orders"]
REPLY_TIMEOUT = 60.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1) if values else float("nan"),
        "mean_ms": round(statistics.fmean(values), 1) if values else float("nan"),
    }


# 1. The baseline and the questions.


def baseline(data_dir: Path) -> tuple[list[str], dict[str, float]]:
    """The questions the bot answers, and the bare turn's latency on them."""
    os.environ["CHAT_DATA_DIR"] = str(data_dir)
    from app.engine import open_engine
    from app.settings import Settings
    from eval import load_suite

    bot = open_engine(Settings()).bot
    cases = [c for c in load_suite(SUITE).cases if c.expect not in ("abstain", "handoff")]
    bot.turn("Hei, hvor er pakken min?")  # warm up
    questions, timings = [], []
    cpu = time.process_time()
    for case in cases:
        started = time.perf_counter()
        outcome = bot.turn(case.ask)
        timings.append((time.perf_counter() - started) * 1000)
        if outcome.decision == "answer":
            questions.append(case.ask)
    figures = summary(timings)
    figures["cpu_ms_per_turn"] = round((time.process_time() - cpu) * 1000 / len(cases), 1)
    return questions, figures


# 2. The server.


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    database: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/widget/ws"

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_server(data_dir: Path, database: Path, settings: dict[str, str]) -> Server:
    """`samsvar serve` on a free port with SQLite at `database` and these CHAT_ settings
    (nothing else of the caller's CHAT_ environment)."""
    samsvar = Path(sys.executable).with_name("samsvar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env |= {
        "CHAT_DATA_DIR": str(data_dir),
        "CHAT_DATABASE_URL": f"sqlite:///{database}",
        **settings,
    }
    process = subprocess.Popen(
        [str(samsvar), "serve", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if found := re.search(r"running at (http://\S+)/", line):
            return Server(process, found.group(1), database)
    raise RuntimeError("samsvar serve stopped before printing its URL")


# 3. Idle connections.


async def idle_connections(server: Server, count: int) -> dict[str, float]:
    before = server.rss_mb()
    sockets: list[ClientConnection] = []
    try:
        for n in range(count):
            ws = await connect(server.ws_url, max_size=2**20)
            sockets.append(ws)
            await ws.send(json.dumps({"type": "hello", "page": {"url": PAGES[n % 2]}}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
        await asyncio.sleep(2.0)
        after = server.rss_mb()
    finally:
        for ws in sockets:
            await ws.close()
    return {
        "connections": count,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "kb_per_connection": round((after - before) * 1024 / count, 1),
    }


# 4. The load.


@dataclass
class VisitorResult:
    conversation_id: str = ""
    conversations: list[str] = field(default_factory=list)
    handoffs: int = 0
    sent: list[str] = field(default_factory=list)  # client ids
    latencies: list[float] = field(default_factory=list)
    acks: dict[str, int] = field(default_factory=dict)  # client id -> acks received
    duplicate_acks: int = 0
    replies: list[str] = field(default_factory=list)  # bot message ids, as received
    missing: int = 0
    errors: list[str] = field(default_factory=list)


async def _until(ws: ClientConnection, result: VisitorResult, client_id: str) -> dict[str, Any]:
    """Read frames until the ack of `client_id` and then the bot's reply (returned)."""
    acked = False
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == "ack":
            result.acks[frame["client_id"]] = result.acks.get(frame["client_id"], 0) + 1
            result.duplicate_acks += bool(frame["duplicate"])
            acked = acked or frame["client_id"] == client_id
        elif frame["type"] == "conversation":  # the first message starts the conversation
            result.conversations.append(frame["conversation_id"])
        elif frame["type"] == "error":
            result.errors.append(frame["code"])
        elif frame["type"] == "message" and frame["message"]["role"] == "bot":
            message = frame["message"]
            result.replies.append(message["id"])
            if acked and message["decision"] != "proactive":
                return dict(message)


async def one_visitor(
    server: Server, questions: list[str], args: argparse.Namespace, rng: random.Random
) -> VisitorResult:
    result = VisitorResult()
    await asyncio.sleep(rng.uniform(0, args.think_max))
    async with connect(server.ws_url, max_size=2**20) as ws:
        page = rng.choice(PAGES)
        await ws.send(json.dumps({"type": "hello", "page": {"url": page, "title": "Demo"}}))
        while (frame := json.loads(await ws.recv()))["type"] != "welcome":
            pass
        # Null: a conversation starts with the first message (a `conversation` frame).
        result.conversation_id = frame["conversation_id"] or ""
        for question in rng.sample(questions, min(args.messages, len(questions))):
            if args.unique:  # every text new to the bot's query vector cache
                question = f"{question} (#{rng.randrange(10**5, 10**6)})"
            client_id = str(uuid.uuid4())
            result.sent.append(client_id)
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": question}))
            try:
                reply = await asyncio.wait_for(_until(ws, result, client_id), REPLY_TIMEOUT)
            except TimeoutError:
                result.missing += 1
                continue
            result.latencies.append((time.perf_counter() - started) * 1000)
            if reply["decision"] == "handoff":  # the bot now waits for a person: start anew
                result.handoffs += 1  # as a new visitor: this one's conversation is the case's
                await ws.send(json.dumps({"type": "hello", "page": {"url": page}}))
                while (frame := json.loads(await ws.recv()))["type"] != "welcome":
                    pass
            await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
        await asyncio.sleep(0.5)  # anything late (a duplicate would show here)
    return result


async def load(server: Server, questions: list[str], args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    cpu = server.cpu_seconds()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    tasks = [
        one_visitor(server, questions, args, random.Random(rng.random()))
        for _ in range(args.visitors)
    ]
    results = await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu
    latencies = [ms for r in results for ms in r.latencies]
    sent = args.visitors * min(args.messages, len(questions))
    return {
        "visitors": args.visitors,
        "messages_sent": sent,
        "think_s": [args.think_min, args.think_max],
        "seconds": round(seconds, 1),
        "messages_per_s": round(sent / seconds, 2),
        "server_cpu_ms_per_message": round(cpu * 1000 / max(1, sent), 1),
        "server_cpu_share": round(cpu / seconds, 2),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "latency": summary(latencies),
        "client": client_checks(results),
        "results": results,
    }


def client_checks(results: list[VisitorResult]) -> dict[str, int]:
    return {
        "replies_missing": sum(r.missing for r in results),
        "acks_missing": sum(1 for r in results for c in r.sent if c not in r.acks),
        "acks_doubled": sum(1 for r in results for n in r.acks.values() if n > 1),
        "acks_marked_duplicate": sum(r.duplicate_acks for r in results),
        "replies_received_twice": sum(len(r.replies) - len(set(r.replies)) for r in results),
        "error_frames": sum(len(r.errors) for r in results),
    }


# 5. What was stored.


def storage_checks(database: Path, conversations: set[str]) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(conversations))
        where = f"conversation_id in ({marks})"
        ids = tuple(conversations)
        visitor = db.execute(
            f"select count(*) from messages where role = 'visitor' and {where}", ids
        ).fetchone()[0]
        unanswered = db.execute(
            f"select count(*) from messages v where v.role = 'visitor' and v.{where} and not "
            "exists (select 1 from messages b where b.reply_to = v.id)",
            ids,
        ).fetchone()[0]
        doubled = db.execute(
            "select count(*) from (select reply_to from messages where role = 'bot' and "
            f"reply_to is not null and {where} group by reply_to having count(*) > 1)",
            ids,
        ).fetchone()[0]
        inquiries = db.execute(f"select count(*) from inquiries where {where}", ids).fetchone()[0]
    return {
        "visitor_messages": visitor,
        "visitor_messages_without_reply": unanswered,
        "visitor_messages_with_two_replies": doubled,
        "inquiries": inquiries,
    }


def describe(name: str, figures: dict[str, Any]) -> str:
    lat, low, high = figures["latency"], *figures["think_s"]
    return (
        f"{name}: {figures['visitors']} visitors, {figures['messages_sent']} messages, "
        f"think {low}-{high} s, {figures['messages_per_s']} msg/s: "
        f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, p99 {lat['p99_ms']} ms; "
        f"server CPU {figures['server_cpu_ms_per_message']} ms/message "
        f"({figures['server_cpu_share']} cores), load {figures['load_average_1m']}; "
        f"lost {figures['lost']}, duplicated {figures['duplicated']}; "
        f"stored {figures['storage']}"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    questions, bare = baseline(args.data_dir)
    print(
        f"baseline: bare Bot.turn on {bare['n']} questions: p50 {bare['p50_ms']} ms, "
        f"p95 {bare['p95_ms']} ms, CPU {bare['cpu_ms_per_turn']} ms/turn; "
        f"{len(questions)} answered questions used"
    )
    report: dict[str, Any] = {
        "machine": machine_info(),
        "baseline_turn": bare,
        "questions": len(questions),
        "workers": args.workers,
        "encode_batch": args.encode_batch,
        "unique_texts": args.unique,
    }
    report |= serve_and_load(args, questions, args.workers, args.encode_batch, idle=args.idle)
    if args.versus_unbatched:
        # The same load on a server that embeds each question alone (the set-up before
        # retrieval/batching.py), in the same run: the comparison's baseline.
        print("the same load, each question embedded alone (2 workers, CHAT_ENCODE_BATCH=1):")
        report["unbatched"] = {"workers": 2, "encode_batch": 1}
        report["unbatched"] |= serve_and_load(args, questions, 2, 1, idle=0)
    return report


def serve_and_load(
    args: argparse.Namespace, questions: list[str], workers: int, encode_batch: int, idle: int
) -> dict[str, Any]:
    """Start one server with these settings, measure idle connections and the load on it."""
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="samsvar-ws-") as tmp:
        settings = {
            "CHAT_TURN_WORKERS": str(workers),
            "CHAT_ENCODE_BATCH": str(encode_batch),
            "CHAT_RATE_LIMIT_MESSAGES": "1000",
            "CHAT_RATE_LIMIT_NEW_VISITORS": "1000000",
            "CHAT_RATE_LIMIT_HELLOS": "1000000",
            "CHAT_RATE_LIMIT_TYPING": "1000000",
        }
        server = start_server(args.data_dir, Path(tmp) / "chat.db", settings)
        try:
            print(f"server: {server.url} (pid {server.process.pid})", flush=True)
            report["server_rss_start_mb"] = round(server.rss_mb(), 1)
            if idle:
                report["idle"] = asyncio.run(idle_connections(server, idle))
                print(f"idle: {idle} connections, {report['idle']['kb_per_connection']} KB each")
            runs = [("think", args.think_min, args.think_max)]
            if args.also_closed_loop:
                runs.append(("closed_loop", 0.0, 0.0))
            for number, (name, low, high) in enumerate(runs):
                changes = {"think_min": low, "think_max": high, "seed": args.seed + number}
                run_args = argparse.Namespace(**{**vars(args), **changes})
                figures = asyncio.run(load(server, questions, run_args))
                results = figures.pop("results")
                conversations = {c for r in results for c in r.conversations}
                figures["handoffs"] = sum(r.handoffs for r in results)
                figures["storage"] = storage_checks(server.database, conversations)
                figures["lost"] = figures["messages_sent"] - figures["latency"]["n"]
                figures["duplicated"] = (
                    figures["client"]["replies_received_twice"]
                    + figures["client"]["acks_marked_duplicate"]
                    + figures["storage"]["visitor_messages_with_two_replies"]
                )
                report[name] = figures
                print(describe(name, figures))
            report["server_rss_end_mb"] = round(server.rss_mb(), 1)
        finally:
            server.stop()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=15.0)
    parser.add_argument("--idle", type=int, default=1000, help="idle connections to measure")
    parser.add_argument("--workers", type=int, default=8, help="CHAT_TURN_WORKERS")
    parser.add_argument("--encode-batch", type=int, default=16, help="CHAT_ENCODE_BATCH")
    parser.add_argument(
        "--versus-unbatched",
        action="store_true",
        help="run the load again on a server with 2 workers that embeds each question alone",
    )
    parser.add_argument("--also-closed-loop", action="store_true")
    parser.add_argument(
        "--unique",
        action="store_true",
        help="make every message text unique (an order number), so no query vector is cached",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "ws.json")
    args = parser.parse_args()
    report = run(args)
    write_json(args.out, report)
    print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
