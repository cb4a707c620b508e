"""Evaluation suites: loading, running, metrics (with ragas), analysis, reports and the gate."""

from eval.errors import BaselineInvalid, EvalError, OutputExists, RunFailed, SuiteInvalid
from eval.gate import Gate, GateCheck, GateResult, Limit, apply_gate
from eval.runner import CaseResult, TurnResult, held_out_groups, run_suite
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

__all__ = [
    "DECISIONS",
    "URGENCIES",
    "BaselineInvalid",
    "Case",
    "CaseResult",
    "EvalError",
    "Expect",
    "Gate",
    "GateCheck",
    "GateResult",
    "Limit",
    "OutputExists",
    "RunFailed",
    "Suite",
    "SuiteInvalid",
    "Turn",
    "TurnResult",
    "apply_gate",
    "check_suite_against",
    "held_out_groups",
    "load_suite",
    "run_suite",
]
