"""A resend's connection always gets the replies, even when they were published before it
watched the conversation (the race that made `test_resend` wait 30 s now and then)."""

from __future__ import annotations

import types
from typing import Any

from app.web.websocket import Connection
from conversations.services import Services
from tests.conversations.conftest import (
    InServices,
    in_services,
    shop_bot,
    shop_encoder,
    shop_retriever,
)

__all__ = ["in_services", "shop_bot", "shop_encoder", "shop_retriever"]


def _drain(connection: Connection) -> list[dict[str, Any]]:
    sent = []
    while not connection.queue.empty():
        frame = connection.queue.get_nowait()
        if frame is not None:
            sent.append(frame)
    return sent


def test_a_resend_gets_replies_that_were_published_before_it_watched(
    in_services: InServices[Any],
) -> None:
    question = "Hvor er pakken min?"

    async def scenario(services: Services) -> tuple[list[Any], list[Any]]:
        visitor = await services.visits.do_visitor(None)
        conversation = await services.visits.do_start(visitor, None)
        first = await services.chat.do_send(visitor.id, conversation.id, "c1", question)
        await services.chat.do_reply(first, None)  # answered and published: nobody watched
        socket = types.SimpleNamespace(client=None)
        again = Connection(socket, services.chat, services.visits)  # type: ignore[arg-type]
        again.ready = True
        again._watch(conversation.id, 0)  # it read the messages before the reply was stored
        resend = await services.chat.do_send(visitor.id, conversation.id, "c1", question)
        assert resend.duplicate
        await again._reply(resend, None)
        sent = _drain(again)
        await again._reply(resend, None)  # once per seq: a second pass sends nothing
        return sent, _drain(again)

    sent, second = in_services(scenario)
    assert [(f["type"], f["message"]["answer_id"]) for f in sent] == [("message", "order-tracking")]
    assert second == []
