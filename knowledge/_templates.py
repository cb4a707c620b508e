"""Validating `templates.yaml`: the templates agents register phone calls and desk visits
from (docs/answer-base.md, "Registration templates").

The file is a list of templates. Each is checked on its own while the file is read (keys,
id, titles, channel, team, fields and their preset values); the topic needs the answers and
is checked once they are read, which also gives a template without `team` its topic's
hand-off team (else the base's default team).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from knowledge import _checks as check
from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge._yaml import EMPTY, Map, item_line, key_line, node_line, read_yaml
from knowledge.schema import TEMPLATE_CHANNELS, Answer, BaseConfig, Field, Problem, Template

TEMPLATE_KEYS = ("id", "title", "topic", "team", "channel", "fields", "resolve_at_once")
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True)
class ParsedTemplate:
    """A template valid on its own, and the line of its topic for the checks against the
    answers."""

    template: Template
    field: str  # e.g. "[0]"
    topic_line: int | None


def parse_templates_file(
    path: pathlib.Path, config: BaseConfig, fields: Mapping[str, Field], field_names: frozenset[str]
) -> tuple[list[ParsedTemplate], list[Problem]]:
    """The templates of `templates.yaml` that are valid on their own, and the file's
    problems; no templates and no problems when there is no such file."""
    report = Report(path)
    if not path.is_file() and not path.is_symlink():
        return [], []
    doc = read_yaml(path, report)
    if doc is None or doc is EMPTY:
        return [], report.problems
    items = check.sequence(doc, node_line(doc) or 1, None, report)
    if items is None:
        return [], report.problems
    parsed: list[ParsedTemplate] = []
    first: dict[str, int | None] = {}
    for index, item in enumerate(items):
        where = f"[{index}]"
        node = check.mapping(item, item_line(items, index), where, report)
        template = (
            None if node is None else _template(node, where, config, fields, field_names, report)
        )
        if template is None or node is None:
            continue
        if template.template.id in first:
            line = first[template.template.id]
            report.error(
                key_line(node, "id"),
                f"{where}.id",
                f'the template id "{template.template.id}" is already used on line {line}; '
                "template ids must be unique",
            )
            continue
        first[template.template.id] = key_line(node, "id")
        parsed.append(template)
    return parsed, report.problems


def _template(
    node: Map,
    where: str,
    config: BaseConfig,
    fields: Mapping[str, Field],
    field_names: frozenset[str],
    report: Report,
) -> ParsedTemplate | None:
    before = report.error_count
    check.unknown_keys(node, TEMPLATE_KEYS, f"{where}.", report)
    for key in ("id", "title", "topic"):
        if node.get(key) is None:
            report.error(
                key_line(node, key) if key in node else node_line(node),
                f"{where}.{key}",
                f'the required key "{key}" is missing',
            )
    template_id = _id(node, where, report)
    titles = _titles(node, where, config.default_language, report)
    topic = None
    if node.get("topic") is not None:
        topic = check.text(node["topic"], key_line(node, "topic"), f"{where}.topic", report)
    team = _team(node, where, config, report)
    channel = _channel(node, where, report)
    values = _fields(node, where, fields, field_names, report)
    at_once = _flag(node, where, report)
    if report.error_count > before or template_id is None or titles is None or topic is None:
        return None
    template = Template(template_id, titles, topic, team, channel, values, at_once)
    return ParsedTemplate(template, where, key_line(node, "topic"))


def _id(node: Map, where: str, report: Report) -> str | None:
    if node.get("id") is None:
        return None
    line = key_line(node, "id")
    template_id = check.text(node["id"], line, f"{where}.id", report)
    if template_id is not None and not ID_PATTERN.fullmatch(template_id):
        report.error(
            line,
            f"{where}.id",
            f'"{template_id}" is not a valid template id; use lowercase letters a-z, digits '
            'and single hyphens between them, e.g. "parcel-not-arrived"',
        )
        return None
    return template_id


def _titles(node: Map, where: str, default_language: str, report: Report) -> dict[str, str] | None:
    if node.get("title") is None:
        return None
    line = key_line(node, "title")
    titles = check.lang_texts(node["title"], line, f"{where}.title", report)
    if titles is not None and default_language not in titles:
        report.error(
            line,
            f"{where}.title",
            f"needs a title in {default_language}, the default language of the answer base",
        )
        return None
    return titles


def _team(node: Map, where: str, config: BaseConfig, report: Report) -> str | None:
    if node.get("team") is None:
        return None
    line = key_line(node, "team")
    team = check.text(node["team"], line, f"{where}.team", report)
    if team is not None and config.teams and team not in config.teams:
        hint = unknown_name_hint(team, config.teams)
        report.error(
            line,
            f"{where}.team",
            f'unknown team "{team}"{hint}; teams listed in base.yaml: {quoted_list(config.teams)}',
        )
        return None
    return team


def _channel(node: Map, where: str, report: Report) -> str:
    value = node.get("channel")
    if value is None:
        return "phone"
    if value in TEMPLATE_CHANNELS:
        return str(value)
    report.error(
        key_line(node, "channel"),
        f"{where}.channel",
        f"{check.describe(value)} is not a channel an agent registers on; use one of "
        f"{quoted_list(TEMPLATE_CHANNELS)}",
    )
    return "phone"


def _fields(
    node: Map, where: str, fields: Mapping[str, Field], names: frozenset[str], report: Report
) -> dict[str, str | None]:
    """`fields: {order_number: , product_name: Kaffetrakter KT-200}`: the fields of
    `fields.yaml` the agent fills in, each left empty or with a preset value that matches
    the field's pattern."""
    value = node.get("fields")
    if value is None:
        return {}
    spec = check.mapping(value, key_line(node, "fields"), f"{where}.fields", report)
    if spec is None:
        return {}
    values: dict[str, str | None] = {}
    for name, preset in spec.items():
        line, at = key_line(spec, name), f"{where}.fields.{name}"
        field = fields.get(str(name))
        if field is None and name in names:
            report.error(line, at, f'the field "{name}" has errors in fields.yaml')
            continue
        if field is None:
            hint = unknown_name_hint(name, fields)
            report.error(
                line,
                at,
                f'the field "{name}" is not defined in fields.yaml{hint}; '
                f"fields: {quoted_list(fields)}",
            )
            continue
        if preset is None:
            values[field.name] = None
            continue
        text = check.text(preset, line, at, report)
        if text is not None and not field.check_value(text):
            example = f" (like {field.example})" if field.example else ""
            report.error(
                line,
                at,
                f'"{text}" does not match the pattern of {field.name}{example}; '
                "fix the value or leave it empty for the agent to fill in",
            )
            continue
        values[field.name] = text
    return values


def _flag(node: Map, where: str, report: Report) -> bool:
    value = node.get("resolve_at_once", False)
    if isinstance(value, bool):
        return value
    report.error(
        key_line(node, "resolve_at_once"),
        f"{where}.resolve_at_once",
        f"must be true or false, not {check.describe(value)}",
    )
    return False


def check_templates(
    parsed: Iterable[ParsedTemplate],
    answers: Iterable[Answer],
    config: BaseConfig,
    file: pathlib.Path,
    invalid: frozenset[str] = frozenset(),
) -> tuple[list[Template], list[Problem]]:
    """The templates whose topic is a published answer (its text resolves the inquiry, so
    it is no guided flow when the template resolves at once), each with its team; and the
    problems. `invalid`: ids of answer files with errors of their own (not reported again)."""
    by_id = {answer.id: answer for answer in answers}
    published = sorted(a for a, answer in by_id.items() if answer.status == "published")
    templates, problems = [], []
    for item in parsed:
        template = item.template
        answer = by_id.get(template.topic)
        at = f"{item.field}.topic"
        if template.topic in invalid:
            continue
        if answer is None:
            hint = unknown_name_hint(template.topic, published)
            message = f'there is no answer with the id "{template.topic}"{hint}'
            problems.append(Problem(file, item.topic_line, at, message))
            continue
        if answer.status != "published":
            message = f'the answer "{answer.id}" is {answer.status}; use a published answer'
            problems.append(Problem(file, item.topic_line, at, message))
            continue
        if template.resolve_at_once and answer.flow is not None:
            message = (
                f'the answer "{answer.id}" is a guided flow, whose text only introduces its '
                "questions: it cannot resolve an inquiry at once; set resolve_at_once: false"
            )
            problems.append(Problem(file, item.topic_line, at, message))
            continue
        team = template.team
        if team is None:
            team = (answer.handoff.team if answer.handoff else None) or config.default_team
        templates.append(replace(template, team=team))
    return templates, problems
