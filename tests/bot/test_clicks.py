"""What the visitor clicks: a quick reply (`choose`) and "did this help?" (`feedback`)."""

from __future__ import annotations

import pytest

from bot import Acknowledge, Bot, BotError, Clarify, Escalate, InvalidChoice, PastTurn, Reply
from bot.texts import SORRY, THANKS
from tests.bot.conftest import MakeBot, handed_off, past
from tests.builders import make_answer_dict


def test_a_clarify_offers_choices_and_a_person(demo_bot: Bot) -> None:
    outcome = demo_bot.turn("levering")
    assert isinstance(outcome, Clarify)
    assert (outcome.offer_human, outcome.ask_feedback) == (True, False)
    assert 2 <= len(outcome.choices) <= 3


def test_choosing_a_choice_gives_that_answer_with_full_confidence(demo_bot: Bot) -> None:
    clarify = demo_bot.turn("levering")
    assert isinstance(clarify, Clarify)
    choice = clarify.choices[1]
    reply = demo_bot.choose(choice.answer_id, lang="nb", turns=[past("levering", clarify)])
    answer = demo_bot.base.get(choice.answer_id)
    assert answer is not None
    assert (reply.decision, reply.answer_id, reply.chosen) == ("answer", choice.answer_id, True)
    assert (reply.confidence, reply.ranked) == (1.0, ())
    assert reply.text == answer.answer["nb"]
    assert reply.links == answer.links
    assert (reply.ask_feedback, reply.offer_human) == (True, False)


def test_a_choice_is_given_in_the_visitors_language_or_marked_as_a_fallback(
    demo_bot: Bot,
) -> None:
    english = demo_bot.choose("payment-declined", lang="en-GB")
    assert (english.lang, english.reply_lang, english.fallback) == ("en", "en", False)
    finnish = demo_bot.choose("change-order", lang="fi")  # the demo has no Finnish text for it
    assert (finnish.lang, finnish.reply_lang, finnish.fallback) == ("fi", "nb", True)
    assert finnish.note is not None


def test_an_unknown_choice_is_refused_with_a_code(demo_bot: Bot) -> None:
    with pytest.raises(InvalidChoice) as caught:
        demo_bot.choose("no-such-answer", lang="nb")
    assert isinstance(caught.value, BotError)
    assert caught.value.code == "unknown_answer"
    assert caught.value.answer_id == "no-such-answer"
    assert "no-such-answer" in str(caught.value)


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_a_choice_that_is_not_published_is_refused(make_shop_bot: MakeBot, status: str) -> None:
    hidden = make_answer_dict(id="gift-cards", title="Gavekort", status=status)
    bot = make_shop_bot(extra=[hidden])
    with pytest.raises(InvalidChoice) as caught:
        bot.choose("gift-cards", lang="nb")
    assert caught.value.code == "unknown_answer"
    assert status in str(caught.value)
    assert bot.choose("returns", lang="nb").answer_id == "returns"


def test_an_answer_asks_for_feedback(demo_bot: Bot) -> None:
    outcome = demo_bot.turn("Hvor er pakken min? Jeg vil spore den.")
    assert isinstance(outcome, Reply)
    assert (outcome.ask_feedback, outcome.offer_human) == (True, False)


@pytest.mark.parametrize("lang", ["nb", "nn", "sv", "da", "fi", "en"])
def test_helpful_gets_thanks(demo_bot: Bot, lang: str) -> None:
    turns = [PastTurn("Hvor er pakken min?", lang, "answer", "order-tracking")]
    outcome = demo_bot.feedback(True, lang=lang, turns=turns)
    assert isinstance(outcome, Acknowledge)
    assert (outcome.decision, outcome.helpful, outcome.answer_id) == (
        "feedback",
        True,
        "order-tracking",
    )
    assert outcome.text == THANKS[lang]
    assert (outcome.offer_human, outcome.ask_feedback) == (False, False)


def test_not_helpful_says_sorry_and_offers_a_person(demo_bot: Bot) -> None:
    turns = [PastTurn("Hvor er pakken min?", "nb", "answer", "order-tracking")]
    outcome = demo_bot.feedback(False, lang="nb", turns=turns)
    assert isinstance(outcome, Acknowledge)
    assert (outcome.helpful, outcome.offer_human, outcome.text) == (False, True, SORRY["nb"])


def test_not_helpful_after_an_unresolved_turn_hands_off(demo_bot: Bot) -> None:
    turns = [
        PastTurn("pakken min er borte", "nb", "abstain"),
        PastTurn(
            "Sporingen sier levert, men jeg har ikke fått den", "nb", "answer", "missing-package"
        ),
    ]
    outcome = handed_off(demo_bot, demo_bot.feedback(False, lang="nb", turns=turns))
    assert isinstance(outcome, Escalate)
    assert outcome.reason == "unresolved"
    assert outcome.question == "Sporingen sier levert, men jeg har ikke fått den"
    assert (outcome.answer_id, outcome.team) == ("missing-package", "orders")
    assert outcome.tried == ("missing-package",)


def test_not_helpful_on_a_chosen_answer_counts_once(demo_bot: Bot) -> None:
    """A clarify whose choice was taken is not unresolved itself: the answer decides."""
    turns = [
        PastTurn("levering", "nb", "clarify", offered=("home-delivery", "delivery-abroad")),
        PastTurn("Sender dere til Sverige?", "nb", "answer", "delivery-abroad"),
    ]
    assert isinstance(demo_bot.feedback(False, lang="nb", turns=turns), Acknowledge)


def test_feedback_names_the_answer_it_is_about(demo_bot: Bot) -> None:
    turns = [
        PastTurn("pakken min er borte", "nb", "abstain"),
        PastTurn("Hvor er pakken min?", "nb", "answer", "order-tracking"),
        PastTurn("Hva koster frakten?", "nb", "answer", "shipping-cost"),
    ]
    thanks = demo_bot.feedback(True, lang="nb", turns=turns, answer_id="order-tracking")
    assert thanks.answer_id == "order-tracking"
    # order-tracking unhelpful right after the abstain: two unresolved in a row
    outcome = handed_off(
        demo_bot, demo_bot.feedback(False, lang="nb", turns=turns, answer_id="order-tracking")
    )
    assert isinstance(outcome, Escalate)
    assert (outcome.answer_id, outcome.team) == ("order-tracking", "orders")
    assert outcome.question == "Hvor er pakken min?"
    assert outcome.tried == ("order-tracking", "shipping-cost")
