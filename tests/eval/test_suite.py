"""Loading an evaluation suite: the documented format, and every problem located."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eval import Case, SuiteInvalid, load_suite


def write_suite(tmp_path: Path, text: str, name: str = "suite.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(SuiteInvalid) as caught:
        load_suite(path)
    assert caught.value.problems, "SuiteInvalid without problems"
    return caught.value.problems


def test_documented_format(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        name: smoke
        answers: ../answers
        cases:
          - id: q1
            ask: "hvor er pakken min??"
            page: https://shop.example/orders/123
            expect: order-tracking
            lang: nn
          - ask: Hvordan blir været i morgen?
            expect: abstain
          - ask: Hjelp
            expect: clarify
        """,
    )
    suite = load_suite(path)
    assert suite.name == "smoke"
    assert suite.path == path
    assert suite.answers == (tmp_path / ".." / "answers").resolve()
    first, second, third = suite.cases
    assert isinstance(first, Case)
    assert (first.id, first.ask, first.expect) == ("q1", "hvor er pakken min??", "order-tracking")
    assert (first.page, first.lang) == ("https://shop.example/orders/123", "nn")
    assert (second.id, second.expect, second.page, second.lang) == ("2", "abstain", None, None)
    assert (third.id, third.expect) == ("3", "clarify")


def test_name_defaults_to_the_file_name_and_answers_to_the_configured_base(
    tmp_path: Path,
) -> None:
    path = write_suite(tmp_path, "cases:\n  - ask: hei\n    expect: abstain\n", "nightly.yaml")
    suite = load_suite(path)
    assert suite.name == "nightly"
    assert suite.answers is None


def test_case_without_id_gets_its_position(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - ask: a
            expect: abstain
          - id: named
            ask: b
            expect: abstain
          - id:
            ask: c
            expect: abstain
        """,
    )
    assert [case.id for case in load_suite(path).cases] == ["1", "named", "3"]


def test_malformed_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        name: broken
        cases:
          - ask: "hvor er pakken min?
            expect: order-tracking
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:")
    assert "malformed YAML" in problem
    assert "line 3" in problem  # where the unclosed quote starts


def test_a_character_yaml_does_not_allow_is_a_located_problem(tmp_path: Path) -> None:
    path = write_suite(tmp_path, 'name: x\ncases:\n  - ask: "hei\x07"\n    expect: abstain\n')
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: malformed YAML")


def test_duplicate_key_is_a_located_problem(tmp_path: Path) -> None:
    path = write_suite(tmp_path, "cases:\n  - ask: hei\n    ask: hallo\n    expect: abstain\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: malformed YAML")
    assert "ask" in problem


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_bytes("name: Bløtkake\ncases: []\n".encode("latin-1"))
    (problem,) = problems_of(path)
    assert problem.startswith(str(path))
    assert "UTF-8" in problem


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    (problem,) = problems_of(path)
    assert str(path) in problem
    assert "not found" in problem


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        name: x
        treshold: 0.5
        cases:
          - ask: hei
            expect: abstain
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: treshold: unknown key")
    assert "name, description, answers, gate, cases" in problem


def test_unknown_case_key(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - ask: hei
            expect: abstain
            language: nb
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: cases[0].language: unknown key")


def test_case_without_ask(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - ask: hei
            expect: abstain
          - id: q2
            expect: abstain
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: cases[1].ask: required")


def test_case_with_an_empty_expect(tmp_path: Path) -> None:
    path = write_suite(tmp_path, 'cases:\n  - ask: hei\n    expect: "  "\n')
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: cases[0].expect: required")


@pytest.mark.parametrize("cases", ["cases: []", "cases:", "cases: {}"])
def test_empty_suite(tmp_path: Path, cases: str) -> None:
    path = write_suite(tmp_path, f"name: x\n{cases}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2: cases:")
    assert "non-empty list of cases" in problem


def test_suite_without_cases_names_the_file(tmp_path: Path) -> None:
    path = write_suite(tmp_path, "name: x\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: cases:")


def test_suite_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write_suite(tmp_path, "- ask: hei\n  expect: abstain\n")
    (problem,) = problems_of(path)
    assert problem.startswith(str(path))
    assert "mapping" in problem


def test_duplicate_case_id(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - id: a
            ask: hei
            expect: abstain
          - id: b
            ask: hallo
            expect: abstain
          - id: a
            ask: morn
            expect: abstain
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:8: case a: duplicate case id (first at line 2)")


@pytest.mark.parametrize("lang", ["xx", "no", "nb-NO", "de"])
def test_bad_lang(tmp_path: Path, lang: str) -> None:
    path = write_suite(tmp_path, f"cases:\n  - ask: hei\n    expect: abstain\n    lang: {lang}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: cases[0].lang: unknown language")


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        name: x
        extra: 1
        cases:
          - ask: hei
            expect: abstain
            lang: xx
          - expect: abstain
        """,
    )
    problems = problems_of(path)
    assert len(problems) == 3
    assert [p.split(": ")[1] for p in problems] == ["extra", "cases[0].lang", "cases[1].ask"]


def test_expectations_on_the_reply(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - id: phrases
            ask: Hvor er pakken min?
            expect: order-tracking
            lang: nb
            contains: [sporingslenke, Posten]
            not_contains: Klarna
          - id: urgent
            ask: Jeg har blitt trukket to ganger og vil ha pengene tilbake nå
            expect: handoff
            urgency: high
          - id: held
            ask: Hvor er pakken min?
            expect: order-tracking
            held_out: true
        """,
    )
    phrases, urgent, held = load_suite(path).cases
    expect = phrases.turns[0].expect
    assert (expect.decision, expect.answer_id, expect.lang) == (
        "order-tracking",
        "order-tracking",
        "nb",
    )
    assert expect.contains == ("sporingslenke", "Posten")
    assert expect.not_contains == ("Klarna",)
    assert (urgent.turns[0].expect.urgency, urgent.turns[0].expect.answer_id) == ("high", None)
    assert (phrases.held_out, held.held_out, held.multi_turn) == (False, True, False)


def test_a_conversation_has_turns_with_their_own_expectations(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - id: follow-up
            page: https://shop.example/checkout
            turns:
              - ask: Hvor lang er leveringstiden?
                expect: delivery-time
              - ask: og til Sverige?
                expect: delivery-abroad
                lang: nb
                page: https://shop.example/help
        """,
    )
    (case,) = load_suite(path).cases
    assert case.multi_turn and case.id == "follow-up"
    first, second = case.turns
    assert (first.ask, first.expect.decision, first.page) == (
        "Hvor lang er leveringstiden?",
        "delivery-time",
        "https://shop.example/checkout",
    )
    assert (second.expect.lang, second.page) == ("nb", "https://shop.example/help")
    assert (first.line, second.line) == (5, 7)
    assert (case.ask, case.expect, case.lang) == ("og til Sverige?", "delivery-abroad", "nb")


@pytest.mark.parametrize(
    ("case", "line", "field", "message"),
    [
        ("    urgency: hi\n", 4, "cases[0].urgency", "unknown urgency 'hi' (allowed: low, normal"),
        ("    contains: []\n", 4, "cases[0].contains", "a text or a non-empty list of texts"),
        ("    contains: [ok, '']\n", 4, "cases[0].contains[1]", "a non-empty text"),
        ("    not_contains: {a: 1}\n", 4, "cases[0].not_contains", "a text or a non-empty list"),
        ("    held_out: yes\n", 4, "cases[0].held_out", "true or false"),
        ("    expct: abstain\n", 4, "cases[0].expct", "unknown key (allowed: id, ask, page"),
        ("    page: ''\n", 4, "cases[0].page", "a URL or path"),
    ],
)
def test_bad_expectations_are_located(
    tmp_path: Path, case: str, line: int, field: str, message: str
) -> None:
    path = write_suite(tmp_path, "cases:\n  - ask: hei\n    expect: abstain\n" + case)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line}: {field}: {message}")


def test_bad_turns_are_located(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        cases:
          - id: c1
            turns:
              - ask: hei
                expect: abstain
              - ask: og så?
                lang: xx
              - just text
          - id: c2
            turns: []
          - id: c3
            ask: hei
            expect: abstain
            turns:
              - ask: hallo
                expect: abstain
          - id: c4
            turns:
              - ask: hei
                expect: abstain
                held_out: true
        """,
    )
    problems = problems_of(path)
    assert [p.split(": ", 2)[:2] for p in problems] == [
        [f"{path}:6", "cases[0].turns[1].expect"],
        [f"{path}:7", "cases[0].turns[1].lang"],
        [f"{path}:8", "cases[0].turns[2]"],
        [f"{path}:10", "cases[1].turns"],
        [f"{path}:12", "cases[2].ask"],
        [f"{path}:21", "cases[3].turns[0].held_out"],
    ]
    assert "either 'turns' (a conversation) or 'ask' and 'expect', not both" in problems[4]
    assert "unknown key" in problems[5]


def test_gate(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path,
        """
        gate:
          min_accuracy: 0.9
          max_wrong_answer_rate: 0.02
          max_p95_ms: 250
          max_regressions: 0
          per_language:
            min_accuracy: 0.8
        cases:
          - ask: hei
            expect: abstain
        """,
    )
    gate = load_suite(path).gate
    assert gate is not None
    assert [(limit.key, limit.value, limit.per_language) for limit in gate.limits] == [
        ("min_accuracy", 0.9, False),
        ("max_wrong_answer_rate", 0.02, False),
        ("max_p95_ms", 250.0, False),
        ("max_regressions", 0.0, False),
        ("min_accuracy", 0.8, True),
    ]
    assert (
        load_suite(write_suite(tmp_path, "cases: [{ask: a, expect: abstain}]\n", "g.yaml")).gate
        is None
    )


@pytest.mark.parametrize(
    ("gate", "line", "field", "message"),
    [
        (
            "gate:\n  min_acuracy: 0.9\n",
            2,
            "gate.min_acuracy",
            "unknown gate key (allowed: min_pass_rate",
        ),
        (
            "gate:\n  min_accuracy: 1.5\n",
            2,
            "gate.min_accuracy",
            "a share between 0 and 1, got 1.5",
        ),
        ("gate:\n  min_accuracy: high\n", 2, "gate.min_accuracy", "a number, got 'high'"),
        ("gate:\n  min_accuracy: true\n", 2, "gate.min_accuracy", "a number, got True"),
        ("gate:\n  max_p95_ms: 0\n", 2, "gate.max_p95_ms", "milliseconds, more than 0"),
        ("gate:\n  max_regressions: 1.5\n", 2, "gate.max_regressions", "a whole number of cases"),
        ("gate: 0.9\n", 1, "gate", "a mapping of limits"),
        ("gate:\n  per_language: 0.8\n", 2, "gate.per_language", "a mapping of limits"),
        (
            "gate:\n  per_language:\n    max_regressions: 0\n",
            3,
            "gate.per_language.max_regressions",
            "unknown gate key",
        ),
    ],
)
def test_bad_gates_are_located(
    tmp_path: Path, gate: str, line: int, field: str, message: str
) -> None:
    path = write_suite(tmp_path, gate + "cases:\n  - ask: hei\n    expect: abstain\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line}: {field}: {message}")
