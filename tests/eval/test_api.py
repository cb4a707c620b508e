"""The public face of the eval package."""

from __future__ import annotations

import eval as eval_package
from eval import DECISIONS, EvalError, SuiteInvalid

EXPECTED_ALL = [
    "DECISIONS",
    "Case",
    "CaseResult",
    "EvalError",
    "Suite",
    "SuiteInvalid",
    "check_suite_against",
    "load_suite",
    "run_suite",
    "to_json",
]


def test_all_is_exact() -> None:
    assert sorted(eval_package.__all__) == sorted(EXPECTED_ALL)
    for name in eval_package.__all__:
        assert hasattr(eval_package, name), name


def test_suite_invalid_lists_every_problem() -> None:
    error = SuiteInvalid(["a.yaml:3: cases: one", "a.yaml:7: cases[1].ask: two"])
    assert isinstance(error, EvalError)
    assert error.problems == ["a.yaml:3: cases: one", "a.yaml:7: cases[1].ask: two"]
    assert "a.yaml:3: cases: one" in str(error)
    assert "a.yaml:7: cases[1].ask: two" in str(error)


def test_decisions_a_case_may_expect_besides_an_answer_id() -> None:
    assert set(DECISIONS) == {"abstain", "handoff", "clarify"}
