"""The visitor's side of a hand-off: the bot's `Escalate` becomes a case (numbered, urgency
judged, assigned when an agent is free, acknowledged at once), visitor messages reach the
agents, a resolved case reopens, the visitor leaves an e-mail address or a rating.

Every change is one transaction with the conversation's messages and status
(`do_case_change`); the frames (`conversations.frames`) go out after it commits: to the
visitor's connections on the conversation's channel, to the agents who may see the case.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import (
    Escalate,
    HandoffNote,
    PastTurn,
    count_failures,
    field_label,
    is_email_address,
    mask_personal_data,
    says_not_solved,
)
from conversations import frames
from conversations.case_json import case_rows, display_names, visitor_case_json
from conversations.errors import BadEmail, NoCase
from conversations.hub import Hub
from conversations.storage import (
    Database,
    Message,
    NewMessage,
    do_case_change,
    finish_turn,
    get_visitor,
)
from conversations.turns import BotRunner, inquiry_of, message_of
from handoff import (
    HELD,
    URGENCY_RANKS,
    Case,
    NewCase,
    Signals,
    Urgency,
    UrgencyReason,
    do_assign,
    do_open_case,
    do_rate,
    do_record_visitor_message,
    do_reserve_case_number,
    do_set_contact_email,
    get_handle_seconds,
    get_latest_case,
    get_open_case,
    get_place,
    get_team_counts,
    get_urgency,
    is_open,
    next_opening,
)
from handoff import texts as T

__all__ = [
    "CONVERSATION_STATUS",
    "Handoffs",
    "Timing",
    "with_flow",
    "with_suggestion",
]
CONVERSATION_STATUS = {
    "queued": "waiting_human",
    "reopened": "waiting_human",
    "assigned": "with_agent",
    "waiting_on_visitor": "with_agent",
    "resolved": "resolved",
}


@dataclass(frozen=True)
class Timing:
    """The hand-off's settings, as plain values."""

    answer_timeout: dt.timedelta
    reopen_within: dt.timedelta  # a message that says it is not solved reopens until then
    handle_seconds: float
    reopen_window: dt.timedelta = dt.timedelta(0)  # any message reopens until then


class Handoffs:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        runner: BotRunner,
        timing: Timing,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.db, self.hub, self.runner, self.timing, self.clock = db, hub, runner, timing, clock
        self.bot = runner.bot
        self.config = runner.bot.base.config

    # --- frames ------------------------------------------------------------------------

    async def publish_case(self, case: Case, change: str | None = None) -> None:
        """Tell the agents who may see it: `case_created`, or `case_updated` with `change`."""
        async with self.db.reading() as session:
            (row,) = await case_rows(session, [case], self.clock())
        await self.hub.publish(frames.case_changed(case, row, change))

    async def publish_messages(
        self, case: Case | None, messages: Sequence[Message], conversation_id: str
    ) -> None:
        for frame in frames.messages_of(conversation_id, messages, case):
            await self.hub.publish(frame)

    async def publish_status(self, case: Case) -> None:
        status = CONVERSATION_STATUS[case.status]
        await self.hub.publish(
            frames.status(case.conversation_id, status, await self.case_status(case))
        )

    # --- what the visitor sees ------------------------------------------------------------

    async def case_status(self, case: Case) -> dict[str, Any]:
        now = self.clock()
        async with self.db.reading() as session:
            place = await get_place(session, case)
            wait = await self._expected_wait(session, case, place)
            names = await display_names(session, [case.agent_id])
        hours = self.config.business_hours
        # Off hours with an agent on the case, the desk is open for this visitor: no "we are
        # not at work" beside "Kari is helping you".
        with_agent = case.agent_id is not None and case.status in HELD
        return visitor_case_json(
            case,
            place=place,
            expected_wait=wait,
            open_now=with_agent or is_open(hours, now),
            opens_at=next_opening(hours, now),
            agent_name=names.get(case.agent_id or ""),
            timezone=hours.timezone if hours else None,
        )

    async def case_for(self, conversation_id: str) -> dict[str, Any] | None:
        async with self.db.reading() as session:
            case = await get_latest_case(session, conversation_id)
        return await self.case_status(case) if case is not None else None

    async def _expected_wait(
        self, session: AsyncSession, case: Case, place: int | None
    ) -> int | None:
        if place is None:
            return None
        handle = await get_handle_seconds(session, case.team) or self.timing.handle_seconds * 60
        online = (await get_team_counts(session)).get(case.team, (0, 0))[1]
        return round(place * handle / max(1, online))

    # --- opening a case ---------------------------------------------------------------------

    async def do_hand_off(
        self,
        conversation: Any,
        message: Message | None,
        outcome: Escalate,
        context: Sequence[Message],
        feedback: dict[str, bool],
        turns: Sequence[PastTurn],
        page_url: str | None,
    ) -> list[Message]:
        """Open the case for `outcome` with the bot's message and the acknowledgement."""
        now = self.clock()
        visitor = await get_visitor(self.db, conversation.visitor_id)
        new = await self._new_case(
            conversation,
            message,
            outcome,
            context,
            feedback,
            turns,
            page_url,
            dict(visitor.attributes or {}),
            visitor.customer_id,
        )
        bot_message = message_of(outcome, message.id if message else None)

        async def change(
            session: AsyncSession,
        ) -> tuple[tuple[Case, str | None], list[NewMessage], str]:
            case = await do_open_case(session, new, now, self.local_year(now))
            agent_id = await do_assign(session, case.id, now)
            await session.refresh(case)
            ack = await self._acknowledgement(session, case, outcome.lang, now)
            flags = dict(bot_message.flags) | {"case_number": case.number}
            first = NewMessage(**{**bot_message.__dict__, "flags": flags})
            return (case, agent_id), [first, ack], CONVERSATION_STATUS[case.status]

        inquiry = (
            inquiry_of(outcome, message.text, None, message.kind, conversation.channel)
            if message
            else None
        )
        (case, agent_id), stored = await do_case_change(
            self.db,
            conversation.id,
            now,
            change,
            inquiry=inquiry,
            inquiry_message_id=message.id if message else None,
            language=outcome.lang,
            answered=message.id if message else None,
        )
        await self.publish_messages(None, stored, conversation.id)
        await self.publish_status(case)
        await self.publish_case(case)
        if agent_id is not None:
            await self.publish_case(case, "assigned")
        return stored

    async def do_reserve_number(self, conversation_id: str, number: str | None = None) -> str:
        """The case number the conversation's case will have: `number` (given out before,
        e.g. in an e-mail's acknowledgement, decision 0124) or a new one, kept for it."""
        now = self.clock()
        async with self.db.writing() as session, session.begin():
            return await do_reserve_case_number(
                session, conversation_id, now, self.local_year(now), number
            )

    def local_year(self, now: dt.datetime) -> int:
        """The year of `now` in the answer base's time zone: the year of a case number."""
        hours = self.config.business_hours
        return now.astimezone(zoneinfo.ZoneInfo(hours.timezone)).year if hours else now.year

    async def _new_case(
        self,
        conversation: Any,
        message: Message | None,
        outcome: Escalate,
        context: Sequence[Message],
        feedback: dict[str, bool],
        turns: Sequence[PastTurn],
        page_url: str | None,
        attributes: dict[str, Any],
        customer_id: str | None = None,
    ) -> NewCase:
        texts = [m.text for m in context if m.role == "visitor"] + (
            [message.text] if message else []
        )
        failures = count_failures(turns)
        signals = Signals(
            texts,
            failures,
            outcome.answer_id,
            page_url,
            {str(k): str(v) for k, v in attributes.items()},
        )
        urgency = get_urgency(self.config.urgency, signals)
        # With an LLM the summary is a call to it: in the bot's threads, never on the event loop.
        note = await self.runner.call(
            self.bot.handoff_note, outcome, turns=turns, rule_urgency=urgency.level
        )
        urgency = with_suggestion(with_flow(urgency, outcome), note)
        team = outcome.team or self.config.default_team or (self.config.teams or ("support",))[0]
        return NewCase(
            conversation.id,
            conversation.visitor_id,
            team,
            outcome.reason,
            outcome.lang,
            urgency,
            None if outcome.question is None else mask_personal_data(outcome.question),
            page_url,
            outcome.answer_id,
            self._tried(outcome, context, feedback),
            self._fields(outcome),
            failures,
            {str(k): str(v) for k, v in attributes.items()},
            None if note.summary is None else mask_personal_data(note.summary),
            not is_open(self.config.business_hours, self.clock()),
            path=self._path(outcome),
            customer_id=customer_id,
        )

    def _path(self, outcome: Escalate) -> list[dict[str, str]]:
        """A guided flow's way to this hand-off, each step with its label in the visitor's
        language (decision 0058)."""
        answer = self.bot.base.get(outcome.answer_id) if outcome.answer_id else None
        flow = answer.flow if answer is not None else None
        if flow is None or not outcome.path:
            return []
        default = self.config.default_language
        return [
            {"step": step, "label": flow.label(step, outcome.lang, default)}
            for step in outcome.path
        ]

    def _tried(
        self, outcome: Escalate, context: Sequence[Message], feedback: dict[str, bool]
    ) -> list[dict[str, Any]]:
        tried = []
        for answer_id in outcome.tried:
            answer = self.bot.base.get(answer_id)
            given = [m for m in context if m.role == "bot" and m.answer_id == answer_id]
            helpful = next((feedback[m.id] for m in reversed(given) if m.id in feedback), None)
            tried.append(
                {
                    "answer_id": answer_id,
                    "title": answer.title if answer else answer_id,
                    "helpful": helpful,
                }
            )
        return tried

    def _fields(self, outcome: Escalate) -> list[dict[str, Any]]:
        found = []
        for result in outcome.fields:
            field = self.bot.base.fields.get(result.name)
            label = outcome.field_labels.get(result.name) or (
                field_label(field, outcome.lang, self.config.default_language)
                if field
                else result.name
            )
            found.append(
                {
                    "name": result.name,
                    "label": label,
                    "status": result.status,
                    "value": result.value,
                }
            )
        return found

    async def _acknowledgement(
        self, session: AsyncSession, case: Case, lang: str, now: dt.datetime
    ) -> NewMessage:
        hours = self.config.business_hours
        if case.agent_id is not None:  # an agent is really there, whatever the hours say
            names = await display_names(session, [case.agent_id])
            text = T.ACK_ASSIGNED[lang].format(case=case.number, agent=names[case.agent_id])
        elif not is_open(hours, now):
            opens = next_opening(hours, now)
            assert hours is not None
            when = (
                T.format_opening(opens.astimezone(zoneinfo.ZoneInfo(hours.timezone)), lang)
                if opens
                else "?"
            )
            text = T.ACK_OFF_HOURS[lang].format(case=case.number, when=when)
        else:
            place = await get_place(session, case) or 1
            wait = await self._expected_wait(session, case, place)
            minutes = max(1, round((wait or 0) / 60))
            text = T.ACK_QUEUE[lang].format(case=case.number, place=place, wait=minutes)
        return system_message(text, lang, "ack", case_number=case.number)

    # --- the visitor goes on ----------------------------------------------------------------

    async def do_visitor_message(self, conversation: Any, message: Message) -> bool:
        """A visitor message in a conversation with a case; False when a resolved case stays
        resolved (the bot takes the conversation back and answers the message).

        A resolved case reopens, with the message as its question, when the message comes
        within the reopen window or says the problem is not solved (docs/handoff.md)."""
        now, timing = self.clock(), self.timing
        continues = says_not_solved(message.text)
        holder: dict[str, Any] = {}

        async def change(
            session: AsyncSession,
        ) -> tuple[tuple[Case | None, str | None], list[NewMessage], str]:
            case = await get_latest_case(session, conversation.id)
            if case is None:
                return (None, None), [], "bot"
            case, what = await do_record_visitor_message(
                session,
                case.id,
                now,
                reopen_within=timing.reopen_within,
                window=timing.reopen_window,
                continues=continues,
                question=message.text.strip() or None,
            )
            if what is None:
                return (case, None), [], "bot"
            await finish_turn(session, message.id)  # the message reached the case: done
            notes: list[NewMessage] = []
            if what == "reopened":
                holder["agent"] = await do_assign(
                    session, case.id, now, prefer=case.previous_agent_id
                )
                await session.refresh(case)
                lang = case.language
                notes.append(
                    system_message(T.REOPENED[lang].format(case=case.number), lang, "reopened")
                )
            return (case, what), notes, CONVERSATION_STATUS[case.status]

        (case, what), stored = await do_case_change(self.db, conversation.id, now, change)
        if case is None or what is None:
            return False
        await self.hub.publish(frames.case_message(case, message))
        await self.publish_messages(case, stored, conversation.id)
        await self.publish_case(case, what)
        if what == "reopened":
            await self.publish_status(case)
            if holder.get("agent"):
                await self.publish_case(case, "assigned")
        return True

    async def do_visitor_typing(self, conversation_id: str, *, on: bool) -> None:
        """Pass "the visitor is typing" to the agents of the conversation's open case."""
        async with self.db.reading() as session:
            case = await get_open_case(session, conversation_id)
        if case is not None:
            await self.hub.publish(frames.case_typing(case, on=on))

    async def do_email(self, conversation_id: str, email: str) -> dict[str, Any]:
        email = email.strip()
        if not is_email_address(email):
            raise BadEmail(f"{email[:60]!r} is not an e-mail address like kari@example.no")
        case = await self._case_of(conversation_id)
        now = self.clock()

        async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], None]:
            updated = await do_set_contact_email(session, case.id, email, now)
            lang = updated.language
            return (
                updated,
                [system_message(T.EMAIL_SAVED[lang].format(email=email), lang, "email")],
                None,
            )

        updated, stored = await do_case_change(self.db, conversation_id, now, change)
        await self.publish_messages(updated, stored, conversation_id)
        await self.publish_status(updated)
        await self.publish_case(updated, "email")
        return await self.case_status(updated)

    async def do_rate(
        self, conversation_id: str, score: int, comment: str | None
    ) -> dict[str, Any]:
        case = await self._case_of(conversation_id)
        now = self.clock()

        async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], None]:
            masked = None if comment is None else mask_personal_data(comment)
            rated = await do_rate(session, case.id, score, masked, now)
            return rated, [system_message(T.RATED[rated.language], rated.language, "rated")], None

        rated, stored = await do_case_change(self.db, conversation_id, now, change)
        await self.publish_status(rated)
        await self.publish_messages(rated, stored, conversation_id)
        await self.publish_case(rated, "rated")
        return await self.case_status(rated)

    async def _case_of(self, conversation_id: str) -> Case:
        async with self.db.reading() as session:
            case = await get_open_case(session, conversation_id) or await get_latest_case(
                session, conversation_id
            )
        if case is None:
            raise NoCase("this conversation has no case")
        return case


def system_message(text: str, lang: str, kind: str, **flags: Any) -> NewMessage:
    """A notice of the server's own (`role: system`)."""
    return NewMessage(
        role="system", text=text, lang=lang, decision="handoff", flags={"system": kind, **flags}
    )


def with_flow(urgency: Urgency, outcome: Escalate) -> Urgency:
    """The rules' urgency, raised to what the guided flow's ending asks for (a product on
    the recall list: urgent), with the ending as the reason the agent sees."""
    wanted = outcome.urgency
    if wanted not in URGENCY_RANKS or URGENCY_RANKS[wanted] <= urgency.rank:
        return urgency
    assert wanted is not None
    ending = outcome.path[-1] if outcome.path else "?"
    reason = UrgencyReason("flow", wanted, f"the flow ended in {ending}")
    return Urgency(wanted, (*urgency.reasons, reason))


def with_suggestion(urgency: Urgency, note: HandoffNote) -> Urgency:
    """The rules' urgency with the LLM's suggestion beside it: the suggestion may raise the
    level, never lower it, and the agent sees it as one more reason with what the rules gave."""
    suggested = note.suggested_urgency
    if not note.by_llm or suggested not in URGENCY_RANKS:
        return urgency
    assert suggested is not None
    detail = f"suggested by the LLM from the conversation; the rules gave {urgency.level}"
    reason = UrgencyReason("llm_suggestion", suggested, detail)
    level = suggested if URGENCY_RANKS[suggested] > urgency.rank else urgency.level
    return Urgency(level, (*urgency.reasons, reason))
