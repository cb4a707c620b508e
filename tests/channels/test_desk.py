"""Phone and desk registration from a template: resolved at once with the curated answer or
left open as a case for the team; an inquiry on the template's channel that insights count;
registered once however often the console sends it; and the customer across channels."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
from typing import Any

import pytest

from bot import Bot
from channels import (
    BadCustomer,
    BadRegistration,
    Inbound,
    Registration,
    UnknownTemplate,
    customer_ref,
    do_inbound,
    do_register,
    get_case_customer,
    get_recent_customers,
)
from conversations.services import Services
from conversations.storage import get_inquiries, get_learning_candidates, get_messages
from handoff import NotAllowed, QueueFilter, UnknownCase, get_audit, get_case, get_queue
from insights import Period, get_figures
from knowledge import load_answer_base
from retrieval import Retriever
from tests.builders import write_answer_file, write_base
from tests.conversations.conftest import BASE, NOW, _with_services, agent
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

FIELDS = {
    "order_number": {
        "prompt": {"nb": "Ordrenummer?"},
        "pattern": "^[0-9]{7}$",
        "example": "1234567",
        "label": {"nb": "ordrenummer", "en": "order number"},
    },
}
TEMPLATES = """\
- id: parcel-call
  title: {nb: Hvor er pakken?, en: Where is my parcel?}
  topic: order-tracking
  fields: {order_number: }
  resolve_at_once: true
- id: return-desk
  title: {nb: Retur i butikken}
  topic: returns
  team: returns
  channel: desk
"""


@pytest.fixture
def desk_bot(tmp_path: pathlib.Path, shop_retriever: Retriever, shop_encoder: CachedE5) -> Bot:
    root = write_base(tmp_path / "base", shop_answer_dicts(), base=BASE, fields=FIELDS)
    write_answer_file(root, TEMPLATES, "templates.yaml")
    return Bot(load_answer_base(root), shop_retriever, shop_encoder)


def run(tmp_path: pathlib.Path, bot: Bot, scenario: Any) -> Any:
    return asyncio.run(_with_services(tmp_path, bot, scenario))


def test_a_call_resolved_at_once_gets_the_curated_answer_and_counts_on_the_phone(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        done = await do_register(
            services,
            kari,
            Registration(
                "parcel-call",
                "k1",
                customer="+47 912 34 567",
                fields={"order_number": "1234567"},
                resolve=True,
                lang="en",
            ),
        )
        async with services.db.reading() as session:
            case = await get_case(session, done.case["id"])
            audit = await get_audit(session, action="register")
        return (
            done,
            case,
            audit,
            await get_inquiries(services.db, done.conversation_id),
            await get_messages(services.db, done.conversation_id),
            kari,
        )

    done, case, audit, inquiries, messages, kari = run(tmp_path, desk_bot, scenario)
    text = desk_bot.base.get("order-tracking").answer["en"]  # type: ignore[union-attr]
    assert (done.channel, done.decision, done.answer_id) == ("phone", "answer", "order-tracking")
    assert done.answer["text"] == text and done.answer["lang"] == "en"
    assert done.answer["sms"].startswith(text)
    assert done.refs == ["tel:+4791234567"]
    assert (case.status, case.agent_id, case.reason, case.topic) == (
        "resolved",
        kari.id,
        "registered",
        "order-tracking",
    )
    assert case.question == "Where is my parcel?"  # the template's title: no note was given
    assert case.fields == [
        {"name": "order_number", "label": "order number", "status": "given", "value": "1234567"}
    ]
    assert case.first_response_at == NOW and case.resolved_at == NOW
    assert [(m.role, m.text) for m in messages] == [
        ("visitor", "Where is my parcel?"),
        ("agent", text),
    ]
    assert [(i.channel, i.decision, i.answer_id, i.kind) for i in inquiries] == [
        ("phone", "answer", "order-tracking", "text")
    ]
    assert [(e.action, e.agent_id, e.detail["template"]) for e in audit] == [
        ("register", kari.id, "parcel-call")
    ]
    assert audit[0].detail["case"] == case.number


def test_an_inquiry_left_open_is_a_case_in_the_templates_team_queue(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        done = await do_register(
            services,
            kari,
            Registration("return-desk", "k2", customer="ola@example.no", text="Vil returnere"),
        )
        async with services.db.reading() as session:
            queue, _ = await get_queue(session, QueueFilter(teams=("returns",)))
        return done, queue, await get_inquiries(services.db, done.conversation_id)

    done, queue, inquiries = run(tmp_path, desk_bot, scenario)
    assert (done.channel, done.decision, done.answer) == ("desk", "handoff", None)
    assert done.case["team"] == "returns" and done.case["status"] == "queued"
    assert [c.number for c in queue] == [done.case["number"]]
    assert queue[0].question == "Vil returnere" and queue[0].reason == "registered"
    assert [(i.channel, i.decision, i.answer_id) for i in inquiries] == [
        ("desk", "handoff", "returns")
    ]


def test_a_case_left_open_goes_to_an_online_agent_of_the_team(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        per = await agent(services, "per", ["returns"])
        done = await do_register(services, kari, Registration("return-desk", "k3"))
        return done, per

    done, per = run(tmp_path, desk_bot, scenario)
    assert (done.case["status"], done.case["agent_id"]) == ("assigned", per.id)


def test_the_same_key_registers_once(tmp_path: pathlib.Path, desk_bot: Bot) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        one = Registration("parcel-call", "same", customer="kari@example.no", resolve=True)
        first, second = await asyncio.gather(
            do_register(services, kari, one), do_register(services, kari, one)
        )
        third = await do_register(services, kari, one)
        return first, second, third, await get_inquiries(services.db, first.conversation_id)

    first, second, third, inquiries = run(tmp_path, desk_bot, scenario)
    assert first.conversation_id == second.conversation_id == third.conversation_id
    assert third.duplicate and third.case == first.case and third.answer == first.answer
    assert len(inquiries) == 1


def test_another_agents_key_is_another_registration(tmp_path: pathlib.Path, desk_bot: Bot) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        per = await agent(services, "per", ["returns"])
        one = Registration("return-desk", "same-key", customer="kari@example.no")
        return await do_register(services, kari, one), await do_register(services, per, one)

    mine, theirs = run(tmp_path, desk_bot, scenario)
    assert mine.conversation_id != theirs.conversation_id and not theirs.duplicate


@pytest.mark.parametrize(
    ("registration", "error", "says"),
    [
        (Registration("parcle-call", "e1"), UnknownTemplate, "templates: parcel-call, return"),
        (
            Registration("parcel-call", "e2", fields={"order_number": "12"}),
            BadRegistration,
            "order_number: '12' is not a valid order_number like 1234567",
        ),
        (
            Registration("return-desk", "e3", fields={"order_number": "1234567"}),
            BadRegistration,
            "has no field 'order_number'; its fields: none",
        ),
        (Registration("return-desk", "e4", lang="no"), BadRegistration, "unknown language"),
        (Registration("return-desk", "e5", customer="a b c"), BadCustomer, "customer id"),
        (Registration("return-desk", "e6", text="x" * 2001), BadRegistration, "at most 2000"),
    ],
)
def test_bad_input_is_refused_saying_what_is_wrong_and_nothing_is_stored(
    tmp_path: pathlib.Path,
    desk_bot: Bot,
    registration: Registration,
    error: type[Exception],
    says: str,
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        with pytest.raises(error) as raised:
            await do_register(services, kari, registration)
        async with services.db.reading() as session:
            _, total = await get_queue(session, QueueFilter(statuses=("queued", "resolved")))
        return raised.value, total

    raised, total = run(tmp_path, desk_bot, scenario)
    assert says in str(raised)
    assert total == 0


def test_insights_count_registered_inquiries_on_their_channels(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        await do_register(services, kari, Registration("parcel-call", "f1", resolve=True))
        await do_register(services, kari, Registration("return-desk", "f2"))
        week = Period(dt.date(2026, 11, 30), dt.date(2026, 12, 6), "Europe/Oslo")
        return await get_figures(services.db, desk_bot.base, week, now=NOW, rollup=False)

    figures = run(tmp_path, desk_bot, scenario)
    assert figures.inquiries == 2 and figures.conversations == 2
    assert dict(figures.decisions) == {"answer": 1, "handoff": 1}
    assert dict(figures.by_channel) == {"phone": 1, "desk": 1}
    assert list(figures.by_answer) == [("order-tracking", 1)]
    # A person handled both: neither is self-service. The call answered at once never
    # waited for anyone: it is counted apart from the cases (whose times it would flatter).
    assert (figures.self_served, figures.handed_off_conversations) == (0, 2)
    handoffs = figures.handoffs
    assert (handoffs.count, handoffs.resolved, handoffs.resolved_at_registration) == (1, 0, 1)
    assert dict(handoffs.by_team) == {"returns": 1}


def test_the_customer_across_channels_for_agents_who_may_see_the_case(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        per = await agent(services, "per", ["returns"])
        ref = customer_ref("email", "ola@example.no")
        mailed = await do_inbound(services, Inbound("email", [ref], "Hvor er pakken min?", "<m>"))
        called = await do_register(
            services, kari, Registration("return-desk", "c1", customer="Ola@Example.no")
        )
        number = called.case["number"]
        seen = await get_case_customer(services.db, per, number)
        by_id = await get_case_customer(services.db, per, called.case["id"])
        with pytest.raises(NotAllowed):
            await get_case_customer(services.db, kari, number)
        with pytest.raises(UnknownCase):
            await get_case_customer(services.db, per, "S-2026-999999")
        recent = {
            name: await get_recent_customers(services.db, who)
            for name, who in (("kari", kari), ("per", per))
        }
        return mailed, called, seen, by_id, recent

    mailed, called, seen, by_id, recent = run(tmp_path, desk_bot, scenario)
    history = seen.as_json()
    assert history == by_id.as_json()
    assert history["refs"] == ["email:ola@example.no"]
    assert {(c["id"], c["channel"]) for c in history["conversations"]} == {
        (mailed.conversation_id, "email"),
        (called.conversation_id, "desk"),
    }
    assert [(c["number"], c["channel"]) for c in history["cases"]] == [
        (called.case["number"], "desk")
    ]
    assert [c["ref"] for c in recent["per"]] == ["email:ola@example.no"]
    assert recent["kari"] == []  # the case is the returns team's, not hers


def test_a_registered_answer_teaches_the_base_no_phrasing(
    tmp_path: pathlib.Path, desk_bot: Bot
) -> None:
    """The question of a registration is the agent's note, not the customer's own words: an
    answer sent by the agent in a widget case is a candidate phrasing, a registered one not."""

    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        note = "Kunden ringte og lurte på hvor sendingen hans befinner seg nå"
        await do_register(
            services, kari, Registration("parcel-call", "l1", text=note, resolve=True)
        )
        return await get_learning_candidates(services.db, desk_bot.base)

    assert run(tmp_path, desk_bot, scenario) == []
