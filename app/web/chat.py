"""What a visitor can do in a conversation, shared by the HTTP routes and the WebSocket.

Every message is stored before the bot sees it. Replies are produced under a lock per
conversation, so turns of one conversation never overlap, and they are idempotent: a message
that already has replies (a resend) gets those, never a second set. Replies and status changes
go to every connection watching the conversation through the hub.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from app.errors import InvalidText
from app.storage import (
    Conversation,
    Database,
    Message,
    NewMessage,
    PageInfo,
    Visitor,
    check_conversation,
    do_add_message,
    do_create_conversation,
    do_create_visitor,
    do_record_page_view,
    do_store_replies,
    do_touch_visitor,
    get_conversation,
    get_message_by_client_id,
    get_messages,
    get_replies,
    get_visitor,
)
from app.web.hub import Deliver, Hub
from app.web.limits import RateLimiter
from app.web.messages import message_json
from app.web.texts import HUMAN_WILL_ANSWER
from app.web.turns import BotRunner, history_langs, inquiry_of, message_of, page_lang
from bot import InvalidMessage, check_message

__all__ = ["Chat", "Stored", "utcnow"]

log = logging.getLogger(__name__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Stored:
    """A visitor message as stored (or found stored: `duplicate`)."""

    message: Message
    conversation: Conversation
    duplicate: bool


class Chat:
    """The conversation operations; one per server process."""

    def __init__(
        self,
        db: Database,
        runner: BotRunner,
        hub: Hub,
        limiter: RateLimiter,
        *,
        idle_after: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db, self.runner, self.hub, self.limiter = db, runner, hub, limiter
        self.idle_after = idle_after
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tasks: set[asyncio.Task[Any]] = set()

    # Visitors and conversations.

    async def do_visitor(self, visitor_id: str | None) -> Visitor:
        """The visitor with this id (seen now), or a new visitor; raises UnknownVisitor."""
        if visitor_id is None:
            return await do_create_visitor(self.db, self.clock())
        visitor = await get_visitor(self.db, visitor_id)
        return await do_touch_visitor(self.db, visitor, self.clock())

    async def do_open(
        self, visitor: Visitor, conversation_id: str | None, page: PageInfo | None
    ) -> Conversation:
        """The conversation to go on with: the one given (if it is the visitor's and has not
        idled out with the bot), else a new one. Records the page view."""
        conversation = None
        if conversation_id is not None:
            conversation = await check_conversation(self.db, visitor.id, conversation_id)
            idle = self.clock() - conversation.updated_at >= self.idle_after
            if idle and conversation.status == "bot":
                conversation = None
        if conversation is None:
            conversation = await do_create_conversation(
                self.db,
                visitor.id,
                self.clock(),
                page_url=page.url if page else None,
                language=page_lang(page),
            )
        if page is not None:
            await do_record_page_view(self.db, visitor.id, conversation.id, page, self.clock())
        return conversation

    async def do_hello(
        self, visitor_id: str | None, conversation_id: str | None, page: PageInfo | None
    ) -> tuple[Visitor, Conversation]:
        """A WebSocket's `hello`: the visitor (new when None) and the conversation to go on
        with. Ids are checked before anything is created."""
        if visitor_id is None and conversation_id is not None:
            await check_conversation(self.db, "", conversation_id)  # unknown, or not theirs
        visitor = await self.do_visitor(visitor_id)
        return visitor, await self.do_open(visitor, conversation_id, page)

    async def do_new_conversation(self, visitor: Visitor, page: PageInfo | None) -> Conversation:
        return await self.do_open(visitor, None, page)

    # Messages.

    async def do_send(
        self,
        visitor_id: str,
        conversation_id: str,
        client_id: str,
        text: str,
        *,
        origin: Deliver | None = None,
    ) -> Stored:
        """Check and store a visitor message (or find it stored); raises ApiError."""
        try:
            text = check_message(text)
        except InvalidMessage as exc:
            raise InvalidText(str(exc), exc.code) from exc
        new = NewMessage(role="visitor", text=text, client_id=client_id)
        return await self._store(visitor_id, conversation_id, new, origin)

    async def _store(
        self, visitor_id: str, conversation_id: str, new: NewMessage, origin: Deliver | None
    ) -> Stored:
        conversation = await check_conversation(self.db, visitor_id, conversation_id)
        assert new.client_id is not None
        found = await get_message_by_client_id(self.db, conversation_id, new.client_id)
        if found is not None:
            return Stored(found, conversation, duplicate=True)
        self.limiter.check(visitor_id, time.monotonic())
        message, duplicate = await do_add_message(self.db, conversation_id, new, self.clock())
        if not duplicate:
            await self._publish_message(conversation_id, message, exclude=origin)
        return Stored(message, conversation, duplicate)

    async def do_reply(self, stored: Stored, page: PageInfo | None) -> tuple[list[Message], bool]:
        """The replies to a stored visitor message: (replies, whether they are new).

        A message that has replies gets them back (a resend); otherwise the bot answers it, or,
        while the conversation waits for a person, a short notice is stored once.
        """
        conversation_id = stored.conversation.id
        async with self._lock(conversation_id):
            replies = await get_replies(self.db, stored.message.id)
            if replies:
                return replies, False
            conversation = await get_conversation(self.db, conversation_id)
            assert conversation is not None
            if page is None and conversation.page_url:
                page = PageInfo(url=conversation.page_url)
            if conversation.status != "bot":
                replies = await self._notice(conversation, stored.message)
            else:
                replies = await self._turn(conversation, stored.message, page)
        return replies, True

    async def _turn(
        self, conversation: Conversation, message: Message, page: PageInfo | None
    ) -> list[Message]:
        await self._typing(conversation.id, on=True)
        replies: list[Message] = []
        try:
            earlier = [
                m for m in await get_messages(self.db, conversation.id) if m.id != message.id
            ]
            outcome = await self.runner.turn(message.text, page=page, langs=history_langs(earlier))
            replies = await do_store_replies(
                self.db,
                conversation.id,
                [message_of(outcome, message.id)],
                self.clock(),
                inquiry=inquiry_of(outcome, message.text, page),
                inquiry_message_id=message.id,
                language=outcome.lang,
            )
            message.lang = outcome.lang  # stored on the visitor's message too (above)
            for reply in replies:
                await self._publish_message(conversation.id, reply)
        finally:
            await self._typing(conversation.id, on=False)
        return replies

    async def _notice(self, conversation: Conversation, message: Message) -> list[Message]:
        """While a person is on the way: say so once, then stay silent."""
        if conversation.human_notice_sent:
            return []
        lang = conversation.language or "nb"
        notice = NewMessage(
            role="bot",
            text=HUMAN_WILL_ANSWER.get(lang, HUMAN_WILL_ANSWER["en"]),
            lang=lang,
            reply_to=message.id,
            decision="handoff",
        )
        replies = await do_store_replies(
            self.db, conversation.id, [notice], self.clock(), human_notice_sent=True
        )
        for reply in replies:
            await self._publish_message(conversation.id, reply)
        return replies

    # Fan-out and background work.

    async def _publish_message(
        self, conversation_id: str, message: Message, *, exclude: Deliver | None = None
    ) -> None:
        frame = {"type": "message", "message": message_json(message)}
        await self.hub.publish(conversation_id, frame, exclude=exclude)

    async def _typing(self, conversation_id: str, *, on: bool) -> None:
        await self.hub.publish(conversation_id, {"type": "typing", "on": on})

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `work` in the background; it finishes even when its connection closes."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for background work to finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
