"""The public face of the knowledge package."""

from __future__ import annotations

import pathlib

import knowledge
from knowledge import (
    AnswerBaseChanged,
    AnswerBaseInvalid,
    CsvImportError,
    KnowledgeError,
    Problem,
    QuestionsNotAdded,
    get_demo_dir,
)

EXPECTED_ALL = [
    "LANGUAGES",
    "Answer",
    "Handoff",
    "Field",
    "BaseConfig",
    "AnswerBase",
    "Problem",
    "check_answer_base",
    "load_answer_base",
    "match_page",
    "pattern_specificity",
    "ProactiveRule",
    "import_csv",
    "get_demo_dir",
    "KnowledgeError",
    "AnswerBaseInvalid",
    "AnsweringPolicy",
    "CsvImportError",
    "URGENCY_LEVELS",
    "URGENCY_SIGNALS",
    "BusinessHours",
    "UrgencyConfig",
    "UrgencyRule",
    "MAX_QUESTION_CHARS",
    "QuestionPlace",
    "do_add_questions",
    "find_question",
    "get_base_fingerprint",
    "get_question_owners",
    "normalise_question",
    "AnswerBaseChanged",
    "QuestionsNotAdded",
    # guided flows (knowledge.flows)
    "DATE_RANGES",
    "DURATION_UNITS",
    "OPERATORS",
    "QUESTION_TYPES",
    "YES_NO",
    "Branch",
    "Condition",
    "Decision",
    "Duration",
    "Ending",
    "Flow",
    "Option",
    "Question",
    "ServiceTarget",
    "Step",
    "collect_digest",
    "collect_flow",
    "same_text",
    # registration templates (templates.yaml)
    "TEMPLATE_CHANNELS",
    "Template",
]


def test_all_is_exactly_the_public_api() -> None:
    assert sorted(knowledge.__all__) == sorted(EXPECTED_ALL)
    assert len(knowledge.__all__) == len(set(knowledge.__all__))
    for name in knowledge.__all__:
        assert hasattr(knowledge, name)


def test_languages_are_the_nordic_ones_and_english() -> None:
    assert knowledge.LANGUAGES == ("nb", "nn", "sv", "da", "fi", "en")


def test_errors_share_one_base_class_and_carry_problems() -> None:
    problem = Problem(pathlib.Path("answers/a.yaml"), 3, "id", "is empty")
    for error_class in (AnswerBaseInvalid, CsvImportError, QuestionsNotAdded):
        error = error_class([problem])
        assert isinstance(error, KnowledgeError)
        assert error.problems == [problem]
        assert "answers/a.yaml:3: id: is empty" in str(error)


def test_a_changed_base_names_its_files() -> None:
    error = AnswerBaseChanged(pathlib.Path("answers"), ["returns.yaml"])
    assert isinstance(error, KnowledgeError)
    assert error.files == ["returns.yaml"]
    assert str(error) == "the answer base answers changed (returns.yaml)"


def test_demo_dir_is_inside_the_package() -> None:
    assert get_demo_dir() == pathlib.Path(knowledge.__file__).parent / "demo" / "answers"
