"""The visitor WebSocket against a real server: hello, messages, fan-out, bad frames."""

from __future__ import annotations

import json

import pytest

from conversations.storage import get_counts, get_inquiries, get_messages
from tests.app.conftest import Serve
from tests.server import LiveServer

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/checkout", "title": "Kasse", "lang": "nb"}


def test_hello_without_ids_makes_a_visitor_but_no_conversation(live_server: LiveServer) -> None:
    """A page view is not a conversation: nothing is started until there is something to say."""
    with live_server.visitor() as tab:
        welcome = tab.hello(PAGE)
        timers = tab.quiet(0.5)
        tab.send({"type": "page", "page": PAGE | {"seconds_on_page": 5}})
        assert tab.expect("timers")["type"] == "timers"
    assert len(welcome["visitor_id"]) == 22
    assert welcome["conversation_id"] is None
    assert welcome["status"] == "bot"
    assert welcome["messages"] == []
    assert isinstance(welcome["timers"], list)
    assert timers == []
    assert live_server.run(get_counts(live_server.db))["conversations"] == 0


def test_a_question_gets_ack_typing_and_the_curated_answer(live_server: LiveServer) -> None:
    with live_server.visitor() as tab:
        tab.hello(PAGE)
        client_id = tab.message("Hvor er pakken min?")
        started = tab.recv()
        ack = tab.recv()
        typing = tab.recv()
        reply = tab.reply()
        assert tab.expect("typing") == {"type": "typing", "on": False}
    assert started["type"] == "conversation"
    assert (started["status"], started["messages"]) == ("bot", [])
    assert started["conversation_id"] == tab.conversation_id
    assert ack["type"] == "ack"
    assert ack["client_id"] == client_id
    assert (ack["seq"], ack["duplicate"]) == (1, False)
    assert typing == {"type": "typing", "on": True}
    assert reply["seq"] == 2
    assert (reply["decision"], reply["answer_id"]) == ("answer", "order-tracking")
    assert reply["lang"] == "nb"
    assert reply["ask_feedback"] is True
    assert reply["links"]
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    assert [(m.role, m.seq, m.client_id) for m in stored] == [
        ("visitor", 1, client_id),
        ("bot", 2, None),
    ]


def test_every_turn_is_registered_as_an_inquiry(live_server: LiveServer) -> None:
    questions = ["Hvor er pakken min?", "Kortet mitt ble avvist", "qwerty zxcv asdf"]
    with live_server.visitor() as tab:
        tab.hello(PAGE)
        for question in questions:
            tab.message(question)
            tab.reply()
    inquiries = live_server.run(get_inquiries(live_server.db, tab.conversation_id or ""))
    assert [i.text for i in inquiries] == questions
    assert {i.channel for i in inquiries} == {"widget"}
    assert {i.page_url for i in inquiries} == {PAGE["url"]}
    assert inquiries[0].decision == "answer"
    assert inquiries[0].answer_id == "order-tracking"
    assert inquiries[1].answer_id == "payment-declined"
    assert inquiries[2].decision == "abstain"
    assert inquiries[2].answer_id is None
    assert all(0.0 <= i.confidence <= 1.0 and i.language == "nb" for i in inquiries)
    assert all(i.created_at.tzinfo is not None for i in inquiries)


def test_several_tabs_of_one_visitor_all_receive_the_conversation(
    live_server: LiveServer,
) -> None:
    with live_server.visitor() as first:
        first.hello(PAGE)
        with live_server.visitor(
            visitor_id=first.visitor_id, conversation_id=first.conversation_id
        ) as second:
            second.hello(PAGE)
            client_id = first.message("Kan jeg returnere en vare?")
            first.expect("ack")
            mirrored = second.expect("message")["message"]
            assert (mirrored["role"], mirrored["client_id"]) == ("visitor", client_id)
            assert first.reply()["answer_id"] == "returns"
            assert second.reply()["answer_id"] == "returns"
        sent_back = [f for f in first.received if f["type"] == "message"]
        assert [m["message"]["role"] for m in sent_back] == ["bot"], "own message only acked"
    # Neither tab had a conversation: the first message started one, and both joined it.
    started = [f for tab in (first, second) for f in tab.received if f["type"] == "conversation"]
    assert [f["conversation_id"] for f in started] == [first.conversation_id] * 2
    assert live_server.run(get_counts(live_server.db))["conversations"] == 1


def test_the_connection_survives_bad_frames(live_server: LiveServer) -> None:
    with live_server.visitor() as tab:
        tab.connect()
        tab.send({"type": "message", "client_id": "early", "text": "hei"})
        before_hello = tab.expect("error")
        tab.hello(PAGE)
        tab.send("{not json")
        not_json = tab.expect("error")
        tab.send(json.dumps(["a", "list"]))
        not_object = tab.expect("error")
        tab.send({"type": "teleport"})
        unknown = tab.expect("error")
        tab.send({"type": "message", "client_id": "c1"})
        missing = tab.expect("error")
        tab.send({"text": "no type"})
        no_type = tab.expect("error")
        assert tab.ws is not None
        tab.ws.send(b"\x00binary")
        binary = tab.expect("error")
        tab.send({"type": "ping"})
        assert tab.expect("pong") == {"type": "pong"}
        tab.message("Hvor er pakken min?")
        assert tab.reply()["answer_id"] == "order-tracking"
    assert before_hello["code"] == "hello_required"
    assert before_hello["client_id"] == "early"
    assert not_json["code"] == "bad_request"
    assert "not valid JSON" in not_json["error"]
    assert not_object["code"] == "bad_request"
    assert unknown["code"] == "unknown_frame"
    assert "teleport" in unknown["error"]
    assert missing["code"] == "bad_request"
    assert (missing["client_id"], "`text`" in missing["error"]) == ("c1", True)
    assert no_type["code"] == "bad_request"
    assert binary["code"] == "bad_request"
    for frame in (before_hello, not_json, unknown, missing, binary):
        assert frame["ok"] is False
        assert set(frame) >= {"type", "ok", "error", "code"}


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty_message"), ("   \n ", "empty_message"), ("x" * 2001, "message_too_long")],
)
def test_bad_text_is_refused_and_not_stored(live_server: LiveServer, text: str, code: str) -> None:
    with live_server.visitor() as tab:
        tab.hello(PAGE)
        tab.message("Hvor er pakken min?")
        tab.reply()
        client_id = tab.message(text)
        error = tab.expect("error")
        assert (error["code"], error["client_id"]) == (code, client_id)
        tab.message("x" * 2000 if code == "message_too_long" else "Kortet ble avvist")
        assert tab.reply()["decision"] in ("answer", "clarify", "abstain")
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    assert len(stored) == 4
    assert client_id not in {m.client_id for m in stored}


def test_a_flood_from_one_visitor_is_rate_limited(serve: Serve) -> None:
    live = serve(rate_limit_messages=3, rate_limit_seconds=60)
    with live.visitor() as tab:
        tab.hello(PAGE)
        for n in range(3):
            tab.message(f"Hvor er pakke nummer {n}?")
            tab.expect("ack")
        limited_id = tab.message("Hvor er pakke nummer 4?")
        error = tab.expect("error")
        for _ in range(3):
            tab.reply()
    assert (error["code"], error["client_id"]) == ("rate_limited", limited_id)
    assert 1 <= error["retry_after"] <= 60
    stored = live.run(get_messages(live.db, tab.conversation_id or ""))
    assert [m.role for m in stored].count("visitor") == 3
    assert [m.role for m in stored].count("bot") == 3


def test_hello_with_another_visitors_conversation_is_forbidden(live_server: LiveServer) -> None:
    with live_server.visitor() as owner:
        owner.hello(PAGE)
        owner.message("Hvor er pakken min?")
        owner.reply()
        assert owner.conversation_id is not None
        with live_server.visitor(conversation_id=owner.conversation_id) as stranger:
            stranger.connect()
            stranger.send({"type": "hello", "conversation_id": owner.conversation_id})
            error = stranger.expect("error")
            stranger.send({"type": "hello", "conversation_id": "nope" * 5})
            unknown = stranger.expect("error")
            stranger.send({"type": "hello", "visitor_id": "unknown-visitor-id-123"})
            unknown_visitor = stranger.expect("error")
            stranger.conversation_id = None
            welcome = stranger.hello(PAGE)
    assert error["code"] == "forbidden"
    assert unknown["code"] == "unknown_conversation"
    assert unknown_visitor["code"] == "unknown_visitor"
    assert welcome["conversation_id"] != owner.conversation_id
