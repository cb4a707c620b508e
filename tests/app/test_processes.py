"""Two `samsvar serve` processes over one PostgreSQL and one Redis, all real, on loopback.

A visitor on process A and an agent on process B see each other live; the rate limit and the
sign-in throttling are one for both processes; Redis that does not answer stops `serve` with a
clear error; Redis lost while running leaves each process serving its own connections, and once
it is back the frames cross again and what was missed is caught up from the database.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import PASSWORD, Desk
from tests.conftest import SAMSVAR, RunSamsvar, samsvar_env
from tests.postgres import create_database
from tests.redis_server import RedisServer, free_port, redis_missing, running_redis
from tests.server import WS_PATH, ServeProcess, Visitor, samsvar_serve

pytestmark = pytest.mark.slow

RATE_LIMIT = 8  # messages per visitor per minute, over both processes
_numbers = itertools.count(1)


@dataclass
class Cluster:
    a: ServeProcess
    b: ServeProcess
    redis: RedisServer
    env: dict[str, str]

    def visitor(self, served: ServeProcess, **kwargs: Any) -> Visitor:
        return Visitor(served.url.replace("http://", "ws://") + WS_PATH, **kwargs)


@pytest.fixture(scope="module")
def cluster(
    postgres_server: str,
    demo_data_dir: Path,
    run_samsvar: RunSamsvar,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    missing = redis_missing()
    if missing is not None:
        pytest.skip(missing)
    database = asyncio.run(create_database(postgres_server, f"samsvar_procs_{next(_numbers)}"))
    with running_redis(tmp_path_factory.mktemp("redis")) as redis:
        settings = {
            "CHAT_DATABASE_URL": database,
            "CHAT_REDIS_URL": redis.url,
            "CHAT_RATE_LIMIT_MESSAGES": str(RATE_LIMIT),
        }
        added = run_samsvar(
            *("agents", "add", "kari", "--team", "support", "--admin", "--password-stdin"),
            data_dir=demo_data_dir,
            env=settings,
            stdin=PASSWORD + "\n",
        )
        assert added.returncode == 0, added.stderr
        env = samsvar_env(demo_data_dir, settings)
        cwd = tmp_path_factory.mktemp("serve")
        with (
            samsvar_serve(str(SAMSVAR), env, cwd) as a,
            samsvar_serve(str(SAMSVAR), env, cwd) as b,
        ):
            yield Cluster(a, b, redis, env)


def _agent_message(tab: Visitor) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = tab.expect("message")["message"]
        if message["role"] == "agent":
            return message


def test_a_visitor_on_one_process_and_an_agent_on_the_other_see_each_other(
    cluster: Cluster,
) -> None:
    with Desk(cluster.b, "kari") as kari, cluster.visitor(cluster.a) as tab:
        assert kari.sign_in().status_code == 200
        assert kari.listen()["type"] == "welcome"
        tab.hello({"url": "/"})
        tab.send({"type": "human", "client_id": "h1"})
        tab.expect("ack")
        created = kari.expect("case_created")["case"]
        assert created["conversation_id"] == tab.conversation_id
        claimed = kari.http.post(f"/cases/{created['id']}/claim")
        assert claimed.status_code == 200, claimed.text
        replied = kari.http.post(
            f"/cases/{created['id']}/messages", json={"client_id": "r1", "text": "Hei, Kari her!"}
        )
        assert replied.status_code == 200, replied.text
        from_agent = _agent_message(tab)
        tab.message("Takk! Ordrenummeret er 1234567.")
        passed_on = kari.expect(
            "message",
            lambda f: f["case_id"] == created["id"] and f["message"]["role"] == "visitor",
        )
    assert from_agent["text"] == "Hei, Kari her!"
    assert passed_on["message"]["text"] == "Takk! Ordrenummeret er 1234567."


def test_one_rate_limit_for_a_visitor_on_both_processes(cluster: Cluster) -> None:
    with cluster.visitor(cluster.a) as on_a:
        on_a.hello({"url": "/"})
        on_a.message("Hvor er pakken min?")
        on_a.expect("ack")
        with cluster.visitor(
            cluster.b, visitor_id=on_a.visitor_id, conversation_id=on_a.conversation_id
        ) as on_b:
            on_b.hello({"url": "/"})
            tabs = itertools.cycle([on_b, on_a])
            for n in range(RATE_LIMIT - 1):  # 1 + 7: the limit, spread over both
                tab = next(tabs)
                tab.message(f"spørsmål {n}")
                assert tab.expect("ack")["seq"] > 0
            refused = [tab.message("én til") for tab in (on_a, on_b)]
            errors = [tab.expect("error") for tab in (on_a, on_b)]
    assert [e["code"] for e in errors] == ["rate_limited", "rate_limited"]
    assert [e["client_id"] for e in errors] == refused


def test_one_sign_in_throttle_on_both_processes(cluster: Cluster) -> None:
    name = f"guess-{uuid.uuid4().hex[:8]}"
    answers = []
    with httpx.Client(timeout=30) as http:
        for served in itertools.islice(itertools.cycle([cluster.a, cluster.b]), 5):
            answers.append(
                http.post(
                    f"{served.url}/api/v1/agent/sign-in", json={"name": name, "password": "nei"}
                )
            )
    assert [r.status_code for r in answers] == [401] * 4 + [429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_redis_lost_while_running_then_back(cluster: Cluster) -> None:
    """Each process serves its own connections meanwhile; back, frames cross again and the
    other process's tab catches up what it missed from the database."""
    with cluster.visitor(cluster.a) as on_a:
        on_a.hello({"url": "/"})
        _ask(on_a, "Hvor er pakken min?")
        with cluster.visitor(
            cluster.b, visitor_id=on_a.visitor_id, conversation_id=on_a.conversation_id
        ) as on_b:
            known = on_b.hello({"url": "/"})
            cluster.redis.stop()
            try:
                answered = _ask(on_a, "Kan jeg returnere en sofa?")  # A answers its own
            finally:
                cluster.redis.start()
            missed = _until_message(on_b, answered["seq"], timeout=30)
            client_id = on_a.message("Og hvor lang tid tar det?")
            live = _until_message(on_b, _ack(on_a, client_id)["seq"], timeout=30)
    assert known["conversation_id"] == on_a.conversation_id
    assert missed["text"] == answered["text"]
    assert live["role"] == "visitor"
    seqs = [m["seq"] for m in on_b.messages()]
    assert len(seqs) == len(set(seqs)), "no message twice"


def _ack(tab: Visitor, client_id: str) -> dict[str, Any]:
    while (ack := tab.expect("ack"))["client_id"] != client_id:
        pass
    return ack


def _ask(tab: Visitor, text: str) -> dict[str, Any]:
    """Send a message; the bot's reply to it."""
    message_id = _ack(tab, tab.message(text))["message_id"]
    while (reply := tab.reply())["reply_to"] != message_id:
        pass
    return reply


def _until_message(tab: Visitor, seq: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message: dict[str, Any] = tab.expect("message", max(0.1, deadline - time.monotonic()))[
            "message"
        ]
        if message["seq"] == seq:
            return message


def test_serve_stops_when_redis_does_not_answer(
    demo_data_dir: Path, tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    port = free_port()
    done = run_samsvar(
        "serve",
        "--port",
        "0",
        data_dir=demo_data_dir,
        env={
            "CHAT_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
            "CHAT_REDIS_URL": f"redis://:hemmelig@127.0.0.1:{port}/0",
        },
        timeout=300,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(f"error: cannot reach Redis at redis://:***@127.0.0.1:{port}/0")
    assert "hemmelig" not in done.stderr + done.stdout
