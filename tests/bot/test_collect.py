"""Collecting fields before a hand-off: ask in the visitor's language, check each answer with a
specific message, recognise what was already written, skip, give up after three tries."""

from __future__ import annotations

from typing import Any

import pytest

from bot import (
    MAX_FIELD_TRIES,
    Bot,
    Collect,
    CollectedField,
    Escalate,
    FlowState,
    NotCollecting,
    PastTurn,
    PendingHandoff,
    Reply,
)
from bot._collect_texts import (
    CHECK_FIELD,
    COLLECT_INTRO,
    FIELD_DIGIT_COUNT,
    FIELD_DIGITS_ONLY,
    FIELD_LIKE_EXAMPLE,
    FIELD_NEEDS_AT,
    FIELD_NOT_GIVEN,
    FIELD_TRY_AGAIN,
    SKIP_LABEL,
    SKIP_WORDS,
)
from bot._collecting import describe_problem, is_skip, recognise
from bot._flow_texts import FLOW_CHANGED, FLOW_RESUMED, RESUME_NOTE
from bot.texts import ESCALATE
from knowledge import LANGUAGES, Field, collect_digest

ORDER = Field(
    "order_number",
    {"nb": "Hva er ordrenummeret ditt?", "en": "What is your order number?"},
    "^[0-9]{7}$",
    "1234567",
    {"nb": "ordrenummer", "en": "order number"},
)
EMAIL = Field("email", {"nb": "E-post?"}, r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", "kari@example.no")
PAYMENT = "Betalingen min ble avvist i kassen, jeg vil snakke med et menneske"


def after(text: str, outcome: Any) -> PastTurn:
    """The turn as app stores it: a collect turn carries its pending hand-off."""
    return PastTurn(text, outcome.lang, outcome.decision, pending=getattr(outcome, "pending", None))


def test_a_topic_with_fields_asks_first_in_the_visitors_language(demo_bot: Bot) -> None:
    outcome = demo_bot.turn(PAYMENT)
    assert isinstance(outcome, Collect)
    assert (outcome.decision, outcome.lang, outcome.field) == ("collect", "nb", "order_number")
    assert outcome.text.startswith(COLLECT_INTRO["nb"])
    assert demo_bot.base.fields["order_number"].prompts["nb"] in outcome.text
    assert (outcome.attempt, outcome.max_attempts, outcome.problem) == (1, MAX_FIELD_TRIES, None)
    assert (outcome.label, outcome.example, outcome.skip_label) == (
        "ordrenummer",
        "1234567",
        "Hopp over",
    )
    pending = outcome.pending
    assert (pending.reason, pending.team, pending.answer_id) == (
        "asked_for_human",
        "payments",
        "payment-declined",
    )
    assert pending.question == PAYMENT and pending.asking == "order_number"


def test_a_valid_answer_completes_the_hand_off_with_the_value(demo_bot: Bot) -> None:
    asked = demo_bot.turn(PAYMENT)
    turns = [after(PAYMENT, asked)]
    wrong = demo_bot.turn("123", turns=turns)
    assert isinstance(wrong, Collect)
    assert wrong.problem is not None and wrong.attempt == 2
    done = demo_bot.turn("123 45 67", turns=[*turns, after("123", wrong)])
    assert isinstance(done, Escalate)
    assert done.fields == (CollectedField("order_number", "given", "1234567"),)
    assert done.values() == {"order_number": "1234567"}
    assert (done.reason, done.team, done.question) == ("asked_for_human", "payments", PAYMENT)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Det er 1234567", "1234567"),
        ("Det är 2048170", "2048170"),
        ("Mitt ordrenummer er 123 45 67, takk", "1234567"),
        ("ordre nr. 7654321.", "7654321"),
    ],
)
def test_the_value_is_found_inside_a_sentence(demo_bot: Bot, text: str, value: str) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    done = demo_bot.turn(text, turns=turns)
    assert isinstance(done, Escalate), done
    assert done.fields == (CollectedField("order_number", "given", value),)


def test_a_wrong_number_inside_a_sentence_is_explained_by_its_digits(demo_bot: Bot) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    again = demo_bot.turn("Mitt kundnummer er 40718823", turns=turns)
    assert isinstance(again, Collect)
    assert again.problem == (
        "Det ser ikke ut som et gyldig ordrenummer: det har 8 sifre, men skal ha 7."
    )


def test_a_new_question_while_asked_for_a_value_is_answered_and_leaves_the_collection(
    demo_bot: Bot,
) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    question = "Hvor lang tid tar det å få pengene tilbake etter en retur?"
    answered = demo_bot.turn(question, turns=turns)
    assert answered.decision in ("answer", "clarify"), answered
    assert not isinstance(answered, Collect)
    turns.append(after(question, answered))
    following = demo_bot.turn("Hvor er pakken min?", turns=turns)
    assert not isinstance(following, Collect), "the collection was left"


def test_asking_for_a_person_while_asked_for_a_value_still_hands_off(demo_bot: Bot) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    outcome = demo_bot.turn("Kan jeg få snakke med et menneske?", turns=turns)
    assert isinstance(outcome, Escalate)
    assert outcome.fields == (CollectedField("order_number", "skipped"),)


def test_a_collection_left_for_a_new_question_can_be_resumed(demo_bot: Bot) -> None:
    """Collecting is a flow (decision 0058): leaving it says how to go back, and "fortsett"
    asks the question left, for the same hand-off."""
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    question = "Hvor lang tid tar det å få pengene tilbake etter en retur?"
    answered = demo_bot.turn(question, turns=turns)
    assert answered.decision in ("answer", "clarify"), answered
    if isinstance(answered, Reply):
        assert (answered.note or "").endswith(RESUME_NOTE["nb"])
    turns.append(after(question, answered))
    back = demo_bot.turn("fortsett", turns=turns)
    assert isinstance(back, Collect) and back.field == "order_number"
    assert back.text.startswith(FLOW_RESUMED["nb"])
    assert (back.pending.reason, back.pending.answer_id) == ("asked_for_human", "payment-declined")
    done = demo_bot.turn("1234567", turns=[*turns, after("fortsett", back)])
    assert isinstance(done, Escalate) and done.team == "payments"
    assert done.fields == (CollectedField("order_number", "given", "1234567"),)


def test_asking_for_a_person_while_collecting_keeps_the_hand_offs_reason(demo_bot: Bot) -> None:
    flow = demo_bot.base.get("payment-declined").handoff.flow  # type: ignore[union-attr]
    assert flow is not None
    pending = PendingHandoff(
        "unresolved",
        "payments",
        "kortet virker ikke",
        "payment-declined",
        (),
        "order_number",
        FlowState(flow.digest, (), ("order_number",)),
    )
    turns = [PastTurn("kortet virker ikke", "nb", "collect", pending=pending)]
    outcome = demo_bot.turn("Kan jeg få snakke med et menneske?", turns=turns)
    assert isinstance(outcome, Escalate)
    assert (outcome.reason, outcome.text) == ("unresolved", ESCALATE["unresolved"]["nb"])
    assert outcome.fields == (CollectedField("order_number", "skipped"),)
    assert outcome.path == () and outcome.collect == ("order_number",)


def test_two_fields_are_asked_in_order_and_a_written_one_is_recognised(demo_bot: Bot) -> None:
    text = "Pakken kom skadet, ordre 7654321. Jeg vil snakke med et menneske"
    asked = demo_bot.turn(text)
    assert isinstance(asked, Collect), asked
    assert (asked.pending.answer_id, asked.field) == ("damaged-package", "product_name")
    assert asked.text.startswith(COLLECT_INTRO["nb"])
    done = demo_bot.turn("Kaffetrakter KT-200", turns=[after(text, asked)])
    assert isinstance(done, Escalate)
    assert done.fields == (
        CollectedField("order_number", "recognised", "7654321"),
        CollectedField("product_name", "given", "Kaffetrakter KT-200"),
    )
    assert (done.team, done.collect) == ("returns", ("order_number", "product_name"))
    assert done.field_labels == {"order_number": "ordrenummer", "product_name": "produktnavn"}


def test_a_value_already_in_the_question_is_not_asked_again(demo_bot: Bot) -> None:
    text = "Betalingen for ordre 7654321 ble avvist, jeg vil snakke med et menneske"
    outcome = demo_bot.turn(text)
    assert isinstance(outcome, Escalate)
    assert outcome.fields == (CollectedField("order_number", "recognised", "7654321"),)


def test_a_wrong_answer_is_explained_specifically_then_given_up_on(demo_bot: Bot) -> None:
    turns = [after(PAYMENT, asked := demo_bot.turn(PAYMENT))]
    assert isinstance(asked, Collect)
    first = demo_bot.turn("12345678", turns=turns)
    assert isinstance(first, Collect)
    assert (
        first.problem
        == "Det ser ikke ut som et gyldig ordrenummer: det har 8 sifre, men skal ha 7."
    )
    assert first.text.startswith(first.problem) and first.attempt == 2
    turns.append(after("12345678", first))
    second = demo_bot.turn("ABC-99", turns=turns)
    assert isinstance(second, Collect) and second.attempt == 3
    assert "bare ha sifre" in (second.problem or "")
    turns.append(after("ABC-99", second))
    third = demo_bot.turn("vet ikke helt, 99", turns=turns)
    assert isinstance(third, Escalate)
    assert third.fields == (CollectedField("order_number", "not_given"),)
    assert third.text.startswith(FIELD_NOT_GIVEN["nb"])


@pytest.mark.parametrize("words", ["hopp over", "Skip!", "vet ikke", "Ohita"])
def test_skip_words_skip_the_field(demo_bot: Bot, words: str) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    outcome = demo_bot.turn(words, turns=turns)
    assert isinstance(outcome, Escalate)
    assert outcome.fields == (CollectedField("order_number", "skipped"),)


def test_the_skip_button_and_the_person_button(demo_bot: Bot) -> None:
    turns = [after(PAYMENT, demo_bot.turn(PAYMENT))]
    skipped = demo_bot.skip(turns=turns)
    assert isinstance(skipped, Escalate) and skipped.fields[0].status == "skipped"
    pressed = demo_bot.escalate(lang="nb", turns=turns)
    assert isinstance(pressed, Escalate) and pressed.fields[0].status == "skipped"
    with pytest.raises(NotCollecting) as raised:
        demo_bot.skip(turns=[])
    assert raised.value.code == "not_collecting"


def test_asking_in_english_gets_english_prompts(demo_bot: Bot) -> None:
    text = "My payment was declined at checkout, I want to talk to a human"
    outcome = demo_bot.turn(text)
    assert isinstance(outcome, Collect)
    assert outcome.lang == "en" and outcome.skip_label == "Skip"
    wrong = demo_bot.turn("12", turns=[after(text, outcome)])
    assert isinstance(wrong, Collect)
    assert (
        wrong.problem
        == "That does not look like a valid order number: it has 2 digits, but should have 7."
    )


def test_the_pending_hand_off_survives_storage() -> None:
    pending = PendingHandoff(
        "unresolved",
        "orders",
        "hvor er pakken?",
        "order-tracking",
        ("order-tracking",),
        "email",
        FlowState(
            collect_digest(["order_number", "email"]),
            (CollectedField("order_number", "given", "1234567"),),
            ("order_number", "email"),
        ),
        1,
    )
    assert pending.collecting
    assert PendingHandoff.from_plain(pending.to_plain()) == pending
    with pytest.raises(ValueError, match="not a pending hand-off"):
        PendingHandoff.from_plain({"reason": "x"})


def test_a_collection_stored_before_it_ran_as_a_flow_is_read_as_its_flow() -> None:
    stored = {  # what a version before decision 0058's "collect is the simplest flow" wrote
        "reason": "unresolved",
        "team": "orders",
        "question": "hvor er pakken?",
        "answer_id": "order-tracking",
        "tried": ["order-tracking"],
        "collect": ["order_number", "email"],
        "fields": [["order_number", "recognised", "1234567"]],
        "asking": "email",
        "tries": 1,
    }
    pending = PendingHandoff.from_plain(stored)
    assert (pending.reason, pending.asking, pending.tries) == ("unresolved", "email", 1)
    assert pending.flow == FlowState(
        collect_digest(["order_number", "email"]),
        (CollectedField("order_number", "recognised", "1234567"),),
        ("order_number", "email"),
    )


def test_a_conversation_stored_before_collect_ran_as_a_flow_goes_on(demo_bot: Bot) -> None:
    stored = {
        "reason": "asked_for_human",
        "team": "payments",
        "question": PAYMENT,
        "answer_id": "payment-declined",
        "tried": [],
        "collect": ["order_number"],
        "fields": [],
        "asking": "order_number",
        "tries": 0,
    }
    turns = [PastTurn(PAYMENT, "nb", "collect", pending=PendingHandoff.from_plain(stored))]
    done = demo_bot.turn("Det er 1234567", turns=turns)
    assert isinstance(done, Escalate), done
    assert done.fields == (CollectedField("order_number", "given", "1234567"),)
    assert (done.reason, done.team, done.collect) == (
        "asked_for_human",
        "payments",
        ("order_number",),
    )


def test_recognising_values_in_free_text() -> None:
    assert recognise(ORDER, ["ordre nr 1234567 kom ikke"]) == "1234567"
    assert recognise(ORDER, ["12345678 is too long"]) is None
    assert recognise(ORDER, ["first 1111111", "then 2222222"]) == "2222222"
    assert recognise(ORDER, ["1234567"], taken=["1234567"]) is None
    assert recognise(EMAIL, ["skriv til kari@example.no."]) == "kari@example.no"
    free = Field("product", {"nb": "?"}, r"^[\s\S]{2,100}$", None, recognise=False)
    assert recognise(free, ["anything at all"]) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_problem_text_has_every_language(lang: str) -> None:
    for texts in (
        CHECK_FIELD,
        COLLECT_INTRO,
        FIELD_DIGIT_COUNT,
        FIELD_DIGITS_ONLY,
        FIELD_LIKE_EXAMPLE,
        FIELD_NEEDS_AT,
        FIELD_NOT_GIVEN,
        FIELD_TRY_AGAIN,
        SKIP_LABEL,
        SKIP_WORDS,
    ):
        assert texts[lang]
    assert "@" in describe_problem(EMAIL, "kari.example.no", lang, "nb")
    assert "8" in describe_problem(ORDER, "12345678", lang, "nb")
    assert "1234567" in describe_problem(ORDER, "12x4567", lang, "nb")
    for word in SKIP_WORDS[lang]:
        assert is_skip(word.upper() + "."), word


def test_an_ordinary_answer_is_not_a_skip() -> None:
    assert not is_skip("hopp over gjerdet")
    assert not is_skip("1234567")


def test_a_topic_that_no_longer_collects_hands_off_at_once(demo_bot: Bot) -> None:
    """The base was edited while the visitor was asked for a field: the visitor still waits
    for a person, so the hand-off is made with what there is, never an ordinary turn."""
    pending = PendingHandoff(
        "asked_for_human",
        "support",
        "jeg vil snakke med noen om bonusen",
        "loyalty-program",  # collects no fields
        (),
        "order_number",
        FlowState(collect_digest(["order_number"]), (), ("order_number",)),
    )
    turns = [PastTurn("jeg vil snakke med noen om bonusen", "nb", "collect", pending=pending)]
    outcome = demo_bot.turn("1234567", turns=turns)
    assert isinstance(outcome, Escalate)
    assert (outcome.reason, outcome.team, outcome.answer_id) == (
        "asked_for_human",
        "support",
        "loyalty-program",
    )


def test_a_collect_edited_meanwhile_asks_its_fields_again_from_the_top(demo_bot: Bot) -> None:
    """The visitor was asked by an older `collect:` (other fields): as with any edited flow,
    they are told the questions changed and asked the new first field."""
    pending = PendingHandoff(
        "asked_for_human",
        "payments",
        PAYMENT,
        "payment-declined",
        (),
        "email",
        FlowState(
            collect_digest(["email", "order_number"]),
            (CollectedField("email", "given", "kari@example.no"),),
            ("email", "order_number"),
        ),
    )
    turns = [PastTurn(PAYMENT, "nb", "collect", pending=pending)]
    again = demo_bot.turn("kari@example.no", turns=turns)
    assert isinstance(again, Collect) and again.field == "order_number"
    assert again.text.startswith(FLOW_CHANGED["nb"])
    assert again.pending.flow.values == () and again.pending.reason == "asked_for_human"
