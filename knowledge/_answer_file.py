"""Validating one answer file and turning it into an `Answer`."""

from __future__ import annotations

import datetime
import pathlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from knowledge import _checks as check
from knowledge._flow_file import FlowContext, ParsedFlow, parse_flow
from knowledge._report import Report, quoted_list
from knowledge._yaml import EMPTY, Map, item_line, key_line, node_line, read_yaml
from knowledge.flows import collect_flow
from knowledge.pages import describe_pattern_problem
from knowledge.schema import LANGUAGES, STATUSES, Answer, Field, Handoff, Problem

ANSWER_KEYS = (
    "id",
    "title",
    "status",
    "questions",
    "answer",
    "links",
    "pages",
    "handoff",
    "owner",
    "review_by",
    "flow",
)
REQUIRED_KEYS = ("id", "title", "questions", "answer")
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class Context:
    """What an answer is checked against: the rest of the answer base."""

    default_language: str
    teams: tuple[str, ...]
    fields: frozenset[str]
    today: datetime.date
    field_specs: Mapping[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedAnswer:
    """One answer file after validation: its id (when readable) and the answer (when valid)."""

    file: pathlib.Path
    id: str | None
    id_line: int | None
    answer: Answer | None
    flow_answers: tuple[tuple[str, int | None, str], ...] = ()


Parser = Callable[[Any, int | None, Context, Report], Any]


def parse_answer_file(path: pathlib.Path, context: Context) -> tuple[ParsedAnswer, list[Problem]]:
    """Read and validate the answer file at `path`; report every problem found."""
    report = Report(path)
    doc = read_yaml(path, report)
    if doc is EMPTY:
        report.error(1, None, "the file is empty; an answer needs id, title, questions and answer")
    elif doc is not None and not isinstance(doc, Map):
        report.error(
            node_line(doc) or 1,
            None,
            f"an answer file must be a mapping (id: ..., title: ...), not {check.describe(doc)}",
        )
    elif doc is not None:
        return _parse_document(path, doc, context, report), report.problems
    return ParsedAnswer(path, None, None, None), report.problems


def _parse_document(path: pathlib.Path, doc: Map, context: Context, report: Report) -> ParsedAnswer:
    check.unknown_keys(doc, ANSWER_KEYS, "", report)
    values = _parse_values(doc, context, report)
    flow = _flow(doc, values, context, report)
    answer = None
    if report.error_count == 0:
        answer = _make_answer(values, path, flow)
        _warn_about(answer, doc, context, report)
    id_line = key_line(doc, "id") if "id" in doc else None
    named = flow.answers if flow is not None else ()
    return ParsedAnswer(path, values.get("id"), id_line, answer, named)


def _flow(doc: Map, values: dict[str, Any], context: Context, report: Report) -> ParsedFlow | None:
    """The answer's flow, its texts checked in every language of the answer."""
    if doc.get("flow") is None:
        return None
    languages = tuple(values.get("answer") or ())
    flow_context = FlowContext(languages, context.teams, context.field_specs)
    return parse_flow(doc["flow"], key_line(doc, "flow"), flow_context, report)


def _parse_values(doc: Map, context: Context, report: Report) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, parser in _PARSERS.items():
        value = doc.get(key)
        if value is None:
            _report_missing(doc, key, report)
        else:
            values[key] = parser(value, key_line(doc, key), context, report)
    return values


def _report_missing(doc: Map, key: str, report: Report) -> None:
    if key not in REQUIRED_KEYS:
        return
    if key in doc:
        report.error(key_line(doc, key), key, "is empty; it is required")
    else:
        report.error(node_line(doc), key, f'the required key "{key}" is missing')


def _make_answer(values: dict[str, Any], path: pathlib.Path, flow: ParsedFlow | None) -> Answer:
    return Answer(
        id=values["id"],
        title=values["title"],
        status=values.get("status", "published"),
        questions=tuple(values["questions"]),
        answer={lang: values["answer"][lang] for lang in LANGUAGES if lang in values["answer"]},
        links=tuple(values.get("links", ())),
        pages=tuple(values.get("pages", ())),
        handoff=values.get("handoff"),
        owner=values.get("owner"),
        review_by=values.get("review_by"),
        source=path,
        flow=flow.flow if flow is not None else None,
    )


def _warn_about(answer: Answer, doc: Map, context: Context, report: Report) -> None:
    if answer.status == "retired":
        return
    lang = context.default_language
    if lang not in answer.answer:
        used, _, _ = answer.text_for(lang, lang)
        report.warning(
            key_line(doc, "answer"),
            "answer",
            f"has no text in {lang}, the default language of the answer base; "
            f"visitors writing {lang} get the {used} text (falls back to {used})",
        )
    if answer.review_by is not None and answer.review_by < context.today:
        report.warning(
            key_line(doc, "review_by"),
            "review_by",
            f"the review date {answer.review_by.isoformat()} has passed; review the answer "
            "and set a new date",
        )


def _id(value: Any, line: int | None, context: Context, report: Report) -> str | None:
    answer_id = check.text(value, line, "id", report)
    if answer_id is not None and not ID_PATTERN.fullmatch(answer_id):
        report.error(
            line,
            "id",
            f'"{answer_id}" is not a valid id; use lowercase letters a-z, digits and '
            'single hyphens between them, e.g. "payment-declined"',
        )
        return None
    return answer_id


def _title(value: Any, line: int | None, context: Context, report: Report) -> str | None:
    return check.text(value, line, "title", report)


def _owner(value: Any, line: int | None, context: Context, report: Report) -> str | None:
    return check.text(value, line, "owner", report)


def _review_by(
    value: Any, line: int | None, context: Context, report: Report
) -> datetime.date | None:
    return check.date(value, line, "review_by", report)


def _status(value: Any, line: int | None, context: Context, report: Report) -> str | None:
    if value in STATUSES:
        return str(value)
    report.error(line, "status", f'"{value}" is not a status; use one of {quoted_list(STATUSES)}')
    return None


def _questions(value: Any, line: int | None, context: Context, report: Report) -> list[str] | None:
    questions = check.text_list(value, line, "questions", report)
    if questions is None:
        return None
    if not questions:
        report.error(line, "questions", "needs at least one question")
        return None
    seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        key = " ".join(question.casefold().split())
        if key in seen:
            report.warning(
                item_line(value, index),
                f"questions[{index}]",
                f"repeats questions[{seen[key]}]; remove one of them",
            )
        seen.setdefault(key, index)
    return questions


def _answer(
    value: Any, line: int | None, context: Context, report: Report
) -> dict[str, str] | None:
    return check.lang_texts(value, line, "answer", report)


def _links(value: Any, line: int | None, context: Context, report: Report) -> list[str] | None:
    links = check.text_list(value, line, "links", report)
    if links is None:
        return None
    before = report.error_count
    for index, link in enumerate(links):
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in link:
            report.error(
                item_line(value, index),
                f"links[{index}]",
                f'"{link}" is not a web address; write it in full, e.g. https://shop.example/help',
            )
    return links if report.error_count == before else None


def _pages(value: Any, line: int | None, context: Context, report: Report) -> list[str] | None:
    pages = check.text_list(value, line, "pages", report)
    if pages is None:
        return None
    before = report.error_count
    for index, pattern in enumerate(pages):
        problem = describe_pattern_problem(pattern)
        if problem is not None:
            report.error(item_line(value, index), f"pages[{index}]", f'"{pattern}": {problem}')
    return pages if report.error_count == before else None


def _handoff(value: Any, line: int | None, context: Context, report: Report) -> Handoff | None:
    node = check.mapping(value, line, "handoff", report)
    if node is None:
        return None
    before = report.error_count
    check.unknown_keys(node, ("team", "collect"), "handoff.", report)
    team = _handoff_team(node, context, report)
    collect = _handoff_collect(node, context, report)
    if report.error_count > before:
        return None
    names = tuple(collect or ())
    known = bool(names) and all(name in context.field_specs for name in names)  # else: reported
    flow = collect_flow(names, context.field_specs, team) if known else None
    return Handoff(team=team, collect=names, flow=flow)


def _handoff_team(node: Map, context: Context, report: Report) -> str | None:
    if node.get("team") is None:
        return None
    line = key_line(node, "team")
    team = check.text(node["team"], line, "handoff.team", report)
    if team is not None and context.teams and team not in context.teams:
        report.error(
            line,
            "handoff.team",
            f'unknown team "{team}"; teams in base.yaml: {quoted_list(context.teams)}',
        )
    return team


def _handoff_collect(node: Map, context: Context, report: Report) -> list[str] | None:
    if node.get("collect") is None:
        return None
    value = node["collect"]
    names = check.text_list(value, key_line(node, "collect"), "handoff.collect", report)
    for index, name in enumerate(names or ()):
        if name not in context.fields:
            report.error(
                item_line(value, index),
                f"handoff.collect[{index}]",
                f'the field "{name}" is not defined in fields.yaml; '
                f"defined fields: {quoted_list(sorted(context.fields))}",
            )
    return names


_PARSERS: dict[str, Parser] = {
    "id": _id,
    "title": _title,
    "status": _status,
    "questions": _questions,
    "answer": _answer,
    "links": _links,
    "pages": _pages,
    "handoff": _handoff,
    "owner": _owner,
    "review_by": _review_by,
}
