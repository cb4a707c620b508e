"""Insights: the figures, the gaps and the reports over what `conversations` stored, and the
weekly report's schedule and sending (docs/insights.md)."""

from insights.actions import DRAFTS, do_assign_questions, do_write_draft, draft_id
from insights.errors import (
    BadPeriod,
    DraftExists,
    InsightsError,
    ReportNotSent,
    UnknownFilter,
    UnknownGap,
)
from insights.figures import DECISIONS, Figures, HandoffFigures, get_figures, percentile
from insights.gaps import (
    MAX_GAPS,
    THRESHOLD,
    Gap,
    GapQuestion,
    cluster,
    find_gaps,
    gap_json,
    get_gap_questions,
    get_gaps,
)
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
from insights.rollup import Rollup, fill_rollup, read_rollup
from insights.tables import SentReport
from insights.vectors import VectorCache
from insights.weekly import (
    REPORT_HOUR,
    MailSettings,
    WeeklyOutcome,
    do_weekly_report,
    due_week,
    get_sent_reports,
    send_report,
)

__all__ = [
    "DECISIONS",
    "DRAFTS",
    "MAX_DAYS",
    "MAX_GAPS",
    "REPORT_HOUR",
    "THRESHOLD",
    "BadPeriod",
    "DraftExists",
    "Figures",
    "Filters",
    "Gap",
    "GapQuestion",
    "HandoffFigures",
    "InsightsError",
    "MailSettings",
    "Period",
    "ReportNotSent",
    "Rollup",
    "SentReport",
    "UnknownFilter",
    "UnknownGap",
    "VectorCache",
    "WeeklyOutcome",
    "base_timezone",
    "check_filters",
    "check_period",
    "cluster",
    "do_assign_questions",
    "do_weekly_report",
    "do_write_draft",
    "draft_id",
    "due_week",
    "fill_rollup",
    "find_gaps",
    "gap_json",
    "get_figures",
    "get_gap_questions",
    "get_gaps",
    "get_report",
    "get_review_due",
    "get_sent_reports",
    "get_top_questions",
    "parse_date",
    "percentile",
    "read_rollup",
    "report_html",
    "report_json",
    "report_text",
    "send_report",
    "write_csv",
]
