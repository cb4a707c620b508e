"""The visitor WebSocket `/api/v1/widget/ws` (docs/api.md, "WebSocket").

Each connection has one writer task draining a queue, so frames from the handler (acks,
errors, welcome) and from the hub (messages, typing, status, streamed parts) go out in the
order they were queued. The connection remembers which seqs the client has (from `last_seq`,
the welcome, acks and delivered messages) and never sends a message twice, nor a streamed
part. A bad frame gets an error frame and the connection stays open.

A connection has no conversation until there is something to say: `hello` without one (or
with one that has idled out) gets a `welcome` with `conversation_id: null`; the first
message, choice, request for a person or proactive offer starts one, under the visitor's lock,
and a `conversation` frame tells this connection and the visitor's other tabs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.errors import CLIENT_ERRORS, ApiError, HelloRequired, OriginNotAllowed, as_api_error
from app.web.addresses import client_address
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
    read_frame,
)
from app.web.widget_api import PREFIX, page_info
from channels import ChannelError
from conversations import frames
from conversations.chat import Chat, Stored
from conversations.errors import (
    ConversationError,
    NotCollecting,
    RateLimited,
    StorageUnavailable,
    UnknownMessage,
)
from conversations.frames import Frame, visitor_channel
from conversations.hub import Subscription
from conversations.messages import message_json
from conversations.storage import (
    Message,
    Visitor,
    get_conversation,
    get_conversation_with_message,
    get_messages,
    is_unavailable,
)
from conversations.storage.records import PageInfo
from conversations.streams import DeltaFilter
from conversations.visits import Visits
from handoff import HandoffError
from insights import InsightsError

__all__ = ["router"]

log = logging.getLogger(__name__)

MAX_QUEUED = 1000  # frames waiting for a slow client; beyond it the client must reconnect
MAX_HELLOS = 20  # `hello` frames one connection may send (the widget sends one, or a few)
Body = dict[str, Any]  # a frame as this connection sends it

router = APIRouter()


class Connection:
    """One visitor's WebSocket: the visitor, the conversation it watches, what it has sent."""

    def __init__(self, websocket: WebSocket, chat: Chat, visits: Visits) -> None:
        self.websocket, self.chat, self.visits = websocket, chat, visits
        self.address = client_address(websocket)  # for the limits per client address
        self.hellos = 0
        self.queue: asyncio.Queue[Body | None] = asyncio.Queue()
        self.visitor: Visitor | None = None
        self.conversation_id: str | None = None  # None until the conversation starts
        self.page: PageInfo | None = None
        self.lang: str | None = None  # the browser's language, from hello
        self.subscription: Subscription | None = None  # the conversation's channel
        self.visitor_subscription: Subscription | None = None  # the visitor's channel
        self.known_upto = 0  # the client had every message up to this seq (hello's last_seq)
        self.sent: set[int] = set()  # seqs sent since
        self.streamed = DeltaFilter()  # what it has of replies being streamed
        self.ready = False  # the welcome is queued; before it, hub frames wait in `pending`
        self.pending: list[Body] = []
        self.overflowed = False

    # Outgoing.

    def deliver(self, frame: Frame) -> None:
        """The hub's callback: queue a frame (messages only once per seq, parts once)."""
        if frame.type == "resync":  # frames may have been missed: catch up from the database
            if frame.channel == self.conversation_id:
                self.chat.spawn(self._catch_up(frame.channel))
            return
        self._take(dict(frame.body))

    def _take(self, frame: Body) -> None:
        kind = frame.get("type")
        if kind == "conversation":  # another tab (or POST /conversations) started one
            self._adopt(str(frame["conversation_id"]), str(frame["status"]), [])
            return
        if not self.ready:
            self.pending.append(frame)
            return
        if kind == "message":
            seq = int(frame["message"]["seq"])
            if seq <= self.known_upto or seq in self.sent:
                return
            self.sent.add(seq)
            self.streamed.done(frame["message"].get("reply_to"))
        elif kind in ("delta", "retract"):
            admitted = self.streamed.admit(frame)
            if admitted is None:
                return
            frame = admitted
        self.send(frame)

    async def _catch_up(self, conversation_id: str) -> None:
        """Send the stored messages this connection has not sent, and the status now."""
        async with _catch_up_turns():
            if conversation_id != self.conversation_id or self.overflowed:
                return
            messages = await get_messages(self.chat.db, conversation_id, after_seq=self.known_upto)
            conversation = await get_conversation(self.chat.db, conversation_id)
            case = await self.chat.handoffs.case_for(conversation_id)
        if conversation_id != self.conversation_id or conversation is None:
            return
        for stored in messages:
            self._take(dict(frames.message(conversation_id, stored).body))
        self._take(dict(frames.status(conversation_id, conversation.status, case).body))

    def send(self, frame: Body | None) -> None:
        if self.overflowed:
            return
        if self.queue.qsize() >= MAX_QUEUED:
            log.warning("closing a WebSocket whose client does not read its frames")
            while not self.queue.empty():
                self.queue.get_nowait()
            self.overflowed, frame = True, None
        self.queue.put_nowait(frame)

    def error(
        self,
        exc: ApiError | ConversationError | HandoffError | InsightsError | ChannelError,
        client_id: str | None = None,
    ) -> None:
        frame: Body = {"type": "error", **as_api_error(exc).body()}
        if client_id is not None:
            frame["client_id"] = client_id
        self.send(frame)

    async def writer(self) -> None:
        while (frame := await self.queue.get()) is not None:
            await self.websocket.send_text(json.dumps(frame, ensure_ascii=False))
        await self.websocket.close(code=1013)  # try again later: reconnect and resync

    def close(self) -> None:
        for subscription in (self.subscription, self.visitor_subscription):
            if subscription is not None:
                subscription.close()
        self.subscription = self.visitor_subscription = None

    def _watch(self, conversation_id: str, known_upto: int) -> None:
        """Follow this conversation from now on (the client has its messages to `known_upto`)."""
        if self.subscription is not None:
            self.subscription.close()
        self.conversation_id, self.known_upto = conversation_id, known_upto
        self.sent = set()
        self.streamed.clear()
        self.subscription = self.chat.hub.subscribe(conversation_id, self.deliver)

    # Incoming.

    async def handle(self, raw: str) -> None:
        client_id: str | None = None
        try:
            data = read_frame(raw)  # JSON, not nested too deeply, valid Unicode
            if isinstance(data, dict) and isinstance(data.get("client_id"), str):
                client_id = data["client_id"][:64]
            frame = check_frame(data)
            await self._dispatch(frame)
        except CLIENT_ERRORS as exc:
            self.error(exc, client_id)

    async def _dispatch(self, frame: Any) -> None:
        if isinstance(frame, HelloFrame):
            await self._hello(frame)
        elif isinstance(frame, PingFrame):
            self.send({"type": "pong"})
        elif self.visitor is None:
            raise HelloRequired("send a `hello` frame first")
        elif isinstance(frame, MessageFrame | ChoiceFrame | HumanFrame | SkipFrame):
            await self._visitor_message(frame)
        elif isinstance(frame, EmailFrame | RateFrame | TypingFrame):
            await self._case_frame(frame)
        elif isinstance(frame, FeedbackFrame):
            if self.conversation_id is None:
                raise UnknownMessage(f"{frame.message_id!r}: there is no conversation yet")
            await self.chat.do_feedback(
                self.visitor.id, self.conversation_id, frame.message_id, frame.helpful
            )
        elif isinstance(frame, PageFrame):
            await self._page(frame)

    async def _hello(self, frame: HelloFrame) -> None:
        self.hellos += 1
        if self.hellos > MAX_HELLOS:
            raise RateLimited(
                f"too many hello frames on one connection (at most {MAX_HELLOS}): reconnect",
                1,
            )
        page = page_info(frame.page)
        visitor, conversation = await self.visits.do_hello(
            frame.visitor_id,
            frame.conversation_id,
            page,
            address=self.address,
            customer_id=frame.customer_id,
            customer_hmac=frame.customer_hmac,
        )
        self.close()
        self.visitor, self.conversation_id = visitor, None
        self.page, self.lang = page, frame.lang
        self.ready, self.pending = False, []
        self.known_upto, self.sent = 0, set()
        self.streamed.clear()
        self.visitor_subscription = self.chat.hub.subscribe(
            visitor_channel(visitor.id), self.deliver
        )
        messages: list[Message] = []
        if conversation is not None:
            self._watch(conversation.id, frame.last_seq)
            messages = await get_messages(self.chat.db, conversation.id, after_seq=frame.last_seq)
            self.sent = {m.seq for m in messages}
        self.send(
            {
                "type": "welcome",
                "visitor_id": visitor.id,
                "conversation_id": conversation.id if conversation is not None else None,
                "status": conversation.status if conversation is not None else "bot",
                "case": await self.chat.handoffs.case_for(conversation.id)
                if conversation is not None
                else None,
                "messages": [message_json(m) for m in messages],
                "timers": self.visits.timers(page),
            }
        )
        self._ready()
        offer = self.visits.do_offer(
            visitor, self.conversation_id, page, lang=self.lang, start=self._started
        )
        self.chat.spawn(self._quietly(offer))

    def _ready(self) -> None:
        """After the welcome: the text of a reply being streamed, then what waited."""
        self.ready = True
        stream = self.chat.streaming(self.conversation_id) if self.conversation_id else None
        catch_up = stream.catch_up() if stream is not None else None
        pending, self.pending = self.pending, []
        if catch_up is not None:
            self.deliver(catch_up)
        for queued in pending:
            if queued.get("type") == "conversation":  # adopted already, see `_adopt`
                self.send(queued)
            else:
                self._take(queued)

    def _visitor_lock(self) -> AbstractAsyncContextManager[None]:
        assert self.visitor is not None
        return self.chat.lock(visitor_channel(self.visitor.id))

    async def _started(self) -> str:
        """For a proactive offer: the connection's conversation, started now if it has none."""
        async with self._visitor_lock():
            return await self._conversation(None)

    async def _may_start(self, frame: MessageFrame | ChoiceFrame | HumanFrame | SkipFrame) -> None:
        """Refuse, before a conversation is started for it, a frame that would be refused
        once it had one: a refused frame changes nothing (no empty conversation)."""
        assert self.visitor is not None
        if isinstance(frame, MessageFrame):
            self.chat.check_text(frame.text)
        elif isinstance(frame, ChoiceFrame):
            self.chat.check_choice(frame.answer_id)
        elif isinstance(frame, SkipFrame):
            raise NotCollecting("the bot is not asking for anything to skip")
        await self.chat.check_rate(self.visitor.id)

    async def _conversation(
        self, client_id: str | None, may_start: Callable[[], Awaitable[None]] | None = None
    ) -> str:
        """The connection's conversation; one that has none (under the visitor's lock) gets:
        the conversation that has a message with `client_id` already (a resend from a tab
        that never learnt where its message went), else the one another tab of the visitor
        has just started (`deliver` adopts it), else a new one."""
        assert self.visitor is not None
        if self.conversation_id is not None:
            return self.conversation_id
        found = None
        if client_id is not None:
            found = await get_conversation_with_message(self.chat.db, self.visitor.id, client_id)
        if found is not None:
            messages = await get_messages(self.chat.db, found.id)
            self._adopt(found.id, found.status, messages)
        elif self.conversation_id is None:
            if may_start is not None:
                await may_start()
            started = await self.visits.do_start(self.visitor, self.page)
            self._adopt(started.id, started.status, [])  # unless the hub has just done so
        assert self.conversation_id is not None
        return self.conversation_id

    def _adopt(self, conversation_id: str, status: str, messages: list[Message]) -> None:
        if self.conversation_id is not None:
            return
        self._watch(conversation_id, 0)
        self.sent = {m.seq for m in messages}
        frame = {
            "type": "conversation",
            "conversation_id": conversation_id,
            "status": status,
            "messages": [message_json(m) for m in messages],
        }
        if self.ready:
            self.send(frame)
        else:
            self.pending.append(frame)

    async def _case_frame(self, frame: EmailFrame | RateFrame | TypingFrame) -> None:
        handoffs = self.chat.handoffs
        if isinstance(frame, TypingFrame):  # a flood reaches no console
            await self.visits.check_typing(self.address)
        if self.conversation_id is None:  # nothing said yet: no case to write to
            if isinstance(frame, TypingFrame):
                return
            raise UnknownMessage("there is no conversation yet, so no case to answer")
        if isinstance(frame, EmailFrame):
            await handoffs.do_email(self.conversation_id, frame.email)
        elif isinstance(frame, RateFrame):
            await handoffs.do_rate(self.conversation_id, frame.score, frame.comment)
        else:
            await handoffs.do_visitor_typing(self.conversation_id, on=frame.on)

    async def _visitor_message(
        self, frame: MessageFrame | ChoiceFrame | HumanFrame | SkipFrame
    ) -> None:
        if self.conversation_id is not None:
            stored = await self._store(frame, self.conversation_id)
        else:  # the first one starts the conversation: one at a time per visitor
            async with self._visitor_lock():
                where = await self._conversation(frame.client_id, lambda: self._may_start(frame))
                stored = await self._store(frame, where)
        self._ack(stored)
        page = (page_info(frame.page) if isinstance(frame, MessageFrame) else None) or self.page
        self.chat.spawn(self._reply(stored, page))

    async def _store(
        self, frame: MessageFrame | ChoiceFrame | HumanFrame | SkipFrame, where: str
    ) -> Stored:
        assert self.visitor is not None
        who, chat = self.visitor.id, self.chat
        if isinstance(frame, MessageFrame):
            return await chat.do_send(who, where, frame.client_id, frame.text, origin=self.deliver)
        if isinstance(frame, ChoiceFrame):
            return await chat.do_choose(
                who, where, frame.client_id, frame.answer_id, origin=self.deliver
            )
        if isinstance(frame, SkipFrame):
            return await chat.do_skip(who, where, frame.client_id, origin=self.deliver)
        return await chat.do_ask_human(
            who, where, frame.client_id, lang=self.lang, origin=self.deliver
        )

    async def _page(self, frame: PageFrame) -> None:
        assert self.visitor is not None
        self.page = page_info(frame.page)
        assert self.page is not None
        await self.visits.do_page(
            self.visitor,
            self.conversation_id,
            self.page,
            lang=self.lang,
            start=self._started,
        )
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
        await self._quietly(self._replied(stored, page), client_id)

    async def _replied(self, stored: Stored, page: PageInfo | None) -> None:
        """Answer, and make sure this connection has the replies: a resend's replies may
        have been published while it was not yet watching the conversation (between reading
        its messages and subscribing), so they are taken again here (once per seq)."""
        replies, _new = await self.chat.do_reply(stored, page, lang=self.lang)
        conversation_id = stored.conversation.id
        if conversation_id == self.conversation_id:
            for reply in replies:
                self._take(dict(frames.message(conversation_id, reply).body))

    async def _quietly(self, work: Any, client_id: str | None = None) -> None:
        """Background work for this connection: a failure becomes an error frame."""
        try:
            await work
        except CLIENT_ERRORS as exc:
            self.error(exc, client_id)
        except Exception as exc:  # the visitor's message is stored; a resend retries the reply
            self.error(_failure(exc, "the server could not answer; try again"), client_id)


def _failure(exc: Exception, message: str) -> ApiError | StorageUnavailable:
    """An unexpected failure as the client is told: the database not available now (try
    again; nothing was half-written), else a server error (logged)."""
    if is_unavailable(exc):
        log.warning("the database cannot serve now: %s", exc)
        return StorageUnavailable("the database is not available; try again")
    log.error("a WebSocket frame or its reply failed", exc_info=exc)
    return ApiError(message, code="server_error")


_CATCH_UP_AT_ONCE = 8  # connections of one process reading the database to catch up
_catch_up_limits: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _catch_up_turns() -> asyncio.Semaphore:
    """After Redis was lost, every connection catches up at once: a few at a time read."""
    loop = asyncio.get_running_loop()
    limit = _catch_up_limits.get(loop)
    if limit is None:
        limit = _catch_up_limits[loop] = asyncio.Semaphore(_CATCH_UP_AT_ONCE)
    return limit


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
        except Exception as exc:  # a bug must not end the visitor's connection
            connection.error(_failure(exc, "the server could not handle the frame"))
