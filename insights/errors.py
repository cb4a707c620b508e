"""Errors of the insights package: each carries a stable `code`, never an HTTP status.

Tree::

    InsightsError
    ├── BadPeriod          bad_period: an end before the start, a period too long, a bad date
    ├── UnknownFilter      unknown_answer / unknown_team / unknown_language / unknown_channel
    ├── UnknownGap         unknown_gap: a gap number the last listing does not have
    ├── DraftExists        draft_exists: a draft (or an answer) with that id is already there
    └── ReportNotSent      report_not_sent: the SMTP server refused the report or was unreachable
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadPeriod",
    "DraftExists",
    "InsightsError",
    "ReportNotSent",
    "UnknownFilter",
    "UnknownGap",
]


class InsightsError(Exception):
    """Base class of every error of the insights package."""

    code: ClassVar[str] = "insights_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]


class BadPeriod(InsightsError):
    code = "bad_period"


class UnknownFilter(InsightsError):
    code = "unknown_filter"


class UnknownGap(InsightsError):
    code = "unknown_gap"


class DraftExists(InsightsError):
    code = "draft_exists"


class ReportNotSent(InsightsError):
    code = "report_not_sent"
