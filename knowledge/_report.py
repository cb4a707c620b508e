"""Collecting problems for one file while validating it."""

from __future__ import annotations

import difflib
import pathlib
from collections.abc import Iterable

from knowledge.schema import Problem


class Report:
    """The problems found in one file, in the order they were found."""

    def __init__(self, file: pathlib.Path) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def error(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def warning(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message, "warning"))

    @property
    def error_count(self) -> int:
        return sum(1 for problem in self.problems if problem.is_error)


def quoted_list(names: Iterable[str]) -> str:
    """`a, b, c` for a message; "(none)" when empty."""
    return ", ".join(names) or "(none)"


def unknown_name_hint(name: object, allowed: Iterable[str]) -> str:
    """' (did you mean "x"?)' when `name` looks like a typo of an allowed name."""
    matches = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.7)
    return f' (did you mean "{matches[0]}"?)' if matches else ""
