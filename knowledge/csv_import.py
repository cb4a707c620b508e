"""Importing a spreadsheet export (CSV) into answer files."""

from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

from knowledge._answer_writer import answer_yaml
from knowledge._csv_rows import Draft, read_csv
from knowledge.errors import CsvImportError
from knowledge.schema import LANGUAGES, Problem

__all__ = ["import_csv"]


def import_csv(
    csv_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    default_language: str = "nb",
    overwrite: bool = False,
) -> list[pathlib.Path]:
    """Turn a spreadsheet export into answer files, one `<id>.yaml` per id in `out_dir`.

    The CSV is UTF-8 (a BOM is allowed), delimited by `;` or `,` (whichever the
    header line has more of). Its header names the columns, in any order and
    case: question, answer, language, id, and optionally title. Each row is one
    question; rows with the same id make one answer: their questions are
    collected (duplicates dropped, order kept) and their answers per language
    must agree (a row may leave the answer empty). An empty language cell means
    `default_language`. The title is the title column, else the first question.

    Everything is validated before anything is written; the files are written
    to a temporary folder beside `out_dir` and moved in, so a failure writes
    nothing. Existing files are only replaced when `overwrite` is true.
    Returns the written paths, in the order the ids first appear.
    Raises CsvImportError listing every problem (file, CSV line and column).
    """
    source, target = pathlib.Path(csv_path), pathlib.Path(out_dir)
    drafts = _checked_drafts(source, target, default_language, overwrite)
    return _write(drafts, target)


def _checked_drafts(
    source: pathlib.Path, target: pathlib.Path, default_language: str, overwrite: bool
) -> list[Draft]:
    problems = []
    if default_language not in LANGUAGES:
        message = (
            f'unknown default language "{default_language}"; use one of {", ".join(LANGUAGES)}'
        )
        problems.append(Problem(source, None, "language", message))
    if not source.is_file():
        problems.append(Problem(source, None, None, "the CSV file was not found"))
        raise CsvImportError(problems)
    drafts, read_problems = read_csv(source, default_language)
    problems += read_problems
    problems += _target_problems(target, drafts, overwrite)
    if problems:
        raise CsvImportError(problems)
    return drafts


def _target_problems(target: pathlib.Path, drafts: list[Draft], overwrite: bool) -> list[Problem]:
    if target.exists() and not target.is_dir():
        return [Problem(target, None, None, "the output folder is a file; choose a folder")]
    if overwrite:
        return []
    message = "already exists; remove it, or import with overwrite to replace it"
    return [
        Problem(target / _file_name(draft), None, None, message)
        for draft in drafts
        if (target / _file_name(draft)).exists()
    ]


def _file_name(draft: Draft) -> str:
    return f"{draft.id}.yaml"


def _text(draft: Draft) -> str:
    answers = {lang: text for lang, (text, _) in draft.answers.items()}
    title = draft.title or draft.questions[0]
    return answer_yaml(draft.id, title, draft.questions, answers)


def _write(drafts: list[Draft], target: pathlib.Path) -> list[pathlib.Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=".samsvar-import-", dir=target.parent))
    try:
        for draft in drafts:
            (staging / _file_name(draft)).write_text(_text(draft), encoding="utf-8")
        target.mkdir(exist_ok=True)
        for draft in drafts:
            os.replace(staging / _file_name(draft), target / _file_name(draft))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [target / _file_name(draft) for draft in drafts]
