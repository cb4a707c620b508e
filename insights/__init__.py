"""Insights: the figures, the gaps and the reports over what `conversations` stored, and the
weekly report's schedule and sending (docs/insights.md).

The names are imported when first used (PEP 562): `samsvar report` needs the figures,
not the gaps' numpy or the weekly mail, and starts in a fraction of a second."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from insights.actions import (
        DRAFTS,
        do_assign_questions,
        do_write_draft,
        draft_id,
    )
    from insights.errors import (
        BadPeriod,
        DraftExists,
        InsightsError,
        ReportNotSent,
        UnknownFilter,
        UnknownGap,
    )
    from insights.figures import (
        DECISIONS,
        Figures,
        HandoffFigures,
        get_figures,
        percentile,
    )
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
        get_stored_vectors,
        question_vectors,
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
    from insights.rollup import (
        Rollup,
        fill_rollup,
        read_rollup,
    )
    from insights.tables import (
        SentReport,
    )
    from insights.vectors import (
        VectorCache,
        forget_vectors,
    )
    from insights.weekly import (
        REPORT_HOUR,
        MailSettings,
        WeeklyOutcome,
        do_weekly_report,
        due_week,
        get_sent_reports,
        send_report,
    )

_WHERE = {
    "DRAFTS": "insights.actions",
    "do_assign_questions": "insights.actions",
    "do_write_draft": "insights.actions",
    "draft_id": "insights.actions",
    "BadPeriod": "insights.errors",
    "DraftExists": "insights.errors",
    "InsightsError": "insights.errors",
    "ReportNotSent": "insights.errors",
    "UnknownFilter": "insights.errors",
    "UnknownGap": "insights.errors",
    "DECISIONS": "insights.figures",
    "Figures": "insights.figures",
    "HandoffFigures": "insights.figures",
    "get_figures": "insights.figures",
    "percentile": "insights.figures",
    "MAX_GAPS": "insights.gaps",
    "THRESHOLD": "insights.gaps",
    "Gap": "insights.gaps",
    "GapQuestion": "insights.gaps",
    "cluster": "insights.gaps",
    "find_gaps": "insights.gaps",
    "gap_json": "insights.gaps",
    "get_gap_questions": "insights.gaps",
    "get_gaps": "insights.gaps",
    "get_stored_vectors": "insights.gaps",
    "question_vectors": "insights.gaps",
    "MAX_DAYS": "insights.period",
    "Filters": "insights.period",
    "Period": "insights.period",
    "base_timezone": "insights.period",
    "check_filters": "insights.period",
    "check_period": "insights.period",
    "parse_date": "insights.period",
    "get_report": "insights.report",
    "get_review_due": "insights.report",
    "get_top_questions": "insights.report",
    "report_html": "insights.report",
    "report_json": "insights.report",
    "report_text": "insights.report",
    "write_csv": "insights.report",
    "Rollup": "insights.rollup",
    "fill_rollup": "insights.rollup",
    "read_rollup": "insights.rollup",
    "SentReport": "insights.tables",
    "VectorCache": "insights.vectors",
    "forget_vectors": "insights.vectors",
    "REPORT_HOUR": "insights.weekly",
    "MailSettings": "insights.weekly",
    "WeeklyOutcome": "insights.weekly",
    "do_weekly_report": "insights.weekly",
    "due_week": "insights.weekly",
    "get_sent_reports": "insights.weekly",
    "send_report": "insights.weekly",
}

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
    "forget_vectors",
    "gap_json",
    "get_figures",
    "get_gap_questions",
    "get_gaps",
    "get_report",
    "get_review_due",
    "get_sent_reports",
    "get_stored_vectors",
    "get_top_questions",
    "parse_date",
    "percentile",
    "question_vectors",
    "read_rollup",
    "report_html",
    "report_json",
    "report_text",
    "send_report",
    "write_csv",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'insights' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
