"""The tables of insights: the weekly reports, each kept until it is sent; the rollup of
closed hours.

It shares the declarative base and time type of every other table (`handoff.tables.Base`,
`UtcDateTime`), so `app`'s Alembic migrates it with the rest (migration 0009).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base

__all__ = [
    "InsightContact",
    "InsightHour",
    "InsightRollup",
    "InsightVisit",
    "SentReport",
]


class SentReport(Base):
    """The weekly report of one week (`week`: its Monday, in the base's time zone): built
    once and kept (`report`), sent once. `status` is `pending` (built, not yet sent or last
    try failed: `error` says why, `attempts` how often), `sending` (a process holds it until
    `claimed_until`) or `sent` (`sent_at`). One row per week: a second process or a restart
    finds it and never sends the week twice."""

    __tablename__ = "sent_reports"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


# --- the rollup of closed hours (decision 0101, migration 0010) -----------------------------
#
# An hour is text 'YYYY-MM-DD HH' (UTC), the same on every database and ordered as text; ''
# stands for "none" in a key (a first question, a first visit, no answer).


class InsightHour(Base):
    """Typed questions (`inquiries.kind = 'text'`) of one closed UTC hour (`span` `h`), day
    (`d`) or month (`m`), counted per decision, language, channel and answer (`''`: none);
    `hour` is the span's first hour. The days and months are sums of the hours, so that a
    year's totals read a few thousand rows; `t` rows are an hour's totals per decision
    (language, channel and answer `''`), for the figures by hour without a filter."""

    __tablename__ = "insight_hours"

    span: Mapped[str] = mapped_column(String(1), primary_key=True)
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    decision: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    answer_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    inquiries: Mapped[int] = mapped_column(Integer)


class InsightContact(Base):
    """Questions of one closed hour counted by the hour of the conversation's previous
    question (`prev_hour`, `''` for a first question or a conversation that was erased):
    `kind` `any` counts every question, `answer` the answered ones against the previous
    answered one. A conversation is in a period once: at its first question there, the one
    whose previous question is before the period. Rows whose previous question is in the
    same hour are left out (they never start a period's conversation)."""

    __tablename__ = "insight_contacts"

    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    prev_hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    contacts: Mapped[int] = mapped_column(Integer)


class InsightVisit(Base):
    """Conversations started in one closed hour, by the hour their visitor's previous
    conversation started (`''`: the visitor's first) and whether that previous one was the
    visitor's first (`second`)."""

    __tablename__ = "insight_visits"

    hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    prev_hour: Mapped[str] = mapped_column(String(13), primary_key=True)
    second: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer)


class InsightRollup(Base):
    """How far the rollup reaches: every hour before `through` ('YYYY-MM-DD HH') is in it."""

    __tablename__ = "insight_rollup"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    through: Mapped[str] = mapped_column(String(13))
    updated_at: Mapped[dt.datetime]
    # the newest inquiry id seen by a fill: a later id stamped before `through` arrived late
    last_id: Mapped[int] = mapped_column(default=0, server_default="0")
