"""Errors raised by the eval package. Each has a stable `code` for clients.

Tree::

    EvalError
    ├── SuiteInvalid        the suite file has errors (.problems lists each with file and line)
    ├── BaselineInvalid     the --baseline file is not a report that `samsvar eval` wrote
    ├── OutputExists        a file would be overwritten without being asked to
    └── RunFailed           a worker process died, or the base changed under a running suite
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BaselineInvalid", "EvalError", "OutputExists", "RunFailed", "SuiteInvalid"]


class EvalError(Exception):
    """Base class of every error of the eval package."""

    code = "eval_error"


class SuiteInvalid(EvalError):
    """The suite cannot be run; every problem is listed as 'file:line: field: message'."""

    code = "suite_invalid"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("the suite is invalid:\n" + "\n".join(f"  {p}" for p in self.problems))


class BaselineInvalid(EvalError):
    """The baseline report cannot be read or is not a suite report."""

    code = "baseline_invalid"


class OutputExists(EvalError):
    """The output file exists and overwriting was not asked for."""

    code = "output_exists"


class RunFailed(EvalError):
    """The run could not finish (a worker process failed, or the base changed meanwhile)."""

    code = "run_failed"
