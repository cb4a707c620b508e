"""The whole server on a real PostgreSQL 15: the same code as on SQLite (CHAT_DATABASE_URL)."""

from __future__ import annotations

import asyncio

import pytest

from conversations.storage import get_conversation, get_inquiries, get_messages
from tests.app.conftest import Serve
from tests.postgres import create_database

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/checkout/payment-failed", "lang": "nb"}


def test_a_conversation_on_postgresql(serve: Serve, postgres_server: str) -> None:
    url = asyncio.run(create_database(postgres_server, "samsvar_server"))
    live = serve(database_url=url)
    assert live.db.dialect == "postgresql"
    tab = live.visitor()
    tab.hello(PAGE)
    offer = tab.reply()
    client_id = tab.message("Kortet mitt ble avvist, hva gjør jeg?")
    tab.close()  # dropped before the ack and the reply
    with live.visitor(visitor_id=tab.visitor_id, conversation_id=tab.conversation_id) as again:
        again.last_seq = offer["seq"]
        welcome = again.hello(PAGE)
        again.message("Kortet mitt ble avvist, hva gjør jeg?", client_id=client_id)
        assert again.expect("ack")["duplicate"] is True
        if not any(m["role"] == "bot" for m in welcome["messages"]):
            again.reply()  # not answered before the hello: it comes live, once
        again.message("Kan jeg snakke med et menneske?")
        again.expect("ack")
        asked = again.reply()  # payment-declined collects the order number first
        again.message("1234567")
        again.expect("ack")
        handoff = again.reply()
        assert again.expect("status")["status"] == "waiting_human"
    conversation_id = again.conversation_id or ""
    stored = live.run(get_messages(live.db, conversation_id))
    assert [(m.role, m.decision) for m in stored] == [
        ("bot", "proactive"),
        ("visitor", None),
        ("bot", "answer"),
        ("visitor", None),
        ("bot", "collect"),
        ("visitor", None),
        ("bot", "handoff"),
        ("system", "handoff"),
    ]
    assert stored[2].answer_id == "payment-declined"
    assert (asked["decision"], asked["collect"]["field"]) == ("collect", "order_number")
    assert handoff["decision"] == "handoff"
    inquiries = live.run(get_inquiries(live.db, conversation_id))
    assert [i.decision for i in inquiries] == ["answer", "collect", "handoff"]
    conversation = live.run(get_conversation(live.db, conversation_id))
    assert conversation is not None and conversation.status == "waiting_human"
