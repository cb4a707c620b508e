"""Comparing one outcome with what a turn expects: each unmet expectation as a reason."""

from __future__ import annotations

from typing import Any

from eval._cases import DECISIONS, Expect


def given_answer(outcome: Any) -> str | None:
    """The answer id the visitor was given (None unless the decision is `answer`)."""
    return outcome.answer_id if outcome.decision == "answer" else None


def reply_lang(outcome: Any) -> str:
    """The language the reply is in: a fallback answer text is in its own language."""
    return str(getattr(outcome, "reply_lang", None) or outcome.lang)


def visible_text(outcome: Any) -> str:
    """What the visitor sees: the reply text and the labels of any choices offered."""
    labels = [choice.label for choice in getattr(outcome, "choices", ())]
    return "\n".join([outcome.text, *labels])


def got(outcome: Any) -> str:
    """The outcome in the words of `expect:`: the answer id, else the decision."""
    return given_answer(outcome) or str(outcome.decision)


def flow_answer(outcome: Any) -> str | None:
    """The answer whose flow asks the visitor a question in this outcome, if any."""
    pending = getattr(outcome, "pending", None)
    if outcome.decision != "collect" or pending is None or pending.collecting:
        return None  # a hand-off's fields are asked for as a flow too, not the answer's
    return str(getattr(pending, "answer_id", None))


def decision_met(expect: Expect, outcome: Any) -> bool:
    """True when the decision is the expected one (or the turn expects none). An answer with
    a flow is given by asking its flow's question: that meets an `expect` of its id."""
    if expect.decision is None:
        return True
    if expect.decision in DECISIONS:
        return bool(outcome.decision == expect.decision)
    return expect.decision in (given_answer(outcome), flow_answer(outcome))


def _urgency(expect: Expect, outcome: Any, urgency: str | None) -> list[str]:
    if expect.urgency is None:
        return []
    if urgency is None:
        if outcome.decision != "handoff":
            return [f"expected urgency {expect.urgency}, but the outcome is {outcome.decision}"]
        return [
            f"expected urgency {expect.urgency}, but no urgency was judged: the run had no "
            "urgency judge (`samsvar eval` uses the hand-off's rules)"
        ]
    if urgency != expect.urgency:
        return [f"expected urgency {expect.urgency}, got {urgency}"]
    return []


def failures_of(expect: Expect, outcome: Any, urgency: str | None = None) -> tuple[str, ...]:
    """Every expectation the outcome (and the urgency judged for a hand-off) does not meet,
    in words (empty when it passes)."""
    failures: list[str] = []
    if not decision_met(expect, outcome):
        failures.append(f"expected {expect.decision}, got {got(outcome)}")
    if expect.lang is not None and reply_lang(outcome) != expect.lang:
        failures.append(f"expected a reply in {expect.lang}, got {reply_lang(outcome)}")
    text = visible_text(outcome).casefold()
    failures += [
        f"the reply does not contain {p!r}" for p in expect.contains if p.casefold() not in text
    ]
    failures += [f"the reply contains {p!r}" for p in expect.not_contains if p.casefold() in text]
    failures += _urgency(expect, outcome, urgency)
    return tuple(failures)
