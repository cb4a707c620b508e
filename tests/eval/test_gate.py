"""The gate: each limit against the metrics, and a metric it cannot see fails with a reason."""

from __future__ import annotations

from eval import Gate, Limit, apply_gate

METRICS = {
    "overall": {
        "accuracy": 0.92,
        "wrong_answer_rate": 0.03,
        "abstain_recall": None,
        "p95_ms": 120.0,
        "faithfulness": None,
    },
    "languages": {"nb": {"accuracy": 0.95}, "fi": {"accuracy": 0.7}},
}


def test_minimums_and_maximums() -> None:
    gate = Gate(
        (Limit("min_accuracy", 0.9), Limit("max_wrong_answer_rate", 0.02), Limit("max_p95_ms", 200))
    )
    result = apply_gate(gate, METRICS)
    assert [c.passed for c in result.checks] == [True, False, True]
    assert not result.passed
    assert [c.key for c in result.failed] == ["max_wrong_answer_rate"]
    assert result.checks[1].reason == "wrong_answer_rate 0.03 is not <= 0.02"
    assert result.checks[0].reason == "accuracy 0.92 >= 0.9"


def test_a_limit_equal_to_the_value_passes() -> None:
    assert apply_gate(Gate((Limit("min_accuracy", 0.92),)), METRICS).passed
    assert apply_gate(Gate((Limit("max_wrong_answer_rate", 0.03),)), METRICS).passed


def test_per_language_limits_check_every_language() -> None:
    result = apply_gate(Gate((Limit("min_accuracy", 0.8, per_language=True),)), METRICS)
    assert [(c.scope, c.passed) for c in result.checks] == [("fi", False), ("nb", True)]


def test_what_was_not_measured_fails_and_says_why() -> None:
    gate = Gate(
        (
            Limit("min_abstain_recall", 0.9),
            Limit("min_faithfulness", 0.8),
            Limit("max_regressions", 0),
        )
    )
    checks = apply_gate(gate, METRICS).checks
    assert [c.passed for c in checks] == [False, False, False]
    assert checks[0].reason == "not measured: no case expects abstain"
    assert checks[1].reason == "not measured: no LLM endpoint is configured (CHAT_LLM_BASE_URL)"
    assert checks[2].reason == "not measured: no --baseline report was given"
    noted = apply_gate(
        Gate((Limit("min_faithfulness", 0.8),)), METRICS, notes={"faithfulness": "down"}
    )
    assert noted.checks[0].reason == "not measured: down"


def test_regressions_come_from_the_baseline() -> None:
    gate = Gate((Limit("max_regressions", 0),))
    assert apply_gate(gate, METRICS, regressions=0).passed
    failed = apply_gate(gate, METRICS, regressions=2)
    assert failed.checks[0].reason == "regressions 2 is not <= 0"
    assert failed.to_json() == {
        "passed": False,
        "checks": [
            {
                "key": "max_regressions",
                "metric": "regressions",
                "scope": "all",
                "threshold": 0,
                "value": 2.0,
                "passed": False,
                "reason": "regressions 2 is not <= 0",
            }
        ],
    }
