"""The hand-off under load: from escalation to the case on the agents' consoles, and the queue.

What it does, in one run, against one `samsvar serve` process (SQLite in a temporary folder,
the demo index in `--data-dir`):

1. Seeds `--agents` agents (every team of the demo base) in the database, starts the server,
   signs every agent in over HTTP, sets them online and opens their agent WebSockets.
2. Opens `--conversations` visitor WebSockets (a visitor and a conversation each, `hello` on a
   demo page) that stay open.
3. **Escalation latency**: `--escalations` of those visitors, one after the other, send a
   `human` frame (ask for a person). Measured from the send to: the visitor's `ack` (the
   baseline: the same server round trip without a case), the visitor's hand-off message, the
   `case_created` event on the first agent's WebSocket, and on the last of all agents'.
4. **The queue**: seeds `--cases` queued cases (urgencies and ages spread), then times
   `GET /api/v1/agent/queue` (first page, 50 rows, as a signed-in agent) and the query alone
   (`handoff.get_queue` in this process on the same file), `--repeat` times each; then drops
   the queue's index and times both again (the baseline: the same list without it).

Targets (issue 5): escalation to the agent's event p95 <= 100 ms with 50 agents and 500 open
conversations; the queue of 10,000 cases lists in <= 50 ms.

Usage:
  python -m benchmarks.run_handoff [--agents 50] [--conversations 500] [--escalations 200]
      [--cases 10000] [--repeat 50] [--data-dir var] [--out docs/benchmarks/handoff.json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from benchmarks._report import machine_info, write_json
from benchmarks.run_ws import Server, start_server, summary

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password, long enough"
TEAMS = ("orders", "payments", "returns", "support")
AGENT_API = "/api/v1/agent"
QUEUE_INDEXES = ("ix_cases_waiting",)


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


# 1. The database and the server.


async def seed_agents(url: str, count: int) -> list[str]:
    from app.migrate import do_upgrade
    from conversations.storage import get_database_url, open_database
    from handoff import do_add_agent, hash_password

    db = open_database(get_database_url(url, Path(".")))
    hashed = hash_password(PASSWORD)  # the same hash for all: hashing is not what is measured
    now = dt.datetime.now(dt.UTC)
    try:
        await do_upgrade(db)
        async with db.writing() as session, session.begin():
            for n in range(count):
                await do_add_agent(
                    session,
                    name=f"agent{n}",
                    display_name=f"Agent {n}",
                    password_hash=hashed,
                    teams=TEAMS,
                    now=now,
                    max_chats=3,
                )
    finally:
        await db.close()
    return [f"agent{n}" for n in range(count)]


SETTINGS = {
    "CHAT_RATE_LIMIT_MESSAGES": "100000",
    "CHAT_RATE_LIMIT_NEW_VISITORS": "1000000",
    "CHAT_RATE_LIMIT_HELLOS": "1000000",
    "CHAT_RATE_LIMIT_TYPING": "1000000",
    "CHAT_HANDOFF_ANSWER_TIMEOUT_SECONDS": "86400",
}


# 2. Agents and visitors.


class AgentConsole:
    def __init__(self, name: str, cookie: str, ws: ClientConnection) -> None:
        self.name, self.cookie, self.ws = name, cookie, ws
        self.seen: dict[str, float] = {}  # case number -> perf_counter when case_created came
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] == "case_created":
                self.seen[frame["case"]["number"]] = time.perf_counter()


async def open_consoles(server: Server, names: list[str]) -> list[AgentConsole]:
    consoles = []
    ws_url = server.url.replace("http://", "ws://") + AGENT_API + "/ws"
    async with httpx.AsyncClient(base_url=server.url + AGENT_API, timeout=60) as http:
        for name in names:
            signed = await http.post("/sign-in", json={"name": name, "password": PASSWORD})
            signed.raise_for_status()
            cookie = signed.cookies["samsvar_agent"]
            headers = {"Cookie": f"samsvar_agent={cookie}"}
            online = await http.post("/me/status", json={"status": "online"}, headers=headers)
            online.raise_for_status()
            ws = await connect(ws_url, additional_headers=headers, max_size=2**22)
            assert json.loads(await ws.recv())["type"] == "welcome"
            consoles.append(AgentConsole(name, cookie, ws))
            http.cookies.clear()
    return consoles


async def open_visitors(server: Server, count: int) -> list[ClientConnection]:
    sockets = []
    for n in range(count):
        ws = await connect(server.ws_url, max_size=2**22)
        page = {"url": f"https://shop.example/produkt/{n}", "lang": "nb"}
        await ws.send(json.dumps({"type": "hello", "page": page}))
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
        sockets.append(ws)
    return sockets


# 3. Escalations.


async def escalate(ws: ClientConnection, consoles: list[AgentConsole]) -> dict[str, float]:
    """One `human` frame: ms to the ack, the hand-off message, the first and last console."""
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "human", "client_id": str(uuid.uuid4())}))
    times: dict[str, float] = {}
    number = None
    while number is None:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
        if frame["type"] == "ack":
            times["ack"] = ms_since(started)
        elif frame["type"] == "message" and frame["message"]["decision"] == "handoff":
            times.setdefault("visitor_handoff", ms_since(started))
        elif frame["type"] == "status" and frame.get("case"):
            number = frame["case"]["number"]
    deadline = time.perf_counter() + 30
    while any(number not in c.seen for c in consoles) and time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
    arrived = [c.seen[number] for c in consoles if number in c.seen]
    if len(arrived) < len(consoles):
        raise RuntimeError(f"{len(consoles) - len(arrived)} consoles never got case {number}")
    times["first_agent"] = (min(arrived) - started) * 1000
    times["all_agents"] = (max(arrived) - started) * 1000
    times["agent0"] = (consoles[0].seen[number] - started) * 1000
    return times


async def escalations(
    visitors: list[ClientConnection], consoles: list[AgentConsole], count: int
) -> dict[str, Any]:
    rows = []
    for ws in visitors[:count]:
        rows.append(await escalate(ws, consoles))
        await asyncio.sleep(0.02)
    return {key: summary([row[key] for row in rows]) for key in rows[0]}


# 4. The queue.


async def seed_cases(url: str, count: int) -> None:
    from conversations.storage import get_database_url, open_database
    from handoff import NewCase, Urgency, do_open_case

    db = open_database(get_database_url(url, Path(".")))
    rng = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    levels = ("low", "normal", "normal", "normal", "high", "urgent")
    try:
        for start in range(0, count, 1000):
            async with db.writing() as session, session.begin():
                for n in range(start, min(count, start + 1000)):
                    new = NewCase(
                        f"bench-conv-{n}",
                        f"bench-visitor-{n}",
                        TEAMS[n % len(TEAMS)],
                        "asked_for_human",
                        "nb",
                        Urgency(rng.choice(levels), ()),
                        question=f"Spørsmål nummer {n} om ordren min",
                    )
                    at = now - dt.timedelta(seconds=rng.uniform(0, 6 * 3600))
                    await do_open_case(session, new, at, now.year)
    finally:
        await db.close()


async def timed(work: Callable[[], Awaitable[Any]], repeat: int) -> dict[str, float]:
    await work()  # warm up
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        values.append(ms_since(started))
    return summary(values)


async def queue_timings(server: Server, url: str, cookie: str, repeat: int) -> dict[str, Any]:
    from sqlalchemy import text

    from conversations.storage import get_database_url, open_database
    from handoff import QueueFilter, get_queue

    db = open_database(get_database_url(url, Path(".")))
    headers = {"Cookie": f"samsvar_agent={cookie}"}
    figures: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(base_url=server.url + AGENT_API, timeout=60) as http:

            async def endpoint() -> None:
                answer = await http.get("/queue", headers=headers)
                answer.raise_for_status()
                assert len(answer.json()["cases"]) == 50

            async def query() -> None:
                async with db.reading() as session:
                    cases, total = await get_queue(session, QueueFilter(teams=TEAMS))
                assert len(cases) == 50 and total >= 10

            first = (await http.get("/queue", headers=headers)).json()
            figures["total"] = first["total"]
            figures["endpoint"] = await timed(endpoint, repeat)
            figures["query"] = await timed(query, repeat)
            async with db.writing() as session, session.begin():
                for name in QUEUE_INDEXES:
                    await session.execute(text(f"DROP INDEX {name}"))
            figures["baseline_endpoint_without_indexes"] = await timed(endpoint, repeat)
            figures["baseline_query_without_indexes"] = await timed(query, repeat)
    finally:
        await db.close()
    return figures


# The run.


def check_index(data_dir: Path) -> None:
    samsvar = Path(sys.executable).with_name("samsvar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env["CHAT_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [str(samsvar), "answers", "index"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"samsvar answers index failed: {done.stderr}")


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    database = folder / "chat.db"
    url = f"sqlite:///{database}"
    names = await seed_agents(url, args.agents)
    server = start_server(args.data_dir, database, SETTINGS)
    try:
        consoles = await open_consoles(server, names)
        visitors = await open_visitors(server, args.conversations)
        rss = server.rss_mb()
        latency = await escalations(visitors, consoles, args.escalations)
        await seed_cases(url, args.cases)
        queue = await queue_timings(server, url, consoles[0].cookie, args.repeat)
        for ws in visitors:
            await ws.close()
        for console in consoles:
            await console.ws.close()
            console.reader.cancel()
    finally:
        server.stop()
    return {"server_rss_mb_connected": round(rss, 1), "escalation": latency, "queue": queue}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--escalations", type=int, default=200)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "handoff.json")
    args = parser.parse_args()
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    check_index(args.data_dir)
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        figures = asyncio.run(run(args, Path(folder)))
    report = {
        "benchmark": "handoff",
        "machine": machine_info() | {"load_average_before": [round(x, 2) for x in load_before]},
        "settings": {
            "agents": args.agents,
            "open_conversations": args.conversations,
            "escalations": args.escalations,
            "seeded_cases": args.cases,
            "repeat": args.repeat,
            "database": "SQLite (temporary file)",
        },
        "targets": {"escalation_to_agent_p95_ms": 100, "queue_first_page_ms": 50},
        **figures,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_json(args.out, report)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
