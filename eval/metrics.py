"""Metrics of a run: per suite, per language and per answer.

Every turn of every case is one *point* (a single-turn case is one point). Definitions (also in
docs/eval.md):

* `pass_rate`: cases (overall) or points (per language, per answer) meeting every expectation.
* `accuracy`: points whose decision is the expected one (the answer id, abstain, …), of the
  points that expect a decision (a `choose` or `feedback` turn may expect none).
* `hit_at_1`, `mrr`: over the visitor's own messages (`ask` turns) expecting an answer id: is it
  ranked first, and the mean of 1 / its rank (0 when it is not among the ranked candidates).
* `wrong_answer_rate`: points answered with an answer other than the expected one, of the
  points that expect a decision.
* `abstain_precision`: of the points where the bot abstained, the share expecting abstain;
  `abstain_recall`: of the points expecting abstain, the share where it abstained.
* `p50_ms`, `p95_ms`, `max_ms`: the time the bot took per turn.
* `context_precision`, `context_recall`, `faithfulness`, `response_relevancy`: ragas scores
  (see `eval.scores`), the mean over the points where each was measured.

A metric with nothing to measure (no case expects abstain, …) is None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from eval._cases import Case, Expect
from eval._checks import decision_met, given_answer
from eval.runner import CaseResult, TurnResult

__all__ = ["SCORE_NAMES", "Point", "compute_metrics", "points_of"]

SCORE_NAMES = ("context_precision", "context_recall", "faithfulness", "response_relevancy")


@dataclass(frozen=True, slots=True)
class Point:
    """One evaluated turn, with its ragas scores (a missing name was not measured)."""

    case: Case
    index: int
    result: TurnResult
    scores: Mapping[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.case.id, self.index)

    @property
    def expect(self) -> Expect:
        return self.result.turn.expect

    @property
    def outcome(self) -> Any:
        return self.result.outcome

    @property
    def asked(self) -> bool:
        """The visitor wrote this turn (rather than clicking a choice or giving feedback)."""
        return self.result.turn.action == "ask"

    @property
    def lang(self) -> str:
        """The language a point counts under: the expected reply language, else the detected."""
        return self.expect.lang or str(self.outcome.lang)

    @property
    def rank(self) -> int | None:
        """1-based rank of the expected answer among the ranked candidates (None if absent)."""
        wanted = self.expect.answer_id
        ids = [c.id for c in self.outcome.ranked]
        return ids.index(wanted) + 1 if wanted in ids else None


def points_of(
    results: Iterable[CaseResult], scores: Mapping[tuple[str, int], Mapping[str, float]] = {}
) -> list[Point]:
    return [
        Point(r.case, i, turn, scores.get((r.case.id, i), {}))
        for r in results
        for i, turn in enumerate(r.turns)
    ]


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _mean(values: Sequence[float]) -> float | None:
    clean = [v for v in values if v == v]  # NaN-free
    return round(float(np.mean(clean)), 4) if clean else None


def _ranking(points: Sequence[Point]) -> dict[str, float | None]:
    in_scope = [p for p in points if p.expect.answer_id is not None and p.asked]
    ranks = [p.rank for p in in_scope]
    return {
        "hit_at_1": _share(sum(r == 1 for r in ranks), len(in_scope)),
        "mrr": _mean([1.0 / r if r else 0.0 for r in ranks]) if ranks else None,
    }


def _abstain(points: Sequence[Point]) -> dict[str, float | None]:
    expected = [p for p in points if p.expect.decision == "abstain"]
    abstained = [p for p in points if p.outcome.decision == "abstain"]
    both = sum(p.expect.decision == "abstain" for p in abstained)
    return {
        "abstain_precision": _share(both, len(abstained)),
        "abstain_recall": _share(both, len(expected)),
    }


def _latency(points: Sequence[Point]) -> dict[str, float | None]:
    ms = np.asarray([p.outcome.ms for p in points], dtype=np.float64)
    if not ms.size:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None}
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "max_ms": round(float(ms.max()), 2),
    }


def _slice(points: Sequence[Point], pass_rate: float | None = None) -> dict[str, Any]:
    decided = [p for p in points if p.expect.decision is not None]
    wrong = sum(
        given_answer(p.outcome) is not None and given_answer(p.outcome) != p.expect.decision
        for p in decided
    )
    passed = sum(p.result.passed for p in points)
    values: dict[str, Any] = {
        "points": len(points),
        "passed": passed,
        "pass_rate": pass_rate if pass_rate is not None else _share(passed, len(points)),
        "accuracy": _share(sum(decision_met(p.expect, p.outcome) for p in decided), len(decided)),
        **_ranking(points),
        "wrong_answer_rate": _share(wrong, len(decided)),
        **_abstain(decided),
        **_latency(points),
        "decisions": dict(sorted(Counter(str(p.outcome.decision) for p in points).items())),
    }
    for name in SCORE_NAMES:
        values[name] = _mean([p.scores[name] for p in points if name in p.scores])
    return values


def _answers(points: Sequence[Point]) -> dict[str, dict[str, Any]]:
    by_answer: dict[str, list[Point]] = defaultdict(list)
    wrongly: Counter[str] = Counter()
    for p in points:
        if p.expect.answer_id is not None:
            by_answer[p.expect.answer_id].append(p)
        given = given_answer(p.outcome)
        if given is not None and p.expect.decision is not None and given != p.expect.decision:
            wrongly[given] += 1
    out = {}
    for answer_id in sorted(set(by_answer) | set(wrongly)):
        values = _slice(by_answer[answer_id])
        values["given_wrongly"] = wrongly[answer_id]
        out[answer_id] = values
    return out


def compute_metrics(results: Sequence[CaseResult], points: Sequence[Point]) -> dict[str, Any]:
    """{"overall": {...}, "languages": {lang: {...}}, "answers": {answer id: {...}}}."""
    by_lang: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        by_lang[p.lang].append(p)
    overall = _slice(points, _share(sum(r.passed for r in results), len(results)))
    overall = {"cases": len(results), "cases_passed": sum(r.passed for r in results)} | overall
    return {
        "overall": overall,
        "languages": {lang: _slice(by_lang[lang]) for lang in sorted(by_lang)},
        "answers": _answers(points),
    }
