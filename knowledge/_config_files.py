"""Validating `base.yaml` (settings of the base) and `fields.yaml` (hand-off fields).

Both are optional. When one has errors, the valid parts are still returned so
that the answers can be checked against them without a cascade of follow-up
problems.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from knowledge import _checks as check
from knowledge._hours import parse_business_hours
from knowledge._proactive import ParsedRule, check_messages, parse_rules
from knowledge._regex import backtracking_problem
from knowledge._report import Report, quoted_list
from knowledge._urgency import ParsedUrgency, parse_urgency
from knowledge._yaml import EMPTY, Map, item_line, key_line, node_line, read_yaml
from knowledge.schema import (
    MAX_WRONG_LIMIT,
    AnsweringPolicy,
    BaseConfig,
    Field,
    Problem,
    ServiceTarget,
)

BASE_KEYS = (
    "name",
    "default_language",
    "default_team",
    "teams",
    "business_hours",
    "proactive",
    "urgency",
    "answering",
    "targets",
)
TARGET_KEYS = ("first_reply", "resolution")
ANSWERING_KEYS = ("max_wrong",)
FIELD_KEYS = ("prompt", "pattern", "example", "label", "recognise")

Parser = Callable[[Any, int | None, Report], Any]


def _read_mapping(path: pathlib.Path, report: Report) -> Map | None:
    """The top-level mapping of an optional settings file; None when absent, empty or broken."""
    if not path.is_file():
        return None
    doc = read_yaml(path, report)
    if doc is None or doc is EMPTY:
        return None
    return check.mapping(doc, node_line(doc) or 1, None, report)


@dataclass(frozen=True)
class BaseFile:
    """What `base.yaml` holds: the settings, its problems, and the valid proactive rules with
    their lines (checked against the answers once those are read)."""

    config: BaseConfig
    problems: list[Problem]
    rules: tuple[ParsedRule, ...] = field(default=())
    urgency: ParsedUrgency | None = None


def parse_base_file(path: pathlib.Path) -> BaseFile:
    """The settings in `base.yaml` (defaults when there is none) and its problems."""
    report = Report(path)
    doc = _read_mapping(path, report)
    if doc is None:
        return BaseFile(BaseConfig(), report.problems)
    check.unknown_keys(doc, BASE_KEYS, "", report)
    values = {}
    for key, parser in _BASE_PARSERS.items():
        if doc.get(key) is not None:
            values[key] = parser(doc[key], key_line(doc, key), report)
    rules = tuple(values.pop("proactive", None) or ())
    values["proactive"] = tuple(parsed.rule for parsed in rules)
    urgency = values.pop("urgency", None)
    values["urgency"] = urgency.config if urgency is not None else None
    teams = values.pop("teams", None)
    if teams is not None:
        values["teams"] = tuple(teams)
        values["team_names"] = dict(teams)
    config = BaseConfig(**{key: value for key, value in values.items() if value is not None})
    _check_default_team(config, doc, report)
    check_messages(rules, config.default_language, report)
    return BaseFile(config, report.problems, rules, urgency)


def _check_default_team(config: BaseConfig, doc: Map, report: Report) -> None:
    team = config.default_team
    if team is not None and config.teams and team not in config.teams:
        report.error(
            key_line(doc, "default_team"),
            "default_team",
            f'unknown team "{team}"; teams listed under teams: {quoted_list(config.teams)}',
        )


def _teams(value: Any, line: int | None, report: Report) -> dict[str, str] | None:
    """Team id → name (the id when no name is given), in file order."""
    items = check.sequence(value, line, "teams", report)
    if items is None:
        return None
    teams: dict[str, str] = {}
    for index, item in enumerate(items):
        team = _team(item, item_line(items, index), f"teams[{index}]", report)
        if team is not None and team[0] in teams:
            report.error(
                item_line(items, index), f"teams[{index}]", f'team "{team[0]}" is repeated'
            )
        elif team is not None:
            teams[team[0]] = team[1]
    return teams


def _team(item: Any, line: int | None, field: str, report: Report) -> tuple[str, str] | None:
    if not isinstance(item, Map):
        team = check.text(item, line, field, report)
        return None if team is None else (team, team)
    check.unknown_keys(item, ("id", "name"), f"{field}.", report)
    name = None
    if item.get("name") is not None:
        name = check.text(item["name"], key_line(item, "name"), f"{field}.name", report)
    if item.get("id") is None:
        report.error(line, f"{field}.id", "a team needs an id, e.g. {id: payments, name: Payments}")
        return None
    team = check.text(item["id"], key_line(item, "id"), f"{field}.id", report)
    return None if team is None else (team, name or team)


def _answering(value: Any, line: int | None, report: Report) -> AnsweringPolicy | None:
    """`answering: {max_wrong: 0.03}`: the share of all questions that may get a wrong answer."""
    node = check.mapping(value, line, "answering", report)
    if node is None:
        return None
    check.unknown_keys(node, ANSWERING_KEYS, "answering.", report)
    if "max_wrong" not in node:
        return AnsweringPolicy()
    raw = node["max_wrong"]
    where = key_line(node, "max_wrong") or line
    got = _number_or_kind(raw)
    if (
        isinstance(raw, bool)
        or not isinstance(raw, int | float)
        or not (0.0 <= float(raw) <= MAX_WRONG_LIMIT)
    ):
        report.error(
            where,
            "answering.max_wrong",
            f"must be a number from 0 to {MAX_WRONG_LIMIT} (a share of all questions: "
            f"0.03 = 3 %), got {got}",
        )
        return None
    return AnsweringPolicy(max_wrong=float(raw))


def _number_or_kind(value: Any) -> str:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return str(value) if is_number else check.describe(value)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,15}")


def _targets(value: Any, line: int | None, report: Report) -> dict[str, ServiceTarget] | None:
    """`targets: {widget: {first_reply: 10s, resolution: 8h}, email: {first_reply: 24h}}`:
    service targets per channel, as durations (s, m, h, d) or seconds."""
    node = check.mapping(value, line, "targets", report)
    if node is None:
        return None
    targets: dict[str, ServiceTarget] = {}
    for channel, spec in node.items():
        where = key_line(node, channel) or line
        if not isinstance(channel, str) or not _CHANNEL_NAME.fullmatch(channel):
            report.error(
                where, "targets", f"{channel!r} is not a channel name (e.g. widget, email)"
            )
            continue
        inner = check.mapping(spec, where, f"targets.{channel}", report)
        if inner is None:
            continue
        check.unknown_keys(inner, TARGET_KEYS, f"targets.{channel}.", report)
        times = {
            key: _duration(
                inner[key], key_line(inner, key) or where, f"targets.{channel}.{key}", report
            )
            for key in TARGET_KEYS
            if inner.get(key) is not None
        }
        targets[channel] = ServiceTarget(**times)
    return targets


def _duration(value: Any, line: int | None, field: str, report: Report) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    match = _DURATION.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0:
        report.error(
            line, field, f"{value!r} is not a duration: write e.g. 10s, 30m, 24h, 2d or seconds"
        )
        return None
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


_BASE_PARSERS: dict[str, Parser] = {
    "name": lambda value, line, report: check.text(value, line, "name", report),
    "default_language": lambda value, line, report: check.language(
        value, line, "default_language", report
    ),
    "default_team": lambda value, line, report: check.text(value, line, "default_team", report),
    "teams": _teams,
    "business_hours": parse_business_hours,
    "proactive": parse_rules,
    "urgency": parse_urgency,
    "answering": _answering,
    "targets": _targets,
}


def parse_fields_file(
    path: pathlib.Path, default_language: str
) -> tuple[dict[str, Field], frozenset[str], list[Problem]]:
    """The valid fields in `fields.yaml`, the names of all fields it defines, and its problems."""
    report = Report(path)
    doc = _read_mapping(path, report)
    if doc is None:
        return {}, frozenset(), report.problems
    fields: dict[str, Field] = {}
    for name, spec in doc.items():
        field = _field(name, spec, key_line(doc, name), default_language, report)
        if field is not None:
            fields[field.name] = field
    names = frozenset(str(name) for name in doc if isinstance(name, str))
    return fields, names, report.problems


def _field(
    name: Any, spec: Any, line: int | None, default_language: str, report: Report
) -> Field | None:
    before = report.error_count
    name = check.text(name, line, str(name), report)
    node = check.mapping(spec, line, str(name), report)
    if name is None or node is None:
        return None
    check.unknown_keys(node, FIELD_KEYS, f"{name}.", report)
    prompts = _prompts(node, name, default_language, report)
    pattern = _pattern(node, name, report)
    example = _example(node, name, pattern, report)
    labels: dict[str, str] | None = {}
    if node.get("label") is not None:
        labels = check.lang_texts(node["label"], key_line(node, "label"), f"{name}.label", report)
    recognise = _recognise(node, name, report)
    if report.error_count > before or prompts is None or pattern is None:
        return None
    return Field(name, prompts, pattern, example, labels or {}, recognise)


def _recognise(node: Map, name: str, report: Report) -> bool:
    value = node.get("recognise", True)
    if not isinstance(value, bool):
        report.error(
            key_line(node, "recognise"),
            f"{name}.recognise",
            f"must be true or false, not {check.describe(value)}",
        )
        return True
    return value


def _required(node: Map, key: str, field: str, report: Report) -> Any:
    if node.get(key) is None:
        report.error(node_line(node), f"{field}.{key}", f'the required key "{key}" is missing')
    return node.get(key)


def _prompts(node: Map, name: str, default_language: str, report: Report) -> dict[str, str] | None:
    value = _required(node, "prompt", name, report)
    if value is None:
        return None
    line = key_line(node, "prompt")
    prompts = check.lang_texts(value, line, f"{name}.prompt", report)
    if prompts is not None and default_language not in prompts:
        report.error(
            line,
            f"{name}.prompt",
            f"needs a prompt in {default_language}, the default language of the answer base",
        )
        return None
    return prompts


def _pattern(node: Map, name: str, report: Report) -> str | None:
    value = _required(node, "pattern", name, report)
    if value is None:
        return None
    line = key_line(node, "pattern")
    pattern = check.text(value, line, f"{name}.pattern", report)
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        report.error(line, f"{name}.pattern", f"is not a valid regular expression: {exc}")
        return None
    slow = backtracking_problem(pattern)
    if slow is not None:
        report.error(line, f"{name}.pattern", slow)
        return None
    return pattern


def _example(node: Map, name: str, pattern: str | None, report: Report) -> str | None:
    if node.get("example") is None:
        return None
    line = key_line(node, "example")
    example = check.text(node["example"], line, f"{name}.example", report)
    if example is not None and pattern is not None and not re.fullmatch(pattern, example):
        report.error(
            line,
            f"{name}.example",
            f'"{example}" does not match the pattern {pattern}; fix the example or the pattern',
        )
    return example
