"""Metrics on hand-made results whose values are worked out by hand."""

from __future__ import annotations

import pytest

from eval import compute_metrics, points_of
from tests.eval.outcomes import abstain, clarify, reply, result

# Six cases, worked out by hand:
#   q1 expects returns, answered returns (ranked 1st)                    pass
#   q2 expects returns, answered refund-time, returns ranked 2nd         wrong answer
#   q3 expects order-tracking, abstained, ranked 3rd                     miss
#   q4 expects abstain, abstained                                        pass
#   q5 expects abstain, answered warranty                                wrong answer
#   q6 expects clarify, clarified; returns not ranked                    pass
RESULTS = [
    result("q1", "returns", reply("returns", "refund-time")),
    result("q2", "returns", reply("refund-time", "returns", lang="sv"), lang="sv"),
    result("q3", "order-tracking", abstain("missing-package", "returns", "order-tracking")),
    result("q4", "abstain", abstain("warranty")),
    result("q5", "abstain", reply("warranty", lang="en")),
    result("q6", "clarify", clarify("returns", "exchange", "refund-time")),
]


@pytest.fixture(scope="module")
def metrics() -> dict:
    return compute_metrics(RESULTS, points_of(RESULTS))


def test_overall_values(metrics: dict) -> None:
    o = metrics["overall"]
    assert (o["cases"], o["cases_passed"], o["points"], o["passed"]) == (6, 3, 6, 3)
    assert o["pass_rate"] == o["accuracy"] == 0.5
    assert o["hit_at_1"] == pytest.approx(1 / 3, abs=1e-4)  # q1 of q1–q3
    assert o["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3, abs=1e-4)
    assert o["wrong_answer_rate"] == pytest.approx(2 / 6, abs=1e-4)  # q2, q5
    assert o["abstain_precision"] == 0.5  # abstained on q3, q4; q4 expected it
    assert o["abstain_recall"] == 0.5  # q4 of q4, q5
    assert o["decisions"] == {"abstain": 2, "answer": 3, "clarify": 1}
    assert (o["p50_ms"], o["p95_ms"], o["max_ms"]) == (10.0, 10.0, 10.0)
    assert o["context_precision"] is None  # no ragas scores were given


def test_per_language(metrics: dict) -> None:
    langs = metrics["languages"]
    assert sorted(langs) == ["en", "nb", "sv"]
    assert (langs["sv"]["points"], langs["sv"]["accuracy"], langs["sv"]["hit_at_1"]) == (
        1,
        0.0,
        0.0,
    )
    assert langs["sv"]["mrr"] == 0.5
    assert (langs["en"]["abstain_recall"], langs["en"]["abstain_precision"]) == (0.0, None)
    assert langs["nb"]["points"] == 4


def test_per_answer(metrics: dict) -> None:
    answers = metrics["answers"]
    assert answers["returns"]["points"] == 2
    assert answers["returns"]["accuracy"] == 0.5
    assert answers["returns"]["hit_at_1"] == 0.5
    assert answers["order-tracking"]["mrr"] == pytest.approx(1 / 3, abs=1e-4)
    assert answers["refund-time"] == answers["refund-time"] | {"points": 0, "given_wrongly": 1}
    assert answers["warranty"]["given_wrongly"] == 1
    assert "abstain" not in answers and "clarify" not in answers


def test_ragas_scores_are_averaged_where_measured() -> None:
    scores = {("q1", 0): {"context_precision": 1.0}, ("q2", 0): {"context_precision": 0.0}}
    overall = compute_metrics(RESULTS, points_of(RESULTS, scores))["overall"]
    assert overall["context_precision"] == 0.5
    assert overall["context_recall"] is None


def test_latency_percentiles() -> None:
    results = [result(f"q{i}", "abstain", abstain(ms=float(i))) for i in range(1, 101)]
    o = compute_metrics(results, points_of(results))["overall"]
    assert (o["p50_ms"], o["p95_ms"], o["max_ms"]) == (50.5, 95.05, 100.0)
