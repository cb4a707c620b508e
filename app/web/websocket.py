"""The visitor WebSocket `/api/v1/widget/ws` (docs/api.md, "WebSocket").

Each connection has one writer task draining a queue, so frames from the handler (acks,
errors, welcome) and from the hub (messages, typing, status) go out in the order they were
queued. The connection remembers which seqs the client has (from `last_seq`, the welcome, acks
and delivered messages) and never sends a message twice. A bad frame gets an error frame and
the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.errors import ApiError, HelloRequired, OriginNotAllowed, from_handoff
from app.storage import Visitor, get_messages
from app.storage.records import PageInfo
from app.web.chat import Chat, Stored
from app.web.hub import Subscription
from app.web.messages import message_json
from app.web.origins import Origins
from app.web.schemas import (
    ChoiceFrame,
    EmailFrame,
    FeedbackFrame,
    HelloFrame,
    HumanFrame,
    MessageFrame,
    PageFrame,
    PingFrame,
    RateFrame,
    SkipFrame,
    TypingFrame,
    check_frame,
)
from app.web.visits import Visits
from app.web.widget_api import PREFIX, page_info
from handoff import HandoffError

__all__ = ["router"]

log = logging.getLogger(__name__)

MAX_QUEUED = 1000  # frames waiting for a slow client; beyond it the client must reconnect
Frame = dict[str, Any]

router = APIRouter()


class Connection:
    """One visitor's WebSocket: the visitor, the conversation it watches, what it has sent."""

    def __init__(self, websocket: WebSocket, chat: Chat, visits: Visits) -> None:
        self.websocket, self.chat, self.visits = websocket, chat, visits
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue()
        self.visitor: Visitor | None = None
        self.conversation_id: str | None = None
        self.page: PageInfo | None = None
        self.lang: str | None = None  # the browser's language, from hello
        self.subscription: Subscription | None = None
        self.known_upto = 0  # the client had every message up to this seq (hello's last_seq)
        self.sent: set[int] = set()  # seqs sent since
        self.ready = False  # the welcome is queued; before it, hub frames wait in `pending`
        self.pending: list[Frame] = []
        self.overflowed = False

    # Outgoing.

    def deliver(self, frame: Frame) -> None:
        """The hub's callback: queue a frame (messages only once per seq)."""
        if not self.ready:
            self.pending.append(frame)
            return
        if frame.get("type") == "message":
            seq = int(frame["message"]["seq"])
            if seq <= self.known_upto or seq in self.sent:
                return
            self.sent.add(seq)
        self.send(frame)

    def send(self, frame: Frame | None) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= MAX_QUEUED:
            log.warning("closing a WebSocket whose client does not read its frames")
            while not self.queue.empty():
                self.queue.get_nowait()
            self.overflowed, frame = True, None
        self.queue.put_nowait(frame)

    def error(self, exc: ApiError, client_id: str | None = None) -> None:
        frame: Frame = {"type": "error", **exc.body()}
        if client_id is not None:
            frame["client_id"] = client_id
        self.send(frame)

    async def writer(self) -> None:
        while (frame := await self.queue.get()) is not None:
            await self.websocket.send_text(json.dumps(frame, ensure_ascii=False))
        await self.websocket.close(code=1013)  # try again later: reconnect and resync

    def close(self) -> None:
        if self.subscription is not None:
            self.subscription.close()
            self.subscription = None

    # Incoming.

    async def handle(self, raw: str) -> None:
        client_id: str | None = None
        try:
            data = json.loads(raw)
            if isinstance(data, dict) and isinstance(data.get("client_id"), str):
                client_id = data["client_id"][:64]
            frame = check_frame(data)
            await self._dispatch(frame)
        except json.JSONDecodeError as exc:
            self.error(ApiError(f"the frame is not valid JSON: {exc.msg} at {exc.pos}"))
        except ApiError as exc:
            self.error(exc, client_id)

    async def _dispatch(self, frame: Any) -> None:
        if isinstance(frame, HelloFrame):
            await self._hello(frame)
        elif isinstance(frame, PingFrame):
            self.send({"type": "pong"})
        elif self.visitor is None or self.conversation_id is None:
            raise HelloRequired("send a `hello` frame first")
        elif isinstance(frame, MessageFrame | ChoiceFrame | HumanFrame | SkipFrame):
            await self._visitor_message(frame)
        elif isinstance(frame, EmailFrame | RateFrame | TypingFrame):
            await self._case_frame(frame)
        elif isinstance(frame, FeedbackFrame):
            await self.chat.do_feedback(
                self.visitor.id, self.conversation_id, frame.message_id, frame.helpful
            )
        elif isinstance(frame, PageFrame):
            await self._page(frame)

    async def _hello(self, frame: HelloFrame) -> None:
        page = page_info(frame.page)
        visitor, conversation = await self.visits.do_hello(
            frame.visitor_id, frame.conversation_id, page
        )
        self.close()
        self.visitor, self.conversation_id = visitor, conversation.id
        self.page, self.lang = page, frame.lang
        self.ready, self.pending, self.sent = False, [], set()
        self.subscription = self.chat.hub.subscribe(conversation.id, self.deliver)
        resumed = conversation.id == frame.conversation_id
        self.known_upto = frame.last_seq if resumed else 0
        messages = await get_messages(self.chat.db, conversation.id, after_seq=self.known_upto)
        self.sent = {m.seq for m in messages}
        self.send(
            {
                "type": "welcome",
                "visitor_id": visitor.id,
                "conversation_id": conversation.id,
                "status": conversation.status,
                "case": await self.chat.handoffs.case_for(conversation.id)
                if self.chat.handoffs
                else None,
                "messages": [message_json(m) for m in messages],
                "timers": self.visits.timers(page),
            }
        )
        self.ready = True
        pending, self.pending = self.pending, []
        for queued in pending:
            self.deliver(queued)
        self.chat.spawn(
            self._quietly(self.visits.do_greet(visitor, conversation.id, page, lang=self.lang))
        )

    async def _case_frame(self, frame: EmailFrame | RateFrame | TypingFrame) -> None:
        assert self.conversation_id is not None
        handoffs = self.chat.handoffs
        if handoffs is None:
            return
        try:
            if isinstance(frame, EmailFrame):
                await handoffs.do_email(self.conversation_id, frame.email)
            elif isinstance(frame, RateFrame):
                await handoffs.do_rate(self.conversation_id, frame.score, frame.comment)
            else:
                await handoffs.do_visitor_typing(self.conversation_id, on=frame.on)
        except HandoffError as exc:
            raise from_handoff(exc) from exc

    async def _visitor_message(
        self, frame: MessageFrame | ChoiceFrame | HumanFrame | SkipFrame
    ) -> None:
        assert self.visitor is not None and self.conversation_id is not None
        who, where = self.visitor.id, self.conversation_id
        if isinstance(frame, MessageFrame):
            stored = await self.chat.do_send(
                who, where, frame.client_id, frame.text, origin=self.deliver
            )
            page = page_info(frame.page) or self.page
        elif isinstance(frame, ChoiceFrame):
            stored = await self.chat.do_choose(
                who, where, frame.client_id, frame.answer_id, origin=self.deliver
            )
            page = self.page
        elif isinstance(frame, SkipFrame):
            stored = await self.chat.do_skip(who, where, frame.client_id, origin=self.deliver)
            page = self.page
        else:
            stored = await self.chat.do_ask_human(
                who, where, frame.client_id, lang=self.lang, origin=self.deliver
            )
            page = self.page
        self._ack(stored)
        self.chat.spawn(self._reply(stored, page))

    async def _page(self, frame: PageFrame) -> None:
        assert self.visitor is not None and self.conversation_id is not None
        self.page = page_info(frame.page)
        assert self.page is not None
        await self.visits.do_page(self.visitor, self.conversation_id, self.page, lang=self.lang)
        self.send({"type": "timers", "timers": self.visits.timers(self.page)})

    def _ack(self, stored: Stored) -> None:
        self.sent.add(stored.message.seq)
        self.send(
            {
                "type": "ack",
                "client_id": stored.message.client_id,
                "message_id": stored.message.id,
                "seq": stored.message.seq,
                "duplicate": stored.duplicate,
            }
        )

    async def _reply(self, stored: Stored, page: PageInfo | None) -> None:
        client_id = stored.message.client_id
        await self._quietly(self.chat.do_reply(stored, page, lang=self.lang), client_id)

    async def _quietly(self, work: Any, client_id: str | None = None) -> None:
        """Background work for this connection: a failure becomes an error frame."""
        try:
            await work
        except ApiError as exc:
            self.error(exc, client_id)
        except Exception:  # the visitor's message is stored; a resend retries the reply
            log.exception("background work for a WebSocket failed")
            failure = ApiError("the server could not answer; try again", code="server_error")
            self.error(failure, client_id)


@router.websocket(f"{PREFIX}/ws")
async def visitor_socket(websocket: WebSocket) -> None:
    chat: Chat = websocket.app.state.chat
    visits: Visits = websocket.app.state.visits
    origins: Origins = websocket.app.state.origins
    if not origins.allows(websocket.headers.get("origin"), websocket.headers.get("host")):
        log.info("refused a WebSocket from origin %s", websocket.headers.get("origin"))
        await websocket.close(code=1008, reason=OriginNotAllowed.code)
        return
    await websocket.accept()
    connection = Connection(websocket, chat, visits)
    writer = asyncio.create_task(connection.writer())
    try:
        await _read(websocket, connection, writer)
    finally:
        connection.close()
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await writer


async def _read(websocket: WebSocket, connection: Connection, writer: asyncio.Task[None]) -> None:
    while not writer.done():
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            connection.error(ApiError("frames must be JSON text, not binary"))
            continue
        try:
            await connection.handle(text)
        except Exception:  # a bug must not end the visitor's connection
            log.exception("a WebSocket frame failed")
            connection.error(ApiError("the server could not handle the frame", code="server_error"))
