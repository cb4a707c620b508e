"""The visitor API over HTTP against a real server: every route and every error shape."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from conversations.storage import get_inquiries, get_messages
from tests.app.conftest import Serve
from tests.server import API, LiveServer

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/checkout", "title": "Kasse", "lang": "nb", "seconds_on_page": 3}


def _conversation(api: httpx.Client, page: dict[str, object] | None = PAGE) -> str:
    response = api.post(f"{API}/conversations", json={"page": page} if page else None)
    assert response.status_code == 201, response.text
    conversation_id: str = response.json()["conversation_id"]
    return conversation_id


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    message: str = body["error"]
    return message


def test_a_visitor_id_is_issued(live_server: LiveServer) -> None:
    with live_server.http() as http:
        response = http.post(f"{API}/visitors")
    assert response.status_code == 201
    body = response.json()
    assert body["ok"] is True
    assert len(body["visitor_id"]) == 22


def test_a_conversation_starts_with_or_without_a_page(api: httpx.Client) -> None:
    for body in (None, {"page": PAGE}, {}):
        response = api.post(f"{API}/conversations", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        assert (data["ok"], data["status"], data["messages"]) == (True, "bot", [])
        assert len(data["conversation_id"]) == 22


def test_a_message_gets_the_answer_and_is_kept_in_order(
    api: httpx.Client, live_server: LiveServer
) -> None:
    conversation_id = _conversation(api)
    path = f"{API}/conversations/{conversation_id}/messages"
    first = api.post(path, json={"client_id": "a", "text": "Kortet mitt ble avvist i kassen"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ok"] is True
    assert body["duplicate"] is False
    message, (reply,) = body["message"], body["replies"]
    assert (message["role"], message["seq"], message["client_id"]) == ("visitor", 1, "a")
    assert message["lang"] == "nb"
    assert (reply["role"], reply["seq"], reply["decision"]) == ("bot", 2, "answer")
    assert reply["answer_id"] == "payment-declined"
    assert reply["created_at"].endswith("Z")
    keys = {
        "id", "seq", "role", "text", "lang", "created_at", "client_id", "reply_to",
        "decision", "answer_id", "links", "fallback", "note", "choices", "offer_human",
        "ask_feedback", "proactive", "agent_name", "collect", "ask_rating",
    }  # fmt: skip
    assert set(reply) == keys
    assert (message["reply_to"], reply["reply_to"]) == (None, message["id"])
    second = api.post(path, json={"client_id": "b", "text": "asdf qwerty zxcvb"}).json()
    assert second["replies"][0]["decision"] == "abstain"
    assert second["replies"][0]["offer_human"] is True

    whole = api.get(f"{API}/conversations/{conversation_id}").json()
    assert [m["seq"] for m in whole["messages"]] == [1, 2, 3, 4]
    after = api.get(f"{API}/conversations/{conversation_id}", params={"after_seq": 2}).json()
    assert [m["seq"] for m in after["messages"]] == [3, 4]
    assert after["status"] == "bot"
    inquiries = live_server.run(get_inquiries(live_server.db, conversation_id))
    assert [(i.decision, i.answer_id) for i in inquiries] == [
        ("answer", "payment-declined"),
        ("abstain", None),
    ]


def test_requests_without_a_known_visitor_are_refused(
    live_server: LiveServer, api: httpx.Client
) -> None:
    conversation_id = _conversation(api)
    with live_server.http() as anonymous:
        missing = anonymous.get(f"{API}/conversations/{conversation_id}")
        unknown = anonymous.get(
            f"{API}/conversations/{conversation_id}", headers={"X-Samsvar-Visitor": "nobody"}
        )
    assert "X-Samsvar-Visitor" in _error(missing, 422, "bad_request")
    _error(unknown, 404, "unknown_visitor")


def test_unknown_and_foreign_conversations(live_server: LiveServer, api: httpx.Client) -> None:
    conversation_id = _conversation(api)
    api.post(
        f"{API}/conversations/{conversation_id}/messages", json={"client_id": "x", "text": "hei"}
    )
    _error(api.get(f"{API}/conversations/nope"), 404, "unknown_conversation")
    _error(
        api.post(f"{API}/conversations/nope/messages", json={"client_id": "y", "text": "hei"}),
        404,
        "unknown_conversation",
    )
    with live_server.http() as other:
        stranger = other.post(f"{API}/visitors").json()["visitor_id"]
        other.headers["X-Samsvar-Visitor"] = stranger
        _error(other.get(f"{API}/conversations/{conversation_id}"), 403, "forbidden")
        sent = other.post(
            f"{API}/conversations/{conversation_id}/messages",
            json={"client_id": "z", "text": "Hvor er pakken min?"},
        )
        _error(sent, 403, "forbidden")
    stored = live_server.run(get_messages(live_server.db, conversation_id))
    assert [m.client_id for m in stored if m.role == "visitor"] == ["x"]


def test_bad_bodies_are_refused_and_change_nothing(
    live_server: LiveServer, api: httpx.Client
) -> None:
    conversation_id = _conversation(api)
    path = f"{API}/conversations/{conversation_id}/messages"
    api.post(path, json={"client_id": "kept", "text": "Hvor er pakken min?"})
    before = api.get(f"{API}/conversations/{conversation_id}").json()["messages"]

    too_long = api.post(path, json={"client_id": "l", "text": "å" * 2001})
    assert "2,001" in _error(too_long, 413, "message_too_long")
    _error(api.post(path, json={"client_id": "e", "text": " \n\t "}), 422, "empty_message")
    assert "`text`" in _error(api.post(path, json={"client_id": "m"}), 422, "bad_request")
    assert "`client_id`" in _error(api.post(path, json={"text": "hei"}), 422, "bad_request")
    mistyped = api.post(path, json={"client_id": "t", "text": 42})
    assert "`text`" in _error(mistyped, 422, "bad_request")
    broken = api.post(path, content=b'{"text": ', headers={"Content-Type": "application/json"})
    assert "not valid JSON" in _error(broken, 422, "bad_request")
    negative = api.get(f"{API}/conversations/{conversation_id}", params={"after_seq": -1})
    assert "after_seq" in _error(negative, 422, "bad_request")
    bad_page = api.post(f"{API}/conversations", json={"page": {"title": "no url"}})
    assert "page.url" in _error(bad_page, 422, "bad_request")
    huge = api.post(
        path, content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
    )
    _error(huge, 413, "body_too_large")

    after = api.get(f"{API}/conversations/{conversation_id}").json()["messages"]
    assert after == before
    assert len(live_server.run(get_inquiries(live_server.db, conversation_id))) == 1


def test_a_flood_is_rate_limited_with_retry_after(serve: Serve) -> None:
    live = serve(rate_limit_messages=2, rate_limit_seconds=30)
    with live.http() as http:
        http.headers["X-Samsvar-Visitor"] = http.post(f"{API}/visitors").json()["visitor_id"]
        conversation_id = _conversation(http)
        path = f"{API}/conversations/{conversation_id}/messages"
        for n in range(2):
            assert http.post(path, json={"client_id": f"c{n}", "text": f"pakke {n}?"}).is_success
        limited = http.post(path, json={"client_id": "c2", "text": "pakke 2?"})
        resend = http.post(path, json={"client_id": "c1", "text": "pakke 1?"})
    _error(limited, 429, "rate_limited")
    assert 1 <= limited.json()["retry_after"] <= 30
    assert limited.headers["Retry-After"] == str(limited.json()["retry_after"])
    assert resend.json()["duplicate"] is True, "a resend of a stored message is not limited"
    stored = live.run(get_messages(live.db, conversation_id))
    assert [m.client_id for m in stored if m.role == "visitor"] == ["c0", "c1"]


def test_unknown_api_routes_answer_in_the_error_shape(live_server: LiveServer) -> None:
    with live_server.http() as http:
        _error(http.get("/api/v1/widget/nothing-here"), 404, "not_found")
        _error(http.get("/api/v2"), 404, "not_found")
        _error(http.get(f"{API}/visitors"), 405, "method_not_allowed")
        _error(http.delete(f"{API}/conversations/x"), 405, "method_not_allowed")


def test_cors_allows_only_the_configured_sites(serve: Serve) -> None:
    live = serve(allowed_origins=["https://shop.example"])
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-samsvar-visitor"}  # fmt: skip
    with live.http() as http:
        allowed = http.options(
            f"{API}/visitors", headers={"Origin": "https://shop.example", **preflight}
        )
        refused = http.options(
            f"{API}/visitors", headers={"Origin": "https://evil.example", **preflight}
        )
        simple = http.post(f"{API}/visitors", headers={"Origin": "https://shop.example"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "x-samsvar-visitor" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in refused.headers
    assert simple.headers["access-control-allow-origin"] == "https://shop.example"


def test_the_websocket_refuses_other_sites(serve: Serve) -> None:
    live = serve(allowed_origins=["https://shop.example"])
    with live.visitor(origin="https://shop.example") as allowed:
        assert allowed.hello(PAGE)["status"] == "bot"
    own = live.url  # the server's own pages (the demo shop) may always connect
    with live.visitor(origin=own) as same_site:
        assert same_site.hello(PAGE)["status"] == "bot"
    with pytest.raises(InvalidStatus) as refused:
        live.visitor(origin="https://evil.example").connect()
    assert refused.value.response.status_code == 403
