"""Validating `urgency:` in `base.yaml`: the default level and the rules that raise it.

```yaml
urgency:
  default: normal
  rules:
    - id: angry
      level: high
      signal: anger                 # urgent_words | anger | security_words
    - id: payment-pages
      level: high
      pages: ["/checkout/*"]
    - id: vip
      level: urgent
      attributes: {vip: "true"}
```

Conditions: `signal`, `words` (any of them in the visitor's messages), `failures` (at least
this many unresolved turns), `topics` (answer ids), `pages` (page patterns), `attributes`
(visitor attributes, all equal), `waiting_minutes` (in the queue at least this long). A rule
fires when all of its conditions hold. Topics are checked against the answers once those are
read (`check_topics`).
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge import _checks as check
from knowledge._proactive import ID_PATTERN
from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge._yaml import Map, item_line, key_line
from knowledge.pages import describe_pattern_problem
from knowledge.schema import (
    URGENCY_LEVELS,
    URGENCY_SIGNALS,
    Answer,
    Problem,
    UrgencyConfig,
    UrgencyRule,
)

URGENCY_KEYS = ("default", "rules")
CONDITIONS = ("signal", "words", "failures", "topics", "pages", "attributes", "waiting_minutes")
RULE_KEYS = ("id", "level", *CONDITIONS)


@dataclass(frozen=True)
class ParsedUrgency:
    """The valid urgency settings and the lines of each rule's topics (checked later)."""

    config: UrgencyConfig
    topic_lines: tuple[tuple[str, tuple[int | None, ...]], ...]  # (field, lines per topic)


def parse_urgency(value: Any, line: int | None, report: Report) -> ParsedUrgency | None:
    node = check.mapping(value, line, "urgency", report)
    if node is None:
        return None
    check.unknown_keys(node, URGENCY_KEYS, "urgency.", report)
    default = "normal"
    if node.get("default") is not None:
        default = _level(node["default"], key_line(node, "default"), "urgency.default", report)
    rules: list[UrgencyRule] = []
    lines: list[tuple[str, tuple[int | None, ...]]] = []
    items = node.get("rules")
    for index, item in enumerate(_items(items, key_line(node, "rules"), report)):
        where = f"urgency.rules[{index}]"
        rule_node = check.mapping(item, item_line(items, index), where, report)
        rule = None if rule_node is None else _rule(rule_node, where, report)
        if rule is None or rule_node is None:
            continue
        if any(other.id == rule.id for other in rules):
            report.error(key_line(rule_node, "id"), f"{where}.id", f'"{rule.id}" is repeated')
            continue
        rules.append(rule)
        topic_items = rule_node.get("topics")
        lines.append((where, tuple(item_line(topic_items, i) for i in range(len(rule.topics)))))
    return ParsedUrgency(UrgencyConfig(default, tuple(rules)), tuple(lines))


def _items(items: Any, line: int | None, report: Report) -> list[Any]:
    if items is None:
        return []
    return list(check.sequence(items, line, "urgency.rules", report) or ())


def _level(value: Any, line: int | None, field: str, report: Report) -> str:
    if value in URGENCY_LEVELS:
        return str(value)
    report.error(line, field, f"{check.describe(value)} is not a level; use {_LEVELS}")
    return "normal"


_LEVELS = quoted_list(URGENCY_LEVELS)


def _rule(node: Map, where: str, report: Report) -> UrgencyRule | None:
    before = report.error_count
    check.unknown_keys(node, RULE_KEYS, f"{where}.", report)
    rule_id = _id(node, where, report)
    level = "normal"
    if node.get("level") is None:
        report.error(
            key_line(node, "id"),
            f"{where}.level",
            f'the required key "level" is missing; use {_LEVELS}',
        )
    else:
        level = _level(node["level"], key_line(node, "level"), f"{where}.level", report)
    if not any(node.get(key) is not None for key in CONDITIONS):
        report.error(
            key_line(node, "id"),
            where,
            f"a rule needs at least one condition: {quoted_list(CONDITIONS)}",
        )
    values = {key: parse(node, where, report) for key, parse in _CONDITION_PARSERS.items()}
    if report.error_count > before or rule_id is None:
        return None
    return UrgencyRule(rule_id, level, **values)


def _id(node: Map, where: str, report: Report) -> str | None:
    line = key_line(node, "id")
    if node.get("id") is None:
        report.error(line, f"{where}.id", 'the required key "id" is missing')
        return None
    rule_id = check.text(node["id"], line, f"{where}.id", report)
    if rule_id is not None and not ID_PATTERN.fullmatch(rule_id):
        report.error(
            line,
            f"{where}.id",
            f'"{rule_id}" is not a valid rule id; use lowercase '
            'letters, digits and single hyphens, e.g. "payment-pages"',
        )
        return None
    return rule_id


def _signal(node: Map, where: str, report: Report) -> str | None:
    value = node.get("signal")
    if value is None:
        return None
    if value in URGENCY_SIGNALS:
        return str(value)
    hint = unknown_name_hint(value, URGENCY_SIGNALS)
    report.error(
        key_line(node, "signal"),
        f"{where}.signal",
        f"unknown signal{hint}; use {quoted_list(URGENCY_SIGNALS)}",
    )
    return None


def _texts(key: str) -> Any:
    def parse(node: Map, where: str, report: Report) -> tuple[str, ...]:
        if node.get(key) is None:
            return ()
        found = check.text_list(node[key], key_line(node, key), f"{where}.{key}", report)
        return tuple(found or ())

    return parse


def _pages(node: Map, where: str, report: Report) -> tuple[str, ...]:
    pages: tuple[str, ...] = _texts("pages")(node, where, report)
    for index, pattern in enumerate(pages):
        problem = describe_pattern_problem(pattern)
        if problem is not None:
            at = item_line(node["pages"], index)
            report.error(at, f"{where}.pages[{index}]", f'"{pattern}": {problem}')
    return pages


def _number(key: str, whole: bool) -> Any:
    def parse(node: Map, where: str, report: Report) -> float | int | None:
        value = node.get(key)
        if value is None:
            return None
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or value < (1 if whole else 0):
            what = "a whole number, 1 or more" if whole else "a number of minutes, 0 or more"
            report.error(
                key_line(node, key),
                f"{where}.{key}",
                f"must be {what}, not {check.describe(value)}",
            )
            return None
        return int(value) if whole else float(value)

    return parse


def _attributes(node: Map, where: str, report: Report) -> dict[str, str]:
    value = node.get("attributes")
    if value is None:
        return {}
    field = f"{where}.attributes"
    found = check.mapping(value, key_line(node, "attributes"), field, report)
    attributes: dict[str, str] = {}
    for name, wanted in (found or {}).items():
        at = key_line(found, name)
        if isinstance(wanted, bool) or not isinstance(wanted, str | int | float):
            report.error(at, f"{field}.{name}", 'must be text, e.g. vip: "true"')
            continue
        attributes[str(name)] = str(wanted)
    return attributes


_CONDITION_PARSERS = {
    "signal": _signal,
    "words": _texts("words"),
    "failures": _number("failures", whole=True),
    "topics": _texts("topics"),
    "pages": _pages,
    "attributes": _attributes,
    "waiting_minutes": _number("waiting_minutes", whole=False),
}


def check_topics(
    parsed: ParsedUrgency | None,
    answers: Iterable[Answer],
    file: pathlib.Path,
    invalid: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every topic an urgency rule names must be an answer of the base."""
    if parsed is None:
        return []
    known = sorted(answer.id for answer in answers)
    problems = []
    for rule, (where, lines) in zip(parsed.config.rules, parsed.topic_lines, strict=True):
        for index, topic in enumerate(rule.topics):
            if topic in known or topic in invalid:
                continue
            hint = unknown_name_hint(topic, known)
            message = f'there is no answer with the id "{topic}"{hint}'
            problems.append(Problem(file, lines[index], f"{where}.topics[{index}]", message))
    return problems
