"""Proactive offers (`Bot.greet`, `Bot.timers`): operator rules, welcome back, page patterns."""

from __future__ import annotations

import datetime

import pytest

from bot import Bot, EarlierConversation, Page, Proactive, VisitorContext
from bot.texts import PAGE_OFFER, WELCOME_BACK_CASE, WELCOME_BACK_PLAIN, WELCOME_BACK_TOPICS
from tests.bot.conftest import MakeBot

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
NEW = VisitorContext()


def earlier(
    outcome: str, *answer_ids: str, case: str | None = None, days: int = 2
) -> EarlierConversation:
    return EarlierConversation("c1", outcome, case, answer_ids, NOW - datetime.timedelta(days=days))


# --- the demo example ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "lang", "label"),
    [
        (
            Page(url="https://shop.example/checkout/payment-failed", lang="nb"),
            "nb",
            "Hvorfor ble betalingen min avvist?",
        ),
        (Page(url="/checkout/payment-failed"), "nb", "Hvorfor ble betalingen min avvist?"),
        (
            Page(url="https://shop.example/en/checkout/payment-failed", lang="en"),
            "en",
            "Why was my payment declined?",
        ),
        (
            Page(url="/en/checkout/payment-failed?order=1234567"),
            "en",
            "Why was my payment declined?",
        ),
    ],
)
def test_a_failed_payment_is_offered_the_payment_declined_answer_at_once(
    demo_bot: Bot, page: Page, lang: str, label: str
) -> None:
    offer = demo_bot.greet(page, NEW)
    assert isinstance(offer, Proactive)
    assert (offer.decision, offer.rule_id, offer.lang) == (
        "proactive",
        "pages:payment-declined",
        lang,
    )
    assert [(c.answer_id, c.label) for c in offer.choices] == [("payment-declined", label)]
    assert offer.text == PAGE_OFFER[lang]
    assert offer.case_number is None
    assert (offer.offer_human, offer.ask_feedback, offer.confidence, offer.ranked) == (
        False,
        False,
        1.0,
        (),
    )


def test_the_conversations_language_wins_over_the_pages(demo_bot: Bot) -> None:
    offer = demo_bot.greet(Page(url="/checkout/payment-failed", lang="nb"), NEW, lang="sv")
    assert offer is not None
    assert offer.lang == "sv"
    assert offer.choices[0].label == "Betalningen nekades, vad ska jag göra?"


def test_an_offer_is_not_made_twice(demo_bot: Bot) -> None:
    page = Page(url="/checkout/payment-failed", lang="nb")
    visitor = VisitorContext(offers_made=("pages:payment-declined",))
    assert demo_bot.greet(page, visitor) is None


def test_a_page_without_patterns_offers_nothing(demo_bot: Bot) -> None:
    assert demo_bot.greet(Page(url="/about-us", lang="nb"), NEW) is None
    assert demo_bot.greet(Page(), NEW) is None


def test_a_page_many_answers_match_equally_offers_nothing(demo_bot: Bot) -> None:
    """Seven demo answers have `/orders/*`: choosing three of them would be arbitrary."""
    assert demo_bot.greet(Page(url="/orders/1234567", lang="nb"), NEW) is None


# --- operator rules on the demo ---------------------------------------------------------


def test_a_returning_visitor_on_an_order_page_gets_the_operator_rule(demo_bot: Bot) -> None:
    offer = demo_bot.greet(Page(url="/en/orders/1234567"), VisitorContext(returning=True))
    assert offer is not None
    assert offer.rule_id == "orders-returning"
    assert offer.text == "Welcome back! Any questions about your order?"
    assert [c.answer_id for c in offer.choices] == [
        "order-tracking",
        "order-status",
        "change-order",
    ]


def test_thirty_seconds_on_checkout_fires_the_timed_rule_and_not_before(demo_bot: Bot) -> None:
    early = Page(url="/checkout", lang="nb", seconds_on_page=12)
    assert demo_bot.greet(early, NEW) is None
    assert demo_bot.timers(early) == (30,)
    late = Page(url="/checkout", lang="nb", seconds_on_page=30)
    offer = demo_bot.greet(late, NEW)
    assert offer is not None
    assert offer.rule_id == "checkout-help"
    assert offer.text.startswith("Trenger du hjelp med betalingen?")
    assert demo_bot.timers(late) == ()


def test_timers_are_only_for_pages_with_timed_rules(demo_bot: Bot) -> None:
    assert demo_bot.timers(Page(url="/en/checkout/payment")) == (30,)
    assert demo_bot.timers(Page(url="/checkout/payment-failed")) == ()
    assert demo_bot.timers(Page()) == ()


# --- welcome back -----------------------------------------------------------------------


def test_welcome_back_names_the_case_of_a_handed_off_conversation(demo_bot: Bot) -> None:
    visitor = VisitorContext(
        returning=True, earlier=(earlier("handed_off", "damaged-package", case="S-1042"),)
    )
    offer = demo_bot.greet(Page(url="/", lang="nb"), visitor, now=NOW)
    assert offer is not None
    assert (offer.rule_id, offer.case_number) == ("welcome-back", "S-1042")
    assert offer.text == WELCOME_BACK_CASE["nb"].format(case="S-1042")
    assert "S-1042" in offer.text
    assert [c.answer_id for c in offer.choices] == ["damaged-package"]


def test_welcome_back_after_an_unresolved_conversation_suggests_its_topics(demo_bot: Bot) -> None:
    visitor = VisitorContext(
        returning=True,
        earlier=(
            earlier("unresolved", "missing-package", "order-tracking"),
            earlier("resolved", "returns", "missing-package", days=9),
        ),
    )
    offer = demo_bot.greet(Page(url="/", lang="en"), visitor, now=NOW)
    assert offer is not None
    assert (offer.rule_id, offer.case_number, offer.text) == (
        "welcome-back",
        None,
        WELCOME_BACK_TOPICS["en"],
    )
    assert [c.answer_id for c in offer.choices] == ["missing-package", "order-tracking", "returns"]


def test_welcome_back_without_topics(demo_bot: Bot) -> None:
    visitor = VisitorContext(returning=True, earlier=(earlier("unresolved"),))
    offer = demo_bot.greet(Page(url="/", lang="fi"), visitor)
    assert offer is not None
    assert (offer.text, offer.choices) == (WELCOME_BACK_PLAIN["fi"], ())


@pytest.mark.parametrize(
    "visitor",
    [
        VisitorContext(returning=True, earlier=(earlier("resolved", "returns"),)),
        VisitorContext(returning=True, earlier=(earlier("unresolved", "returns", days=45),)),
        VisitorContext(
            returning=True,
            earlier=(earlier("unresolved", "returns"),),
            offers_made=("welcome-back",),
        ),
    ],
    ids=["last-one-resolved", "too-old", "already-welcomed"],
)
def test_no_welcome_back(demo_bot: Bot, visitor: VisitorContext) -> None:
    assert demo_bot.greet(Page(url="/", lang="nb"), visitor, now=NOW) is None


def test_an_offer_already_made_lets_the_next_source_speak(demo_bot: Bot) -> None:
    visitor = VisitorContext(
        returning=True,
        earlier=(earlier("handed_off", "payment-declined", case="S-7"),),
        offers_made=("welcome-back",),
    )
    offer = demo_bot.greet(Page(url="/checkout/payment-failed", lang="nb"), visitor, now=NOW)
    assert offer is not None
    assert offer.rule_id == "pages:payment-declined"


def test_at_most_three_offers_in_a_conversation(demo_bot: Bot) -> None:
    visitor = VisitorContext(offers_made=("pages:returns", "pages:gift-cards", "checkout-help"))
    assert demo_bot.greet(Page(url="/checkout/payment-failed", lang="nb"), visitor) is None


# --- page patterns and rules on a base of their own ------------------------------------


def test_the_most_specific_pattern_comes_first(make_shop_bot: MakeBot) -> None:
    bot = make_shop_bot(
        pages={
            "payment-declined": ["/checkout/*"],
            "delivery-time": ["/checkout/shipping"],
            "returns": ["/**"],
        }
    )
    offer = bot.greet(Page(url="/checkout/shipping", lang="nb"), NEW)
    assert offer is not None
    assert offer.rule_id == "pages:delivery-time,payment-declined,returns"
    assert [c.answer_id for c in offer.choices] == ["delivery-time", "payment-declined", "returns"]


def test_a_tie_that_would_need_more_than_three_is_left_out(make_shop_bot: MakeBot) -> None:
    everywhere = ["/shop/*"]
    bot = make_shop_bot(
        pages={
            "returns": ["/shop/returns"],
            "order-tracking": everywhere,
            "payment-declined": everywhere,
            "opening-hours": everywhere,
        }
    )
    offer = bot.greet(Page(url="/shop/returns", lang="nb"), NEW)
    assert offer is not None
    assert [c.answer_id for c in offer.choices] == ["returns"]
    assert bot.greet(Page(url="/shop/other", lang="nb"), NEW) is not None  # three tie: all shown


def test_an_answer_already_offered_on_a_page_is_not_offered_again(make_shop_bot: MakeBot) -> None:
    # Issue 16: after a reload the same page offered the second of its answers, with the same
    # text: the offer appeared twice. A page offer's id names every answer it suggested.
    bot = make_shop_bot(pages={"returns": ["/returns"], "delivery-time": ["/returns"]})
    first = bot.greet(Page(url="/returns", lang="nb"), NEW)
    assert first is not None and first.rule_id == "pages:delivery-time,returns"
    made = VisitorContext(offers_made=(first.rule_id,))
    assert bot.greet(Page(url="/returns", lang="nb"), made) is None
    # An older single-answer id still counts for its answer.
    older = VisitorContext(offers_made=("pages:delivery-time",))
    second = bot.greet(Page(url="/returns", lang="nb"), older)
    assert second is not None
    assert (second.rule_id, [c.answer_id for c in second.choices]) == ("pages:returns", ["returns"])


def test_no_offer_interrupts_the_bot_asking_for_a_field(demo_bot: Bot) -> None:
    page = Page(url="/checkout/payment-failed", lang="nb")
    assert demo_bot.greet(page, VisitorContext()) is not None
    assert demo_bot.greet(page, VisitorContext(collecting=True)) is None


RULES = {
    "default_language": "nb",
    "proactive": [
        {
            "id": "new-on-returns",
            "pages": ["/returns/**"],
            "visitor": "new",
            "message": {"nb": "Skal du returnere noe?", "en": "Returning something?"},
            "suggest": ["returns"],
        },
        {
            "id": "slow-anywhere",
            "after_seconds": 60,
            "message": {"nb": "Finner du det du leter etter?"},
            "suggest": ["opening-hours", "delivery-time"],
        },
    ],
}


def test_an_operator_rule_fires_for_its_kind_of_visitor(make_shop_bot: MakeBot) -> None:
    bot = make_shop_bot(base=RULES, pages={"order-tracking": ["/returns/**"]})
    page = Page(url="/returns/form", lang="en")
    new = bot.greet(page, NEW)
    assert new is not None
    assert (new.rule_id, new.text, [c.answer_id for c in new.choices]) == (
        "new-on-returns",
        "Returning something?",
        ["returns"],
    )
    returning = bot.greet(page, VisitorContext(returning=True))
    assert returning is not None
    assert returning.rule_id == "pages:order-tracking"  # the rule is for new visitors only


def test_a_rule_without_pages_applies_everywhere_and_falls_back_to_the_default_language(
    make_shop_bot: MakeBot,
) -> None:
    bot = make_shop_bot(base=RULES)
    page = Page(url="/anything", lang="sv", seconds_on_page=61.5)
    offer = bot.greet(page, NEW)
    assert offer is not None
    assert offer.rule_id == "slow-anywhere"
    assert offer.text == "Finner du det du leter etter?"  # no Swedish message: the base's nb
    assert offer.lang == "sv"
    assert [c.label for c in offer.choices] == ["När har ni öppet?", "Hur lång är leveranstiden?"]
    assert bot.timers(Page(url="/anything")) == (60,)
