"""Expressions that differ between SQLite and PostgreSQL, and the inquiry filter."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement as Column

from conversations.storage import Inquiry
from insights.period import Filters, team_answers
from knowledge import AnswerBase

__all__ = ["hour_bucket", "inquiry_filter", "parse_hour", "seconds_between"]


def hour_bucket(dialect: str, column: Any) -> ColumnElement[str]:
    """The UTC hour of a stored time as text 'YYYY-MM-DD HH' (times are stored as UTC)."""
    if dialect == "sqlite":
        return func.substr(column, 1, 13)
    return func.to_char(func.timezone("UTC", column), literal("YYYY-MM-DD HH24"))


def parse_hour(bucket: str) -> dt.datetime:
    """The UTC hour of an `hour_bucket` ('YYYY-MM-DD HH'); raises ValueError for another
    text. `fromisoformat` (C) instead of `strptime`: a year's report parses tens of
    thousands of them."""
    text = bucket[:13]
    if len(text) != 13 or text[10] != " ":
        raise ValueError(f"not an hour bucket: {bucket!r}")
    return dt.datetime.fromisoformat(text + ":00").replace(tzinfo=dt.UTC)


def seconds_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[float]:
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(ColumnElement[float], func.extract("epoch", later - earlier))


def inquiry_filter(
    start: dt.datetime, end: dt.datetime, filters: Filters, base: AnswerBase
) -> list[Column[bool]]:
    """The conditions for the inquiries that count: the visitors' typed questions (not their
    clicks) in [start, end) that pass the filters."""
    conditions: list[Column[bool]] = [
        Inquiry.created_at >= start,
        Inquiry.created_at < end,
        Inquiry.kind == "text",
    ]
    if filters.channel is not None:
        conditions.append(Inquiry.channel == filters.channel)
    if filters.language is not None:
        conditions.append(Inquiry.language == filters.language)
    if filters.answer_id is not None:
        conditions.append(Inquiry.answer_id == filters.answer_id)
    if filters.team is not None:
        ids, unanswered = team_answers(base, filters.team)
        either: list[Column[bool]] = [Inquiry.answer_id.in_(ids)] if ids else []
        if unanswered:
            either.append(Inquiry.answer_id.is_(None))
        conditions.append(or_(*either) if either else and_(literal(False)))
    return conditions
