"""One turn over the demo answer base: answer, fall back, clarify or abstain, in the visitor's
language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot import Abstain, Bot, Clarify, InvalidMessage, Page, Reply, detect_language
from bot.texts import ABSTAIN, CLARIFY, FALLBACK_NOTE
from retrieval import Thresholds
from tests.bot.conftest import MakeBot

if TYPE_CHECKING:
    from app.engine import Engine

FALLBACK_THRESHOLDS = Thresholds(0.3, 1.01)
ANY_ANSWER = Thresholds(0.0, 1.01, source="settings")  # the best-ranked answer, always


@pytest.fixture(scope="module")
def demo_bot(demo_engine: Engine) -> Bot:
    return demo_engine.bot


def answer_text(demo_bot: Bot, answer_id: str, lang: str) -> str:
    answer = demo_bot.base.get(answer_id)
    assert answer is not None
    return answer.answer[lang]


def test_norwegian_tracking_question(demo_bot: Bot) -> None:
    outcome = demo_bot.turn("Hvor er pakken min? Jeg vil gjerne spore den.", page_lang="nb")
    assert isinstance(outcome, Reply)
    assert outcome.decision == "answer"
    assert outcome.answer_id == "order-tracking"
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == ("nb", "nb", False)
    assert outcome.text == answer_text(demo_bot, "order-tracking", "nb")
    assert outcome.links == ("https://shop.example/help/orders/tracking",)
    assert outcome.confidence >= demo_bot.thresholds.answer
    assert outcome.ranked[0].id == "order-tracking"
    assert len(outcome.ranked) >= 5
    assert outcome.ms > 0


def test_english_question_gets_the_english_text(demo_bot: Bot) -> None:
    outcome = demo_bot.turn("Where is my parcel? I would like to track it.")
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == "order-tracking"
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == ("en", "en", False)
    assert outcome.text == answer_text(demo_bot, "order-tracking", "en")


def test_finnish_question_without_a_finnish_text_falls_back_to_the_default(
    demo_bot: Bot,
) -> None:
    change_order = demo_bot.base.get("change-order")
    assert change_order is not None
    assert "fi" not in change_order.answer  # the demo has no Finnish text for this answer
    assert demo_bot.base.config.default_language == "nb"

    # This is about the language of the reply, not the confidence: the policy's threshold (3 %
    # wrong) lies just above this question's confidence, so the test sets a lower one.
    bot = Bot(demo_bot.base, demo_bot.retriever, demo_bot.encoder, thresholds=FALLBACK_THRESHOLDS)
    outcome = bot.turn("Voinko vielä muuttaa tilaustani?")
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == "change-order"
    assert outcome.lang == "fi"
    assert (outcome.reply_lang, outcome.fallback) == ("nb", True)
    assert outcome.text == answer_text(demo_bot, "change-order", "nb")


def test_finnish_question_with_a_finnish_text_is_answered_in_finnish(demo_bot: Bot) -> None:
    outcome = demo_bot.turn("Missä pakettini on? Haluan seurata sitä.")
    assert isinstance(outcome, Reply)
    assert outcome.answer_id == "order-tracking"
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == ("fi", "fi", False)


@pytest.mark.parametrize(
    ("question", "lang", "word"),
    [
        ("hvem vant fotball-VM i 2018?", "nb", "dessverre"),
        ("Vem vann fotbolls-VM 2018?", "sv", "Tyvärr"),
        ("Who won the football World Cup in 2018?", "en", "reliable answer"),
    ],
)
def test_off_topic_question_abstains_in_the_visitors_language(
    demo_bot: Bot, question: str, lang: str, word: str
) -> None:
    outcome = demo_bot.turn(question)
    assert isinstance(outcome, Abstain)
    assert outcome.decision == "abstain"
    assert outcome.lang == lang
    assert word in outcome.text
    assert detect_language(outcome.text).lang == lang
    assert outcome.confidence < demo_bot.thresholds.answer
    assert len(outcome.ranked) >= 5  # the ranking is kept for the inquiry record


# A nynorsk question on a bokmål page (the demo shop's pages are bokmål): the page says
# Norwegian, the words say nynorsk, and every demo answer has a nynorsk text.
NYNORSK_ON_A_BOKMAL_PAGE = [
    ("Kor lang tid tek det å få pengane tilbake?", "refund-time"),
    ("Kva kostar frakta?", "shipping-cost"),
    ("Korleis kan eg returnera ei vare?", "returns"),
    ("Kvar er pakken min?", "order-tracking"),
]


@pytest.mark.parametrize(("question", "answer_id"), NYNORSK_ON_A_BOKMAL_PAGE)
def test_nynorsk_question_on_a_bokmal_page_gets_the_nynorsk_text(
    demo_bot: Bot, question: str, answer_id: str
) -> None:
    # About the language of the reply, not the confidence (see the Finnish fallback test).
    bot = Bot(demo_bot.base, demo_bot.retriever, demo_bot.encoder, thresholds=FALLBACK_THRESHOLDS)
    outcome = bot.turn(question, page=Page("https://shop.example/cart", lang="nb-NO"))
    assert isinstance(outcome, Reply), (outcome.decision, outcome.ranked[:3])
    assert outcome.answer_id == answer_id
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == ("nn", "nn", False)
    assert outcome.text == answer_text(demo_bot, answer_id, "nn")


@pytest.mark.parametrize(
    "question", ["Eg vil endra bestillinga mi", *(q for q, _ in NYNORSK_ON_A_BOKMAL_PAGE)]
)
def test_nynorsk_question_on_a_bokmal_page_is_met_in_nynorsk(demo_bot: Bot, question: str) -> None:
    """Whatever the bot decides with its own thresholds, it says it in nynorsk."""
    outcome = demo_bot.turn(question, page_lang="nb")
    assert outcome.lang == "nn"
    if isinstance(outcome, Reply):
        assert (outcome.reply_lang, outcome.fallback) == ("nn", False)
    else:
        assert outcome.text in (ABSTAIN["nn"], CLARIFY["nn"])


@pytest.mark.parametrize(
    ("question", "answer_id", "lang"),
    [
        ("Hva koster frakten?", "shipping-cost", "nb"),
        ("Hvor lang tid tar det å få pengene tilbake?", "refund-time", "nb"),
        ("Hvad koster fragten?", "shipping-cost", "da"),
        ("Hvor lang tid tager det at få pengene tilbage?", "refund-time", "da"),
    ],
)
def test_bokmal_and_danish_on_a_bokmal_page_keep_their_language(
    demo_bot: Bot, question: str, answer_id: str, lang: str
) -> None:
    bot = Bot(demo_bot.base, demo_bot.retriever, demo_bot.encoder, thresholds=FALLBACK_THRESHOLDS)
    outcome = bot.turn(question, page_lang="nb")
    assert isinstance(outcome, Reply), (outcome.decision, outcome.ranked[:3])
    assert outcome.answer_id == answer_id
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == (lang, lang, False)
    assert outcome.text == answer_text(demo_bot, answer_id, lang)


def test_finnish_question_with_a_place_name_is_finnish(demo_bot: Bot) -> None:
    """The place name does not move the language; whether the bot answers is retrieval's
    confidence, and whatever it says is in Finnish (or the fallback text is marked)."""
    outcome = demo_bot.turn("Kuinka kauan toimitus kestää Helsinkiin?", page_lang="nb")
    assert outcome.lang == "fi"
    assert outcome.ranked[0].id == "delivery-time"
    if isinstance(outcome, Reply):
        answer = demo_bot.base.get("delivery-time")
        assert answer is not None
        assert "fi" not in answer.answer
        assert (outcome.reply_lang, outcome.fallback) == ("nb", True)
    else:
        assert outcome.text in (ABSTAIN["fi"], CLARIFY["fi"])


def test_nynorsk_question_without_a_nynorsk_text_is_marked_as_a_fallback(
    make_shop_bot: MakeBot,
) -> None:
    """The shop's answers have no nynorsk text: the reply is bokmål, marked as a fallback."""
    shop = make_shop_bot()
    bot = Bot(shop.base, shop.retriever, shop.encoder, thresholds=ANY_ANSWER)
    outcome = bot.turn("Kvar er pakken min?", page_lang="nb")
    assert isinstance(outcome, Reply), (outcome.decision, outcome.ranked[:3])
    assert outcome.answer_id == "order-tracking"
    assert (outcome.lang, outcome.reply_lang, outcome.fallback) == ("nn", "nb", True)
    assert outcome.note == FALLBACK_NOTE["nn"]


# Vague messages that fit several answers (or none): the bot may offer choices or say it does
# not know, but must not answer with one of them as if it were sure.
VAGUE = [
    "kan du hjelpe meg?",
    "det gjelder pakken",
    "Jeg har et spørsmål om en vare",
    "I have a question about my order",
]


@pytest.mark.parametrize("question", VAGUE)
def test_vague_question_is_clarified_or_abstained(demo_bot: Bot, question: str) -> None:
    outcome = demo_bot.turn(question)
    assert isinstance(outcome, Clarify | Abstain), (outcome.decision, outcome.ranked[:3])
    assert detect_language(outcome.text).lang == outcome.lang
    if isinstance(outcome, Clarify):
        ids = [choice.answer_id for choice in outcome.choices]
        assert 2 <= len(ids) <= 3
        assert len(set(ids)) == len(ids)
        assert ids == [c.id for c in outcome.ranked[: len(ids)]]
        assert all(demo_bot.base.get(i) is not None for i in ids)
        assert all(choice.label for choice in outcome.choices)


# Messages that fit two or three answers about equally well (the choices are plausible ones).
AMBIGUOUS = {
    "noe er galt med pakken": {"wrong-item", "damaged-package", "missing-package"},
    "levering": {"home-delivery", "delivery-abroad", "delivery-time", "express-delivery"},
    "kan jeg endre eller avbestille?": {"cancel-order", "change-order"},
    "bestilling": {"pre-orders", "order-confirmation", "cancel-order", "order-tracking"},
}


def test_clarify_is_reachable_on_the_demo_base(demo_bot: Bot) -> None:
    """At least one of these real ambiguous messages is met with choices, and good ones."""
    clarified = {}
    for question, plausible in AMBIGUOUS.items():
        outcome = demo_bot.turn(question)
        assert not isinstance(outcome, Reply) or outcome.answer_id in plausible, question
        if isinstance(outcome, Clarify):
            clarified[question] = [choice.answer_id for choice in outcome.choices]
            assert set(clarified[question]) <= plausible, (question, clarified[question])
    assert clarified, "none of the ambiguous questions was clarified"


@pytest.mark.parametrize(
    ("text", "code"), [("", "empty_message"), ("x" * 2001, "message_too_long")]
)
def test_invalid_message_is_refused_before_anything_else(
    demo_bot: Bot, text: str, code: str
) -> None:
    with pytest.raises(InvalidMessage) as caught:
        demo_bot.turn(text)
    assert caught.value.code == code


def test_an_unanswered_turn_carries_the_query_vector_it_computed(make_shop_bot: MakeBot) -> None:
    """Abstain, clarify and hand-off outcomes carry the message's query vector (float16) and
    the encoder's version, for insights' gaps; an answer carries none."""
    import numpy as np

    shop = make_shop_bot()
    never = Bot(shop.base, shop.retriever, shop.encoder, thresholds=Thresholds(1.01, 1.02))
    question = "hvem vant fotball-VM i 2018?"
    outcome = never.turn(question)
    assert isinstance(outcome, Abstain) and outcome.query_vector is not None
    assert outcome.vector_model == shop.encoder.model_version
    kept = np.frombuffer(outcome.query_vector, dtype=np.float16).astype(np.float32)
    assert np.allclose(kept, shop.encoder.query_vectors([question])[0], atol=2e-3)
    always = Bot(shop.base, shop.retriever, shop.encoder, thresholds=ANY_ANSWER)
    answered = always.turn("Kvar er pakken min?")
    assert isinstance(answered, Reply) and answered.query_vector is None
