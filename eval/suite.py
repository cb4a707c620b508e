"""Loading an evaluation suite (format in ARCHITECTURE.md, docs/eval.md), every problem located."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eval._cases import DECISIONS, URGENCIES, Case, Expect, Turn, read_case
from eval._problems import Problems, line_of, read_yaml
from eval.errors import SuiteInvalid
from eval.gate import Gate, read_gate
from knowledge import AnswerBase

__all__ = [
    "DECISIONS",
    "URGENCIES",
    "Case",
    "Expect",
    "Suite",
    "Turn",
    "check_suite_against",
    "load_suite",
]

SUITE_KEYS = ("name", "description", "answers", "gate", "cases")


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    path: Path
    answers: Path | None  # resolved against the suite file; None = the configured base
    cases: tuple[Case, ...]
    gate: Gate | None = None
    description: str | None = None


def _check_ids(cases: list[Case], problems: Problems) -> None:
    seen: dict[str, int | None] = {}
    for case in cases:
        if case.id in seen:
            problems.add(
                case.line, f"case {case.id}", f"duplicate case id (first at line {seen[case.id]})"
            )
        seen.setdefault(case.id, case.line)


def _cases(data: dict[str, object], problems: Problems) -> list[Case]:
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        problems.add(line_of(data, "cases"), "cases", "a suite needs a non-empty list of cases")
        return []
    read = [read_case(raw, i, line_of(raw_cases, i), problems) for i, raw in enumerate(raw_cases)]
    cases = [case for case in read if case is not None]
    _check_ids(cases, problems)
    return cases


def load_suite(path: str | Path) -> Suite:
    """Read and check the structure of a suite; raises SuiteInvalid naming every problem."""
    path = Path(path)
    data = read_yaml(path)
    problems = Problems(path)
    if not isinstance(data, dict):
        raise SuiteInvalid([f"{path}: a suite is a mapping with 'name' and 'cases'"])
    for key in data:
        if key not in SUITE_KEYS:
            problems.add(
                line_of(data, str(key)), str(key), f"unknown key (allowed: {', '.join(SUITE_KEYS)})"
            )
    cases = _cases(data, problems)
    gate = read_gate(data["gate"], line_of(data, "gate"), problems) if "gate" in data else None
    if problems:
        raise SuiteInvalid(problems)
    answers = data.get("answers")
    description = data.get("description")
    return Suite(
        name=str(data.get("name") or path.stem),
        path=path,
        answers=(path.parent / str(answers)).resolve() if answers else None,
        cases=tuple(cases),
        gate=gate,
        description=str(description) if description else None,
    )


def _field(case: Case, index: int, key: str) -> str:
    return f"case {case.id}.turns[{index}].{key}" if case.multi_turn else f"case {case.id}.{key}"


def _answer_problem(base: AnswerBase, answer_id: str) -> str | None:
    answer = base.get(answer_id)
    if answer is None:
        hint = "an answer id of the base, or one of " + ", ".join(DECISIONS)
        return f"unknown answer id {answer_id!r} ({hint})"
    if answer.status != "published":
        return f"answer {answer_id!r} is {answer.status}, not published: no visitor can get it"
    return None


def check_suite_against(suite: Suite, base: AnswerBase) -> None:
    """Every expected or chosen answer id must be a published answer of the base; raises
    SuiteInvalid naming the case and field."""
    problems = Problems(suite.path)
    for case in suite.cases:
        for index, turn in enumerate(case.turns):
            line = turn.line if case.multi_turn else case.line
            named = [("expect", turn.expect.answer_id)]
            if turn.action == "choose":
                named.insert(0, ("choose", turn.target))
            for key, answer_id in named:
                problem = _answer_problem(base, answer_id) if answer_id else None
                if problem is not None:
                    message = problem if key == "expect" else problem.split(" (")[0]
                    problems.add(line, _field(case, index, key), message)
    if problems:
        raise SuiteInvalid(problems)
