"""The agents' side of a hand-off: signing in, status, the queue, a case's view, claim,
transfer, reply, notes, resolve. Every change is one transaction with the conversation's
messages and status (`do_case_change`), then its events go to the visitor and the agents."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import InvalidMessage, check_message, mask_personal_data
from conversations import frames
from conversations.case_json import agent_json, case_json, display_names, note_json
from conversations.errors import InvalidText, RateLimited
from conversations.handoffs import CONVERSATION_STATUS, Handoffs, system_message
from conversations.limits import UNLIMITED, LocalWindows, Windows
from conversations.messages import message_json, timestamp
from conversations.storage import (
    Message,
    NewMessage,
    do_case_change,
    get_earlier_conversations,
    get_message_by_client_id,
    get_messages,
)
from handoff import (
    Agent,
    AgentInfo,
    Case,
    HandoffError,
    QueueFilter,
    Signals,
    UnknownTeam,
    WrongPassword,
    check_can_see,
    check_totp,
    do_add_note,
    do_assign,
    do_claim,
    do_fill,
    do_record_agent_reply,
    do_requeue_unanswered,
    do_resolve,
    do_set_agent_status,
    do_set_urgency,
    do_sign_in,
    do_sign_out,
    do_transfer,
    do_use_totp_step,
    get_agent,
    get_agent_by_name,
    get_case,
    get_case_events,
    get_case_notes,
    get_long_waiting,
    get_queue,
    get_signed_in_agent,
    get_urgency,
    get_visitor_cases,
    record_audit,
    token_hash,
    urgency_rank,
    verify_password,
)
from handoff import texts as T

__all__ = ["Desk", "HashTurns"]

# Sign-in throttling (docs/decisions/0112): failures are counted for SIGN_IN_WINDOW seconds.
# A name's first NAME_FREE failures are free; after that each try waits (from the latest
# failure) NAME_FIRST seconds, doubling up to NAME_MOST, so the right password always gets
# in after at most NAME_MOST seconds. One client address may fail ADDRESS_FAILURES times
# with any names (spraying). Each check is made before any password is hashed.
SIGN_IN_WINDOW = 900.0
NAME_FREE, NAME_FIRST, NAME_MOST = 3, 1.0, 30.0
ADDRESS_FAILURES = 30
HASHES_AT_ONCE = 2  # Argon2 hashes of 64 MiB each that one process runs at a time
HASHES_WAITING = 6  # sign-ins that may wait for one; more are refused (429, retry at once)


class HashTurns:
    """A cap on the password hashes one process runs at once, with a short queue: a flood of
    sign-ins is refused rather than starving the visitors of memory and cores."""

    def __init__(self, at_once: int = HASHES_AT_ONCE, waiting: int = HASHES_WAITING) -> None:
        self.at_once, self.most = at_once, at_once + waiting
        self._turns: asyncio.Semaphore | None = None
        self.inside = 0

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self.inside >= self.most:
            raise RateLimited(
                f"too many sign-ins at once ({self.most} are being checked); try again in 1 s",
                1,
            )
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.at_once)
        self.inside += 1
        try:
            async with self._turns:
                yield
        finally:
            self.inside -= 1


# A conversation id -> the files of its mails, as the case view lists them.
Attachments = Callable[[str], Awaitable[list[dict[str, Any]]]]


class Desk:
    def __init__(
        self,
        handoffs: Handoffs,
        sign_in_hours: float,
        *,
        windows: Windows | None = None,
        hashes: HashTurns | None = None,
        attachments: Attachments | None = None,
    ) -> None:
        self.h, self.db, self.clock = handoffs, handoffs.db, handoffs.clock
        # The files of a conversation's mails for the case view: the e-mail channel's
        # listing, given by the app (`channels` is above this package); None: no files.
        self.attachments = attachments
        self.sign_in_for = dt.timedelta(hours=sign_in_hours)
        self.teams = handoffs.config.teams
        self._failures: Windows = windows if windows is not None else LocalWindows()
        self.hashes = hashes if hashes is not None else HashTurns()
        self.address_failures = ADDRESS_FAILURES

    # --- signing in ---------------------------------------------------------------------

    async def do_sign_in(
        self, name: str, password: str, *, address: str | None = None, code: str | None = None
    ) -> tuple[str, AgentInfo, dt.datetime]:
        """Sign in with name and password (and the second factor's `code` when the agent is
        enrolled): the cookie's token, the agent, when it ends. Raises RateLimited (too many
        failures for the name or from `address`, or too many sign-ins at once),
        WrongPassword (`wrong_password`, `totp_required`, `totp_invalid`)."""
        folded = name.strip().casefold()
        name_key, address_key = f"sign-in:{folded}", f"sign-in-address:{address or '-'}"
        await self._check_throttles(folded, name_key, address_key)
        async with self.db.reading() as session:
            agent = await get_agent_by_name(session, name)
        stored = agent.password_hash if agent is not None else None
        async with self.hashes.turn():
            right = await asyncio.to_thread(verify_password, stored, password)
        if not right or agent is None:
            await self._failed(name_key, address_key, agent, address, "password")
            raise WrongPassword("wrong name or password")
        now = self.clock()
        step = None
        if agent.totp_secret:
            if not code:
                raise WrongPassword(
                    "this agent signs in with a code from an authenticator app too: send "
                    "`code` with the name and password",
                    code="totp_required",
                )
            step = check_totp(agent.totp_secret, code, now, agent.totp_last_step)
            if step is None:
                await self._failed(name_key, address_key, agent, address, "totp")
                raise WrongPassword(
                    "wrong or used code: wait for the next one", code="totp_invalid"
                )
        token = secrets.token_urlsafe(32)
        expires = now + self.sign_in_for
        async with self.db.writing() as session, session.begin():
            if step is not None and not await do_use_totp_step(session, agent.id, step):
                raise WrongPassword(
                    "wrong or used code: wait for the next one", code="totp_invalid"
                )
            await do_sign_in(session, agent.id, token_hash(token), now, expires)
            await record_audit(
                session, "sign_in", now, agent_id=agent.id, actor=agent.name, address=address
            )
            info = await get_agent(session, agent.id)
        await self._failures.clear(name_key)
        return token, info, expires

    async def _check_throttles(self, name: str, name_key: str, address_key: str) -> None:
        """429 when the address has failed too often, or the name must wait (counted in
        every process when the windows are shared)."""
        most = self.address_failures
        address_wait = await self._failures.hit(address_key, most, SIGN_IN_WINDOW, record=False)
        if address_wait > 0:
            raise RateLimited(
                f"too many failed sign-ins from this address: at most {most} in "
                f"{SIGN_IN_WINDOW / 60:g} minutes; try again in {max(1, round(address_wait))} s",
                address_wait,
            )
        wait = await self._failures.backoff(
            name_key, SIGN_IN_WINDOW, NAME_FREE, NAME_FIRST, NAME_MOST
        )
        if wait > 0:
            raise RateLimited(
                f"failed sign-ins for {name!r}: wait {max(1, math.ceil(wait))} s before the "
                "next try (the wait grows with each failure, to at most "
                f"{NAME_MOST:g} s)",
                wait,
            )

    async def _failed(
        self,
        name_key: str,
        address_key: str,
        agent: Agent | None,
        address: str | None,
        reason: str,
    ) -> None:
        await self._failures.hit(name_key, UNLIMITED, SIGN_IN_WINDOW)
        await self._failures.hit(address_key, UNLIMITED, SIGN_IN_WINDOW)
        async with self.db.writing() as session, session.begin():
            await record_audit(
                session,
                "sign_in_failed",
                self.clock(),
                agent_id=agent.id if agent is not None else None,
                actor=agent.name if agent is not None else None,
                address=address,
                detail={"reason": reason if agent is not None else "unknown_name"},
            )

    async def do_sign_out(self, token: str | None, *, address: str | None = None) -> str | None:
        """End the sign-in of `token`; the agent's open consoles close. Returns the agent's id
        (None: no such sign-in)."""
        if not token:
            return None
        async with self.db.writing() as session, session.begin():
            agent_id = await do_sign_out(session, token_hash(token), self.clock())
            if agent_id is not None:
                await record_audit(
                    session, "sign_out", self.clock(), agent_id=agent_id, address=address
                )
        if agent_id is not None:
            await self.h.hub.publish(frames.agent_signed_out(agent_id))
        return agent_id

    async def do_agent_typing(self, agent: AgentInfo, case_id: str, *, on: bool) -> None:
        """Pass "the agent is typing" to the visitor, for a case that is the agent's own."""
        try:
            case = await self.seeable(agent, case_id)
        except HandoffError:
            return
        if case.agent_id == agent.id:
            await self.h.hub.publish(frames.agent_typing(case, agent.agent.display_name, on=on))

    async def signed_in(self, token: str | None) -> tuple[AgentInfo, dt.datetime]:
        async with self.db.reading() as session:
            return await get_signed_in_agent(session, token, self.clock())

    async def do_status(self, agent: AgentInfo, status: str) -> AgentInfo:
        now = self.clock()
        async with self.db.writing() as session, session.begin():
            info = await do_set_agent_status(session, agent.id, status, now)
            taken = await do_fill(session, agent.id, now) if status == "online" else []
        await self.publish_agent(info)
        for case_id in taken:
            await self._after_assignment(case_id)
        return info

    async def publish_agent(self, info: AgentInfo) -> None:
        await self.h.hub.publish(frames.agent_status(agent_json(info)))

    # --- reading ------------------------------------------------------------------------

    async def queue(self, agent: AgentInfo, query: QueueFilter) -> tuple[list[Case], int]:
        async with self.db.reading() as session:
            return await get_queue(session, query)

    async def case_view(self, agent: AgentInfo, case_id: str) -> dict[str, Any]:
        now = self.clock()
        async with self.db.reading() as session:
            case = await get_case(session, case_id)
            check_can_see(agent, case)
            events = await get_case_events(session, case_id)
            notes = await get_case_notes(session, case_id)
            names = await display_names(
                session,
                [case.agent_id, *(e.agent_id for e in events), *(n.agent_id for n in notes)],
            )
            others = await get_visitor_cases(
                session, case.visitor_id, exclude=[case.id], customer_id=case.customer_id
            )
        topic = self.h.bot.base.get(case.topic) if case.topic else None
        files = await self.attachments(case.conversation_id) if self.attachments else []
        transcript = await get_messages(self.db, case.conversation_id)
        earlier = await get_earlier_conversations(self.db, case.visitor_id, case.conversation_id)
        from conversations.case_json import case_rows

        async with self.db.reading() as session:
            other_rows = await case_rows(session, others, now)
        return {
            "ok": True,
            "case": case_json(
                case, names, now, events, notes, topic.title if topic else None, files
            ),
            "transcript": [message_json(m) for m in transcript],
            "earlier": {
                "conversations": [_earlier(c, messages) for c, messages in earlier],
                "cases": other_rows,
            },
        }

    async def seeable(self, agent: AgentInfo, case_id: str) -> Case:
        async with self.db.reading() as session:
            case = await get_case(session, case_id)
        check_can_see(agent, case)
        return case

    # --- changing -------------------------------------------------------------------------

    async def do_claim(self, agent: AgentInfo, case_id: str) -> Case:
        case = await self.seeable(agent, case_id)
        was_mine = case.agent_id == agent.id
        now = self.clock()

        async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], str]:
            claimed = await do_claim(session, case_id, agent.id, now)
            if not was_mine:
                await _audit(session, "claim", now, agent, claimed)
            notes = [] if was_mine else [self._joined(claimed, agent)]
            return claimed, notes, CONVERSATION_STATUS[claimed.status]

        claimed, stored = await do_case_change(self.db, case.conversation_id, now, change)
        if not was_mine:
            await self._announce(claimed, stored, "claimed")
        return claimed

    def _joined(self, case: Case, agent: AgentInfo) -> NewMessage:
        lang = case.language
        return system_message(T.JOINED[lang].format(agent=agent.agent.display_name), lang, "joined")

    async def _announce(self, case: Case, stored: list[Message], change: str) -> None:
        await self.h.publish_messages(case, stored, case.conversation_id)
        await self.h.publish_status(case)
        await self.h.publish_case(case, change)

    async def _after_assignment(self, case_id: str) -> None:
        """An automatic assignment happened: tell the visitor who joined, and everyone."""
        async with self.db.reading() as session:
            case = await get_case(session, case_id)
            if case.agent_id is None:
                return
            agent = await get_agent(session, case.agent_id)
        joined = self._joined(case, agent)

        async def change(session: AsyncSession) -> tuple[None, list[NewMessage], str]:
            return None, [joined], CONVERSATION_STATUS[case.status]

        _, stored = await do_case_change(self.db, case.conversation_id, self.clock(), change)
        await self._announce(case, stored, "assigned")

    async def do_transfer(
        self, agent: AgentInfo, case_id: str, team: str | None, to_agent: str | None
    ) -> Case:
        case = await self.seeable(agent, case_id)
        if team is not None and self.teams and team not in self.teams:
            raise UnknownTeam(f"there is no team {team!r}; the teams are {', '.join(self.teams)}")
        now = self.clock()

        async def change(
            session: AsyncSession,
        ) -> tuple[tuple[Case, str | None], list[NewMessage], str]:
            moved = await do_transfer(
                session, case_id, agent, now, teams=self.teams, team=team, to_agent=to_agent
            )
            assigned = moved.agent_id or await do_assign(session, case_id, now)
            moved = await get_case(session, case_id)
            await session.refresh(moved)
            detail = {"from_team": case.team, "team": moved.team, "to_agent": moved.agent_id}
            await _audit(session, "transfer", now, agent, moved, detail)
            notes = []
            if assigned:
                notes.append(self._joined(moved, await get_agent(session, assigned)))
            return (moved, assigned), notes, CONVERSATION_STATUS[moved.status]

        (moved, _), stored = await do_case_change(self.db, case.conversation_id, now, change)
        await self._announce(moved, stored, "transferred")
        if moved.team != case.team:
            await self.h.hub.publish(frames.case_removed(moved.id, case.team, "transferred"))
        return moved

    async def do_reply(
        self, agent: AgentInfo, case_id: str, client_id: str, text: str
    ) -> tuple[Message, bool]:
        case = await self.seeable(agent, case_id)
        try:
            text = check_message(text)
        except InvalidMessage as exc:
            raise InvalidText(str(exc), code=exc.code) from exc
        found = await get_message_by_client_id(self.db, case.conversation_id, client_id)
        if found is not None:
            return found, True
        now = self.clock()
        new = NewMessage(
            role="agent",
            text=text,
            lang=case.language,
            client_id=client_id,
            flags={"agent_id": agent.id, "agent_name": agent.agent.display_name},
        )

        async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], str]:
            answered = await do_record_agent_reply(session, case_id, agent, now)
            return answered, [new], CONVERSATION_STATUS[answered.status]

        answered, stored = await do_case_change(self.db, case.conversation_id, now, change)
        await self._announce(answered, stored, "answered")
        return stored[0], False

    async def do_note(self, agent: AgentInfo, case_id: str, text: str) -> dict[str, Any]:
        case = await self.seeable(agent, case_id)
        async with self.db.writing() as session, session.begin():
            note = await do_add_note(
                session, case_id, agent, mask_personal_data(text), self.clock()
            )
        payload = note_json(note, {agent.id: agent.agent.display_name})
        await self.h.hub.publish(frames.case_note(case, payload))
        return payload

    async def do_resolve(self, agent: AgentInfo, case_id: str) -> Case:
        case = await self.seeable(agent, case_id)
        now = self.clock()

        async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], str]:
            done = await do_resolve(session, case_id, agent, now)
            await _audit(session, "resolve", now, agent, done)
            lang = done.language
            ask = system_message(T.RESOLVED[lang].format(case=done.number), lang, "resolved")
            return done, [ask], CONVERSATION_STATUS[done.status]

        done, stored = await do_case_change(self.db, case.conversation_id, now, change)
        await self._announce(done, stored, "resolved")
        if case.agent_id:
            await self._refill(case.agent_id)
        return done

    async def _refill(self, agent_id: str) -> None:
        async with self.db.writing() as session, session.begin():
            taken = await do_fill(session, agent_id, self.clock())
            info = await get_agent(session, agent_id)
        await self.publish_agent(info)
        for case_id in taken:
            await self._after_assignment(case_id)

    async def do_sweep(self, timeout: dt.timedelta) -> int:
        """Put unanswered assigned cases back and give them to another agent."""
        now = self.clock()
        async with self.db.writing() as session, session.begin():
            back = await do_requeue_unanswered(session, now, timeout)
            given = [
                (case, await do_assign(session, case.id, now, exclude=[old])) for case, old in back
            ]
        for case, agent_id in given:
            await self.h.publish_case(case, "requeued")
            await self.h.publish_status(case)
            if agent_id:
                await self._after_assignment(case.id)
        await self.do_rejudge_waiting(now)
        return len(given)

    async def do_rejudge_waiting(self, now: dt.datetime) -> int:
        """Raise the urgency of cases that have waited as long as a `waiting_minutes` rule
        says (the other conditions of the rule must hold too); returns how many rose."""
        config = self.h.config.urgency
        rules = [r for r in config.rules if r.waiting_minutes is not None] if config else []
        if not rules:
            return 0
        shortest = min(float(r.waiting_minutes or 0) for r in rules)
        top = max(urgency_rank(r.level) for r in rules)
        raised = []
        async with self.db.writing() as session, session.begin():
            since = now - dt.timedelta(minutes=shortest)
            for case in await get_long_waiting(session, since, top):
                signals = Signals(
                    [case.question or ""],
                    case.failures,
                    case.topic,
                    case.page_url,
                    {str(k): str(v) for k, v in (case.attributes or {}).items()},
                    now - case.waiting_since,
                )
                changed = await do_set_urgency(session, case.id, get_urgency(config, signals), now)
                if changed is not None:
                    raised.append(changed)
        for case in raised:
            await self.h.publish_case(case, "urgency")
        return len(raised)


async def _audit(
    session: AsyncSession,
    action: str,
    now: dt.datetime,
    agent: AgentInfo,
    case: Case,
    detail: dict[str, Any] | None = None,
) -> None:
    await record_audit(
        session,
        action,
        now,
        agent_id=agent.id,
        actor=agent.agent.name,
        target=case.id,
        detail={"case": case.number, **(detail or {})},
    )


def _earlier(conversation: Any, bot_messages: list[Message]) -> dict[str, Any]:
    number = next(
        (m.flags.get("case_number") for m in bot_messages if (m.flags or {}).get("case_number")),
        None,
    )
    return {
        "conversation_id": conversation.id,
        "started_at": timestamp(conversation.started_at),
        "updated_at": timestamp(conversation.updated_at),
        "status": conversation.status,
        "case_number": number,
    }
