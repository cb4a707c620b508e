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
    assert "name, answers, cases" in problem


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
