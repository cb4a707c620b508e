"""The value types: hashes, language fallback, fields, problems."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import pathlib

import pytest

from knowledge import Answer, AnswerBase, BaseConfig, Field, Problem


def make_answer(**overrides: object) -> Answer:
    values: dict[str, object] = {
        "id": "order-tracking",
        "title": "Where is my parcel",
        "status": "published",
        "questions": ("Hvor er pakken min?", "Where is my parcel?"),
        "answer": {"nb": "Pakken er på vei.", "en": "Your parcel is on its way."},
    }
    values.update(overrides)
    return Answer(**values)  # type: ignore[arg-type]


def test_content_hash_is_sha256_of_canonical_json() -> None:
    canonical = (
        '{"answer":{"en":"Your parcel is on its way.","nb":"Pakken er på vei."},'
        '"id":"order-tracking","questions":["Hvor er pakken min?","Where is my parcel?"],'
        '"status":"published","title":"Where is my parcel"}'
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert make_answer().content_hash == expected


def test_content_hash_ignores_language_order_and_metadata() -> None:
    reordered = make_answer(answer={"en": "Your parcel is on its way.", "nb": "Pakken er på vei."})
    with_metadata = make_answer(owner="content@shop.example", links=("https://shop.example",))
    assert reordered.content_hash == make_answer().content_hash
    assert with_metadata.content_hash == make_answer().content_hash


@pytest.mark.parametrize(
    "change",
    [
        {"questions": ("Hvor er pakken min?", "Where is my package?")},
        {"title": "Parcel tracking"},
        {"status": "draft"},
        {"answer": {"nb": "Pakken er på vei!", "en": "Your parcel is on its way."}},
    ],
)
def test_content_hash_changes_with_content(change: dict[str, object]) -> None:
    assert make_answer(**change).content_hash != make_answer().content_hash


def test_text_for_uses_the_asked_language() -> None:
    assert make_answer().text_for("en", "nb") == ("en", "Your parcel is on its way.", False)


def test_text_for_falls_back_to_the_default_language() -> None:
    assert make_answer().text_for("sv", "nb") == ("nb", "Pakken er på vei.", True)


def test_text_for_falls_back_to_the_first_language_in_order() -> None:
    answer = make_answer(answer={"en": "English", "da": "Dansk"})
    assert answer.text_for("sv", "nb") == ("da", "Dansk", True)


def test_answer_is_immutable_and_hashable() -> None:
    answer = make_answer()
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        answer.answer["nb"] = "x"  # type: ignore[index]
    assert answer in {answer}


def test_field_check_value_matches_the_whole_stripped_value() -> None:
    field = Field("order_number", {"nb": "Ordrenummer?"}, r"\d{6,10}", "1234567")
    assert field.check_value(" 1234567 ")
    assert not field.check_value("1234567x")
    assert not field.check_value("12345")


def test_answer_base_lookup_and_published() -> None:
    answers = (
        make_answer(id="b-answer"),
        make_answer(id="a-answer", status="draft", answer={"sv": "Svenska"}),
        make_answer(id="c-answer", status="retired"),
    )
    base = AnswerBase(pathlib.Path("answers"), BaseConfig(), answers, {})
    assert [answer.id for answer in base.answers] == ["a-answer", "b-answer", "c-answer"]
    assert [answer.id for answer in base.published()] == ["b-answer"]
    assert base.get("a-answer") is not None
    assert base.get("missing") is None
    assert base.languages == frozenset({"nb", "en"})


def test_answer_base_hash_follows_published_answers_and_default_language() -> None:
    def base_of(*answers: Answer, language: str = "nb") -> AnswerBase:
        return AnswerBase(pathlib.Path("a"), BaseConfig(default_language=language), answers, {})

    published = make_answer()
    draft = make_answer(id="draft-one", status="draft")
    assert base_of(published).content_hash == base_of(published, draft).content_hash
    assert base_of(published).content_hash != base_of(published, language="en").content_hash
    changed = make_answer(questions=("Hvor er pakken?",))
    assert base_of(published).content_hash != base_of(changed).content_hash


def test_problem_str_names_file_line_and_field() -> None:
    path = pathlib.Path("answers/payment.yaml")
    assert str(Problem(path, 12, "questions[2]", "question is empty")) == (
        "answers/payment.yaml:12: questions[2]: question is empty"
    )
    assert str(Problem(path, None, None, "file is empty")) == "answers/payment.yaml: file is empty"
    warning = Problem(path, 3, "review_by", "passed", severity="warning")
    assert str(warning) == "answers/payment.yaml:3: warning: review_by: passed"


def test_review_by_is_a_date() -> None:
    answer = make_answer(review_by=datetime.date(2027, 3, 1))
    assert answer.review_by == datetime.date(2027, 3, 1)
