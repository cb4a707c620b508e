"""base.yaml and fields.yaml."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from knowledge import (
    AnswerBaseInvalid,
    AnsweringPolicy,
    BusinessHours,
    ProactiveRule,
    Problem,
    UrgencyConfig,
    UrgencyRule,
    check_answer_base,
    load_answer_base,
)
from tests.builders import make_answer_dict, make_fields_dict, write_answer_file, write_base


def problems_for(
    tmp_path: pathlib.Path, *, base: Any = None, fields: Any = None, **answer: Any
) -> list[Problem]:
    root = write_base(tmp_path, [make_answer_dict(**answer)], base=base, fields=fields)
    return check_answer_base(root)[1]


def test_base_settings_are_read(tmp_path: pathlib.Path) -> None:
    settings = {
        "name": "Nettbutikken",
        "default_language": "sv",
        "default_team": "support",
        "teams": ["support", {"id": "payments", "name": "Betaling"}],
        "business_hours": {"timezone": "Europe/Oslo", "weekly": {"mon": "08:00-16:00"}},
        "proactive": [
            {
                "id": "checkout",
                "pages": ["/checkout/*"],
                "after_seconds": 30,
                "message": {"sv": "Hej"},
            }
        ],
        "urgency": {"rules": [{"id": "fraud", "level": "urgent", "words": ["fraud"]}]},
    }
    answer = make_answer_dict(answer={"sv": "Hej", "nb": "Hei"})
    config = load_answer_base(write_base(tmp_path, [answer], base=settings)).config
    assert config.name == "Nettbutikken"
    assert config.default_language == "sv"
    assert config.default_team == "support"
    assert config.teams == ("support", "payments")
    assert config.team_names == {"support": "support", "payments": "Betaling"}
    assert config.business_hours == BusinessHours("Europe/Oslo", {0: ((480, 960),)})
    assert config.proactive == (
        ProactiveRule("checkout", {"sv": "Hej"}, pages=("/checkout/*",), after_seconds=30),
    )
    assert config.urgency == UrgencyConfig(
        "normal", (UrgencyRule("fraud", "urgent", words=("fraud",)),)
    )


def test_defaults_without_base_file(tmp_path: pathlib.Path) -> None:
    config = load_answer_base(write_base(tmp_path, [make_answer_dict()])).config
    assert (config.name, config.default_language, config.teams) == ("Samsvar", "nb", ())


def test_empty_base_file_means_defaults(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    write_answer_file(root, "# nothing yet\n", "base.yaml")
    assert load_answer_base(root).config.name == "Samsvar"


def test_unknown_base_key_is_an_error(tmp_path: pathlib.Path) -> None:
    problems = problems_for(tmp_path, base={"name": "Shop", "default_langauge": "sv"})
    assert [(p.file.name, p.line, p.field) for p in problems] == [
        ("base.yaml", 2, "default_langauge")
    ]
    assert 'did you mean "default_language"' in problems[0].message


def test_default_language_must_be_known(tmp_path: pathlib.Path) -> None:
    problems = problems_for(tmp_path, base={"default_language": "no"})
    assert [(p.field, p.severity) for p in problems] == [("default_language", "error")]
    assert "nb, nn, sv, da, fi, en" in problems[0].message


def test_default_team_must_be_a_team(tmp_path: pathlib.Path) -> None:
    problems = problems_for(tmp_path, base={"teams": ["support"], "default_team": "sales"})
    assert [p.field for p in problems] == ["default_team"]


@pytest.mark.parametrize(
    ("teams", "field"),
    [
        ("support", "teams"),
        (["support", "support"], "teams[1]"),
        ([{"name": "No id"}], "teams[0].id"),
        ([{"id": "x", "email": "x@y"}], "teams[0].email"),
        ([""], "teams[0]"),
    ],
)
def test_bad_teams(tmp_path: pathlib.Path, teams: Any, field: str) -> None:
    problems = problems_for(tmp_path, base={"teams": teams})
    assert [p.field for p in problems] == [field]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"business_hours": "08-16"}, "business_hours"),
        ({"proactive": {"pages": []}}, "proactive"),
        ({"proactive": ["x"]}, "proactive[0]"),
        ({"urgency": ["high"]}, "urgency"),
        ({"name": ""}, "name"),
    ],
)
def test_settings_shapes(tmp_path: pathlib.Path, settings: Any, field: str) -> None:
    assert [p.field for p in problems_for(tmp_path, base=settings)] == [field]


def test_base_file_as_a_list_is_an_error(tmp_path: pathlib.Path) -> None:
    problems = problems_for(tmp_path, base=["name"])
    assert [(p.file.name, p.line) for p in problems] == [("base.yaml", 1)]


def test_fields_are_read(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict()], fields=make_fields_dict())
    field = load_answer_base(root).fields["order_number"]
    assert field.name == "order_number"
    assert field.prompts["en"] == "What is your order number?"
    assert field.check_value("1234567")
    assert not field.check_value("12")


def test_bad_regex_reports_the_re_error(tmp_path: pathlib.Path) -> None:
    fields = make_fields_dict(email={"prompt": {"nb": "E-post?"}, "pattern": "[a-z+@"})
    problems = problems_for(tmp_path, fields=fields)
    assert [(p.file.name, p.line, p.field) for p in problems] == [
        ("fields.yaml", 10, "email.pattern")
    ]
    assert "unterminated character set" in problems[0].message


def test_example_must_match_the_pattern(tmp_path: pathlib.Path) -> None:
    fields = make_fields_dict(
        phone={"prompt": {"nb": "Tlf?"}, "pattern": r"\d{8}", "example": "12"}
    )
    problems = problems_for(tmp_path, fields=fields)
    assert [p.field for p in problems] == ["phone.example"]


def test_prompt_needs_the_default_language(tmp_path: pathlib.Path) -> None:
    fields = {"order_number": {"prompt": {"en": "Order?"}, "pattern": r"\d+"}}
    problems = problems_for(tmp_path, fields=fields)
    assert [p.field for p in problems] == ["order_number.prompt"]
    assert "nb" in problems[0].message


def test_prompt_follows_the_base_default_language(tmp_path: pathlib.Path) -> None:
    fields = {"order_number": {"prompt": {"sv": "Order?"}, "pattern": r"\d+"}}
    answer = make_answer_dict(answer={"sv": "Hej"})
    root = write_base(tmp_path, [answer], base={"default_language": "sv"}, fields=fields)
    assert check_answer_base(root)[1] == []


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        ({"pattern": r"\d+"}, ["email.prompt"]),
        ({"prompt": {"nb": "E-post?"}}, ["email.pattern"]),
        ({"prompt": "E-post?", "pattern": ".+"}, ["email.prompt"]),
        ({"prompt": {"nb": "E-post?", "de": "x"}, "pattern": ".+"}, ["email.prompt.de"]),
        ({"prompt": {"nb": "E-post?"}, "pattern": ".+", "label": "x"}, ["email.label"]),
        ("just text", ["email"]),
    ],
)
def test_bad_field_specs(tmp_path: pathlib.Path, spec: Any, fields: list[str]) -> None:
    problems = problems_for(tmp_path, fields={"email": spec})
    assert [p.field for p in problems] == fields


def test_collect_of_an_invalid_field_is_not_reported_twice(tmp_path: pathlib.Path) -> None:
    fields = {"email": {"prompt": {"nb": "E-post?"}, "pattern": "["}}
    problems = problems_for(tmp_path, fields=fields, handoff={"collect": ["email"]})
    assert [p.field for p in problems] == ["email.pattern"]


def test_the_answering_policy_is_read_and_defaults_to_three_percent(
    tmp_path: pathlib.Path,
) -> None:
    answer = make_answer_dict()
    default = load_answer_base(write_base(tmp_path / "a", [answer])).config
    stated = load_answer_base(
        write_base(tmp_path / "b", [answer], base={"answering": {"max_wrong": 0.05}})
    ).config
    assert default.answering == AnsweringPolicy(max_wrong=0.03)
    assert stated.answering == AnsweringPolicy(max_wrong=0.05)


@pytest.mark.parametrize(
    ("answering", "field", "words"),
    [
        ({"max_wrong": 0.7}, "answering.max_wrong", "from 0 to 0.5 (a share of all questions"),
        ({"max_wrong": -0.01}, "answering.max_wrong", "got -0.01"),
        ({"max_wrong": "3 %"}, "answering.max_wrong", 'got the text "3 %"'),
        ({"max_wrong": True}, "answering.max_wrong", "got true/false"),
        ({"max_wrng": 0.03}, "answering.max_wrng", "unknown key"),
        (0.03, "answering", "a number"),
    ],
)
def test_a_bad_answering_policy_names_the_field_and_line(
    tmp_path: pathlib.Path, answering: Any, field: str, words: str
) -> None:
    problems = problems_for(tmp_path, base={"name": "Butikken", "answering": answering})
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.file.name == "base.yaml"
    assert problem.field == field
    assert words in problem.message
    assert problem.line in (2, 3)
    with pytest.raises(AnswerBaseInvalid):
        load_answer_base(tmp_path)
