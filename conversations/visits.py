"""Visitors arriving and moving between pages: hello, conversations, page views, and the
proactive offers the bot makes before the visitor types anything.

A page view stores the visitor and the view, never a conversation: a conversation is started
by the visitor's first message, choice or request for a person (`app.web.websocket`), by a
proactive offer that is made, or explicitly (`POST /conversations`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import EarlierConversation, Page
from conversations import frames
from conversations.chat import Chat
from conversations.errors import UnknownVisitor
from conversations.identity import verify_customer
from conversations.limits import RateLimiter
from conversations.storage import (
    Conversation,
    Message,
    PageInfo,
    Visitor,
    check_conversation,
    do_create_conversation,
    do_create_visitor,
    do_link_customer,
    do_record_page_view,
    do_store_replies,
    do_touch_visitor,
    get_conversation,
    get_customer_visitor,
    get_earlier_conversations,
    get_feedback,
    get_latest_conversation,
    get_messages,
    get_visitor,
)
from conversations.turns import (
    WAITING,
    bot_page,
    earlier_conversation,
    message_of,
    page_lang,
    visitor_context,
)

__all__ = ["AddressLimits", "Start", "Visits"]

Start = Callable[[], Awaitable[str]]  # starts (or finds) the conversation for an offer: its id


@dataclass(frozen=True)
class AddressLimits:
    """What one client address may do (in the shared windows): create visitors, send
    `hello` frames, send `typing` frames."""

    visitors: RateLimiter
    hellos: RateLimiter
    typing: RateLimiter


class Visits:
    """Arrivals and page views; offers go through `chat` (its locks, its hub)."""

    def __init__(
        self,
        chat: Chat,
        *,
        idle_after: dt.timedelta,
        page_limiter: RateLimiter,
        per_address: AddressLimits | None = None,
        identity_secret: str | None = None,
    ):
        self.chat, self.db = chat, chat.db
        self.idle_after = idle_after
        self.page_limiter = page_limiter
        self.per_address = per_address
        self.identity_secret = identity_secret

    async def do_visitor(self, visitor_id: str | None, *, address: str | None = None) -> Visitor:
        """The visitor with this id (seen now), or a new visitor; raises UnknownVisitor, and
        RateLimited when `address` has created too many visitors."""
        if visitor_id is None:
            await self._check_new_visitor(address)
            return await do_create_visitor(self.db, self.chat.clock())
        visitor = await get_visitor(self.db, visitor_id)
        return await do_touch_visitor(self.db, visitor, self.chat.clock())

    async def _check_new_visitor(self, address: str | None) -> None:
        if address is not None and self.per_address is not None:
            await self.per_address.visitors.check(address)

    async def check_typing(self, address: str | None) -> None:
        """A `typing` frame from `address`; raises RateLimited for a flood."""
        if address is not None and self.per_address is not None:
            await self.per_address.typing.check(address)

    async def do_hello(
        self,
        visitor_id: str | None,
        conversation_id: str | None,
        page: PageInfo | None,
        *,
        address: str | None = None,
        customer_id: str | None = None,
        customer_hmac: str | None = None,
    ) -> tuple[Visitor, Conversation | None]:
        """A WebSocket's `hello`: the visitor (new when None) and the conversation to go on
        with, or None: a page view starts no conversation (it starts with the first message,
        choice or proactive offer). The ids, the limits of `address` and a signed customer
        identity are checked before anything is created.

        With a verified identity the visitor is the customer's (on every device; see
        `_customer_visitor`). A visitor that belongs to a customer is not continued without
        the customer's signature (a shared computer after sign-out): a new visitor starts.
        The conversation is continued only when it is the visitor's that goes on.
        """
        if address is not None and self.per_address is not None:
            await self.per_address.hellos.check(address)
        customer = None
        if customer_id is not None or customer_hmac is not None:
            customer = verify_customer(self.identity_secret, customer_id, customer_hmac)
        if visitor_id is None and conversation_id is not None:
            await check_conversation(self.db, "", conversation_id)  # unknown, or not theirs
        if customer is not None:
            visitor = await self._customer_visitor(customer, visitor_id, address)
        else:
            visitor = await self.do_visitor(visitor_id, address=address)
            if visitor.customer_id is not None:
                visitor = await self.do_visitor(None, address=address)
        if visitor.id != visitor_id:
            conversation_id = None
        if customer is not None and conversation_id is None:  # from another device
            latest = await get_latest_conversation(self.db, visitor.id)
            conversation_id = latest.id if latest is not None else None
        return visitor, await self.do_resume(visitor, conversation_id, page)

    async def _customer_visitor(
        self, customer: str, visitor_id: str | None, address: str | None
    ) -> Visitor:
        """The verified customer's visitor: the one they have, else this anonymous visitor
        (it becomes theirs), else a new one."""
        now = self.chat.clock()
        async with self.chat.lock(f"customer:{customer}"):
            found = await get_customer_visitor(self.db, customer)
            if found is not None:
                return await do_touch_visitor(self.db, found, now)
            if visitor_id is not None:
                try:
                    visitor = await get_visitor(self.db, visitor_id)
                except UnknownVisitor:
                    visitor = None
                if visitor is not None and visitor.customer_id is None:
                    visitor = await do_link_customer(self.db, visitor, customer)
                    return await do_touch_visitor(self.db, visitor, now)
            await self._check_new_visitor(address)
            return await do_create_visitor(self.db, now, customer_id=customer)

    async def do_resume(
        self, visitor: Visitor, conversation_id: str | None, page: PageInfo | None
    ) -> Conversation | None:
        """The conversation given, if it is the visitor's and has not idled out with the bot
        (else None); raises UnknownConversation or Forbidden. Records the page view."""
        conversation = None
        if conversation_id is not None:
            conversation = await check_conversation(self.db, visitor.id, conversation_id)
            idle = self.chat.clock() - conversation.updated_at >= self.idle_after
            if idle and conversation.status == "bot":
                conversation = None
        if page is not None:
            where = conversation.id if conversation is not None else None
            await do_record_page_view(self.db, visitor.id, where, page, self.chat.clock())
        return conversation

    async def do_start(
        self, visitor: Visitor, page: PageInfo | None, *, record_view: bool = False
    ) -> Conversation:
        """Start a conversation on `page` and tell the visitor's connections that have none
        (a `conversation` frame on the visitor's channel, docs/api.md)."""
        now = self.chat.clock()
        conversation = await do_create_conversation(
            self.db, visitor.id, now, page_url=page.url if page else None
        )
        if record_view and page is not None:
            await do_record_page_view(self.db, visitor.id, conversation.id, page, now)
        await self.chat.hub.publish(frames.conversation_started(visitor.id, conversation.id))
        return conversation

    async def do_page(
        self,
        visitor: Visitor,
        conversation_id: str | None,
        page: PageInfo,
        *,
        lang: str | None = None,
        start: Start | None = None,
    ) -> tuple[str | None, Message | None]:
        """The visitor is on `page` (navigation or a timer): record it and make any offer.

        Returns the conversation id (or None) and the offer; see `do_offer` for `start`.
        Raises RateLimited for a flood of reports.
        """
        await self.page_limiter.check(visitor.id)
        if conversation_id is not None:
            await check_conversation(self.db, visitor.id, conversation_id)
        await do_record_page_view(self.db, visitor.id, conversation_id, page, self.chat.clock())
        return await self.do_offer(visitor, conversation_id, page, lang=lang, start=start)

    async def do_offer(
        self,
        visitor: Visitor,
        conversation_id: str | None,
        page: PageInfo | None,
        *,
        lang: str | None,
        start: Start | None = None,
    ) -> tuple[str | None, Message | None]:
        """Make the proactive offer for this page, if there is one.

        Without a conversation, one is started only when there is an offer: by `start` (which
        returns its id; default `do_start`). Returns the conversation id (or None) and the
        offer.
        """
        if page is None:
            return conversation_id, None
        if conversation_id is None:
            if not await self._would_offer(visitor, page, lang):
                return None, None
            if start is None:
                conversation_id = (await self.do_start(visitor, page)).id
            else:
                conversation_id = await start()
        return conversation_id, await self.do_greet(visitor, conversation_id, page, lang=lang)

    async def do_greet(
        self, visitor: Visitor, conversation_id: str, page: PageInfo | None, *, lang: str | None
    ) -> Message | None:
        """Ask the bot for a proactive offer on this page; store and send it if there is one.

        The offer is in the conversation's language once the visitor has written, else in
        the page's (its `lang`, else its URL's), else the browser's `lang`.
        """
        if page is None:
            return None
        chat = self.chat
        async with chat.lock(conversation_id):
            conversation = await get_conversation(self.db, conversation_id)
            if conversation is None or conversation.status in WAITING:
                return None
            messages = await get_messages(self.db, conversation_id)
            earlier = await self._earlier(visitor, conversation_id)
            context = visitor_context(visitor, earlier, messages)
            offer = await chat.runner.call(
                chat.runner.bot.greet,
                bot_page(page) or Page(),
                context,
                lang=conversation.language or page_lang(page, lang),
                now=chat.clock(),
            )
            if offer is None:
                return None
            (stored,) = await do_store_replies(
                self.db, conversation_id, [message_of(offer, None)], chat.clock()
            )
        await chat.publish_message(conversation_id, stored)
        return stored

    async def _would_offer(self, visitor: Visitor, page: PageInfo, lang: str | None) -> bool:
        earlier = await self._earlier(visitor, "")
        context = visitor_context(visitor, earlier, [])
        bot = self.chat.runner.bot
        offer = await self.chat.runner.call(
            bot.greet,
            bot_page(page) or Page(),
            context,
            lang=page_lang(page, lang),
            now=self.chat.clock(),
        )
        return offer is not None

    async def _earlier(self, visitor: Visitor, exclude: str) -> list[EarlierConversation]:
        found = []
        for conversation, bot_messages in await get_earlier_conversations(
            self.db, visitor.id, exclude
        ):
            feedback = await get_feedback(self.db, conversation.id)
            found.append(earlier_conversation(conversation, bot_messages, feedback))
        return found

    def timers(self, page: PageInfo | None) -> list[int]:
        """When the widget should report this page again (seconds on it)."""
        if page is None:
            return []
        return list(self.chat.runner.bot.timers(bot_page(page) or Page()))
