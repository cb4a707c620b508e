"""The report of a run as JSON: the documented keys (ARCHITECTURE.md) and the extra ones.

Top level: `suite`, `cases`, `summary` (documented), then `answers`, `thresholds`, `metrics`,
`ragas`, `confusions`, `gaps`, `gate`, `baseline` and `run`. Each case has the documented keys
(of its last turn, for a conversation) and `failures`, `reply`, `reply_lang`, `shown`, `top3`,
`urgency`, `held_out`, the ragas scores and, for a conversation, `turns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eval._checks import given_answer, reply_lang
from eval.metrics import SCORE_NAMES
from eval.runner import CaseResult, TurnResult
from eval.scores import shown_ids

__all__ = ["case_json", "cases_json", "to_json"]

Scores = Mapping[tuple[str, int], Mapping[str, float]]


def _turn_json(result: TurnResult, scores: Mapping[str, float]) -> dict[str, Any]:
    o = result.outcome
    return {
        "ask": result.turn.ask,
        "expect": result.turn.expect.decision,
        "decision": o.decision,
        "answer_id": given_answer(o),
        "ranked": [{"id": c.id, "score": c.score} for c in o.ranked],
        "confidence": o.confidence,
        "lang": o.lang,
        "passed": result.passed,
        "ms": o.ms,
        "failures": list(result.failures),
        "reply": o.text,
        "reply_lang": reply_lang(o),
        "shown": shown_ids(o),
        "top3": result.top3,
        "urgency": result.urgency,
        "page": result.turn.page,
        "action": result.turn.action,
        **{name: scores.get(name) for name in SCORE_NAMES},
    }


def case_json(result: CaseResult, scores: Scores | None = None) -> dict[str, Any]:
    scores = scores or {}
    case = result.case
    turns = [_turn_json(t, scores.get((case.id, i), {})) for i, t in enumerate(result.turns)]
    data = {"id": case.id, **turns[-1], "passed": result.passed, "ms": result.ms}
    data["held_out"] = case.held_out
    if case.multi_turn:
        data["failures"] = [
            f"turn {i + 1}: {failure}" for i, t in enumerate(turns) for failure in t["failures"]
        ]
        data["turns"] = turns
    return data


def cases_json(results: list[CaseResult], scores: Scores | None = None) -> list[dict[str, Any]]:
    return [case_json(r, scores) for r in results]


def to_json(suite: Any, results: list[CaseResult], scores: Scores | None = None) -> dict[str, Any]:
    """The documented part of a report: `suite`, `cases` and `summary`."""
    return {
        "suite": suite.name,
        "cases": cases_json(results, scores),
        "summary": {"cases": len(results), "passed": sum(r.passed for r in results)},
    }
