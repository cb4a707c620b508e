"""A guided flow through the conversation operations: the flow's questions as stored messages
with their buttons, and its hand-off as a case with every value, the path and the urgency the
ending asks for (decision 0058)."""

from __future__ import annotations

import asyncio
import pathlib
from typing import Any

from bot import Bot
from conversations.services import Services
from conversations.storage import Message, get_messages
from handoff import get_latest_case
from knowledge import load_answer_base
from retrieval import Retriever, entries_from_base
from tests.bot.test_flows import BASE, TODAY, _answers, flow_encoder, flow_retriever
from tests.builders import make_fields_dict, write_base
from tests.conversations.conftest import _with_services, agent
from tests.retrieval.encoders import CachedE5

__all__ = ["flow_encoder", "flow_retriever"]


def _flow_bot(tmp_path: pathlib.Path, retriever: Retriever, encoder: CachedE5) -> Bot:
    root = write_base(tmp_path / "base", _answers(), base=BASE, fields=make_fields_dict())
    base = load_answer_base(root)
    assert entries_from_base(base) == list(retriever.entries)
    return Bot(base, retriever, encoder, today=lambda: TODAY)


def test_a_recalled_model_becomes_an_urgent_case_with_its_path_and_values(
    tmp_path: pathlib.Path, flow_retriever: Retriever, flow_encoder: CachedE5
) -> None:
    async def scenario(services: Services) -> tuple[list[Any], Any]:
        await agent(services, "per", ["returns"])
        visitor = await services.visits.do_visitor(None)
        conversation = await services.visits.do_start(visitor, None)
        stored = await services.chat.do_choose(visitor.id, conversation.id, "c1", "warranty-claim")
        await services.chat.do_reply(stored, None)
        for n, text in enumerate(["modellen er kt 210", "ola@example.com"]):
            stored = await services.chat.do_send(visitor.id, conversation.id, f"t{n}", text)
            await services.chat.do_reply(stored, None)
        async with services.db.reading() as session:
            case = await get_latest_case(session, conversation.id)
        return await get_messages(services.db, conversation.id), case

    bot = _flow_bot(tmp_path, flow_retriever, flow_encoder)
    messages, case = asyncio.run(_with_services(tmp_path, bot, scenario))
    questions = [m for m in messages if m.role == "bot" and m.decision == "collect"]
    assert questions, "the flow asked its questions"
    assert case is not None
    assert (case.team, case.urgency, case.reason) == ("returns", "urgent", "flow")
    assert [r["rule"] for r in case.urgency_reasons][-1] == "flow"
    assert [step["step"] for step in case.path] == [
        "model",
        "recall",
        "recall-email",
        "recall-case",
    ]
    assert all(step["label"] for step in case.path)
    values = {f["name"]: f["value"] for f in case.fields}
    assert "ola@example.com" in values.values()
    assert any(f["label"] != f["name"] for f in case.fields)  # labelled in the visitor's language


def test_a_collection_stored_before_it_ran_as_a_flow_goes_on_to_the_case(
    tmp_path: pathlib.Path, flow_retriever: Retriever, flow_encoder: CachedE5
) -> None:
    """A conversation asked for a field by a version before "collect is the simplest flow"
    (decision 0058) stored the pending hand-off without `flow`: the reply still completes it."""
    answers = _answers()
    repair = next(a for a in answers if a["id"] == "paid-repair")
    repair["handoff"] = {"team": "support", "collect": ["order_number"]}
    root = write_base(tmp_path / "base", answers, base=BASE, fields=make_fields_dict())
    base = load_answer_base(root)
    assert entries_from_base(base) == list(flow_retriever.entries)
    bot = Bot(base, flow_retriever, flow_encoder, today=lambda: TODAY)

    async def scenario(services: Services) -> Any:
        visitor = await services.visits.do_visitor(None)
        conversation = await services.visits.do_start(visitor, None)
        stored = await services.chat.do_choose(visitor.id, conversation.id, "c1", "paid-repair")
        await services.chat.do_reply(stored, None)
        stored = await services.chat.do_send(
            visitor.id, conversation.id, "c2", "Jeg vil snakke med et menneske"
        )
        await services.chat.do_reply(stored, None)
        asked = (await get_messages(services.db, conversation.id))[-1]
        assert (asked.decision, asked.flags["pending"]["asking"]) == ("collect", "order_number")
        pending = asked.flags["pending"]
        before = {key: pending[key] for key in pending if key != "flow"}
        before |= {"collect": ["order_number"], "fields": []}  # as the old version stored it
        async with services.db.writing() as session:
            row = await session.get(Message, asked.id)
            assert row is not None
            row.flags = {**row.flags, "pending": before}
            await session.commit()
        stored = await services.chat.do_send(visitor.id, conversation.id, "c3", "Det er 1234567")
        await services.chat.do_reply(stored, None)
        async with services.db.reading() as session:
            return await get_latest_case(session, conversation.id)

    case = asyncio.run(_with_services(tmp_path, bot, scenario))
    assert case is not None
    assert (case.team, case.reason, case.path) == ("support", "asked_for_human", [])
    assert [(f["name"], f["status"], f["value"]) for f in case.fields] == [
        ("order_number", "given", "1234567")
    ]
