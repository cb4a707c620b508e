"""Handing off: a visitor who asks for a person, two unresolved turns in a row, the button."""

from __future__ import annotations

import pytest

from bot import Abstain, Bot, Clarify, Escalate, PastTurn, Reply, detect_language
from bot.texts import ESCALATE
from tests.bot.conftest import handed_off, past
from tests.retrieval.encoders import CountingEncoder

# (text, language); a text that is good bokmål and good Danish is asked on a Norwegian page.
ASKS_FOR_A_PERSON = [
    ("kan jeg snakke med et menneske", "nb"),
    ("jeg vil snakke med kundeservice|nb", "nb"),
    ("jeg vil snakke med kundeservice|da", "da"),
    ("Kan jeg få snakke med en ekte person?", "nb"),
    ("snakk med en person", "nb"),
    ("menneske takk", "nb"),
    ("kan eg få snakke med eit menneske", "nn"),
    ("eg vil snakke med ein person", "nn"),
    ("prata med en människa", "sv"),
    ("Kan jag få prata med en riktig människa?", "sv"),
    ("jag vill tala med kundtjänst", "sv"),
    ("tale med en medarbejder", "da"),
    ("jeg har brug for en medarbejder", "da"),
    ("Jeg vil gerne tale med et rigtigt menneske", "da"),
    ("haluan puhua ihmisen kanssa", "fi"),
    ("Voinko puhua asiakaspalvelijan kanssa?", "fi"),
    ("talk to a human", "en"),
    ("I want to talk to an agent", "en"),
    ("Can I speak to a real person please?", "en"),
    ("connect me to customer service", "en"),
    ("human please", "en"),
]

# Not requests for a person: questions for the answer base, descriptions, negations.
NOT_A_REQUEST = [
    "how do I contact customer service?",
    "Hvordan kontakter jeg kundeservice?",
    "Hva er telefonnummeret til kundeservice?",
    "Hur kontaktar jag er kundtjänst?",
    "Miten saan yhteyden asiakaspalveluun?",
    "Når har kundeservice åpent?",
    "I don't want to talk to a human",
    "jeg vil ikke snakke med et menneske",
    "En halua puhua ihmisen kanssa",
    "Er du et menneske?",
    "Am I talking to a human?",
    "I talked to an agent yesterday and nothing happened",
    "Jeg snakket med kundeservice i går",
    "I want to know if customer service is open on Sunday",
    "Can you speak English?",
    # A sentence that mentions a person (or a way to reach one) without asking to talk to one.
    "Pakken min har ikke kommet, og jeg snakket med en person i går",
    "Pakken min har ikke kommet, kan en annen person hente den?",
    "Pakken min har ikke kommet, kan jeg ringe kundeservice?",
    "My parcel has not arrived, how do I contact customer service?",
]

# A request for a person inside a sentence that says what it is about; the negation belongs to
# the first clause, not to the request.
ASKS_INSIDE_A_SENTENCE = [
    ("Pakken min har ikke kommet, kan jeg snakke med en person?", "nb"),
    ("Pakken min har ikke kommet kan jeg snakke med en person", "nb"),
    ("Paketet har inte kommit, kan jag prata med en människa?", "sv"),
    ("My parcel has not arrived. Can I talk to a person?", "en"),
]


@pytest.fixture
def counting_bot(demo_bot: Bot) -> tuple[Bot, CountingEncoder]:
    """The demo bot with an encoder that records what it is asked to embed."""
    encoder = CountingEncoder(demo_bot.encoder)
    bot = Bot(demo_bot.base, demo_bot.retriever, encoder, thresholds=demo_bot.thresholds)
    return bot, encoder


@pytest.mark.parametrize(("text", "lang"), ASKS_FOR_A_PERSON)
def test_asking_for_a_person_hands_off_in_every_language(
    counting_bot: tuple[Bot, CountingEncoder], text: str, lang: str
) -> None:
    bot, encoder = counting_bot
    text, _, page_lang = text.partition("|")
    outcome = bot.turn(text, page_lang=page_lang or None)
    assert isinstance(outcome, Escalate)
    assert (outcome.decision, outcome.reason) == ("handoff", "asked_for_human")
    assert outcome.lang == lang
    assert outcome.text == ESCALATE["asked_for_human"][lang]
    assert encoder.queries == []  # nothing was embedded or ranked: it is not a question
    assert outcome.ranked == ()
    assert outcome.question is None  # the visitor has asked nothing yet
    assert outcome.team == bot.base.config.default_team


@pytest.mark.parametrize("text", NOT_A_REQUEST)
def test_questions_about_people_are_not_requests_for_one(demo_bot: Bot, text: str) -> None:
    assert demo_bot.turn(text).decision != "handoff"


@pytest.mark.parametrize(
    "text", ["how do I contact customer service?", "Hvordan kontakter jeg kundeservice?"]
)
def test_how_to_contact_customer_service_is_the_contact_answer(demo_bot: Bot, text: str) -> None:
    outcome = demo_bot.turn(text)
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == "contact-us"


def test_the_question_is_the_visitors_own_words(demo_bot: Bot) -> None:
    asked = demo_bot.turn("Jeg har et problem med en vare jeg kjøpte")
    turns = [past("Jeg har et problem med en vare jeg kjøpte", asked)]
    outcome = handed_off(demo_bot, demo_bot.turn("kan jeg få snakke med et menneske?", turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.question == "Jeg har et problem med en vare jeg kjøpte"


def test_a_request_that_says_what_it_is_about_is_the_question_and_ranks_the_topic(
    demo_bot: Bot,
) -> None:
    text = "Betalingen min ble avvist i kassen, jeg vil snakke med et menneske"
    first = demo_bot.turn(text)
    assert first.ranked and first.ranked[0].id == "payment-declined"
    outcome = handed_off(demo_bot, first)
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "asked_for_human"
    assert outcome.question == text
    assert outcome.answer_id == "payment-declined"
    assert (outcome.team, outcome.collect) == ("payments", ("order_number",))


@pytest.mark.parametrize(("text", "lang"), ASKS_INSIDE_A_SENTENCE)
def test_a_request_inside_a_sentence_hands_off_with_the_sentence_as_the_question(
    demo_bot: Bot, text: str, lang: str
) -> None:
    outcome = handed_off(demo_bot, demo_bot.turn(text))
    assert isinstance(outcome, Escalate)
    assert (outcome.reason, outcome.lang) == ("asked_for_human", lang)
    assert outcome.question == text


@pytest.mark.parametrize(
    "request_text",
    [
        "I want a person, it's urgent",
        "Jeg vil snakke med et menneske, det haster!",
        "Kan jag prata med en människa? Det är bråttom",
        "jeg vil snakke med et menneske, kom igjen nå da",
    ],
)
def test_a_request_with_no_topic_of_its_own_keeps_the_question_asked_before(
    demo_bot: Bot, request_text: str
) -> None:
    asked = "Jeg har et problem med en vare jeg kjøpte"
    turns = [past(asked, demo_bot.turn(asked))]
    outcome = handed_off(demo_bot, demo_bot.turn(request_text, turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "asked_for_human"
    assert outcome.question == asked


def test_a_request_with_no_topic_and_nothing_asked_before_has_no_question(demo_bot: Bot) -> None:
    outcome = handed_off(demo_bot, demo_bot.turn("I want a person, it's urgent"))
    assert isinstance(outcome, Escalate)
    assert outcome.question is None


def test_the_team_is_the_last_answers_team_and_tried_lists_what_was_given(demo_bot: Bot) -> None:
    first = demo_bot.turn("Kortet mitt blir avvist når jeg skal betale")
    second_text = "Hvor er pakken min? Jeg vil spore den."
    second = demo_bot.turn(second_text)
    assert (first.decision, second.decision) == ("answer", "answer")
    turns = [past("Kortet mitt blir avvist når jeg skal betale", first), past(second_text, second)]
    outcome = handed_off(demo_bot, demo_bot.turn("snakke med et menneske", turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.tried == ("payment-declined", "order-tracking")
    assert outcome.answer_id == "order-tracking"
    assert outcome.team == "orders"  # order-tracking's handoff.team


def test_two_abstains_in_a_row_hand_off(demo_bot: Bot) -> None:
    first = demo_bot.turn("hvem vant fotball-VM i 2018?")
    assert isinstance(first, Abstain)
    assert first.offer_human
    outcome = handed_off(
        demo_bot, demo_bot.turn("hva er hovedstaden i Peru?", turns=[past("hvem vant", first)])
    )
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "unresolved"
    assert outcome.text == ESCALATE["unresolved"]["nb"]
    assert outcome.question == "hva er hovedstaden i Peru?"
    assert outcome.confidence < demo_bot.thresholds.answer  # retrieval's confidence, kept
    assert len(outcome.ranked) >= 5
    assert detect_language(outcome.text).lang == "nb"


def test_an_answer_in_between_breaks_the_run(demo_bot: Bot) -> None:
    turns = [
        PastTurn("hvem vant VM?", "nb", "abstain"),
        PastTurn("Hvor er pakken min?", "nb", "answer", "order-tracking"),
    ]
    assert isinstance(demo_bot.turn("hva er hovedstaden i Peru?", turns=turns), Abstain)


def test_an_unhelpful_answer_then_an_abstain_hands_off(demo_bot: Bot) -> None:
    turns = [PastTurn("Hvor er pakken min?", "nb", "answer", "order-tracking", helpful=False)]
    outcome = handed_off(demo_bot, demo_bot.turn("hva er hovedstaden i Peru?", turns=turns))
    assert isinstance(outcome, Escalate)
    assert (outcome.reason, outcome.answer_id, outcome.team) == (
        "unresolved",
        "order-tracking",
        "orders",
    )
    assert outcome.tried == ("order-tracking",)


def test_a_clarify_whose_choices_were_not_taken_is_unresolved(demo_bot: Bot) -> None:
    offered = ("home-delivery", "delivery-abroad", "delivery-time")
    turns = [PastTurn("levering", "nb", "clarify", offered=offered)]
    outcome = handed_off(demo_bot, demo_bot.turn("hva er hovedstaden i Peru?", turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "unresolved"
    assert outcome.answer_id == "home-delivery"  # the best ranked choice is the topic


def test_a_clarify_whose_choice_was_taken_is_resolved(demo_bot: Bot) -> None:
    offered = ("home-delivery", "delivery-abroad", "delivery-time")
    turns = [
        PastTurn("levering", "nb", "clarify", offered=offered),
        PastTurn("Sender dere til Sverige?", "nb", "answer", "delivery-abroad"),
    ]
    assert isinstance(demo_bot.turn("hva er hovedstaden i Peru?", turns=turns), Abstain)


def test_a_clarify_after_one_unresolved_turn_still_offers_choices(demo_bot: Bot) -> None:
    turns = [PastTurn("hvem vant VM?", "nb", "abstain")]
    outcome = demo_bot.turn("levering", turns=turns)
    assert isinstance(outcome, Clarify)
    assert outcome.offer_human


def test_a_third_try_after_two_unresolved_turns_hands_off_a_clarify_too(demo_bot: Bot) -> None:
    turns = [
        PastTurn("hvem vant VM?", "nb", "abstain"),
        PastTurn("levering", "nb", "clarify", offered=("home-delivery", "delivery-time")),
    ]
    assert isinstance(demo_bot.turn("levering"), Clarify)  # on its own
    outcome = handed_off(demo_bot, demo_bot.turn("levering", turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "unresolved"


def test_a_confident_answer_is_given_even_after_unresolved_turns(demo_bot: Bot) -> None:
    turns = [PastTurn("hvem vant VM?", "nb", "abstain"), PastTurn("hmm", "nb", "abstain")]
    outcome = demo_bot.turn("Hvor er pakken min? Jeg vil spore den.", turns=turns)
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == "order-tracking"


@pytest.mark.parametrize("reason", ["asked_for_human", "accepted_offer", "unresolved"])
def test_the_button_hands_off_with_the_conversations_context(demo_bot: Bot, reason: str) -> None:
    turns = [
        PastTurn("Betalingen min ble avvist", "nb", "answer", "payment-declined", helpful=False),
        PastTurn("", "nb", "feedback"),
    ]
    outcome = handed_off(demo_bot, demo_bot.escalate(lang="sv-SE", turns=turns, reason=reason))
    assert (outcome.decision, outcome.reason, outcome.lang) == ("handoff", reason, "sv")
    assert outcome.question == "Betalingen min ble avvist"
    assert (outcome.answer_id, outcome.team, outcome.collect) == (
        "payment-declined",
        "payments",
        ("order_number",),
    )
    assert outcome.tried == ("payment-declined",)
    assert outcome.text == ESCALATE[reason]["sv"]
    assert (outcome.confidence, outcome.ranked) == (1.0, ())


def test_the_button_at_the_start_has_no_question_and_the_default_team(demo_bot: Bot) -> None:
    outcome = demo_bot.escalate(lang="en")
    assert (outcome.question, outcome.answer_id, outcome.tried) == (None, None, ())
    assert outcome.team == demo_bot.base.config.default_team == "support"


def test_an_unknown_reason_is_a_programming_error(demo_bot: Bot) -> None:
    with pytest.raises(ValueError, match="asked_for_human, unresolved, accepted_offer"):
        demo_bot.escalate(lang="nb", reason="bored")


def test_a_question_reached_through_a_choice_keeps_the_visitors_words(demo_bot: Bot) -> None:
    turns = [
        PastTurn(
            "noe er galt med pakken", "nb", "clarify", offered=("wrong-item", "damaged-package")
        ),
        PastTurn("Varen kom i stykker", "nb", "answer", "damaged-package", helpful=False),
    ]
    outcome = handed_off(demo_bot, demo_bot.escalate(lang="nb", turns=turns))
    assert outcome.question == "noe er galt med pakken"
    assert (outcome.answer_id, outcome.team) == ("damaged-package", "returns")
