"""Errors raised by the eval package.

Tree::

    EvalError
    └── SuiteInvalid        the suite file has errors (.problems lists each with file and line)
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EvalError", "SuiteInvalid"]


class EvalError(Exception):
    """Base class of every error of the eval package."""


class SuiteInvalid(EvalError):
    """The suite cannot be run; every problem is listed as 'file:line: field: message'."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("the suite is invalid:\n" + "\n".join(f"  {p}" for p in self.problems))
