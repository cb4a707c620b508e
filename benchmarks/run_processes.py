"""Visitors over two `samsvar serve` processes on PostgreSQL and Redis, against one process.

What it does, in one run (PostgreSQL 15 and Redis started on loopback, as the tests do):

1. **One process** (the baseline): `samsvar serve` on PostgreSQL, no Redis. `--visitors`
   visitors connect, say `hello` and send `--messages` messages each, one at a time, with a
   think time in [`--think-min`, `--think-max`] s; the questions are the demo smoke suite's
   answered questions, so they repeat (a visitor's text is one many others sent too). The
   latency of a message is from its send to the bot's reply arriving.
2. **Two processes** on the same PostgreSQL (a new database) with `CHAT_REDIS_URL`: the same
   load, each visitor on one of the two, an agent signed in and listening on each process.
   Idle connections: `--idle` WebSockets (hello, then idle) on one process, its RSS before and
   after.
3. **Kill** (`--kill`): the two-process load again, and `--kill-after` s in, process B gets
   SIGKILL. Its visitors reconnect to A (`hello` with their ids and `last_seq`) and send the
   message that was not acked again with the same `client_id`. `--kill-only` runs this step
   alone (no baseline: what it measures is what is lost or doubled).
4. **Checks** for each load: every message acked, every reply received once (by message id,
   live or in a `welcome`), and in the database one visitor message per message and one bot
   reply to each.

Usage:
  python -m benchmarks.run_processes [--visitors 2000] [--messages 10]
      [--think-min 5 --think-max 15] [--idle 1000] [--kill | --kill-only] [--without-redis]
      [--data-dir var] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from benchmarks._report import machine_info, write_json
from benchmarks.run_ws import PAGES, Server, baseline, idle_connections, summary
from tests.postgres import create_database, running_postgres
from tests.redis_server import running_redis

ROOT = Path(__file__).resolve().parent.parent
REPLY_TIMEOUT = 60.0
AGENT, PASSWORD = "bench", "en lang passordsetning for benken"


# The servers.


# Every visitor of a benchmark comes from loopback: no limits per client address.
LOOPBACK = {f"CHAT_RATE_LIMIT_{n}": "1000000" for n in ("NEW_VISITORS", "HELLOS", "TYPING")}


def start(data_dir: Path, settings: dict[str, str]) -> Server:
    samsvar = Path(sys.executable).with_name("samsvar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env |= {
        "CHAT_DATA_DIR": str(data_dir),
        "CHAT_RATE_LIMIT_MESSAGES": "1000",
        **LOOPBACK,
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
            _drain(process)  # a chatty process must never block on a full pipe
            return Server(process, found.group(1), Path())
    raise RuntimeError("samsvar serve stopped before printing its URL")


def _drain(process: subprocess.Popen[str]) -> None:
    """Read the process's output in a thread; print its warnings and errors."""

    def run() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if "WARNING" in line or "ERROR" in line:
                print(f"  [{process.pid}] {line.rstrip()}", flush=True)

    threading.Thread(target=run, daemon=True).start()


def add_agent(data_dir: Path, settings: dict[str, str]) -> None:
    samsvar = Path(sys.executable).with_name("samsvar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env |= {"CHAT_DATA_DIR": str(data_dir), **settings}
    command = [str(samsvar), "agents", "add", AGENT, "--team", "support", "--admin"]
    done = subprocess.run(
        [*command, "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"samsvar agents add failed: {done.stderr}")


async def listen_as_agent(server: Server, frames: list[int]) -> None:
    """Sign in on `server` and keep reading the agent WebSocket (counting its frames)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        signed = await http.post(
            "/api/v1/agent/sign-in", json={"name": AGENT, "password": PASSWORD}
        )
        signed.raise_for_status()
        cookie = signed.cookies["samsvar_agent"]
    url = server.url.replace("http://", "ws://") + "/api/v1/agent/ws"
    with contextlib.suppress(ConnectionClosed, OSError):
        async with connect(url, additional_headers={"Cookie": f"samsvar_agent={cookie}"}) as ws:
            async for _ in ws:
                frames[0] += 1


# The visitors.


@dataclass
class VisitorResult:
    sent: int = 0
    acked: set[str] = field(default_factory=set)  # client ids
    answered: set[str] = field(default_factory=set)  # client ids with their reply received
    replies: list[str] = field(default_factory=list)  # bot message ids, as received
    latencies: list[float] = field(default_factory=list)
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)


@dataclass
class Tab:
    """One visitor's connection, with what it must send again after a reconnect."""

    urls: list[str]
    home: int
    result: VisitorResult
    page: str
    visitor_id: str | None = None
    conversation_id: str | None = None
    last_seq: int = 0
    ws: ClientConnection | None = None
    by_reply_to: dict[str, str] = field(default_factory=dict)  # visitor message id -> reply id

    async def open(self) -> None:
        ws = await connect(self.urls[self.home], max_size=2**20, open_timeout=30)
        hello = {
            "type": "hello",
            "visitor_id": self.visitor_id,
            "conversation_id": self.conversation_id,
            "last_seq": self.last_seq,
            "page": {"url": self.page},
        }
        await ws.send(json.dumps(hello))
        while (frame := json.loads(await ws.recv()))["type"] != "welcome":
            pass
        self.visitor_id = frame["visitor_id"]
        self.conversation_id = frame["conversation_id"] or self.conversation_id
        for message in frame["messages"]:
            self._seen(message)
        self.ws = ws

    def _seen(self, message: dict[str, Any]) -> None:
        self.last_seq = max(self.last_seq, int(message["seq"]))
        if message["role"] == "bot":
            self.result.replies.append(message["id"])
            if message.get("reply_to"):
                self.by_reply_to[message["reply_to"]] = message["id"]

    async def ask(self, text: str) -> None:
        """Send until acked and answered, reconnecting to the other process when this one
        goes away (the same client_id: a stored message is not stored again)."""
        client_id, started = str(uuid.uuid4()), time.perf_counter()
        self.result.sent += 1
        while True:
            try:
                if self.ws is None:
                    await self.open()
                assert self.ws is not None
                await self.ws.send(
                    json.dumps({"type": "message", "client_id": client_id, "text": text})
                )
                await asyncio.wait_for(self._answer(client_id), REPLY_TIMEOUT)
                self.result.latencies.append((time.perf_counter() - started) * 1000)
                return
            except (ConnectionClosed, OSError):
                self.result.reconnects += 1
                self.ws = None
                self.home = (self.home + 1) % len(self.urls)
                await asyncio.sleep(random.uniform(0.1, 1.0))
            except TimeoutError:
                return  # counted as lost

    async def _answer(self, client_id: str) -> None:
        assert self.ws is not None
        message_id = None
        while message_id is None or message_id not in self.by_reply_to:
            frame = json.loads(await self.ws.recv())
            kind = frame["type"]
            if kind == "ack" and frame["client_id"] == client_id:
                self.result.acked.add(client_id)
                message_id = frame["message_id"]
                self.last_seq = max(self.last_seq, frame["seq"])
            elif kind == "conversation":
                self.conversation_id = frame["conversation_id"]
                self.result.conversations.add(frame["conversation_id"])
            elif kind == "message":
                self._seen(frame["message"])
            elif kind == "error":
                self.result.errors.append(frame["code"])
        self.result.answered.add(client_id)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def one_visitor(
    urls: list[str], home: int, questions: list[str], args: argparse.Namespace, seed: float
) -> VisitorResult:
    rng = random.Random(seed)
    result = VisitorResult()
    await asyncio.sleep(rng.uniform(0, args.think_max))
    tab = Tab(urls, home, result, rng.choice(PAGES))
    try:
        for question in rng.sample(questions, min(args.messages, len(questions))):
            await tab.ask(question)
            await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
        if tab.conversation_id:
            result.conversations.add(tab.conversation_id)
    finally:
        await tab.close()
    return result


async def load(
    servers: list[Server],
    questions: list[str],
    args: argparse.Namespace,
    *,
    kill_after: float | None = None,
) -> dict[str, Any]:
    urls = [s.url.replace("http://", "ws://") + "/api/v1/widget/ws" for s in servers]
    rng = random.Random(args.seed)
    agent_frames = [[0] for _ in servers]
    agents = [
        asyncio.create_task(listen_as_agent(s, n))
        for s, n in zip(servers, agent_frames, strict=True)
    ]
    started = time.perf_counter()
    visitors = [
        one_visitor(urls, n % len(urls), questions, args, rng.random())
        for n in range(args.visitors)
    ]
    killer = None
    if kill_after is not None:

        async def kill() -> None:
            await asyncio.sleep(kill_after)
            servers[-1].process.send_signal(signal.SIGKILL)
            print(f"  killed process {servers[-1].process.pid} at {kill_after:g} s", flush=True)

        killer = asyncio.create_task(kill())
    results = await asyncio.gather(*visitors)
    seconds = time.perf_counter() - started
    for task in [*agents, *([killer] if killer else [])]:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    sent = sum(r.sent for r in results)
    return {
        "processes": len(servers),
        "visitors": args.visitors,
        "messages_sent": sent,
        "think_s": [args.think_min, args.think_max],
        "seconds": round(seconds, 1),
        "messages_per_s": round(sent / seconds, 2),
        "latency": summary([ms for r in results for ms in r.latencies]),
        "reconnects": sum(r.reconnects for r in results),
        "agent_frames": [n[0] for n in agent_frames],
        "client": {
            "not_acked": sum(r.sent - len(r.acked) for r in results),
            "not_answered": sum(r.sent - len(r.answered) for r in results),
            "replies_received_twice": sum(len(r.replies) - len(set(r.replies)) for r in results),
            "error_frames": sum(len(r.errors) for r in results),
        },
        "conversations": sorted({c for r in results for c in r.conversations}),
    }


async def storage_checks(database_url: str, conversations: list[str]) -> dict[str, int]:
    import asyncpg

    db = await asyncpg.connect(database_url)
    try:
        visitor = await db.fetchval(
            "select count(*) from messages where role = 'visitor' and conversation_id = any($1)",
            conversations,
        )
        unanswered = await db.fetchval(
            "select count(*) from messages v where v.role = 'visitor' and "
            "v.conversation_id = any($1) and not exists "
            "(select 1 from messages b where b.reply_to = v.id)",
            conversations,
        )
        doubled = await db.fetchval(
            "select count(*) from (select reply_to from messages where role = 'bot' and "
            "reply_to is not null and conversation_id = any($1) group by reply_to "
            "having count(*) > 1) d",
            conversations,
        )
    finally:
        await db.close()
    return {
        "visitor_messages": visitor,
        "visitor_messages_without_reply": unanswered,
        "visitor_messages_with_two_replies": doubled,
    }


def describe(name: str, figures: dict[str, Any]) -> str:
    lat = figures["latency"]
    return (
        f"{name}: {figures['processes']} process(es), {figures['visitors']} visitors, "
        f"{figures['messages_sent']} messages, {figures['messages_per_s']} msg/s: "
        f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, p99 {lat['p99_ms']} ms; "
        f"reconnects {figures['reconnects']}; client {figures['client']}; "
        f"stored {figures['storage']}; agent frames {figures['agent_frames']}"
    )


def measured(
    name: str, servers: list[Server], database: str, questions: list[str], args: argparse.Namespace,
    kill_after: float | None = None,
) -> dict[str, Any]:  # fmt: skip
    figures = asyncio.run(load(servers, questions, args, kill_after=kill_after))
    conversations = figures.pop("conversations")
    figures["storage"] = asyncio.run(storage_checks(database, conversations))
    figures["lost"] = (
        figures["client"]["not_answered"] + figures["storage"]["visitor_messages_without_reply"]
    )
    figures["doubled"] = (
        figures["client"]["replies_received_twice"]
        + figures["storage"]["visitor_messages_with_two_replies"]
    )
    print(describe(name, figures), flush=True)
    return figures


def run(args: argparse.Namespace) -> dict[str, Any]:
    questions, bare = baseline(args.data_dir)
    print(f"{len(questions)} answered questions; bare turn p95 {bare['p95_ms']} ms", flush=True)
    report: dict[str, Any] = {"machine": machine_info(), "baseline_turn": bare}
    report["load_average_1m_start"] = round(os.getloadavg()[0], 2)
    with (
        running_postgres() as postgres,
        tempfile.TemporaryDirectory(prefix="samsvar-redis-") as folder,
        running_redis(Path(folder)) as redis,
    ):
        numbers = iter(range(1, 10))

        def database() -> str:
            return asyncio.run(create_database(postgres, f"bench_{next(numbers)}"))

        settings = {"CHAT_REDIS_URL": redis.url}
        if args.kill_only:
            args.idle = 0
            args.kill = True
        else:
            report.update(one_and_two(args, database, redis.url, questions))
        # 3. Two processes, one killed during the load.
        if args.kill:
            settings["CHAT_DATABASE_URL"] = database()
            add_agent(args.data_dir, settings)
            two = [start(args.data_dir, settings) for _ in range(2)]
            try:
                report["kill"] = measured(
                    "one of two killed", two, settings["CHAT_DATABASE_URL"], questions, args,
                    kill_after=args.kill_after,
                )  # fmt: skip
            finally:
                for server in two:
                    server.stop()
    report["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    if "one_process" in report:
        p95_one = report["one_process"]["latency"]["p95_ms"]
        p95_two = report["two_processes"]["latency"]["p95_ms"]
        report["p95_ratio_two_to_one"] = round(p95_two / p95_one, 2)
        print(f"p95 two/one: {report['p95_ratio_two_to_one']}", flush=True)
    return report


def one_and_two(
    args: argparse.Namespace, database: Callable[[], str], redis_url: str, questions: list[str]
) -> dict[str, Any]:
    """One process, then two with Redis (and two without Redis when asked)."""
    report: dict[str, Any] = {}
    # 1. One process, PostgreSQL, no Redis.
    url = database()
    add_agent(args.data_dir, {"CHAT_DATABASE_URL": url})
    one = start(args.data_dir, {"CHAT_DATABASE_URL": url})
    try:
        report["one_process"] = measured("one process", [one], url, questions, args)
    finally:
        one.stop()
    # 2. Two processes, PostgreSQL and Redis.
    settings = {"CHAT_DATABASE_URL": database(), "CHAT_REDIS_URL": redis_url}
    add_agent(args.data_dir, settings)
    two = [start(args.data_dir, settings) for _ in range(2)]
    try:
        if args.idle:
            report["idle"] = asyncio.run(idle_connections(two[0], args.idle))
            print(f"idle: {report['idle']}", flush=True)
        report["two_processes"] = measured(
            "two processes", two, settings["CHAT_DATABASE_URL"], questions, args
        )
        report["two_processes"]["rss_mb"] = [round(s.rss_mb(), 1) for s in two]
    finally:
        for server in two:
            server.stop()
    # Diagnosis: two processes without Redis (each visitor stays on its process, so the
    # load works without it): what two processes cost on this machine, Redis aside.
    if args.without_redis:
        url = database()
        add_agent(args.data_dir, {"CHAT_DATABASE_URL": url})
        two = [start(args.data_dir, {"CHAT_DATABASE_URL": url}) for _ in range(2)]
        try:
            report["two_without_redis"] = measured(
                "two processes, no Redis", two, url, questions, args
            )
        finally:
            for server in two:
                server.stop()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=15.0)
    parser.add_argument("--idle", type=int, default=1000, help="idle connections to measure")
    parser.add_argument("--kill", action="store_true", help="also kill one process under load")
    parser.add_argument("--kill-after", type=float, default=30.0)
    parser.add_argument(
        "--kill-only",
        action="store_true",
        help="only the kill: two processes, one killed under load (no one-process baseline)",
    )
    parser.add_argument(
        "--without-redis",
        action="store_true",
        help="also run two processes without Redis (visitors pinned): Redis's own share",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "processes.json")
    args = parser.parse_args()
    report = run(args)
    write_json(args.out, report)
    print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
