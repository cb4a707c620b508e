"""One evaluation from start to end: run the suite, score it, analyse it, gate it, report it."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from bot import Bot
from eval.analysis import confusions, gaps
from eval.baseline import Baseline, compare_with_baseline, threshold_moves
from eval.gate import GateResult, apply_gate
from eval.metrics import compute_metrics, points_of
from eval.report import to_json
from eval.runner import Progress, UrgencyJudge, run_suite
from eval.scores import LlmEndpoint, LlmScores, llm_scores, offline_scores, prefetch
from eval.suite import Suite
from retrieval import thresholds_json

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """The full report (JSON-able) and the gate's verdict (None when the suite has no gate)."""

    report: dict[str, Any]
    gate: GateResult | None = None
    llm: LlmScores | None = field(default=None, repr=False)


def _ragas_json(llm: LlmEndpoint | None, scored: LlmScores | None) -> dict[str, Any]:
    offline = {"metrics": ["IDBasedContextPrecision", "IDBasedContextRecall"]}
    if llm is None or scored is None:
        return {"offline": offline, "llm": None}
    return {
        "offline": offline,
        "llm": {
            "model": scored.model,
            "base_url": llm.base_url,
            "metrics": ["Faithfulness", "AnswerRelevancy"],
            "turns": scored.tried,
            "failed": scored.failed,
            "error": scored.error,
        },
    }


def _notes(llm: LlmEndpoint | None, scored: LlmScores | None) -> dict[str, str]:
    if llm is None or scored is None or scored.error is None or scored.scores:
        return {}
    why = f"the LLM endpoint failed on every turn ({scored.error})"
    return {"faithfulness": why, "response_relevancy": why}


def evaluate(
    suite: Suite,
    bot: Bot,
    *,
    jobs: int = 1,
    on_progress: Progress | None = None,
    llm: LlmEndpoint | None = None,
    baseline: Baseline | None = None,
    today: datetime.date | None = None,
    judge: UrgencyJudge | None = None,
) -> Evaluation:
    """Run `suite` against `bot` and build the report (see `eval.report`)."""
    prefetch()
    started = datetime.datetime.now(datetime.UTC)
    clock = time.perf_counter()
    results = run_suite(suite, bot, jobs=jobs, on_progress=on_progress, judge=judge)
    run_seconds = time.perf_counter() - clock
    scores = offline_scores(points_of(results))
    scored = llm_scores(points_of(results), llm, bot.encoder, bot.base) if llm else None
    for key, values in (scored.scores if scored else {}).items():
        scores.setdefault(key, {}).update(values)
    points = points_of(results, scores)
    metrics = compute_metrics(results, points)
    report = to_json(suite, results, scores)
    diff = (
        compare_with_baseline(baseline, report["cases"], metrics["overall"]) if baseline else None
    )
    gate = None
    if suite.gate is not None:
        regressions = len(diff["regressions"]) if diff is not None else None
        gate = apply_gate(suite.gate, metrics, regressions=regressions, notes=_notes(llm, scored))
    t = bot.thresholds
    if diff is not None and baseline is not None:
        diff["thresholds"] = threshold_moves(baseline, thresholds_json(t), report["cases"])
    report |= {
        "answers": str(bot.base.path),
        "thresholds": thresholds_json(t),
        "metrics": metrics,
        "ragas": _ragas_json(llm, scored),
        "confusions": confusions(points),
        "gaps": gaps(bot.base, bot.retriever, points, today or datetime.date.today()),
        "gate": gate.to_json() if gate is not None else None,
        "baseline": diff,
        "run": {
            "started": started.isoformat(timespec="seconds"),
            "jobs": jobs,
            "run_seconds": round(run_seconds, 2),
            "seconds": round(time.perf_counter() - clock, 2),
        },
    }
    return Evaluation(report, gate, scored)
