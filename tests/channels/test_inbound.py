"""A message from a channel without a dialogue: answered word for word when the bot is
confident, handed off otherwise, taken in once however often it is delivered, and the
customer's conversations of every channel found together."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from channels import (
    BadChannel,
    BadCustomer,
    Inbound,
    WrongCustomer,
    customer_ref,
    do_inbound,
    get_customer_history,
    guess_ref,
)
from conversations.services import Services
from conversations.storage import get_inquiries, get_messages
from tests.conversations.conftest import InServices

KARI = (customer_ref("email", "Kari.Nord@Example.no"),)


def mail(text: str, key: str, **options: Any) -> Inbound:
    return Inbound("email", options.pop("refs", KARI), text, key, **options)


def test_a_confident_answer_is_the_curated_text_and_the_inquiry_counts_on_the_channel(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[Any, list[Any], list[Any]]:
        result = await do_inbound(services, mail("Hvor er pakken min?", "<a1@example.no>"))
        return (
            result,
            await get_inquiries(services.db, result.conversation_id),
            await get_messages(services.db, result.conversation_id),
        )

    result, inquiries, messages = in_services(scenario)
    assert (result.decision, result.answer_id, result.case_number) == (
        "answer",
        "order-tracking",
        None,
    )
    assert [m.role for m in messages] == ["visitor", "bot"]
    assert [(i.channel, i.decision) for i in inquiries] == [("email", "answer")]


def test_what_the_bot_would_ask_back_about_goes_to_a_person_instead(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[Any, list[Any]]:
        result = await do_inbound(
            services, mail("Kan dere fortelle meg noe om vær og vind på Svalbard?", "<a2@x>")
        )
        return result, await get_inquiries(services.db, result.conversation_id)

    result, inquiries = in_services(scenario)
    assert result.decision == "handoff"
    assert result.case_number is not None and result.case_number.startswith("S-2026-")
    assert [(i.channel, i.decision) for i in inquiries] == [("email", "handoff")]
    assert all(not r.choices for r in result.replies)  # never choices on a mail


def test_a_second_delivery_stores_nothing_and_gets_the_first_replies(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[Any, Any, list[Any], list[Any]]:
        one = mail("Hvor er pakken min?", "<same@example.no>")
        first, second = await asyncio.gather(do_inbound(services, one), do_inbound(services, one))
        third = await do_inbound(services, one)
        return (
            first,
            third,
            [first.conversation_id, second.conversation_id, third.conversation_id],
            await get_messages(services.db, first.conversation_id),
        )

    first, third, conversations, messages = in_services(scenario)
    assert len(set(conversations)) == 1
    assert [m.role for m in messages] == ["visitor", "bot"]
    assert third.duplicate and [r.id for r in third.replies] == [r.id for r in first.replies]


def test_a_reply_in_a_thread_joins_its_conversation_and_not_someone_elses(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[list[Any], Exception]:
        first = await do_inbound(services, mail("Hvor er pakken min?", "<t1@x>"))
        await do_inbound(
            services,
            mail(
                "Og hvordan returnerer jeg en vare?",
                "<t2@x>",
                conversation_id=first.conversation_id,
            ),
        )
        other = (customer_ref("email", "ola@example.no"),)
        with pytest.raises(WrongCustomer) as raised:
            await do_inbound(
                services,
                mail("Hei", "<t3@x>", refs=other, conversation_id=first.conversation_id),
            )
        return await get_messages(services.db, first.conversation_id), raised.value

    messages, error = in_services(scenario)
    assert [m.role for m in messages] == ["visitor", "bot", "visitor", "bot"]
    assert error.code == "wrong_customer"


def test_a_customer_is_one_visitor_across_channels_and_references(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        phone = customer_ref("phone", "+47 912 34 567")
        by_mail = await do_inbound(services, mail("Hvor er pakken min?", "<c1@x>"))
        by_api = await do_inbound(
            services, Inbound("sms", (phone, KARI[0]), "Hvor er pakken min?", "sms-1")
        )
        by_phone_only = await do_inbound(services, Inbound("sms", (phone,), "Retur?", "sms-2"))
        assert by_mail.visitor_id == by_api.visitor_id == by_phone_only.visitor_id
        return await get_customer_history(services.db, by_mail.visitor_id)

    history = in_services(scenario)
    assert history.refs == ["email:kari.nord@example.no", "tel:+4791234567"]
    assert sorted(c["channel"] for c in history.conversations) == ["email", "sms", "sms"]
    assert "visitor_id" not in history.as_json()


def test_references_are_normalised_and_bad_ones_say_what_is_wrong() -> None:
    assert customer_ref("phone", "0047 912 34 567") == "tel:+4791234567"
    assert customer_ref("phone", "912 34 567", country="+47") == "tel:+4791234567"
    assert guess_ref(" Kari@Example.NO ") == "email:kari@example.no"
    assert guess_ref("K-1001") == "id:K-1001"
    assert guess_ref("+46 70 123 45 67") == "tel:+46701234567"
    for kind, value, says in [
        ("email", "kari@", "not an e-mail address"),
        ("phone", "12", "not a phone number"),
        ("id", "a b", "customer id"),
        ("fax", "1", "unknown kind"),
    ]:
        with pytest.raises(BadCustomer, match=says):
            customer_ref(kind, value)
    with pytest.raises(BadChannel, match="not 'widget'"):
        asyncio.run(do_inbound(None, Inbound("widget", KARI, "x", "k")))  # type: ignore[arg-type]


def test_without_a_key_two_customers_with_the_same_words_are_two_inquiries(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> list[Any]:
        ola = (customer_ref("email", "ola@example.no"),)
        return [
            await do_inbound(services, mail("Hvor er pakken min?", "")),
            await do_inbound(services, mail("Hvor er pakken min?", "", refs=ola)),
            await do_inbound(services, mail("Hvor er pakken min?", "")),
        ]

    kari, ola, kari_again = in_services(scenario)
    assert kari.conversation_id != ola.conversation_id
    assert kari_again.duplicate and kari_again.conversation_id == kari.conversation_id


def test_one_new_customer_named_two_ways_at_once_is_one_visitor(
    in_services: InServices[Any],
) -> None:
    phone = customer_ref("phone", "+47 912 34 567")

    async def scenario(services: Services) -> list[Any]:
        return list(
            await asyncio.gather(
                do_inbound(services, Inbound("sms", (phone,), "Hvor er pakken min?", "s-1")),
                do_inbound(services, mail("Hvor er pakken min?", "<both@x>", refs=(*KARI, phone))),
            )
        )

    by_phone, by_both = in_services(scenario)
    assert by_phone.visitor_id == by_both.visitor_id
