"""The public face of the eval package."""

from __future__ import annotations

import subprocess
import sys

import pytest

import eval as eval_package
from eval import (
    DECISIONS,
    URGENCIES,
    BaselineInvalid,
    EvalError,
    OutputExists,
    RunFailed,
    SuiteInvalid,
)

EXPECTED_ALL = [
    "DECISIONS",
    "GATE_KEYS",
    "NEAR_DUPLICATE",
    "SCORE_NAMES",
    "URGENCIES",
    "Baseline",
    "BaselineInvalid",
    "Case",
    "CaseResult",
    "EvalError",
    "Evaluation",
    "Expect",
    "Gate",
    "GateCheck",
    "GateResult",
    "GeneratedSuite",
    "Limit",
    "LlmEndpoint",
    "LlmScores",
    "OutputExists",
    "Point",
    "RunFailed",
    "Suite",
    "SuiteInvalid",
    "Turn",
    "TurnResult",
    "apply_gate",
    "case_json",
    "check_suite_against",
    "compare_with_baseline",
    "compute_metrics",
    "confusions",
    "cpu_count",
    "do_write_text",
    "evaluate",
    "gaps",
    "generate_suite",
    "held_out_groups",
    "llm_scores",
    "load_baseline",
    "load_suite",
    "near_duplicates",
    "offline_scores",
    "points_of",
    "render_html",
    "run_suite",
    "shown_ids",
    "summary_lines",
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


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SuiteInvalid(["x"]), "suite_invalid"),
        (BaselineInvalid("x"), "baseline_invalid"),
        (OutputExists("x"), "output_exists"),
        (RunFailed("x"), "run_failed"),
    ],
)
def test_every_error_is_an_eval_error_with_a_stable_code(error: EvalError, code: str) -> None:
    assert isinstance(error, EvalError)
    assert error.code == code


def test_decisions_a_case_may_expect_besides_an_answer_id() -> None:
    assert set(DECISIONS) == {"abstain", "handoff", "clarify", "collect"}
    assert URGENCIES == ("low", "normal", "high", "urgent")


def test_importing_eval_does_not_import_ragas_and_turns_its_telemetry_off() -> None:
    code = "import os, sys, eval; print('ragas' in sys.modules, os.environ['RAGAS_DO_NOT_TRACK'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "true"]
