"""Evaluation suites: loading, running, metrics (with ragas), analysis, reports and the gate.

`evaluate(suite, bot, …)` does a whole run; the other names are its parts.
"""

from eval.actions import do_write_text
from eval.analysis import NEAR_DUPLICATE, confusions, gaps, near_duplicates
from eval.baseline import Baseline, compare_with_baseline, load_baseline
from eval.errors import BaselineInvalid, EvalError, OutputExists, RunFailed, SuiteInvalid
from eval.evaluation import Evaluation, evaluate
from eval.gate import GATE_KEYS, Gate, GateCheck, GateResult, Limit, apply_gate
from eval.generate import GeneratedSuite, generate_suite
from eval.html_report import render_html
from eval.metrics import SCORE_NAMES, Point, compute_metrics, points_of
from eval.report import case_json, to_json
from eval.runner import CaseResult, TurnResult, cpu_count, held_out_groups, run_suite
from eval.scores import LlmEndpoint, LlmScores, llm_scores, offline_scores, shown_ids
from eval.suite import (
    DECISIONS,
    URGENCIES,
    Case,
    Expect,
    Suite,
    Turn,
    check_suite_against,
    load_suite,
)
from eval.summary import summary_lines

__all__ = [
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
