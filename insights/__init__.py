"""Insights: the figures, the gaps and the reports over what `conversations` stored, and the
weekly report's schedule and sending (docs/insights.md)."""

from insights.errors import (
    BadPeriod,
    DraftExists,
    InsightsError,
    ReportNotSent,
    UnknownFilter,
    UnknownGap,
)
from insights.figures import DECISIONS, Figures, HandoffFigures, get_figures, percentile
from insights.period import (
    MAX_DAYS,
    Filters,
    Period,
    base_timezone,
    check_filters,
    check_period,
    parse_date,
)
from insights.report import (
    get_report,
    get_review_due,
    get_top_questions,
    report_html,
    report_json,
    report_text,
    write_csv,
)
from insights.tables import SentReport

__all__ = [
    "DECISIONS",
    "MAX_DAYS",
    "BadPeriod",
    "DraftExists",
    "Figures",
    "Filters",
    "HandoffFigures",
    "InsightsError",
    "Period",
    "ReportNotSent",
    "SentReport",
    "UnknownFilter",
    "UnknownGap",
    "base_timezone",
    "check_filters",
    "check_period",
    "get_figures",
    "get_report",
    "get_review_due",
    "get_top_questions",
    "parse_date",
    "percentile",
    "report_html",
    "report_json",
    "report_text",
    "write_csv",
]
