"""Short follow-ups read with the previous question, on the demo base; new questions are not.

The conversations come from benchmarks/data/followups.yaml, where the rule was measured.
"""

from __future__ import annotations

import pytest

from bot import Bot, Page, PastTurn, Reply
from tests.bot.conftest import past


def second_turn(bot: Bot, first: str, then: str) -> tuple[PastTurn, object]:
    previous = past(first, bot.turn(first))
    return previous, bot.turn(then, turns=[previous])


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("Kan jeg endre bestillingen?", "og avbestille den?", "cancel-order"),  # nb
        (
            "noe er galt med pakken",
            "den har aldri kommet",
            "missing-package",
        ),  # nb, after a clarify
        ("betalning", "mitt kort nekades", "payment-declined"),  # sv
        ("betalning", "kortet nekas", "payment-declined"),  # sv
    ],
)
def test_a_follow_up_is_read_with_the_previous_question(
    demo_bot: Bot, first: str, then: str, expected: str
) -> None:
    previous, outcome = second_turn(demo_bot, first, then)
    assert isinstance(outcome, Reply), outcome.decision
    assert outcome.answer_id == expected
    assert outcome.read_with == previous.text
    assert outcome.confidence >= demo_bot.thresholds.answer


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("Can I change my order?", "and cancel it?", "cancel-order"),
        ("How long does delivery take?", "and to Sweden?", "delivery-abroad"),
    ],
)
def test_a_follow_up_clear_on_its_own_is_answered_on_its_own(
    demo_bot: Bot, first: str, then: str, expected: str
) -> None:
    """Retrieval already places these alone; the previous question must not pull them back."""
    previous, outcome = second_turn(demo_bot, first, then)
    assert isinstance(outcome, Reply), outcome.decision
    assert outcome.answer_id == expected
    assert outcome.lang == previous.lang


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("noe er galt med pakken", "den har aldri kommet"),
        ("betalning", "mitt kort nekades"),
    ],
)
def test_the_same_message_alone_is_not_answered(demo_bot: Bot, first: str, then: str) -> None:
    """These follow-ups need the previous question: without the turns nobody could tell."""
    outcome = demo_bot.turn(then)
    assert outcome.decision != "answer"
    assert outcome.read_with is None


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        ("Hvor er pakken min?", "Hvordan tilbakestiller jeg passordet?", "password-reset"),
        ("Hva koster frakten?", "Kan jeg betale med Klarna?", "klarna-invoice"),
        ("Vad kostar frakten?", "hur tar jag bort mitt konto?", "delete-account"),
        ("How much is shipping?", "Do you have gift cards?", "gift-cards"),
    ],
)
def test_a_new_question_is_not_glued_to_the_previous_one(
    demo_bot: Bot, first: str, then: str, expected: str
) -> None:
    _, outcome = second_turn(demo_bot, first, then)
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == expected
    assert outcome.read_with is None


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("Hvor er pakken min?", "takk"),
        ("Hva koster frakten?", "hva er klokka?"),
        ("Var är mitt paket?", "vem vann VM i fotboll?"),
        ("Do you offer express delivery?", "tell me a joke"),
        ("Where is my parcel?", "thanks"),
    ],
)
def test_a_message_that_asks_nothing_does_not_get_the_previous_answer(
    demo_bot: Bot, first: str, then: str
) -> None:
    _, outcome = second_turn(demo_bot, first, then)
    assert outcome.decision != "answer"
    assert outcome.read_with is None


def test_a_follow_up_never_repeats_the_answer_just_given(demo_bot: Bot) -> None:
    """ "och avbeställa den?" read with "Kan jag ändra min beställning?" finds change-order
    again, which the visitor has just read: the bot reads the message alone instead."""
    previous, outcome = second_turn(
        demo_bot, "Kan jag ändra min beställning?", "och avbeställa den?"
    )
    assert previous.answer_id == "change-order"
    assert outcome.read_with is None
    assert getattr(outcome, "answer_id", None) != "change-order"


def test_a_long_message_is_read_alone(demo_bot: Bot) -> None:
    previous = past("noe er galt med pakken", demo_bot.turn("noe er galt med pakken"))
    text = "den har aldri kommet selv om jeg bestilte den for tre uker siden, hva gjør jeg nå?"
    assert demo_bot.turn(text, turns=[previous]).read_with is None


def test_feedback_and_proactive_turns_do_not_hide_the_previous_question(demo_bot: Bot) -> None:
    previous = past("Kan jeg endre bestillingen?", demo_bot.turn("Kan jeg endre bestillingen?"))
    turns = [
        PastTurn("", "nb", "proactive", offered=("order-tracking",)),
        previous,
        PastTurn("", "nb", "feedback"),
    ]
    outcome = demo_bot.turn("og avbestille den?", turns=turns)
    assert isinstance(outcome, Reply)
    assert (outcome.answer_id, outcome.read_with) == ("cancel-order", previous.text)


def test_the_languages_of_the_turns_are_the_history(demo_bot: Bot) -> None:
    """ "takk" alone is read as bokmål or Danish; after two Swedish turns it stays Swedish...
    and with `history_langs` given, that is used instead."""
    turns = [PastTurn("Var är mitt paket?", "sv", "answer", "order-tracking")] * 3
    assert demo_bot.turn("ok", turns=turns).lang == "sv"
    assert demo_bot.turn("ok", turns=turns, history_langs=["da"] * 3).lang == "da"


@pytest.mark.parametrize(
    ("page", "lang"),
    [
        (Page(url="https://shop.example/en/orders/1234567"), "en"),
        (Page(url="https://shop.example/orders/1234567", lang="sv-SE"), "sv"),
        (Page(url="https://shop.example/orders/1234567", lang="nn-NO"), "nn"),
    ],
)
def test_the_page_gives_the_page_language(demo_bot: Bot, page: Page, lang: str) -> None:
    assert demo_bot.turn("ok", page=page).lang == lang


def test_page_lang_wins_over_the_page(demo_bot: Bot) -> None:
    page = Page(url="https://shop.example/en/cart")
    assert demo_bot.turn("ok", page=page, page_lang="da").lang == "da"
