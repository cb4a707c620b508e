"""Errors raised by the knowledge package.

    KnowledgeError
     ├── AnswerBaseInvalid   the answer base has errors (.problems lists them all)
     └── CsvImportError      a spreadsheet export cannot be imported (.problems lists why)

Content problems are not raised one at a time: they are collected as `Problem`
values, so a content editor sees everything to fix in one go.
"""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.schema import Problem

__all__ = ["AnswerBaseInvalid", "CsvImportError", "KnowledgeError"]


class KnowledgeError(Exception):
    """Base class of every error raised by the knowledge package."""


class _ProblemsError(KnowledgeError):
    summary = "problems"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        errors = sum(1 for problem in self.problems if problem.is_error)
        lines = [f"{self.summary} ({errors} error{'s' if errors != 1 else ''}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class AnswerBaseInvalid(_ProblemsError):
    """The answer base has at least one error; nothing of it may be used."""

    summary = "the answer base is invalid"


class CsvImportError(_ProblemsError):
    """The CSV file cannot be imported; nothing was written."""

    summary = "the CSV file cannot be imported"
