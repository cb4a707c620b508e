"""Running a suite against a bot and producing the documented JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import Bot, Outcome, Reply, page_language
from eval.suite import Case, Suite

__all__ = ["CaseResult", "run_suite", "to_json"]

RANKED_MIN = 5


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    outcome: Outcome
    passed: bool


def _passed(case: Case, outcome: Outcome) -> bool:
    if case.expect in ("abstain", "clarify", "handoff"):
        ok = outcome.decision == case.expect
    else:
        ok = isinstance(outcome, Reply) and outcome.answer_id == case.expect
    if ok and case.lang is not None:  # the language the reply is in (a fallback is not)
        ok = (outcome.reply_lang if isinstance(outcome, Reply) else outcome.lang) == case.lang
    return ok


def run_suite(suite: Suite, bot: Bot) -> list[CaseResult]:
    """Each case as one fresh conversation turn."""
    results = []
    for case in suite.cases:
        outcome = bot.turn(case.ask, page_lang=page_language(case.page))
        results.append(CaseResult(case, outcome, _passed(case, outcome)))
    return results


def _case_json(result: CaseResult) -> dict[str, Any]:
    o = result.outcome
    ranked = [{"id": c.id, "score": c.score} for c in o.ranked]
    return {
        "id": result.case.id,
        "ask": result.case.ask,
        "expect": result.case.expect,
        "decision": o.decision,
        "answer_id": o.answer_id if isinstance(o, Reply) else None,
        "ranked": ranked,
        "confidence": o.confidence,
        "lang": o.lang,
        "passed": result.passed,
        "ms": o.ms,
    }


def to_json(suite: Suite, results: list[CaseResult]) -> dict[str, Any]:
    return {
        "suite": suite.name,
        "cases": [_case_json(r) for r in results],
        "summary": {"cases": len(results), "passed": sum(r.passed for r in results)},
    }
