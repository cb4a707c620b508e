"""The one table of insights: the weekly reports, each kept until it is sent.

It shares the declarative base and time type of every other table (`handoff.tables.Base`,
`UtcDateTime`), so `app`'s Alembic migrates it with the rest (migration 0009).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base

__all__ = ["SentReport"]


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
