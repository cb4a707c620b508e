"""Reading a spreadsheet export (CSV) into answers, one row per question.

Every problem is reported with the CSV line it is on and the column it is in.
"""

from __future__ import annotations

import csv
import io
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from knowledge._answer_file import ID_PATTERN
from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge.schema import LANGUAGES, Problem

REQUIRED_COLUMNS = ("question", "answer", "language", "id")
COLUMNS = (*REQUIRED_COLUMNS, "title")


@dataclass(frozen=True)
class Row:
    """One non-empty data row, with cells stripped and the language filled in."""

    line: int
    id: str
    question: str
    answer: str
    language: str
    title: str


@dataclass
class Draft:
    """One answer assembled from the rows that share its id."""

    id: str
    line: int
    title: str | None = None
    questions: list[str] = field(default_factory=list)
    answers: dict[str, tuple[str, int]] = field(default_factory=dict)


def read_csv(path: pathlib.Path, default_language: str) -> tuple[list[Draft], list[Problem]]:
    """The answers in the CSV file at `path`, and every problem that stops the import."""
    report = Report(path)
    text = _decode(path, report)
    if text is None:
        return [], report.problems
    rows = _rows(text, default_language, report)
    if report.error_count:
        return [], report.problems
    return _merge(rows, report), report.problems


def _decode(path: pathlib.Path, report: Report) -> str | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.error(
            line,
            None,
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be read; the file is "
            'probably Latin-1 or Windows-1252); export it again as "CSV UTF-8" '
            "or convert it to UTF-8",
        )
        return None
    if not text.strip():
        report.error(1, None, f"the file is empty; it needs a header: {', '.join(COLUMNS)}")
        return None
    return text


def _delimiter(text: str) -> str:
    header = text.splitlines()[0]
    return ";" if header.count(";") > header.count(",") else ","


def _lines(text: str, report: Report) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        report.error(reader.line_num, None, f"the file is not valid CSV: {exc}")


def _rows(text: str, default_language: str, report: Report) -> list[Row]:
    lines = _lines(text, report)
    first = next(lines, None)
    columns = None if first is None else _columns(first[1], report)
    if first is None or columns is None:
        return []
    rows = []
    for line, cells in lines:
        if any(cell.strip() for cell in cells):
            row = _row(line, cells, (columns, len(first[1])), default_language, report)
            if row is not None:
                rows.append(row)
    return rows


def _columns(header: list[str], report: Report) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in header]
    before = report.error_count
    for index, name in enumerate(names):
        if name and name not in COLUMNS:
            hint = unknown_name_hint(name, COLUMNS)
            report.error(1, name, f"unknown column{hint}; columns: {quoted_list(COLUMNS)}")
        elif name and name in names[:index]:
            report.error(1, name, "this column appears twice")
    for name in REQUIRED_COLUMNS:
        if name not in names:
            report.error(
                1,
                name,
                f'the column "{name}" is missing; the header must name the columns '
                "question, answer, language and id (title is optional)",
            )
    if report.error_count > before:
        return None
    return {name: names.index(name) for name in COLUMNS if name in names}


def _cleaned(cell: str) -> str:
    lines = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _row(
    line: int,
    cells: list[str],
    layout: tuple[dict[str, int], int],
    default_language: str,
    report: Report,
) -> Row | None:
    columns, width = layout
    if any(cell.strip() for cell in cells[width:]):
        report.error(line, None, "the row has more cells than the header has columns")
    values = {
        name: _cleaned(cells[index]) if index < len(cells) else ""
        for name, index in columns.items()
    }
    before = report.error_count
    language = _language(values["language"].lower() or default_language, line, report)
    answer_id = _answer_id(values["id"], line, report)
    if not values["question"] and not values["answer"]:
        report.error(line, "question", "the row has neither a question nor an answer")
    if report.error_count > before or language is None or answer_id is None:
        return None
    title = values.get("title", "")
    return Row(line, answer_id, values["question"], values["answer"], language, title)


def _language(value: str, line: int, report: Report) -> str | None:
    if value in LANGUAGES:
        return value
    report.error(
        line, "language", f'unknown language "{value}"; valid languages: {quoted_list(LANGUAGES)}'
    )
    return None


def _answer_id(value: str, line: int, report: Report) -> str | None:
    if not value:
        report.error(line, "id", "is empty; every row needs the id of the answer it belongs to")
        return None
    if not ID_PATTERN.fullmatch(value):
        report.error(
            line,
            "id",
            f'"{value}" is not a valid id; use lowercase letters a-z, digits and single '
            'hyphens between them, e.g. "payment-declined"',
        )
        return None
    return value


def _merge(rows: list[Row], report: Report) -> list[Draft]:
    drafts: dict[str, Draft] = {}
    for row in rows:
        draft = drafts.setdefault(row.id, Draft(row.id, row.line))
        _add_question(draft, row)
        _add_answer(draft, row, report)
        _add_title(draft, row, report)
    for draft in drafts.values():
        _check_complete(draft, report)
    return list(drafts.values())


def _add_question(draft: Draft, row: Row) -> None:
    known = {" ".join(question.casefold().split()) for question in draft.questions}
    if row.question and " ".join(row.question.casefold().split()) not in known:
        draft.questions.append(row.question)


def _add_answer(draft: Draft, row: Row, report: Report) -> None:
    if not row.answer:
        return
    text, line = draft.answers.setdefault(row.language, (row.answer, row.line))
    if text != row.answer:
        report.error(
            row.line,
            "answer",
            f'conflicts with the {row.language} answer for "{row.id}" on line {line}; rows with '
            "the same id and language must have the same answer (or leave the cell empty)",
        )


def _add_title(draft: Draft, row: Row, report: Report) -> None:
    if not row.title:
        return
    if draft.title is None:
        draft.title = row.title
    elif draft.title != row.title:
        report.error(
            row.line,
            "title",
            f'conflicts with the title "{draft.title}" given earlier for "{row.id}"; '
            "give each id one title (or leave the cell empty)",
        )


def _check_complete(draft: Draft, report: Report) -> None:
    if not draft.questions:
        report.error(draft.line, "question", f'the answer "{draft.id}" has no question in any row')
    if not draft.answers:
        report.error(draft.line, "answer", f'the answer "{draft.id}" has no answer text in any row')
