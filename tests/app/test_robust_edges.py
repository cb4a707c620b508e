"""Robust edges on a real server (decision 0113): numbers past 64 bits, lone surrogates, JSON
nested 30,000 deep, a database busy past its timeout, refused frames that change nothing,
limits that count stored messages, strict e-mail addresses, undocumented statuses. Each was
a 500, a traceback or a silent change before."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.agents import Desk, add_agent
from tests.app.conftest import Serve
from tests.server import API, OPEN_HOURS, LiveServer, running_clock

pytestmark = pytest.mark.slow

BIG = 2**63  # one past SQLite's and PostgreSQL's largest integer
LONE = '{"type": "message", "client_id": "s1", "text": "Hei \\ud83d"}'  # JSON, a lone surrogate
DEEP = "[" * 30_000 + "]" * 30_000


def _refused(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert (body["ok"], body["code"]) == (False, code), body
    return body


def _conversations(live: LiveServer, visitor_id: str) -> int:
    async def count() -> int:
        async with live.db.reading() as session:
            found = await session.execute(
                text("SELECT count(*) FROM conversations WHERE visitor_id = :v"), {"v": visitor_id}
            )
            return int(found.scalar_one())

    return live.run(count())


def test_numbers_past_64_bits_are_422_not_500(serve: Serve) -> None:
    live = serve()
    add_agent(live, "kari", ["payments"])
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        with live.http() as http:
            visitor = http.post(f"{API}/visitors").json()["visitor_id"]
            headers = {"X-Samsvar-Visitor": visitor}
            started = http.post(f"{API}/conversations", json={}, headers=headers).json()
            path = f"{API}/conversations/{started['conversation_id']}"
            read = http.get(path, params={"after_seq": BIG}, headers=headers)
            fine = http.get(path, params={"after_seq": 2**53 - 1}, headers=headers)
        queue = kari.http.get("/queue", params={"offset": BIG})
        messages = kari.http.get("/cases/c_none/messages", params={"after_seq": BIG})
        with live.visitor() as tab:
            tab.connect()
            tab.send({"type": "hello", "visitor_id": visitor, "last_seq": BIG})
            frame = tab.expect("error")
    finally:
        kari.close()
    body = _refused(read, 422, "bad_request")
    assert body["error"].startswith("query field `after_seq`: Input should be less than or equal")
    assert fine.status_code == 200, fine.text
    _refused(queue, 422, "bad_request")
    _refused(messages, 422, "bad_request")
    assert frame["code"] == "bad_request"
    assert "last_seq" in frame["error"]


def test_a_lone_surrogate_is_refused_and_nothing_is_stored(serve: Serve) -> None:
    live = serve()
    with live.http() as http:
        visitor = http.post(f"{API}/visitors").json()["visitor_id"]
        headers = {"X-Samsvar-Visitor": visitor, "Content-Type": "application/json"}
        started = http.post(f"{API}/conversations", json={}, headers=headers).json()
        path = f"{API}/conversations/{started['conversation_id']}"
        sent = http.post(f"{path}/messages", content=LONE.encode(), headers=headers)
        page = http.post(
            f"{API}/pages",
            content=b'{"page": {"url": "https://shop.example/", "title": "\\udc00"}}',
            headers=headers,
        )
        paired = http.post(
            f"{path}/messages",
            content=b'{"client_id": "s2", "text": "Hei \\ud83d\\ude00"}',  # a pair: fine
            headers=headers,
        )
        stored = http.get(path, headers=headers).json()["messages"]
    with live.visitor(visitor_id=visitor) as tab:
        tab.hello()
        tab.send(LONE)
        error = tab.expect("error")
        tab.send({"type": "ping"})
        pong = tab.expect("pong")
    body = _refused(sent, 422, "bad_request")
    assert body["error"] == (
        "body field `text`: the text has a lone UTF-16 surrogate (\\ud83d) at character 4; "
        "send valid Unicode (a surrogate needs its pair)"
    )
    assert "page.title" in _refused(page, 422, "bad_request")["error"]
    assert paired.status_code == 200, paired.text
    assert [m["text"] for m in stored if m["role"] == "visitor"] == ["Hei 😀"]
    assert error["code"] == "bad_request" and "field `text`" in error["error"]
    assert error.get("client_id") is None or error["client_id"] == "s1"
    assert pong == {"type": "pong"}


def test_an_agent_reply_with_a_lone_surrogate_is_422(serve: Serve) -> None:
    live = serve(clock=running_clock(OPEN_HOURS))
    add_agent(live, "kari", ["support"])
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        kari.online()
        kari.listen()
        with live.visitor() as tab:
            tab.hello({"url": "https://shop.example/checkout/payment", "lang": "nb"})
            tab.send({"type": "human", "client_id": "h1"})
            case = kari.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
            reply = kari.http.post(
                f"/cases/{case['id']}/messages",
                content=b'{"client_id": "r1", "text": "Hei \\udfff"}',
                headers={"Content-Type": "application/json"},
            )
            good = kari.http.post(
                f"/cases/{case['id']}/messages", json={"client_id": "r2", "text": "Hei!"}
            )
            kari.ws.send('{"type": "typing", "case_id": "\\ud800", "on": true}')  # type: ignore[union-attr]
            typing = kari.expect("error")
    finally:
        kari.close()
    _refused(reply, 422, "bad_request")
    assert good.status_code == 200, good.text
    assert typing["code"] == "bad_request"


def test_json_nested_30000_deep_is_refused_on_every_surface(serve: Serve) -> None:
    live = serve()
    add_agent(live, "kari", ["payments"])
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        kari.listen()
        kari.ws.send(DEEP)  # type: ignore[union-attr]
        agent_error = kari.expect("error")
        kari.ws.send(json.dumps({"type": "ping"}))  # type: ignore[union-attr]
        agent_pong = kari.expect("pong")
        with live.visitor() as tab:
            tab.connect()
            tab.send(DEEP)
            visitor_error = tab.expect("error")
            tab.send('{"type": "hello", "page": ' + "[" * 40 + "]" * 40 + "}")
            shallow = tab.expect("error")
            welcome = tab.hello()
        with live.http() as http:
            visitor = http.post(f"{API}/visitors").json()["visitor_id"]
            headers = {"X-Samsvar-Visitor": visitor, "Content-Type": "application/json"}
            body = http.post(f"{API}/conversations", content=DEEP.encode(), headers=headers)
            latin = http.post(f"{API}/conversations", content=b'{"x": "\xe6"}', headers=headers)
    finally:
        kari.close()
    assert agent_error["code"] == "bad_request"
    assert agent_error["error"] == "the frame nests deeper than 32 levels"
    assert agent_pong == {"type": "pong"}
    assert visitor_error == {
        "type": "error",
        "ok": False,
        "error": "the frame nests deeper than 32 levels",
        "code": "bad_request",
    }
    assert shallow["code"] == "bad_request"
    assert welcome["type"] == "welcome"
    assert _refused(body, 422, "bad_request")["error"] == (
        "the body nests too deeply to be read as JSON"
    )
    assert "not UTF-8" in _refused(latin, 422, "bad_request")["error"]


def test_refused_frames_start_no_conversation(serve: Serve) -> None:
    live = serve(rate_limit_messages=1, rate_limit_seconds=60)
    with live.visitor() as tab:
        tab.hello()
        codes = []
        for frame in (
            {"type": "message", "client_id": "e1", "text": "   "},
            {"type": "message", "client_id": "e2", "text": "x" * 2001},
            {"type": "choice", "client_id": "c1", "answer_id": "no-such-answer"},
            {"type": "skip", "client_id": "s1"},
        ):
            tab.send(frame)
            codes.append(tab.expect("error")["code"])
        empty = _conversations(live, str(tab.visitor_id))
        tab.message("Hvor er pakken min?", "m1")
        tab.expect("ack")
        tab.send({"type": "message", "client_id": "m2", "text": "En til"})
        limited = tab.expect("error")
    assert codes == ["empty_message", "message_too_long", "unknown_answer", "not_collecting"]
    assert empty == 0
    assert limited["code"] == "rate_limited"
    assert _conversations(live, str(tab.visitor_id)) == 1


def test_failed_writes_do_not_use_up_the_visitors_limit(serve: Serve) -> None:
    live = serve(rate_limit_messages=2, rate_limit_seconds=60)
    with live.http() as http:
        visitor = http.post(f"{API}/visitors").json()["visitor_id"]
        headers = {"X-Samsvar-Visitor": visitor}
        started = http.post(f"{API}/conversations", json={}, headers=headers).json()
        path = f"{API}/conversations/{started['conversation_id']}/messages"
        elsewhere = f"{API}/conversations/nope/messages"
        lost = [
            http.post(elsewhere, json={"client_id": f"x{n}", "text": "Hei"}, headers=headers)
            for n in range(4)
        ]
        sent = [
            http.post(path, json={"client_id": f"m{n}", "text": f"Melding {n}"}, headers=headers)
            for n in range(3)
        ]
    assert [s.status_code for s in lost] == [404] * 4
    assert [s.status_code for s in sent] == [200, 200, 429]


def test_a_database_busy_past_its_timeout_is_503_with_retry_after(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conversations.storage.database as database

    monkeypatch.setattr(database, "SQLITE_BUSY_MS", 300)  # 15 s in production
    live = serve()
    add_agent(live, "kari", ["support"])
    kari = Desk(live, "kari")
    with live.http() as http:
        visitor = http.post(f"{API}/visitors").json()["visitor_id"]
        headers = {"X-Samsvar-Visitor": visitor}
        started = http.post(f"{API}/conversations", json={}, headers=headers).json()
        path = f"{API}/conversations/{started['conversation_id']}/messages"
        holder = sqlite3.connect(str(live.db.url.database), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            busy = http.post(path, json={"client_id": "m1", "text": "Hei"}, headers=headers)
            created = http.post(f"{API}/visitors")
            signing_in = kari.sign_in()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            kari.close()
        after = http.post(path, json={"client_id": "m1", "text": "Hei"}, headers=headers)
    _refused(busy, 503, "storage_unavailable")
    assert busy.headers["Retry-After"] == "5"
    _refused(created, 503, "storage_unavailable")
    _refused(signing_in, 503, "storage_unavailable")
    assert after.status_code == 200, after.text


def test_an_email_with_a_hidden_bcc_is_refused(serve: Serve) -> None:
    live = serve(clock=running_clock(OPEN_HOURS))
    with live.visitor() as tab:
        tab.hello({"url": "https://shop.example/checkout/payment", "lang": "nb"})
        tab.send({"type": "human", "client_id": "h1"})
        tab.expect("status")
        # mailto:kari@x.no?bcc=ola%40y.no sends a hidden copy; the old check took it
        tab.send({"type": "email", "email": "kari@x.no?bcc=ola%40y.no"})
        bad = tab.expect("error")
        tab.send({"type": "email", "email": "kari@example.no"})
        tab.quiet(0.5)
    assert bad["code"] == "bad_email"


def test_no_route_answers_an_undocumented_400(live_server: LiveServer) -> None:
    with live_server.http() as http:
        document = http.get("/api/v1/openapi.json").json()
    statuses = {
        status
        for operations in document["paths"].values()
        for operation in operations.values()
        for status in operation["responses"]
    }
    assert "400" not in statuses
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/agent") and not path.endswith(("/sign-in", "/sign-out")):
                assert {"401", "422", "503"} <= set(operation["responses"]), (method, path)
