"""What a visitor can do in a conversation, shared by the HTTP routes and the WebSocket.

Every visitor message (typed, a quick reply, "talk to a person") is stored before the bot sees
it, together with its pending turn: the turn is done when its replies are stored, and a turn
whose process died is taken up again by any process (`do_resume`, decision 0079), so an
acknowledged message gets its replies even across a crash. Replies are made under a lock per
conversation, so turns of one conversation never overlap, and they are idempotent: a message
that already has replies (a resend) gets those, never a second set. Replies, typing and status
changes reach every connection watching the conversation through the hub; with an LLM, so do the
checked parts of a reply while it is written (`conversations.streams`). Proactive offers are in
`conversations.visits`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from bot import SKIP_LABEL, Escalate, InvalidChoice, InvalidMessage, Outcome, check_message
from bot import NotCollecting as NothingToSkip
from conversations import frames
from conversations.errors import (
    ConversationError,
    InvalidText,
    NotCollecting,
    RateLimited,
    UnknownAnswer,
    UnknownMessage,
)
from conversations.handoffs import Handoffs
from conversations.hub import Deliver, Hub
from conversations.limits import RateLimiter
from conversations.locks import LocalLocks, Locks
from conversations.storage import (
    Conversation,
    Database,
    Message,
    NewMessage,
    PageInfo,
    PendingTurn,
    TurnClaim,
    check_conversation,
    do_add_message,
    do_claim_turns,
    do_finish_turn,
    do_record_feedback,
    do_release_turn,
    do_renew_turns,
    do_store_replies,
    get_conversation,
    get_message,
    get_message_by_client_id,
    get_messages,
    get_turn_context,
)
from conversations.streams import ReplyStream
from conversations.texts import HUMAN_REQUEST, HUMAN_WILL_ANSWER
from conversations.turns import (
    DIALOGUE_CHANNELS,
    WAITING,
    BotRunner,
    bot_page,
    inquiry_of,
    message_of,
    page_lang,
    past_turns,
)

__all__ = [
    "MAX_TURN_ATTEMPTS",
    "RESUME_EVERY",
    "TURN_LEASE",
    "Chat",
    "Stored",
    "keep_resuming",
    "utcnow",
]

log = logging.getLogger(__name__)

#: How long a process's claim on the turns it works on lasts; it renews the claim every
#: RESUME_EVERY seconds while it lives, so a turn is taken up again at most this long after
#: its process died.
TURN_LEASE = dt.timedelta(seconds=20)
RESUME_EVERY = 5.0
#: A turn that failed this often (a bug, not a crash) is given up, with an error in the log.
MAX_TURN_ATTEMPTS = 3
RESUME_BATCH = 20


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Stored:
    """A visitor message as stored (or found stored: `duplicate`)."""

    message: Message
    conversation: Conversation
    duplicate: bool


@dataclass(frozen=True)
class _Context:
    """What a reply is made from, read under the conversation's lock."""

    conversation: Conversation
    messages: list[Message]  # the conversation so far, without the message being answered
    feedback: dict[str, bool]
    page: PageInfo | None
    lang: str | None  # the page's language, else the browser's
    replies: list[Message]  # the bot's replies to the message being answered, if any

    def turns(self) -> list[Any]:
        return past_turns(self.messages, self.feedback)

    def visitor_lang(self, default: str) -> str:
        """The language to answer a click in: the visitor's, the page's, else `default`."""
        written = [m.lang for m in self.messages if m.role == "visitor" and m.lang]
        return (written[-1] if written else None) or self.lang or default


class Chat:
    """The conversation operations; one per server process."""

    def __init__(
        self,
        db: Database,
        runner: BotRunner,
        hub: Hub,
        limiter: RateLimiter,
        handoffs: Handoffs,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        locks: Locks | None = None,
    ) -> None:
        self.db, self.runner, self.hub, self.limiter = db, runner, hub, limiter
        self.handoffs = handoffs  # opens the cases of hand-offs
        self.clock = clock
        self.owner = secrets.token_hex(8)  # this process, as the claimant of pending turns
        self._working: set[str] = set()  # the messages whose turns it is making now
        self.locks: Locks = locks if locks is not None else LocalLocks()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._streams: dict[str, ReplyStream] = {}  # conversation id -> the reply streaming now

    # Storing what the visitor did.

    def check_text(self, text: str) -> str:
        """A typed message as it would be stored (trimmed); raises InvalidText. Also for
        checking a message before a conversation is started for it."""
        try:
            return check_message(text)
        except InvalidMessage as exc:
            raise InvalidText(str(exc), code=exc.code) from exc

    def check_choice(self, answer_id: str) -> str:
        """The title of the published answer `answer_id`; raises UnknownAnswer."""
        answer = self.runner.bot.base.get(answer_id)
        if answer is None or answer.status != "published":
            raise UnknownAnswer(f"the answer base has no published answer {answer_id!r}")
        return answer.title

    async def check_rate(self, visitor_id: str) -> None:
        """Raises RateLimited if the visitor's next message would be refused (counts nothing)."""
        await self.limiter.check(visitor_id, record=False)

    async def do_send(
        self,
        visitor_id: str,
        conversation_id: str,
        client_id: str,
        text: str,
        *,
        origin: Deliver | None = None,
    ) -> Stored:
        """Check and store a typed message (or find it stored); raises InvalidText or
        RateLimited."""
        text = self.check_text(text)
        new = NewMessage(role="visitor", text=text, client_id=client_id)
        return await self._store(visitor_id, conversation_id, new, origin)

    async def do_choose(
        self,
        visitor_id: str,
        conversation_id: str,
        client_id: str,
        answer_id: str,
        *,
        origin: Deliver | None = None,
    ) -> Stored:
        """Store a quick-reply click, labelled as it was offered; raises UnknownAnswer."""
        label = self.check_choice(answer_id)
        for message in reversed(await get_messages(self.db, conversation_id)):
            offered = {c["answer_id"]: c["label"] for c in message.choices or ()}
            if answer_id in offered:
                label = offered[answer_id]
                break
        new = NewMessage(
            role="visitor", text=label, kind="choice", client_id=client_id, answer_id=answer_id
        )
        return await self._store(visitor_id, conversation_id, new, origin)

    async def do_ask_human(
        self,
        visitor_id: str,
        conversation_id: str,
        client_id: str,
        *,
        lang: str | None = None,
        origin: Deliver | None = None,
    ) -> Stored:
        """Store the visitor's click on "talk to a person"."""
        conversation = await check_conversation(self.db, visitor_id, conversation_id)
        lang = conversation.language or page_lang(None, lang) or "en"
        new = NewMessage(
            role="visitor", text=HUMAN_REQUEST[lang], lang=lang, kind="human", client_id=client_id
        )
        return await self._store(visitor_id, conversation_id, new, origin)

    async def do_skip(
        self,
        visitor_id: str,
        conversation_id: str,
        client_id: str,
        *,
        origin: Deliver | None = None,
    ) -> Stored:
        """Store the visitor's click on "skip" while the bot asks for a field; raises
        NotCollecting (nothing stored) when it asks for none."""
        conversation = await check_conversation(self.db, visitor_id, conversation_id)
        found = await get_message_by_client_id(self.db, conversation_id, client_id)
        if found is None:
            last = [m for m in await get_messages(self.db, conversation_id) if m.role == "bot"]
            if not last or last[-1].decision != "collect":
                raise NotCollecting("the bot is not asking for anything to skip")
        lang = conversation.language or "en"
        new = NewMessage(
            role="visitor",
            text=SKIP_LABEL.get(lang, SKIP_LABEL["en"]),
            lang=lang,
            kind="skip",
            client_id=client_id,
        )
        return await self._store(visitor_id, conversation_id, new, origin)

    async def _store(
        self, visitor_id: str, conversation_id: str, new: NewMessage, origin: Deliver | None
    ) -> Stored:
        # The limit is looked at before the transaction (it may be kept in Redis) and counted
        # only once the message is stored: a write that fails (unknown conversation, database
        # unavailable) costs the visitor nothing. Refused, the message is still found if it
        # was stored already: a resend is never refused.
        limited: RateLimited | None = None
        try:
            await self.limiter.check(visitor_id, record=False)
        except RateLimited as exc:
            limited = exc

        def within_rate() -> None:
            if limited is not None:
                raise limited

        message, conversation, duplicate = await do_add_message(
            self.db,
            visitor_id,
            conversation_id,
            new,
            self.clock(),
            check=within_rate,
            claim=self._claim(),
        )
        if not duplicate:
            await self.limiter.record(visitor_id)
            await self.publish_message(conversation_id, message, exclude=origin)
        return Stored(message, conversation, duplicate)

    # Replying.

    async def do_reply(
        self, stored: Stored, page: PageInfo | None, *, lang: str | None = None
    ) -> tuple[list[Message], bool]:
        """The replies to a stored visitor message: (replies, whether they are new).

        A message that has replies gets them back (a resend). Otherwise the bot answers it,
        or, while the conversation waits for a person, a short notice is stored once. The
        message's pending turn is done with its replies, or with an error that a retry would
        only repeat (a ConversationError); after any other failure it is left for a retry.
        """
        self._working.add(stored.message.id)
        try:
            return await self._reply(stored, page, lang)
        except ConversationError:
            await do_finish_turn(self.db, stored.message.id)
            raise
        except Exception:
            try:  # tried again by any process; if even this fails, the claim runs out
                await do_release_turn(self.db, stored.message.id, self.clock() - TURN_LEASE)
            except Exception:
                log.warning("could not give back the turn of message %s", stored.message.id)
            raise
        finally:
            self._working.discard(stored.message.id)

    async def _reply(
        self, stored: Stored, page: PageInfo | None, lang: str | None
    ) -> tuple[list[Message], bool]:
        conversation_id = stored.conversation.id
        async with self.lock(conversation_id):
            ctx = await self._context(conversation_id, stored.message.id, page, lang)
            if ctx.replies:
                await do_finish_turn(self.db, stored.message.id)
                return ctx.replies, False
            if ctx.conversation.status in WAITING:
                handled = await self.handoffs.do_visitor_message(ctx.conversation, stored.message)
                if handled and ctx.conversation.status == "waiting_human":
                    return await self._notice(ctx, stored.message), True
                if handled:
                    return [], True
                ctx = await self._context(conversation_id, stored.message.id, page, lang)
            await self.typing(conversation_id, on=True)
            try:
                outcome = await self._outcome(ctx, stored.message)
                return await self._answer(ctx, stored.message, outcome), True
            finally:
                await self.typing(conversation_id, on=False)

    async def _context(
        self, conversation_id: str, answering: str | None, page: PageInfo | None, lang: str | None
    ) -> _Context:
        conversation, messages, feedback = await get_turn_context(self.db, conversation_id)
        replies = [m for m in messages if answering and m.reply_to == answering]
        earlier = [m for m in messages if m.id != answering]
        if page is None and conversation.page_url:
            page = PageInfo(url=conversation.page_url)
        return _Context(conversation, earlier, feedback, page, page_lang(page, lang), replies)

    async def _outcome(self, ctx: _Context, message: Message) -> Outcome:
        bot, turns, page = self.runner.bot, ctx.turns(), bot_page(ctx.page)
        default = bot.base.config.default_language
        if message.kind == "choice" and message.answer_id:
            try:
                return await self.runner.call(
                    bot.choose,
                    message.answer_id,
                    lang=ctx.visitor_lang(default),
                    turns=turns,
                    page=page,
                )
            except InvalidChoice as exc:
                raise UnknownAnswer(str(exc)) from exc
        if message.kind == "skip":
            try:
                return await self.runner.call(bot.skip, turns=turns)
            except NothingToSkip as exc:
                raise NotCollecting(str(exc), code=exc.code) from exc
        if message.kind == "human":
            offered = any((m.flags or {}).get("offer_human") for m in ctx.messages[-1:])
            reason = "accepted_offer" if offered else "asked_for_human"
            lang = message.lang or ctx.visitor_lang(default)
            return await self.runner.call(bot.escalate, lang=lang, turns=turns, reason=reason)
        if ctx.conversation.channel not in DIALOGUE_CHANNELS:  # e-mail, API: no questions back
            return await self.runner.call(
                bot.answer_or_hand_off, message.text, page_lang=ctx.lang, turns=turns
            )
        if bot.assistant is None:  # no LLM: nothing streams
            return await self.runner.call(
                bot.turn, message.text, page_lang=ctx.lang, turns=turns, page=page
            )
        stream = ReplyStream(self.hub, ctx.conversation.id, message.id)
        self._streams[ctx.conversation.id] = stream
        try:
            return await self.runner.call(
                bot.turn,
                message.text,
                page_lang=ctx.lang,
                turns=turns,
                page=page,
                on_event=stream.on_event,
            )
        finally:
            await stream.finish()  # every part is out before the stored message
            del self._streams[ctx.conversation.id]

    async def _answer(self, ctx: _Context, message: Message, outcome: Outcome) -> list[Message]:
        handed_off = isinstance(outcome, Escalate)
        if isinstance(outcome, Escalate):
            page_url = ctx.page.url if ctx.page else ctx.conversation.page_url
            return await self.handoffs.do_hand_off(
                ctx.conversation,
                message,
                outcome,
                ctx.messages,
                ctx.feedback,
                ctx.turns(),
                page_url,
            )
        replies = await do_store_replies(
            self.db,
            ctx.conversation.id,
            [message_of(outcome, message.id)],
            self.clock(),
            inquiry=inquiry_of(
                outcome, message.text, ctx.page, message.kind, ctx.conversation.channel
            ),
            inquiry_message_id=message.id,
            language=outcome.lang,
            status="waiting_human" if handed_off else None,
            answered=message.id,
        )
        message.lang = outcome.lang  # stored on the visitor's message too
        for reply in replies:
            await self.publish_message(ctx.conversation.id, reply)
        if handed_off:
            await self.hub.publish(frames.status(ctx.conversation.id, "waiting_human"))
        return replies

    async def _notice(self, ctx: _Context, message: Message) -> list[Message]:
        """While a person is on the way: say so once, then stay silent."""
        if ctx.conversation.human_notice_sent:
            return []
        lang = ctx.conversation.language or ctx.lang or self.runner.bot.base.config.default_language
        notice = NewMessage(
            role="bot",
            text=HUMAN_WILL_ANSWER.get(lang, HUMAN_WILL_ANSWER["en"]),
            lang=lang,
            reply_to=message.id,
            decision="handoff",
            flags={"notice": True},
        )
        replies = await do_store_replies(
            self.db,
            ctx.conversation.id,
            [notice],
            self.clock(),
            human_notice_sent=True,
            answered=message.id,
        )
        for reply in replies:
            await self.publish_message(ctx.conversation.id, reply)
        return replies

    # Feedback.

    async def do_feedback(
        self, visitor_id: str, conversation_id: str, message_id: str, helpful: bool
    ) -> list[Message]:
        """Record "did this help?" on a bot answer (the first click counts) and reply."""
        await check_conversation(self.db, visitor_id, conversation_id)
        answer = await get_message(self.db, conversation_id, message_id)
        if answer is None or answer.role != "bot" or answer.decision != "answer":
            raise UnknownMessage(f"{message_id!r} is not a bot answer in this conversation")
        async with self.lock(conversation_id):
            if not await do_record_feedback(
                self.db, conversation_id, answer, helpful, self.clock()
            ):
                return []
            ctx = await self._context(conversation_id, None, None, None)
            if ctx.conversation.status in WAITING:
                return []
            outcome = await self.runner.call(
                self.runner.bot.feedback,
                helpful,
                lang=ctx.visitor_lang(answer.lang or "nb"),
                turns=ctx.turns(),
                answer_id=answer.answer_id,
            )
            escalated = isinstance(outcome, Escalate)
            if isinstance(outcome, Escalate):
                return await self.handoffs.do_hand_off(
                    ctx.conversation,
                    None,
                    outcome,
                    ctx.messages,
                    ctx.feedback,
                    ctx.turns(),
                    ctx.conversation.page_url,
                )
            replies = await do_store_replies(
                self.db,
                conversation_id,
                [message_of(outcome, None)],
                self.clock(),
                status="waiting_human" if escalated else None,
            )
        for reply in replies:
            await self.publish_message(conversation_id, reply)
        if escalated:
            await self.hub.publish(frames.status(conversation_id, "waiting_human"))
        return replies

    # Pending turns.

    def _claim(self) -> TurnClaim:
        return TurnClaim(self.owner, self.clock() + TURN_LEASE)

    async def do_resume(self) -> int:
        """Renew this process's claim on the turns it is making, and take up the turns nobody
        makes (their claim ran out: the process died, or stored them and failed); returns
        how many were taken up."""
        claim = self._claim()
        await do_renew_turns(self.db, claim, sorted(self._working))
        taken = await do_claim_turns(self.db, claim, self.clock(), limit=RESUME_BATCH)
        for turn in taken:
            self.spawn(self._resume(turn))
        return len(taken)

    async def _resume(self, turn: PendingTurn) -> None:
        message = await get_message(self.db, turn.conversation_id, turn.message_id)
        conversation = await get_conversation(self.db, turn.conversation_id)
        if message is None or conversation is None or turn.attempts > MAX_TURN_ATTEMPTS:
            if message is not None:
                log.error(
                    "gave up the turn of message %s after %d attempts", message.id, turn.attempts
                )
            await do_finish_turn(self.db, turn.message_id)
            return
        log.info("taking up the turn of message %s (attempt %d)", message.id, turn.attempts)
        with contextlib.suppress(ConversationError):  # done: the error ends the turn
            await self.do_reply(Stored(message, conversation, duplicate=True), None)

    # Fan-out and background work.

    async def publish_message(
        self, conversation_id: str, message: Message, *, exclude: Deliver | None = None
    ) -> None:
        await self.hub.publish(frames.message(conversation_id, message), exclude=exclude)

    async def typing(self, conversation_id: str, *, on: bool) -> None:
        await self.hub.publish(frames.typing(conversation_id, on=on))

    def streaming(self, conversation_id: str) -> ReplyStream | None:
        """The LLM reply being streamed in this conversation now, if any."""
        return self._streams.get(conversation_id)

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """The lock under which a conversation's replies and offers are made (or, under
        `visitor_channel(id)`, a visitor's conversation is started); held across processes
        when the locks are shared (`conversations.redis_limits.RedisLocks`)."""
        return self.locks.hold(conversation_id)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run `work` in the background; it finishes even when its connection closes."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished background task, and log its failure once, here (asyncio would
        only say "Task exception was never retrieved", without what it was doing). A failed
        reply leaves its pending turn to be taken up again."""
        self._tasks.discard(task)
        if task.cancelled() or (error := task.exception()) is None:
            return
        name = getattr(task.get_coro(), "__qualname__", "background work")
        if isinstance(error, ConversationError):
            log.warning("%s failed: %s", name, error)
        else:
            log.error("%s failed", name, exc_info=error)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for background work to finish (on shutdown)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


async def keep_resuming(chat: Chat, every: float = RESUME_EVERY) -> None:
    """The pending-turn loop of a server process: now, then every `every` seconds."""
    while True:
        try:
            await chat.do_resume()
        except Exception:  # the loop must outlive one failed round (a database restarting)
            log.exception("taking up pending turns failed")
        await asyncio.sleep(every)
