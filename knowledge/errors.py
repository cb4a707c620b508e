"""Errors raised by the knowledge package.

    KnowledgeError
     ├── AnswerBaseInvalid   the answer base has errors (.problems lists them all)
     ├── CsvImportError      a spreadsheet export cannot be imported (.problems lists why)
     ├── QuestionsNotAdded   new questions cannot be written into the answer files
     │                       (.problems lists why; nothing was written)
     └── AnswerBaseChanged   the answer base's files are not those the change was chosen on
                             (.files names them; nothing was written)

Content problems are not raised one at a time: they are collected as `Problem`
values, so a content editor sees everything to fix in one go.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable, Sequence

from knowledge.schema import Problem

__all__ = [
    "AnswerBaseChanged",
    "AnswerBaseInvalid",
    "CsvImportError",
    "KnowledgeError",
    "QuestionsNotAdded",
]


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


class QuestionsNotAdded(_ProblemsError):
    """New questions cannot be written into the answer files; nothing was written."""

    summary = "the questions were not added"


class AnswerBaseChanged(KnowledgeError):
    """The answer base's files changed since the change was chosen; nothing was written.

    `path` is the base's folder and `files` the files (relative to it) added, removed or
    changed.
    """

    def __init__(self, path: pathlib.Path, files: Sequence[str]) -> None:
        self.path = path
        self.files: list[str] = list(files)
        shown = ", ".join(self.files[:5]) + (", …" if len(self.files) > 5 else "")
        super().__init__(f"the answer base {path} changed ({shown or 'its files'})")
