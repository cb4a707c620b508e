"""Evaluation suites: loading, running, and the documented JSON."""

from eval.errors import EvalError, SuiteInvalid
from eval.runner import CaseResult, run_suite, to_json
from eval.suite import DECISIONS, Case, Suite, check_suite_against, load_suite

__all__ = [
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
