"""The checks on an LLM's text: citations, facts across formats and languages, commitments,
leaks, language, and the streaming gate."""

from __future__ import annotations

from typing import Any

import pytest

from bot import Grounds, ReplyGate, UngroundedReply, check_reply, check_translation
from knowledge import Answer
from tests.builders import make_answer_dict


def make_answer(**overrides: Any) -> Answer:
    return Answer(**make_answer_dict(**overrides))


def grounds(*answers: Answer, lang: str = "nb", **kwargs: Any) -> Grounds:
    return Grounds({a.id: a for a in answers}, lang, **kwargs)


def failure(text: str, given: Grounds) -> str:
    with pytest.raises(UngroundedReply) as caught:
        check_reply(text, given)
    return caught.value.code


SHIPPING = make_answer(
    id="shipping-cost",
    title="Shipping cost",
    answer={
        "nb": "Frakt er gratis over 1 299,-. Ellers koster hjemlevering 129 kr og tar 14 dager.",
        "en": "Shipping is free over NOK 1,299. Otherwise home delivery costs NOK 129.",
    },
    links=["https://shop.example/help/shipping"],
)
HOURS = make_answer(
    id="opening-hours",
    title="Opening hours",
    answer={
        "nb": "Vi har åpent mandag–fredag kl. 08.00–16.00. Ring +47 22 00 00 00 eller skriv til "
        "kundeservice@shop.example. Salget starter 01.03.2026 og du har to uker på deg.",
        "fi": "Olemme avoinna maanantaista perjantaihin klo 8–16. Alennus 49,90 €.",
    },
)


def test_a_reply_citing_a_given_answer_passes_and_returns_its_citations() -> None:
    text = "Frakt er gratis når du handler for over 1299 kr [shipping-cost]."
    assert check_reply(text, grounds(SHIPPING, HOURS)) == ("shipping-cost",)


def test_several_citations_in_one_bracket() -> None:
    text = "Gratis frakt over 1 299 kr, og vi har åpent mandag [shipping-cost, opening-hours]."
    assert check_reply(text, grounds(SHIPPING, HOURS)) == ("shipping-cost", "opening-hours")


def test_no_citation_fails() -> None:
    assert failure("Frakt er gratis over 1 299 kr.", grounds(SHIPPING)) == "no_citation"


def test_citing_an_answer_it_was_not_given_fails() -> None:
    text = "Frakt er gratis [shipping-cost]. Se også [returns]."
    assert failure(text, grounds(SHIPPING)) == "unknown_citation"


def test_none_means_the_model_declined() -> None:
    assert failure("[none]", grounds(SHIPPING)) == "model_declined"


def test_an_empty_reply_fails() -> None:
    assert failure("  [shipping-cost] ", grounds(SHIPPING)) == "empty_reply"


@pytest.mark.parametrize(
    "reply",
    [
        "Gratis frakt over 1299 kr [shipping-cost].",
        "Gratis frakt over 1.299 kroner [shipping-cost].",
        "Free shipping on orders over NOK 1 299 [shipping-cost].",
        "Hjemlevering koster 129,- og tar 14 days [shipping-cost].",
        "Hjemlevering tar fjorten dager [shipping-cost].",
        "Se https://www.shop.example/help/shipping/ [shipping-cost].",
        "Se shop.example [shipping-cost].",
    ],
)
def test_the_same_facts_written_another_way_pass(reply: str) -> None:
    assert check_reply(reply, grounds(SHIPPING)) == ("shipping-cost",)


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        ("Frakt koster 1 399 kr [shipping-cost].", "1 399"),
        ("Frakt er gratis over 999 kr [shipping-cost].", "999"),
        ("Hjemlevering tar 15 dager [shipping-cost].", "15"),
        ("Hjemlevering tar tre dager [shipping-cost].", "tre"),
        ("Gratis frakt over 1 299 € [shipping-cost].", "€"),
        ("Se shop.example/help/returns [shipping-cost].", "shop.example/help/returns"),
        ("Se https://evil.example/login [shipping-cost].", "evil.example"),
        ("Skriv til hjelp@shop.example [shipping-cost].", "hjelp@shop.example"),
        ("Ring oss på 22 00 00 00 [shipping-cost].", "22 00 00 00"),
        ("Frakt er gratis i mars [shipping-cost].", "mars"),
        ("Vi leverer på lørdag [shipping-cost].", "lørdag"),
    ],
)
def test_an_added_number_price_date_url_email_or_phone_fails(reply: str, detail: str) -> None:
    with pytest.raises(UngroundedReply) as caught:
        check_reply(reply, grounds(SHIPPING))
    assert caught.value.code == "invented_fact"
    assert detail in str(caught.value)


@pytest.mark.parametrize(
    ("reply", "lang"),
    [
        ("Vi har åpent mandag til fredag kl. 8–16 [opening-hours].", "nb"),
        ("We are open Monday to Friday 08:00–16:00 [opening-hours].", "en"),
        ("Ring 0047 22000000 eller KUNDESERVICE@shop.example [opening-hours].", "nb"),
        ("Salget starter 1. mars 2026 [opening-hours].", "nb"),
        ("The sale starts on 1 March 2026 [opening-hours].", "en"),
        ("Du har 2 uker på deg [opening-hours].", "nb"),
        ("Sinulla on kaksi viikkoa, ale alkaa 1.3.2026 maaliskuussa [opening-hours].", "fi"),
        ("Alennus 49.90 euroa maanantaisin [opening-hours].", "fi"),
    ],
)
def test_dates_times_phones_and_number_words_across_languages(reply: str, lang: str) -> None:
    assert check_reply(reply, grounds(HOURS, lang=lang)) == ("opening-hours",)


@pytest.mark.parametrize(
    "reply",
    [
        "Salget starter 3. mars 2026 [opening-hours].",
        "Salget starter 1. april 2026 [opening-hours].",
        "Vi har åpent mandag–lørdag [opening-hours].",
        "Vi har åpent til kl. 17 [opening-hours].",
        "Ring +47 22 00 00 01 [opening-hours].",
        "Du har tre uker på deg [opening-hours].",
    ],
)
def test_a_changed_date_time_or_phone_fails(reply: str) -> None:
    assert failure(reply, grounds(HOURS)) == "invented_fact"


def test_facts_must_be_in_a_cited_answer_not_just_in_a_given_one() -> None:
    text = "Hjemlevering koster 129 kr, og vi har åpent til kl. 16 [shipping-cost]."
    assert failure(text, grounds(SHIPPING, HOURS)) == "invented_fact"


def test_an_echoed_personal_number_fails_as_personal_data() -> None:
    given = grounds(SHIPPING, personal=frozenset({"p:91234567"}))
    assert failure("Vi ringer deg på 912 34 567 [shipping-cost].", given) == "personal_data"
    assert failure("Kortet 4111 1111 1111 1111 [shipping-cost].", given) == "personal_data"


def test_a_placeholder_it_was_given_may_be_repeated_but_not_invented() -> None:
    given = grounds(SHIPPING, placeholders=frozenset({"[PHONE_1]"}))
    assert check_reply("Vi ringer [PHONE_1] om frakten [shipping-cost].", given)
    assert failure("Vi ringer [PHONE_2] om frakten [shipping-cost].", given) == "invented_fact"


@pytest.mark.parametrize(
    "reply",
    [
        "Du får full refusjon [shipping-cost].",
        "I promise you free shipping [shipping-cost].",
        "Vi gir deg rabatt på frakten [shipping-cost].",
        "Vi garanterer levering i morgen [shipping-cost].",
        "Du får kompensasjon for ventetiden [shipping-cost].",
        "Saat hyvityksen heti [shipping-cost].",
    ],
)
def test_a_commitment_no_cited_answer_makes_fails(reply: str) -> None:
    assert failure(reply, grounds(SHIPPING)) == "unsupported_commitment"


def test_a_commitment_the_cited_answer_makes_passes() -> None:
    assert check_reply("Frakten er gratis over 1299 kr [shipping-cost].", grounds(SHIPPING))


@pytest.mark.parametrize(
    "reply",
    [
        "Here is my system prompt: be nice [shipping-cost].",
        "Reglene mine sier at jeg ikke kan det [shipping-cost].",
        "You are the customer-service assistant of Nordlys and you write the reply "
        "[shipping-cost].",
    ],
)
def test_talking_about_or_repeating_the_instructions_is_a_leak(reply: str) -> None:
    rules = "You are the customer-service assistant of Nordlys. You write the reply to one visitor."
    assert failure(reply, grounds(SHIPPING, rules=rules)) == "prompt_leak"


def test_a_reply_in_another_language_fails() -> None:
    reply = (
        "Toimitus on ilmainen, kun ostat yli 1 299 kruunulla, ja kotiinkuljetus maksaa 129 "
        "kruunua [shipping-cost]."
    )
    assert failure(reply, grounds(SHIPPING, lang="nb")) == "wrong_language"


def test_danish_for_a_norwegian_visitor_is_close_enough() -> None:
    reply = (
        "Fragten er gratis, når du handler for over 1 299 kr, ellers koster den 129 kr "
        "[shipping-cost]."
    )
    assert check_reply(reply, grounds(SHIPPING, lang="nb"))


def test_a_translation_must_keep_every_fact() -> None:
    source = make_answer(
        id="returns", answer={"nb": "Du har 30 dagers angrerett, se shop.example/returns."}
    )
    given = grounds(source, lang="sv")
    check_translation("Du har 30 dagars ångerrätt, se shop.example/returns.", source, "nb", given)
    with pytest.raises(UngroundedReply) as dropped:
        check_translation("Du har ångerrätt, se shop.example/returns.", source, "nb", given)
    assert dropped.value.code == "dropped_fact"
    with pytest.raises(UngroundedReply) as added:
        check_translation(
            "Du har 60 dagars ångerrätt, se shop.example/returns.", source, "nb", given
        )
    assert added.value.code == "invented_fact"


def _stream(gate: ReplyGate, pieces: list[str]) -> list[str]:
    return [gate.feed(piece) for piece in pieces]


def test_the_gate_releases_text_only_when_a_citation_closes_it() -> None:
    gate = ReplyGate(grounds(SHIPPING, HOURS))
    released = _stream(
        gate,
        ["Frakt er ", "gratis over ", "1 299 kr [ship", "ping-cost]", ". Vi har åpent ", "mandag",
         " [opening-hours]", ". Ha en fin dag!"],
    )  # fmt: skip
    assert released == [
        "",
        "",
        "",
        "Frakt er gratis over 1 299 kr",
        "",
        "",
        ". Vi har åpent mandag",
        "",
    ]
    rest, cited = gate.finish()
    assert rest == ". Ha en fin dag!"
    assert cited == ("shipping-cost", "opening-hours")
    assert gate.released == "Frakt er gratis over 1 299 kr. Vi har åpent mandag. Ha en fin dag!"


def test_the_gate_holds_back_an_invented_fact_and_raises() -> None:
    gate = ReplyGate(grounds(SHIPPING))
    assert gate.feed("Gratis frakt over 1 299 kr [shipping-cost].") == "Gratis frakt over 1 299 kr"
    with pytest.raises(UngroundedReply) as caught:
        gate.feed(" Ekspress koster 199 kr [shipping-cost].")
    assert caught.value.code == "invented_fact"
    assert gate.released == "Gratis frakt over 1 299 kr"


def test_the_gate_fails_at_the_end_when_nothing_was_cited() -> None:
    gate = ReplyGate(grounds(SHIPPING))
    assert gate.feed("Frakt er gratis.") == ""
    with pytest.raises(UngroundedReply) as caught:
        gate.finish()
    assert caught.value.code == "no_citation"
    assert gate.released == ""
