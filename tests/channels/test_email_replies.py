"""An agent's reply goes out by e-mail: always in an e-mail case, and in a widget case whose
visitor left an address and has not been back since the reply; once each, found in the
database; the widget visitor's answer by e-mail joins the case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from channels import get_customer_refs
from channels.email.intake import do_store_mail, do_take_mails
from channels.email.replies import do_mail_agent_replies
from conversations.services import Services
from conversations.storage import Visitor, do_touch_visitor, get_messages
from handoff.queries import get_latest_case
from tests.channels.email_helpers import CONFIG, mail, mails_out, take_all
from tests.conversations.conftest import NOW, InServices, agent
from tests.conversations.test_operations import _hand_off

AFTER = dt.timedelta(minutes=2)


def test_an_agents_reply_in_an_email_case_goes_out_once_threaded(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        raw = mail("Kan dere fortelle meg noe om vær og vind på Svalbard?", subject="Vær")
        await do_store_mail(services.db, raw, "kari@example.no", NOW)
        [_registered, taken] = await take_all(services)  # the bot hands it off
        assert taken.result is not None
        async with services.db.reading() as session:
            case = await get_latest_case(session, taken.result.conversation_id)
        assert case is not None
        await services.desk.do_claim(kari, case.id)
        await services.desk.do_reply(kari, case.id, "a1", "Det blåser alltid på Svalbard.")
        first = await do_mail_agent_replies(services, CONFIG, widget_after=AFTER)
        second = await do_mail_agent_replies(services, CONFIG, widget_after=AFTER)
        return case.number, first, second, await mails_out(services)

    number, first, second, [ack, reply] = in_services(scenario)
    assert (first, second) == (1, 0)
    assert reply.to_addr == "kari@example.no" and not reply.automatic
    assert reply.subject == f"Re: Vær [{number}]"
    assert reply.body.startswith("Det blåser alltid på Svalbard.\n\n")
    assert number in reply.body
    assert reply.in_reply_to == ack.message_id
    assert reply.references == f"<m1@example.no> {ack.message_id}"


def test_a_widget_visitor_who_left_gets_the_reply_by_email_and_can_answer_it(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        visitor_id, conversation_id = await _hand_off(services)
        await services.handoffs.do_email(conversation_id, "Ola@Example.no")
        async with services.db.reading() as session:
            case = await get_latest_case(session, conversation_id)
        assert case is not None
        await services.desk.do_claim(kari, case.id)
        services.clock.now = NOW + dt.timedelta(minutes=1)  # type: ignore[attr-defined]
        await services.desk.do_reply(kari, case.id, "a1", "Pakken er på vei.")
        too_soon = await do_mail_agent_replies(services, CONFIG, widget_after=AFTER)
        services.clock.now = NOW + dt.timedelta(minutes=3)  # type: ignore[attr-defined]
        due = await do_mail_agent_replies(services, CONFIG, widget_after=AFTER)
        [reply] = await mails_out(services)
        answer = mail(
            "Takk! Når kommer den?",
            "<svar@example.no>",
            sender="ola@example.no",
            subject=reply.subject,
            In_Reply_To=reply.message_id,
        )
        await do_store_mail(services.db, answer, "ola@example.no", services.clock())
        [taken] = await do_take_mails(services, CONFIG)
        return (
            too_soon,
            due,
            reply,
            taken,
            conversation_id,
            await get_customer_refs(services.db, visitor_id),
            await get_messages(services.db, conversation_id),
        )

    too_soon, due, reply, taken, conversation_id, refs, messages = in_services(scenario)
    assert (too_soon, due) == (0, 1)
    assert reply.to_addr == "ola@example.no" and reply.body.startswith("Pakken er på vei.")
    assert "email:ola@example.no" in refs
    assert taken.result.conversation_id == conversation_id
    assert messages[-1].text == "Takk! Når kommer den?" or any(
        m.text == "Takk! Når kommer den?" for m in messages
    )


def test_a_widget_visitor_still_on_the_page_gets_no_mail(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> Any:
        kari = await agent(services, "kari", ["support"])
        visitor_id, conversation_id = await _hand_off(services)
        await services.handoffs.do_email(conversation_id, "ola@example.no")
        async with services.db.reading() as session:
            case = await get_latest_case(session, conversation_id)
            visitor = await session.get(Visitor, visitor_id)
        assert case is not None and visitor is not None
        await services.desk.do_claim(kari, case.id)
        services.clock.now = NOW + dt.timedelta(minutes=1)  # type: ignore[attr-defined]
        await services.desk.do_reply(kari, case.id, "a1", "Pakken er på vei.")
        services.clock.now = NOW + dt.timedelta(minutes=2)  # type: ignore[attr-defined]
        await do_touch_visitor(services.db, visitor, services.clock())  # saw it
        services.clock.now = NOW + dt.timedelta(minutes=10)  # type: ignore[attr-defined]
        return await do_mail_agent_replies(services, CONFIG, widget_after=AFTER)

    assert in_services(scenario) == 0
