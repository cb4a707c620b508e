"""Loading an evaluation suite (format in ARCHITECTURE.md) with every problem located."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from eval.errors import SuiteInvalid
from knowledge import LANGUAGES, AnswerBase

__all__ = ["DECISIONS", "Case", "Suite", "check_suite_against", "load_suite"]

DECISIONS = ("abstain", "handoff", "clarify")
SUITE_KEYS = ("name", "answers", "cases")
CASE_KEYS = ("id", "ask", "page", "expect", "lang")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    ask: str
    expect: str
    page: str | None = None
    lang: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    path: Path
    answers: Path | None  # resolved against the suite file; None = the configured base
    cases: tuple[Case, ...]


def _line(node: Any, key: str | int | None = None) -> int | None:
    try:
        if key is None:
            return int(node.lc.line) + 1
        pos = node.lc.key(key) if isinstance(key, str) else node.lc.item(key)
        return int(pos[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


class _Problems(list[str]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def add(self, line: int | None, field: str, message: str) -> None:
        where = f"{self.path}:{line}" if line else str(self.path)
        self.append(f"{where}: {field}: {message}")


def _read(path: Path) -> Any:
    if not path.is_file():
        raise SuiteInvalid([f"{path}: suite file not found"])
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SuiteInvalid([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except YAMLError as exc:
        raise SuiteInvalid([_yaml_problem(path, exc)]) from exc


def _yaml_problem(path: Path, exc: YAMLError) -> str:
    """'file:line: malformed YAML: …' for any ruamel error (marked, or a bad character)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    position = getattr(exc, "position", None)
    line: int | None = None
    if mark is not None:
        line = mark.line + 1
    elif isinstance(position, int):
        line = path.read_text(encoding="utf-8")[:position].count("\n") + 1
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        context = f"{context} (line {context_mark.line + 1})"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    detail = ": ".join(str(part) for part in (context, problem) if part)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: malformed YAML: {detail}"


def _case(raw: Any, pos: int, line: int | None, problems: _Problems) -> Case | None:
    field = f"cases[{pos}]"
    if not isinstance(raw, dict):
        problems.add(line, field, "a case must be a mapping with at least 'ask' and 'expect'")
        return None
    for key in raw:
        if key not in CASE_KEYS:
            allowed = ", ".join(CASE_KEYS)
            problems.add(
                _line(raw, str(key)), f"{field}.{key}", f"unknown key (allowed: {allowed})"
            )
    for key in ("ask", "expect"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add(_line(raw, key) or line, f"{field}.{key}", "required, a non-empty text")
    lang = raw.get("lang")
    if lang is not None and lang not in LANGUAGES:
        problems.add(_line(raw, "lang"), f"{field}.lang", f"unknown language {lang!r}")
    case_id = str(pos + 1 if raw.get("id") is None else raw["id"])
    if not isinstance(raw.get("ask"), str) or not isinstance(raw.get("expect"), str):
        return None
    page = raw.get("page")
    return Case(case_id, raw["ask"], raw["expect"].strip(), page and str(page), lang, line)


def load_suite(path: str | Path) -> Suite:
    """Read and check the structure of a suite; raises SuiteInvalid naming every problem."""
    path = Path(path)
    data = _read(path)
    problems = _Problems(path)
    if not isinstance(data, dict):
        raise SuiteInvalid([f"{path}: a suite is a mapping with 'name' and 'cases'"])
    for key in data:
        if key not in SUITE_KEYS:
            problems.add(
                _line(data, str(key)), str(key), f"unknown key (allowed: {', '.join(SUITE_KEYS)})"
            )
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        problems.add(_line(data, "cases"), "cases", "a suite needs a non-empty list of cases")
        raw_cases = []
    cases = [_case(raw, i, _line(raw_cases, i), problems) for i, raw in enumerate(raw_cases)]
    seen: dict[str, int | None] = {}
    for case in [c for c in cases if c is not None]:
        if case.id in seen:
            problems.add(
                case.line, f"case {case.id}", f"duplicate case id (first at line {seen[case.id]})"
            )
        seen.setdefault(case.id, case.line)
    if problems:
        raise SuiteInvalid(problems)
    answers = data.get("answers")
    return Suite(
        name=str(data.get("name") or path.stem),
        path=path,
        answers=(path.parent / str(answers)).resolve() if answers else None,
        cases=tuple(c for c in cases if c is not None),
    )


def check_suite_against(suite: Suite, base: AnswerBase) -> None:
    """Every expected answer id must exist (published) in the base; raises SuiteInvalid."""
    problems = _Problems(suite.path)
    known = {a.id for a in base.published()}
    for case in suite.cases:
        if case.expect not in DECISIONS and case.expect not in known:
            hint = "an answer id of the base, or one of " + ", ".join(DECISIONS)
            problems.add(
                case.line, f"case {case.id}.expect", f"unknown answer id {case.expect!r} ({hint})"
            )
    if problems:
        raise SuiteInvalid(problems)
