"""Small validators shared by the answer, base and fields files.

Each takes a value read from YAML, the line and field name to report at, and a
Report; it returns the clean value, or None after reporting what is wrong.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge._yaml import Map, Seq, item_line, key_line
from knowledge.schema import LANGUAGES

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LANGUAGE_HINTS = {"no": "nb or nn", "nob": "nb", "nno": "nn", "se": "sv", "dk": "da", "fin": "fi"}


def describe(value: Any) -> str:
    """How a content editor would name the kind of `value`."""
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value}); put it in quotes to make it text"
    if isinstance(value, str):
        return f'the text "{value}"'
    if value is None:
        return "nothing"
    return f"{type(value).__name__} ({value})"


def text(value: Any, line: int | None, field: str, report: Report) -> str | None:
    """Non-empty text, stripped of surrounding whitespace."""
    if not isinstance(value, str):
        report.error(line, field, f"must be text, not {describe(value)}")
        return None
    if not value.strip():
        report.error(line, field, "is empty; write some text or remove it")
        return None
    return str(value).strip()


def mapping(value: Any, line: int | None, field: str | None, report: Report) -> Map | None:
    """`value` when it is a YAML mapping."""
    if isinstance(value, Map):
        return value
    report.error(line, field, f"must be a mapping (key: value lines), not {describe(value)}")
    return None


def sequence(value: Any, line: int | None, field: str | None, report: Report) -> Seq | None:
    """`value` when it is a YAML list."""
    if isinstance(value, Seq):
        return value
    report.error(line, field, f"must be a list (lines starting with '- '), not {describe(value)}")
    return None


def text_list(value: Any, line: int | None, field: str, report: Report) -> list[str] | None:
    """A list of non-empty texts; every bad item is reported."""
    items = sequence(value, line, field, report)
    if items is None:
        return None
    before = report.error_count
    texts = [
        text(item, item_line(items, index), f"{field}[{index}]", report)
        for index, item in enumerate(items)
    ]
    if report.error_count > before:
        return None
    return [item for item in texts if item is not None]


def unknown_keys(node: Map, allowed: Iterable[str], prefix: str, report: Report) -> None:
    """Report every key of `node` that is not in `allowed` (typo protection)."""
    allowed = tuple(allowed)
    for key in node:
        if key not in allowed:
            hint = unknown_name_hint(key, allowed)
            report.error(
                key_line(node, key),
                f"{prefix}{key}",
                f"unknown key{hint}; allowed keys: {quoted_list(allowed)}",
            )


def language(value: Any, line: int | None, field: str, report: Report) -> str | None:
    """A language code from LANGUAGES."""
    if value in LANGUAGES:
        return str(value)
    hint = _LANGUAGE_HINTS.get(str(value).lower())
    use = f"; use {hint}" if hint else ""
    report.error(
        line, field, f'unknown language "{value}"{use}; valid languages: {quoted_list(LANGUAGES)}'
    )
    return None


def lang_texts(value: Any, line: int | None, field: str, report: Report) -> dict[str, str] | None:
    """A mapping of language code to non-empty text, with at least one entry."""
    node = mapping(value, line, field, report)
    if node is None:
        return None
    if not node:
        report.error(line, field, f"needs at least one language: {quoted_list(LANGUAGES)}")
        return None
    before = report.error_count
    texts = {}
    for lang, item in node.items():
        at = key_line(node, lang)
        if language(lang, at, f"{field}.{lang}", report) is not None:
            texts[str(lang)] = text(item, at, f"{field}.{lang}", report)
    if report.error_count > before:
        return None
    return {lang: item for lang, item in texts.items() if item is not None}


def date(value: Any, line: int | None, field: str, report: Report) -> datetime.date | None:
    """A calendar date written YYYY-MM-DD."""
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError as exc:
            report.error(line, field, f'"{value}" is not a real date ({exc})')
            return None
    report.error(line, field, f'must be a date written YYYY-MM-DD, e.g. 2027-03-01, not "{value}"')
    return None
