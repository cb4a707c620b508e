"""Guided flows in a conversation: values read inside sentences, each branch of a warranty
claim end to end, bad input (a future purchase date, three misses), leaving for a new question
and coming back, and a flow edited while a visitor is in it."""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from bot import Bot, Collect, CollectedField, Escalate, FlowState, PastTurn, PendingHandoff, Reply
from bot import _flow_texts as flow_texts
from bot._values import read_value, yes_or_no
from knowledge import LANGUAGES, Option, Question, load_answer_base
from retrieval import E5Embeddings, Retriever, entries_from_base, get_probes
from tests.builders import (
    make_fields_dict,
    make_flow_answer_dict,
    make_paid_repair_dict,
    write_base,
)
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

TODAY = datetime.date(2026, 6, 15)
BASE = {"teams": ["returns", "support"], "default_team": "support"}
MakeBot = Callable[..., Bot]


def _answers(flow_answer: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [*shop_answer_dicts(), flow_answer or make_flow_answer_dict(), make_paid_repair_dict()]


@pytest.fixture(scope="session")
def flow_encoder() -> CachedE5:
    return CachedE5(E5Embeddings())


@pytest.fixture(scope="session")
def flow_retriever(flow_encoder: CachedE5, tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    root = write_base(
        tmp_path_factory.mktemp("flows"), _answers(), base=BASE, fields=make_fields_dict()
    )
    return Retriever.fit(
        entries_from_base(load_answer_base(root)), flow_encoder, probes=get_probes()[:60]
    )


@pytest.fixture
def make_bot(tmp_path: pathlib.Path, flow_retriever: Retriever, flow_encoder: CachedE5) -> MakeBot:
    """A bot over the shop's answers, a warranty-claim flow (`flow_answer`, default the
    builder's) and paid-repair, on 15 June 2026. The retrieval is the same whatever the flow."""
    made = 0

    def make(flow_answer: dict[str, Any] | None = None) -> Bot:
        nonlocal made
        made += 1
        root = write_base(
            tmp_path / str(made), _answers(flow_answer), base=BASE, fields=make_fields_dict()
        )
        base = load_answer_base(root)
        assert entries_from_base(base) == list(flow_retriever.entries)
        return Bot(base, flow_retriever, flow_encoder, today=lambda: TODAY)

    return make


def after(text: str, outcome: Any) -> PastTurn:
    """The turn as `app` stores it: a collect carries its pending state."""
    answer_id = outcome.answer_id if outcome.decision == "answer" else None
    offered = tuple(c.answer_id for c in getattr(outcome, "choices", ()))
    return PastTurn(
        text,
        outcome.lang,
        outcome.decision,
        answer_id,
        offered,
        pending=getattr(outcome, "pending", None),
    )


def talk(bot: Bot, replies: list[str], lang: str = "nb") -> tuple[list[Any], list[PastTurn]]:
    """Start the flow by clicking it, then send each reply; every outcome and the turns."""
    first = bot.choose("warranty-claim", lang=lang)
    outcomes, turns = [first], [after("Warranty claim", first)]
    for text in replies:
        outcome = bot.turn(text, turns=turns)
        outcomes.append(outcome)
        turns.append(after(text, outcome))
    return outcomes, turns


# --- values inside sentences ----------------------------------------------------------------

DATE = Question("bought", {"nb": "?"}, "date", "x", dates="past")
NUMBER = Question("count", {"nb": "?"}, "number", "x", minimum=1, maximum=10)
CHOICE = Question(
    "kind",
    {"nb": "?"},
    "choice",
    "x",
    options=(
        Option(
            "appliance",
            {"nb": "Kjøkkenmaskin", "sv": "Köksmaskin", "en": "Appliance"},
            ("vannkoker",),
        ),
        Option("other", {"nb": "Noe annet", "sv": "Något annat", "en": "Something else"}),
    ),
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("i mars i fjor", "2025-03-31"),  # a month without a day: its last day
        ("Jeg kjøpte den 10.3.2024, tror jeg", "2024-03-10"),
        ("2024-03-10", "2024-03-10"),
        ("forrige måned", "2026-05-31"),
        ("Jag köpte den för två år sedan", "2024-06-15"),
        ("Købt sidste år i marts", "2025-03-31"),
        ("Ostin sen kaksi vuotta sitten", "2024-06-15"),
        ("viime vuonna maaliskuussa", "2025-03-31"),
        ("I bought it last year", "2025-12-31"),
        ("on the 3rd of March 2024", "2024-03-03"),
        ("Eg kjøpte han i går", "2026-06-14"),
    ],
)
def test_a_date_is_found_inside_a_sentence_in_each_language(text: str, value: str) -> None:
    assert read_value(DATE, text, "nb", TODAY).value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ja, den falt i gulvet", "yes"),
        ("Nei, den bare sluttet å virke", "no"),
        ("Den har ikke falt", "no"),
        ("Jo, den blev våd", "yes"),
        ("Kyllä, se putosi", "yes"),
        ("ei, se vain lakkasi toimimasta", "no"),
        ("Yes it fell off the table", "yes"),
        ("It didn't", "no"),
        ("Den ramlade i golvet", None),  # neither: asked again
    ],
)
def test_yes_and_no_are_read_inside_a_sentence(text: str, value: str | None) -> None:
    assert yes_or_no(text) == value


@pytest.mark.parametrize(
    ("question", "text", "value"),
    [
        (NUMBER, "Det er 3 stykker", "3"),
        (NUMBER, "tre", "3"),
        (NUMBER, "2,5 kg", "2.5"),
        (CHOICE, "Köksmaskin", "appliance"),  # a button's label, any language
        (CHOICE, "det er en vannkoker", "appliance"),  # one of the option's words
        (CHOICE, "2", "other"),
        (
            Question("email", {"nb": "?"}, "email", "x"),
            "Min e-post er kari@example.no.",
            "kari@example.no",
        ),
        (
            Question("phone", {"nb": "?"}, "phone", "x"),
            "ring meg på +47 912 34 567 i dag",
            "+47 912 34 567",
        ),
        (
            Question("model", {"nb": "?"}, "text", "x", pattern="^[A-Z]{2}-[0-9]{3}$"),
            "Det är KT-210",
            "KT-210",
        ),
    ],
)
def test_each_type_reads_its_value_inside_a_sentence(
    question: Question, text: str, value: str
) -> None:
    assert read_value(question, text, "nb", TODAY).value == value


@pytest.mark.parametrize(
    ("question", "text", "problem"),
    [
        (DATE, "neste uke engang", flow_texts.NO_DATE["nb"]),
        (DATE, "10.3.2027", flow_texts.FUTURE_DATE["nb"].format(date="10.3.2027")),
        (DATE, "enten 1.3.2025 eller 1.4.2025", flow_texts.TWO_DATES["nb"]),
        (NUMBER, "3 eller 4", flow_texts.NOT_A_NUMBER["nb"]),
        (NUMBER, "12", flow_texts.NUMBER_RANGE["nb"].format(low="1", high="10")),
        (
            CHOICE,
            "en kjøkkenmaskin eller noe annet",
            flow_texts.NOT_AN_OPTION["nb"].format(options="Kjøkkenmaskin, Noe annet"),
        ),
    ],
)
def test_a_reply_without_one_clear_value_says_what_is_wrong(
    question: Question, text: str, problem: str
) -> None:
    reading = read_value(question, text, "nb", TODAY)
    assert (reading.value, reading.problem) == (None, problem)


def test_every_flow_text_has_the_six_languages() -> None:
    for name, texts in flow_texts.ALL_TEXTS.items():
        assert set(texts) == set(LANGUAGES), name


# --- each branch, end to end -----------------------------------------------------------------


def test_the_flow_starts_from_a_question_with_the_answer_as_introduction(make_bot: MakeBot) -> None:
    bot = make_bot()
    outcome = bot.turn("Jeg vil reklamere på en vare")
    assert isinstance(outcome, Collect) and outcome.decision == "collect"
    assert outcome.text == "Jeg hjelper deg med reklamasjonen. Hvilken modell?"
    assert outcome.field == "model" and outcome.pending.flow is not None
    assert (
        outcome.pending.answer_id == "warranty-claim" and outcome.pending.team == "support"
    )  # base.yaml default_team


def test_a_claim_within_two_years_goes_to_the_returns_team_with_every_value(
    make_bot: MakeBot,
) -> None:
    outcomes, _ = talk(
        make_bot(),
        [
            "Det er en KT-200",
            "i mars i fjor",
            "Nei",
            "Ordrenummeret er 1234567",
            "ja",
            "kari@example.no",
        ],
    )
    asked = [o.field for o in outcomes[:-1]]
    assert asked == ["model", "bought", "cause", "order", "photo", "email"]
    assert outcomes[2].options == ("Ja", "Nei")  # yes/no questions are buttons
    done = outcomes[-1]
    assert isinstance(done, Escalate)
    assert (done.reason, done.team, done.urgency, done.answer_id) == (
        "flow",
        "returns",
        None,
        "warranty-claim",
    )
    assert done.fields == (
        CollectedField("model", "given", "KT-200"),
        CollectedField("bought", "given", "2025-03-31"),
        CollectedField("cause", "given", "no"),
        CollectedField("order_number", "given", "1234567"),  # named by its fields.yaml field
        CollectedField("photo", "given", "yes"),
        CollectedField("email", "given", "kari@example.no"),
    )
    assert done.path == (
        "model",
        "recall",
        "bought",
        "age",
        "cause",
        "covered",
        "order",
        "photo",
        "email",
        "claim",
    )
    assert done.field_labels["bought"] == "kjøpsdato"


def test_a_recalled_model_is_an_urgent_case(make_bot: MakeBot) -> None:
    outcomes, _ = talk(make_bot(), ["modellen er kt 210", "ola@example.com"])
    done = outcomes[-1]
    assert isinstance(done, Escalate)
    assert (done.urgency, done.text) == ("urgent", "Det haster, vi ringer i dag.")
    assert done.path == ("model", "recall", "recall-email", "recall-case")


@pytest.mark.parametrize(
    "replies",
    [["KT-200", "for tre år siden"], ["KT-200", "i forrige måned", "ja, den falt i gulvet"]],
    ids=["over-two-years", "damaged-by-use"],
)
def test_past_the_warranty_or_damaged_by_use_gives_the_paid_repair_answer(
    make_bot: MakeBot, replies: list[str]
) -> None:
    outcomes, _ = talk(make_bot(), replies)
    done = outcomes[-1]
    assert isinstance(done, Reply) and done.answer_id == "paid-repair"
    assert done.text == "Vi reparerer gjerne mot betaling."  # word for word


def test_the_flow_speaks_the_visitors_language(make_bot: MakeBot) -> None:
    outcomes, _ = talk(make_bot(), ["It's a KT-200", "two years ago"], lang="en")
    assert outcomes[1].text == "When did you buy it?"
    assert outcomes[2].text == "Is it damaged by use?" and outcomes[2].options == ("Yes", "No")


# --- bad input -------------------------------------------------------------------------------


def test_a_purchase_date_in_the_future_is_refused_and_asked_again(make_bot: MakeBot) -> None:
    outcomes, _ = talk(make_bot(), ["KT-200", "Jeg kjøpte den 10.3.2027"])
    again = outcomes[-1]
    assert isinstance(again, Collect) and again.field == "bought" and again.attempt == 2
    assert again.problem == "10.3.2027 er fram i tid, så det kan ikke stemme."
    assert again.text == f"{again.problem} Når kjøpte du den?"


def test_three_misses_hand_off_with_the_value_not_given(make_bot: MakeBot) -> None:
    outcomes, _ = talk(make_bot(), ["KT-200", "husker", "snart", "veit"])
    assert [o.attempt for o in outcomes[1:4]] == [1, 2, 3]
    done = outcomes[-1]
    assert isinstance(done, Escalate)  # the age decision needs the date: a person decides
    assert done.fields[-1] == CollectedField("bought", "not_given")
    assert done.text.endswith(flow_texts.FLOW_MISSING["nb"]) and done.path[-1] == "age"


def test_a_value_no_decision_needs_goes_on_without_it_after_three_misses(make_bot: MakeBot) -> None:
    replies = ["KT-200", "i fjor", "nei", "1234567", "kanskje", "tja", "hmm", "kari@example.no"]
    outcomes, _ = talk(make_bot(), replies)
    assert outcomes[-2].field == "email"
    assert isinstance(outcomes[-1], Escalate)
    assert CollectedField("photo", "not_given") in outcomes[-1].fields


def test_asking_for_a_person_hands_off_with_the_values_so_far(make_bot: MakeBot) -> None:
    outcomes, _ = talk(make_bot(), ["KT-200", "Jeg vil snakke med et menneske"])
    done = outcomes[-1]
    assert isinstance(done, Escalate) and done.reason == "asked_for_human"
    assert done.fields == (
        CollectedField("model", "given", "KT-200"),
        CollectedField("bought", "skipped"),
    )


def test_skip_moves_on_and_a_decision_on_the_skipped_value_hands_off(make_bot: MakeBot) -> None:
    bot = make_bot()
    _, turns = talk(bot, ["KT-200"])
    done = bot.skip(turns=turns)
    assert isinstance(done, Escalate) and CollectedField("bought", "skipped") in done.fields


# --- leaving and coming back -------------------------------------------------------------------


def test_a_new_question_leaves_the_flow_and_continue_resumes_it(make_bot: MakeBot) -> None:
    bot = make_bot()
    _, turns = talk(bot, ["KT-200"])
    left = bot.turn("Hvor er pakken min?", turns=turns)
    assert isinstance(left, Reply) and left.answer_id == "order-tracking"
    assert left.note == flow_texts.RESUME_NOTE["nb"]
    turns.append(after("Hvor er pakken min?", left))
    back = bot.turn("fortsett", turns=turns)
    assert isinstance(back, Collect) and back.field == "bought"
    assert back.text == f"{flow_texts.FLOW_RESUMED['nb']} Når kjøpte du den?"
    assert back.pending.flow is not None
    assert back.pending.flow.values == (CollectedField("model", "given", "KT-200"),)
    turns.append(after("fortsett", back))
    done = bot.turn("for tre år siden", turns=turns)
    assert isinstance(done, Reply) and done.answer_id == "paid-repair"


def test_asking_for_the_flow_again_resumes_it_where_it_was_left(make_bot: MakeBot) -> None:
    bot = make_bot()
    _, turns = talk(bot, ["KT-200"])
    left = bot.turn("Hvor er pakken min?", turns=turns)
    turns.append(after("Hvor er pakken min?", left))
    back = bot.choose("warranty-claim", lang="nb", turns=turns)
    assert isinstance(back, Collect) and back.field == "bought"


def test_a_finished_flow_is_not_resumed(make_bot: MakeBot) -> None:
    bot = make_bot()
    _, turns = talk(bot, ["KT-200", "for tre år siden"])
    assert bot.interrupted(turns) is None
    again = bot.choose("warranty-claim", lang="nb", turns=turns)
    assert isinstance(again, Collect) and again.field == "model"  # a fresh start


# --- the flow changes while the visitor is in it ---------------------------------------------


def test_a_flow_edited_mid_conversation_is_restarted_cleanly(make_bot: MakeBot) -> None:
    _, turns = talk(make_bot(), ["KT-200"])
    edited = make_flow_answer_dict()
    edited["flow"]["steps"][0]["ask"] = {
        "nb": "Hvilken modell har du?",
        "en": "Which model do you have?",
    }
    bot = make_bot(edited)
    restarted = bot.turn("i mars i fjor", turns=turns)
    assert isinstance(restarted, Collect) and restarted.field == "model"
    assert restarted.text == f"{flow_texts.FLOW_CHANGED['nb']} Hvilken modell har du?"
    assert restarted.pending.flow is not None and restarted.pending.flow.values == ()
    turns.append(after("i mars i fjor", restarted))
    going = bot.turn("KT-200", turns=turns)
    assert isinstance(going, Collect) and going.field == "bought"


def test_a_flow_removed_mid_conversation_leaves_an_ordinary_turn(make_bot: MakeBot) -> None:
    _, turns = talk(make_bot(), ["KT-200"])
    plain = make_flow_answer_dict()
    del plain["flow"]
    outcome = make_bot(plain).turn("Hvor er pakken min?", turns=turns)
    assert isinstance(outcome, Reply) and outcome.answer_id == "order-tracking"


# --- the state in the stored turns -------------------------------------------------------------


def test_the_flow_state_survives_the_stored_form() -> None:
    state = FlowState(
        "abc", (CollectedField("bought", "given", "2025-03-31"),), ("model", "recall")
    )
    pending = PendingHandoff("flow", "returns", "q", "warranty-claim", (), "cause", state, 1)
    assert PendingHandoff.from_plain(pending.to_plain()) == pending
    assert not pending.collecting


def test_a_field_question_does_not_ask_for_a_value_already_written(make_bot: MakeBot) -> None:
    """A question that uses a field of fields.yaml recognises its value in what the visitor
    wrote before, as `handoff.collect` always did (decision 0054): it is not asked."""
    replies = ["Det er en KT-200, ordrenummer 7654321", "i mars i fjor", "Nei", "ja", "ola@x.no"]
    outcomes, _ = talk(make_bot(), replies)
    assert [o.field for o in outcomes[:-1]] == ["model", "bought", "cause", "photo", "email"]
    done = outcomes[-1]
    assert isinstance(done, Escalate)
    assert CollectedField("order_number", "recognised", "7654321") in done.fields
    assert "order" in done.path
