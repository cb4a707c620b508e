"""Nothing lost, nothing doubled: client ids, `last_seq`, and resends after a dropped connection."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from conversations.storage import (
    NewMessage,
    do_add_message,
    get_counts,
    get_inquiries,
    get_messages,
)
from tests.server import API, LiveServer, Visitor

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/orders", "lang": "nb"}
QUESTION = "Hvor er pakken min?"


def _stored(live: LiveServer, conversation_id: str) -> list[tuple[str, str | None]]:
    return [(m.role, m.client_id) for m in live.run(get_messages(live.db, conversation_id))]


@pytest.mark.parametrize("saw_ack", [False, True], ids=["before-the-ack", "after-the-ack"])
def test_a_resend_after_a_dropped_connection_is_stored_and_answered_once(
    live_server: LiveServer, saw_ack: bool
) -> None:
    tab = live_server.visitor()
    tab.hello(PAGE)
    client_id = tab.message(QUESTION)
    if saw_ack:
        tab.expect("ack")
    tab.close()  # dropped before the reply was read

    again = live_server.visitor(visitor_id=tab.visitor_id, conversation_id=tab.conversation_id)
    again.last_seq = tab.last_seq
    with again:
        welcome = again.hello(PAGE)
        again.message(QUESTION, client_id=client_id)  # the outbox resends it
        ack = again.expect("ack")
        if not any(m["role"] == "bot" for m in again.messages()):
            again.reply()  # it was still being answered: it arrives once, live
        again.quiet(1.0)
    # The server had stored the first copy before the resend (the usual case: it comes back
    # in the welcome or, to a tab that never learnt the conversation, in the `conversation`
    # frame) or stores the resend first and the late original becomes the duplicate; either
    # way once, in one conversation.
    caught_up = [f for f in again.received if f["type"] in ("welcome", "conversation")]
    stored_first = any(m["client_id"] == client_id for f in caught_up for m in f["messages"])
    assert welcome["conversation_id"] == (tab.conversation_id if saw_ack else None)
    assert live_server.run(get_counts(live_server.db))["conversations"] == 1
    if stored_first or saw_ack:
        assert ack["duplicate"] is True
    assert (ack["seq"], ack["client_id"]) == (1, client_id)
    got = [m for m in tab.messages() + again.messages()]
    roles = [m["role"] for m in got]
    # The visitor's own message comes back at most once: caught up, or live from the first
    # connection's store (when `again` had joined first); never when `last_seq` has it, and
    # never when the resend was the copy stored (it got the ack).
    assert roles in (["visitor", "bot"], ["bot"])
    if stored_first:
        assert roles == ["visitor", "bot"]
    if saw_ack or not ack["duplicate"]:
        assert roles == ["bot"]
    assert len({m["id"] for m in got}) == len(got)
    assert got[-1]["answer_id"] == "order-tracking"
    conversation_id = again.conversation_id or ""
    assert _stored(live_server, conversation_id) == [("visitor", client_id), ("bot", None)]
    assert len(live_server.run(get_inquiries(live_server.db, conversation_id))) == 1


def test_hello_with_last_seq_gets_only_what_was_missed(live_server: LiveServer) -> None:
    with live_server.visitor() as tab:
        tab.hello(PAGE)
        for question in (QUESTION, "Kortet mitt ble avvist"):
            tab.message(question)
            tab.reply()
    with live_server.visitor(
        visitor_id=tab.visitor_id, conversation_id=tab.conversation_id
    ) as again:
        again.last_seq = 2
        welcome = again.hello(PAGE)
        assert again.quiet(0.5) == []
    assert [m["seq"] for m in welcome["messages"]] == [3, 4]
    assert welcome["messages"][1]["answer_id"] == "payment-declined"


def test_a_message_stored_but_never_answered_is_answered_on_resend(
    live_server: LiveServer,
) -> None:
    """The server stopped between storing a message and answering it: the resend gets the
    answer, and the message is still stored once."""
    with live_server.conversation(PAGE) as tab:
        tab.hello(PAGE)
        client_id = str(uuid.uuid4())
        new = NewMessage(role="visitor", text=QUESTION, client_id=client_id)
        now = dt.datetime.now(dt.UTC)
        visitor_id, conversation_id = tab.visitor_id or "", tab.conversation_id or ""
        live_server.run(do_add_message(live_server.db, visitor_id, conversation_id, new, now))
        tab.message(QUESTION, client_id=client_id)
        ack = tab.expect("ack")
        reply = tab.reply()
        tab.quiet(0.5)
    assert ack["duplicate"] is True
    assert reply["answer_id"] == "order-tracking"
    assert _stored(live_server, tab.conversation_id or "") == [
        ("visitor", client_id),
        ("bot", None),
    ]


def test_the_same_message_on_two_connections_at_once_is_stored_once(
    live_server: LiveServer,
) -> None:
    with live_server.visitor() as first:
        first.hello(PAGE)
        with live_server.visitor(
            visitor_id=first.visitor_id, conversation_id=first.conversation_id
        ) as second:
            second.hello(PAGE)
            client_id = str(uuid.uuid4())
            barrier = threading.Barrier(2)

            def send(tab_: Visitor) -> None:
                barrier.wait()
                tab_.message(QUESTION, client_id=client_id)

            threads = [threading.Thread(target=send, args=(t,)) for t in (first, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            acks = [first.expect("ack"), second.expect("ack")]
            replies = [first.reply(), second.reply()]
            first.quiet(0.8)
            second.quiet(0.1)
    assert sorted(a["duplicate"] for a in acks) == [False, True]
    assert len({a["message_id"] for a in acks}) == 1
    assert replies[0]["id"] == replies[1]["id"]
    for tab in (first, second):
        bot = [m for m in tab.messages() if m["role"] == "bot"]
        assert len(bot) == 1
    assert _stored(live_server, first.conversation_id or "") == [
        ("visitor", client_id),
        ("bot", None),
    ]


def test_an_http_resend_gets_the_same_message_and_replies(live_server: LiveServer) -> None:
    with live_server.http() as http:
        visitor = http.post(f"{API}/visitors").json()["visitor_id"]
        headers = {"X-Samsvar-Visitor": visitor}
        conversation = http.post(f"{API}/conversations", json={"page": PAGE}, headers=headers)
        path = f"{API}/conversations/{conversation.json()['conversation_id']}/messages"
        body = {"client_id": "same-id", "text": QUESTION}
        first = http.post(path, json=body, headers=headers).json()
        second = http.post(path, json=body, headers=headers).json()
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    assert first["message"] == second["message"]
    assert first["replies"] == second["replies"]
    assert len(first["replies"]) == 1
