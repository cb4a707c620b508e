"""Pending turns: an acknowledged message gets exactly one reply, even when the process that
stored it dies before replying (another process, or the same one restarted, takes it up)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from conversations.chat import MAX_TURN_ATTEMPTS, TURN_LEASE
from conversations.services import Services
from conversations.storage import Message, PendingTurn, get_messages
from tests.conversations.conftest import Clock, InServices, Listener, services_on


async def _pending(services: Services) -> list[PendingTurn]:
    async with services.db.reading() as session:
        return list((await session.scalars(select(PendingTurn))).all())


async def _acknowledged(services: Services, text: str = "Hvor er pakken min?") -> tuple[str, str]:
    """A message stored (and so acknowledged) by `services`, whose process then dies before
    the bot answers it."""
    visitor = await services.visits.do_visitor(None)
    conversation = await services.visits.do_start(visitor, None)
    await services.chat.do_send(visitor.id, conversation.id, "c1", text)
    return conversation.id, visitor.id


def _replies(messages: list[Message]) -> list[str | None]:
    return [m.answer_id for m in messages if m.role == "bot"]


def test_a_message_is_pending_until_its_reply_is_stored(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> tuple[int, int]:
        visitor = await services.visits.do_visitor(None)
        conversation = await services.visits.do_start(visitor, None)
        stored = await services.chat.do_send(visitor.id, conversation.id, "c1", "Hvor er pakken?")
        before = len(await _pending(services))
        await services.chat.do_reply(stored, None)
        return before, len(await _pending(services))

    assert in_services(scenario) == (1, 0)


def test_a_turn_whose_process_died_is_answered_once_by_another(
    in_services: InServices[Any],
) -> None:
    async def scenario(dead: Services) -> tuple[int, int, list[Any], Listener, int]:
        conversation_id, _ = await _acknowledged(dead)
        clock = Clock(dead.clock())
        other = services_on(dead.db, dead.runner.bot, clock)
        watching = Listener()
        other.hub.subscribe(conversation_id, watching)
        try:
            early = await other.chat.do_resume()  # the claim still holds: not yet
            clock.now += TURN_LEASE + TURN_LEASE / 10
            taken = await other.chat.do_resume()
            await other.chat.drain()
            again = await other.chat.do_resume()  # nothing left to take
            messages = await get_messages(dead.db, conversation_id)
            return early, taken, _replies(messages), watching, again + len(await _pending(dead))
        finally:
            other.runner.close()

    early, taken, replies, watching, left = in_services(scenario)
    assert (early, taken, left) == (0, 1, 0)
    assert replies == ["order-tracking"]
    assert [b["message"]["answer_id"] for b in watching.bodies("message")] == ["order-tracking"]


def test_two_processes_taking_up_the_same_turns_answer_each_once(
    in_services: InServices[Any],
) -> None:
    async def scenario(dead: Services) -> list[list[str | None]]:
        conversations = [(await _acknowledged(dead, "Hvor er pakken min?"))[0] for _ in range(6)]
        later = Clock(dead.clock() + TURN_LEASE * 2)
        first = services_on(dead.db, dead.runner.bot, later)
        second = services_on(dead.db, dead.runner.bot, later)
        try:
            await asyncio.gather(first.chat.do_resume(), second.chat.do_resume())
            await asyncio.gather(first.chat.drain(), second.chat.drain())
            return [_replies(await get_messages(dead.db, c)) for c in conversations]
        finally:
            first.runner.close()
            second.runner.close()

    assert in_services(scenario) == [["order-tracking"]] * 6


def test_a_failed_turn_is_tried_again_and_given_up_after_its_attempts(
    in_services: InServices[Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(services: Services) -> tuple[list[int], int, list[str | None]]:
        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a bug in the bot")

        monkeypatch.setattr(services.runner.bot, "turn", broken)
        conversation_id, _ = await _acknowledged(services)
        clock = services.clock
        assert isinstance(clock, Clock)
        attempts = []
        for _ in range(MAX_TURN_ATTEMPTS + 1):
            clock.now += TURN_LEASE * 2
            await services.chat.do_resume()
            await services.chat.drain()
            attempts += [turn.attempts for turn in await _pending(services)]
        left = len(await _pending(services))
        return attempts, left, _replies(await get_messages(services.db, conversation_id))

    attempts, left, replies = in_services(scenario)
    assert attempts == list(range(2, MAX_TURN_ATTEMPTS + 1))
    assert left == 0 and replies == []
    assert "gave up the turn" in caplog.text


def test_a_failed_background_task_is_logged_by_name_and_forgotten(
    in_services: InServices[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A reply that fails in the background (the database out of connections, say) is
    logged with what it was doing, not left to asyncio's "exception was never retrieved"."""
    from conversations.errors import StorageUnavailable

    async def out_of_connections() -> None:
        raise StorageUnavailable("QueuePool limit reached")

    async def broken() -> None:
        raise RuntimeError("a bug")

    async def scenario(services: Services) -> int:
        tasks = [services.chat.spawn(out_of_connections()), services.chat.spawn(broken())]
        await asyncio.wait(tasks)
        await asyncio.sleep(0)  # the done callbacks run
        return len(services.chat._tasks)

    with caplog.at_level("WARNING", logger="conversations.chat"):
        assert in_services(scenario) == 0
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert any(
        level == "WARNING" and text.endswith("out_of_connections failed: QueuePool limit reached")
        for level, text in logged
    ), logged
    assert any(level == "ERROR" and text.endswith("broken failed") for level, text in logged)
