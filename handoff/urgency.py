"""Urgency without an LLM: the rules of `base.yaml` `urgency:` over what is known of a case.

The level is the highest of the rules that fire, else the default. Every rule that fired is
kept with what made it fire, so an agent sees why a case is urgent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from handoff._signals import find_signal, find_words
from knowledge import URGENCY_LEVELS, UrgencyConfig, UrgencyRule, match_page

__all__ = ["URGENCY_RANKS", "Signals", "Urgency", "UrgencyReason", "get_urgency", "urgency_rank"]

URGENCY_RANKS = {level: rank for rank, level in enumerate(URGENCY_LEVELS)}


@dataclass(frozen=True)
class Signals:
    """What urgency is judged from: the visitor's messages, how many turns went unresolved,
    the topic (answer id), the page, the visitor's attributes, and the time in the queue."""

    texts: Sequence[str] = ()
    failures: int = 0
    topic: str | None = None
    page_url: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    waiting: dt.timedelta = dt.timedelta(0)


@dataclass(frozen=True)
class UrgencyReason:
    rule: str
    level: str
    detail: str

    def to_plain(self) -> dict[str, str]:
        return {"rule": self.rule, "level": self.level, "detail": self.detail}


@dataclass(frozen=True)
class Urgency:
    level: str
    reasons: tuple[UrgencyReason, ...]

    @property
    def rank(self) -> int:
        return urgency_rank(self.level)

    @property
    def rules(self) -> list[str]:
        return [reason.rule for reason in self.reasons]


def urgency_rank(level: str) -> int:
    """0 for low … 3 for urgent."""
    return URGENCY_LEVELS.index(level)


def get_urgency(config: UrgencyConfig | None, signals: Signals) -> Urgency:
    """The case's urgency under `config` (every case is "normal" without one)."""
    if config is None:
        return Urgency("normal", ())
    reasons = []
    for rule in config.rules:
        details = _conditions(rule, signals)
        if details is not None:
            reasons.append(UrgencyReason(rule.id, rule.level, "; ".join(details)))
    level = max([config.default, *(r.level for r in reasons)], key=urgency_rank)
    return Urgency(level, tuple(reasons))


def _conditions(rule: UrgencyRule, s: Signals) -> list[str] | None:
    """What made each condition of `rule` hold, or None when one does not."""
    details: list[str] = []
    checks: tuple[tuple[object, Callable[[], str | None]], ...] = (
        (rule.signal, lambda: _quoted(rule.signal, find_signal(str(rule.signal), s.texts))),
        (rule.words, lambda: _quoted("words", find_words(rule.words, s.texts))),
        (rule.failures, lambda: _failures(rule, s)),
        (rule.topics, lambda: f"topic {s.topic}" if s.topic in rule.topics else None),
        (rule.pages, lambda: _page(rule, s)),
        (rule.attributes, lambda: _attributes(rule, s)),
        (rule.waiting_minutes, lambda: _waiting(rule, s)),
    )
    for condition, check in checks:
        if condition is None or condition == () or condition == {}:
            continue
        detail = check()
        if detail is None:
            return None
        details.append(detail)
    return details


def _quoted(kind: str | None, found: str | None) -> str | None:
    return None if found is None else f'{kind}: "{found}"'


def _failures(rule: UrgencyRule, s: Signals) -> str | None:
    assert rule.failures is not None
    return f"{s.failures} unresolved turns" if s.failures >= rule.failures else None


def _page(rule: UrgencyRule, s: Signals) -> str | None:
    if s.page_url and any(match_page(pattern, s.page_url) for pattern in rule.pages):
        return f"page {s.page_url}"
    return None


def _attributes(rule: UrgencyRule, s: Signals) -> str | None:
    if all(
        str(s.attributes.get(k, "")).casefold() == v.casefold() for k, v in rule.attributes.items()
    ):
        return ", ".join(f"{k}={v}" for k, v in rule.attributes.items())
    return None


def _waiting(rule: UrgencyRule, s: Signals) -> str | None:
    assert rule.waiting_minutes is not None
    minutes = s.waiting.total_seconds() / 60
    return f"waiting {minutes:.0f} min" if minutes >= rule.waiting_minutes else None
