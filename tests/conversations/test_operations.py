"""The conversation operations in-process: chat, hand-off and desk on SQLite and the local hub,
with the frames each audience receives. No server: what these tests see is what the routes
and sockets pass on."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from conversations import frames
from conversations.errors import (
    ConversationError,
    Forbidden,
    NotCollecting,
    UnknownAnswer,
    UnknownMessage,
)
from conversations.frames import AGENTS, Audience, Frame
from conversations.services import Services
from conversations.storage import get_messages
from handoff import AgentInfo, get_agent, get_agent_by_name, get_latest_case
from tests.conversations.conftest import Clock, InServices, Listener, agent


async def _visitor_with_conversation(services: Services) -> tuple[str, str]:
    visitor = await services.visits.do_visitor(None)
    conversation = await services.visits.do_start(visitor, None)
    return visitor.id, conversation.id


async def _say(services: Services, visitor_id: str, conversation_id: str, text: str) -> list[Any]:
    stored = await services.chat.do_send(visitor_id, conversation_id, f"c-{text[:20]}", text)
    replies, _ = await services.chat.do_reply(stored, None)
    return replies


def test_a_question_is_stored_answered_and_pushed_to_the_conversation(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[list[Any], Listener, list[Any]]:
        visitor_id, conversation_id = await _visitor_with_conversation(services)
        watching = Listener()
        services.hub.subscribe(conversation_id, watching)
        replies = await _say(services, visitor_id, conversation_id, "Hvor er pakken min?")
        return replies, watching, await get_messages(services.db, conversation_id)

    replies, watching, stored = in_services(scenario)
    assert [r.answer_id for r in replies] == ["order-tracking"]
    assert [m.role for m in stored] == ["visitor", "bot"]
    assert watching.types() == ["message", "typing", "message", "typing"]
    assert [b["on"] for b in watching.bodies("typing")] == [True, False]
    assert watching.bodies("message")[-1]["message"]["answer_id"] == "order-tracking"


def test_a_resent_message_gets_its_replies_again_never_a_second_set(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[bool, bool, int]:
        visitor_id, conversation_id = await _visitor_with_conversation(services)
        first = await services.chat.do_send(visitor_id, conversation_id, "c1", "Hvor er pakken?")
        await services.chat.do_reply(first, None)
        again = await services.chat.do_send(visitor_id, conversation_id, "c1", "Hvor er pakken?")
        _, new = await services.chat.do_reply(again, None)
        return again.duplicate, new, len(await get_messages(services.db, conversation_id))

    duplicate, new, count = in_services(scenario)
    assert duplicate is True and new is False
    assert count == 2


def test_errors_carry_codes_and_store_nothing(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> list[tuple[str, int]]:
        visitor_id, conversation_id = await _visitor_with_conversation(services)
        stranger = await services.visits.do_visitor(None)
        codes = []
        attempts: list[Any] = [
            services.chat.do_send(stranger.id, conversation_id, "x", "Hei"),
            services.chat.do_skip(visitor_id, conversation_id, "s1"),
            services.chat.do_choose(visitor_id, conversation_id, "c2", "no-such-answer"),
            services.chat.do_feedback(visitor_id, conversation_id, "m-none", True),
        ]
        for attempt in attempts:
            with pytest.raises(ConversationError) as caught:
                await attempt
            codes.append((caught.value.code, len(await get_messages(services.db, conversation_id))))
        return codes

    assert in_services(scenario) == [
        ("forbidden", 0),
        ("not_collecting", 0),
        ("unknown_answer", 0),
        ("unknown_message", 0),
    ]
    assert issubclass(Forbidden, ConversationError)
    assert {NotCollecting.code, UnknownAnswer.code, UnknownMessage.code} == {
        "not_collecting",
        "unknown_answer",
        "unknown_message",
    }


async def _hand_off(services: Services) -> tuple[str, str]:
    visitor_id, conversation_id = await _visitor_with_conversation(services)
    await _say(services, visitor_id, conversation_id, "Hvor er pakken min?")
    stored = await services.chat.do_ask_human(visitor_id, conversation_id, "h1")
    await services.chat.do_reply(stored, None)
    return visitor_id, conversation_id


def test_a_hand_off_reaches_exactly_the_agents_who_may_see_the_case(
    in_services: InServices[Any],
) -> None:
    def console(agent_info: AgentInfo) -> list[dict[str, Any]]:
        return [
            dict(f.body)
            for f in seen
            if f.channel == AGENTS and (f.audience is None or f.audience.admits(agent_info))
        ]

    seen: list[Frame] = []

    async def scenario(services: Services) -> tuple[AgentInfo, AgentInfo, AgentInfo, Any]:
        kari = await agent(services, "kari", ["support"])
        per = await agent(services, "per", ["returns"])
        boss = await agent(services, "boss", [], admin=True)
        services.hub.subscribe(AGENTS, seen.append)
        _, conversation_id = await _hand_off(services)
        async with services.db.reading() as session:
            case = await get_latest_case(session, conversation_id)
        return kari, per, boss, case

    kari, per, boss, case = in_services(scenario)
    assert case is not None and case.team == "support"
    created = [b for b in console(kari) if b["type"] == "case_created"]
    assert [b["case"]["id"] for b in created] == [case.id]
    assert not [b for b in console(per) if b["type"].startswith("case_")]
    assert [b["type"] for b in console(boss)] == [b["type"] for b in console(kari)]
    assert all("_scope" not in b for b in console(boss))


def test_an_agent_reply_reaches_the_visitor_and_the_case_is_updated(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[Listener, Listener, str]:
        kari = await agent(services, "kari", ["support"])
        _, conversation_id = await _hand_off(services)
        async with services.db.reading() as session:
            case = await get_latest_case(session, conversation_id)
        assert case is not None
        visitor, agents = Listener(), Listener()
        services.hub.subscribe(conversation_id, visitor)
        services.hub.subscribe(AGENTS, agents)
        await services.desk.do_claim(kari, case.id)
        await services.desk.do_reply(kari, case.id, "a1", "Jeg ser på det nå.")
        return visitor, agents, case.id

    visitor, agents, case_id = in_services(scenario)
    texts = [b["message"]["text"] for b in visitor.bodies("message")]
    assert texts[-1] == "Jeg ser på det nå."
    assert [b["message"]["role"] for b in visitor.bodies("message")][-1] == "agent"
    changes = [b.get("change") for b in agents.bodies("case_updated")]
    assert "answered" in changes
    assert all(b["case_id"] == case_id for b in agents.bodies("message"))


def test_the_hand_off_summary_is_made_off_the_event_loop(
    in_services: InServices[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    async def scenario(services: Services) -> str:
        original = services.runner.bot.handoff_note

        def note(*args: Any, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return original(*args, **kwargs)

        monkeypatch.setattr(services.runner.bot, "handoff_note", note)
        await _hand_off(services)
        return threading.current_thread().name

    loop_thread = in_services(scenario)
    assert threads and all(name != loop_thread for name in threads)
    assert all(name.startswith("samsvar-bot") for name in threads)


def test_a_frame_crosses_processes_whole() -> None:
    frame = frames.case_removed("case-1", "returns", "transferred")
    again = Frame.from_json(frame.to_json())
    assert again == Frame(frame.channel, dict(frame.body), frame.audience)
    assert again.audience == Audience("returns", only_team=True)
    plain = frames.typing("conv-1", on=True)
    assert Frame.from_json(plain.to_json()) == Frame("conv-1", {"type": "typing", "on": True})


def test_off_hours_an_online_agent_is_promised_not_the_closed_desk(
    in_services: InServices[Any],
) -> None:
    """Sunday night with Kari online: the visitor hears that Kari answers, not "we are not at
    work", and the case line says the desk is open (issue 16)."""

    async def scenario(services: Services) -> tuple[list[str], dict[str, Any], list[str]]:
        clock = services.clock
        assert isinstance(clock, Clock)
        clock.now = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC)  # Sunday 23:00 in Oslo
        await agent(services, "kari", ["support"])
        _, conversation_id = await _hand_off(services)
        messages = await get_messages(services.db, conversation_id)
        status = await services.handoffs.case_for(conversation_id)
        assert status is not None
        # With nobody online, the same hand-off gets the closed desk's message.
        _, alone = await _hand_off_without_agents(services)
        later = [m.text for m in await get_messages(services.db, alone) if m.role == "system"]
        return [m.text for m in messages if m.role == "system"], status, later

    notices, status, closed = in_services(scenario)
    assert any("Kari" in text for text in notices)
    assert not any("ikke på jobb" in text for text in notices)
    assert status["open_now"] is True and status["ask_email"] is False
    assert any("ikke på jobb" in text for text in closed)


async def _hand_off_without_agents(services: Services) -> tuple[str, str]:
    async with services.db.reading() as session:
        kari = await get_agent_by_name(session, "kari")
    assert kari is not None
    async with services.db.reading() as session:
        info = await get_agent(session, kari.id)
    await services.desk.do_status(info, "offline")
    return await _hand_off(services)


def test_an_inquiry_records_whether_the_visitor_typed_or_clicked(
    in_services: InServices[Any],
) -> None:
    from conversations.storage import get_inquiries

    async def scenario(services: Services) -> list[tuple[str, str]]:
        visitor_id, conversation_id = await _visitor_with_conversation(services)
        await _say(services, visitor_id, conversation_id, "Hvor er pakken min?")
        chose = await services.chat.do_choose(visitor_id, conversation_id, "c-choice", "returns")
        await services.chat.do_reply(chose, None)
        human = await services.chat.do_ask_human(visitor_id, conversation_id, "c-human")
        await services.chat.do_reply(human, None)
        return [(i.kind, i.decision) for i in await get_inquiries(services.db, conversation_id)]

    assert in_services(scenario) == [("text", "answer"), ("choice", "answer"), ("human", "handoff")]
