"""Validating the operator's proactive rules (`proactive:` in `base.yaml`).

A rule is checked on its own while `base.yaml` is read. Two checks need the rest of the base
and run later, with the lines kept here: the message needs the base's default language, and
every suggested answer must exist and be published.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledge import _checks as check
from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge._yaml import Map, item_line, key_line
from knowledge.pages import describe_pattern_problem
from knowledge.schema import VISITORS, Answer, ProactiveRule, Problem

RULE_KEYS = ("id", "pages", "after_seconds", "visitor", "message", "suggest")
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
RESERVED_IDS = ("welcome-back",)
MAX_SUGGEST = 3
MAX_SECONDS = 3600


@dataclass(frozen=True)
class ParsedRule:
    """A valid rule and where its parts are, for the checks against the rest of the base."""

    rule: ProactiveRule
    field: str  # e.g. "proactive[0]"
    message_line: int | None
    suggest_lines: tuple[int | None, ...]


def parse_rules(value: Any, line: int | None, report: Report) -> list[ParsedRule] | None:
    items = check.sequence(value, line, "proactive", report)
    if items is None:
        return None
    parsed: list[ParsedRule] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        where = f"proactive[{index}]"
        node = check.mapping(item, item_line(items, index), where, report)
        rule = None if node is None else _rule(node, where, report)
        if rule is None:
            continue
        if rule.rule.id in seen:
            report.error(
                key_line(node, "id"),
                f"{where}.id",
                f'the rule id "{rule.rule.id}" is already used by {seen[rule.rule.id]}; '
                "rule ids must be unique",
            )
            continue
        seen[rule.rule.id] = where
        parsed.append(rule)
    return parsed


def _rule(node: Map, where: str, report: Report) -> ParsedRule | None:
    before = report.error_count
    check.unknown_keys(node, RULE_KEYS, f"{where}.", report)
    rule_id = _id(node, where, report)
    message = _message(node, where, report)
    pages = _pages(node, where, report)
    seconds = _after_seconds(node, where, report)
    visitor = _visitor(node, where, report)
    suggest = _suggest(node, where, report)
    if report.error_count > before or rule_id is None or message is None:
        return None
    rule = ProactiveRule(rule_id, message, tuple(pages), seconds, visitor, tuple(suggest))
    lines = node.get("suggest")
    suggest_lines = tuple(item_line(lines, i) for i in range(len(suggest)))
    return ParsedRule(rule, where, key_line(node, "message"), suggest_lines)


def _id(node: Map, where: str, report: Report) -> str | None:
    if node.get("id") is None:
        report.error(key_line(node, "id"), f"{where}.id", 'the required key "id" is missing')
        return None
    line = key_line(node, "id")
    rule_id = check.text(node["id"], line, f"{where}.id", report)
    if rule_id is None:
        return None
    if not ID_PATTERN.fullmatch(rule_id):
        report.error(
            line,
            f"{where}.id",
            f'"{rule_id}" is not a valid rule id; use lowercase letters a-z, digits and single '
            'hyphens between them, e.g. "checkout-help"',
        )
        return None
    if rule_id in RESERVED_IDS:
        report.error(line, f"{where}.id", f'"{rule_id}" is reserved for the built-in offer')
        return None
    return rule_id


def _message(node: Map, where: str, report: Report) -> dict[str, str] | None:
    if node.get("message") is None:
        report.error(
            key_line(node, "message"),
            f"{where}.message",
            'the required key "message" is missing; write what the bot says, per language',
        )
        return None
    return check.lang_texts(node["message"], key_line(node, "message"), f"{where}.message", report)


def _pages(node: Map, where: str, report: Report) -> list[str]:
    if node.get("pages") is None:
        return []
    value = node["pages"]
    pages = check.text_list(value, key_line(node, "pages"), f"{where}.pages", report) or []
    for index, pattern in enumerate(pages):
        problem = describe_pattern_problem(pattern)
        if problem is not None:
            at = item_line(value, index)
            report.error(at, f"{where}.pages[{index}]", f'"{pattern}": {problem}')
    return pages


def _after_seconds(node: Map, where: str, report: Report) -> int:
    value = node.get("after_seconds")
    if value is None:
        return 0
    line = key_line(node, "after_seconds")
    if isinstance(value, bool) or not isinstance(value, int):
        described = check.describe(value) if not isinstance(value, float) else f"{value}"
        report.error(
            line, f"{where}.after_seconds", f"must be a whole number of seconds, not {described}"
        )
        return 0
    if not 0 <= value <= MAX_SECONDS:
        report.error(
            line,
            f"{where}.after_seconds",
            f"must be between 0 and {MAX_SECONDS} seconds, not {value}",
        )
    return int(value)


def _visitor(node: Map, where: str, report: Report) -> str:
    value = node.get("visitor")
    if value is None:
        return "any"
    if value in VISITORS:
        return str(value)
    report.error(
        key_line(node, "visitor"),
        f"{where}.visitor",
        f'"{value}" is not a kind of visitor; use one of {quoted_list(VISITORS)}',
    )
    return "any"


def _suggest(node: Map, where: str, report: Report) -> list[str]:
    value = node.get("suggest")
    if value is None:
        return []
    ids = check.text_list(value, key_line(node, "suggest"), f"{where}.suggest", report)
    if ids is None:
        return []
    if len(ids) > MAX_SUGGEST:
        report.error(
            key_line(node, "suggest"),
            f"{where}.suggest",
            f"suggests {len(ids)} answers; a rule may suggest at most {MAX_SUGGEST}",
        )
    for index, answer_id in enumerate(ids):
        if answer_id in ids[:index]:
            report.error(
                item_line(value, index),
                f"{where}.suggest[{index}]",
                f'"{answer_id}" is suggested twice',
            )
    return ids


def check_messages(rules: Iterable[ParsedRule], default_language: str, report: Report) -> None:
    """Every message needs the base's default language (the fallback for other visitors)."""
    for parsed in rules:
        if default_language not in parsed.rule.message:
            report.error(
                parsed.message_line,
                f"{parsed.field}.message",
                f"needs a message in {default_language}, the default language of the answer base",
            )


def check_suggestions(
    rules: Iterable[ParsedRule],
    answers: Iterable[Answer],
    file: pathlib.Path,
    invalid: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every suggested answer must exist and be published.

    `invalid` are the ids of answer files that have errors of their own: they are reported
    there, not again here.
    """
    by_id = {answer.id: answer for answer in answers}
    published = sorted(a for a, answer in by_id.items() if answer.status == "published")
    problems = []
    for parsed in rules:
        for index, answer_id in enumerate(parsed.rule.suggest):
            answer = by_id.get(answer_id)
            if answer_id in invalid or (answer is not None and answer.status == "published"):
                continue
            if answer is None:
                hint = unknown_name_hint(answer_id, published)
                message = f'there is no answer with the id "{answer_id}"{hint}'
            else:
                message = f'the answer "{answer_id}" is {answer.status}; suggest published answers'
            field = f"{parsed.field}.suggest[{index}]"
            problems.append(Problem(file, parsed.suggest_lines[index], field, message))
    return problems
