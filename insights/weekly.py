"""The weekly report: built for the week before each Monday 07:00 in the base's time zone,
kept in `sent_reports` until it is sent, and sent once by e-mail (HTML and plain text) over
SMTP with STARTTLS and login (`conversations.mail`, the transport the e-mail channel uses too).

`do_weekly_report` is one round: the server calls it every minute (and once on start, so a
Monday missed while it was down is sent when it comes back). A week has one row: the report
is built once and kept; a process claims the row before sending (`sending` until
`claimed_until`), so two processes never send it both; a failed try leaves it `pending` with
the reason and the time of the next try. Only the most recent due week is sent: after a
month down, the last week's report goes out, not four.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from conversations.mail import MailNotSent, MailSettings, send_mail
from conversations.storage import Database
from insights.errors import ReportNotSent
from insights.period import Period, base_timezone
from insights.report import get_report, report_html, report_text
from insights.tables import SentReport
from insights.texts import report_language, say
from knowledge import AnswerBase

__all__ = [
    "REPORT_HOUR",
    "MailSettings",
    "WeeklyOutcome",
    "do_weekly_report",
    "due_week",
    "get_sent_reports",
    "send_report",
]

log = logging.getLogger(__name__)

REPORT_HOUR = 7  # Monday at 07:00 in the base's time zone
CLAIM = dt.timedelta(minutes=10)  # a sending process holds the week this long
GapsFor = Callable[[Period], Awaitable[Sequence[Mapping[str, Any]] | None]]


@dataclass(frozen=True)
class WeeklyOutcome:
    """What one round did for `week` (its Monday): `sent`, `already_sent`, `busy` (another
    process holds it, or the next try is later), or `failed` (with `error`)."""

    week: dt.date
    result: str
    error: str | None = None


def due_week(now: dt.datetime, timezone: str) -> Period:
    """The week whose report is due at `now`: the Monday–Sunday before the latest Monday
    07:00 (local) at or before `now`."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = local.date() - dt.timedelta(days=local.weekday())
    if local < dt.datetime.combine(monday, dt.time(REPORT_HOUR), local.tzinfo):
        monday -= dt.timedelta(days=7)
    start = monday - dt.timedelta(days=7)
    return Period(start, start + dt.timedelta(days=6), timezone)


def _message(
    mail: MailSettings,
    recipients: Sequence[str],
    data: Mapping[str, Any],
    name: str,
    lang: str = "en",
) -> EmailMessage:
    period = data["period"]
    week = dt.date.fromisoformat(period["from"]).isocalendar().week
    message = EmailMessage()
    message["Subject"] = say(
        "subject", lang, name=name, week=week, start=period["from"], end=period["to"]
    )
    message["From"] = mail.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    domain = mail.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<samsvar-weekly-{period['from']}@{domain}>"  # the same on a retry
    message.set_content(report_text(data, name, lang))
    message.add_alternative(report_html(data, name, lang), subtype="html")
    message["Content-Language"] = lang  # (after the parts: set_content drops Content-*)
    return message


def send_report(
    mail: MailSettings,
    recipients: Sequence[str],
    data: Mapping[str, Any],
    name: str,
    lang: str = "en",
) -> None:
    """Send the report (blocking: call it in a thread). Raises ReportNotSent saying what
    failed: the connection, STARTTLS, the login, or the server's refusal."""
    message = _message(mail, recipients, data, name, lang)
    try:
        refused = send_mail(mail, message, "the report")
    except MailNotSent as exc:
        raise ReportNotSent(exc.message) from exc
    if refused:
        log.warning("the weekly report was not delivered to %s", ", ".join(refused))


async def do_weekly_report(
    db: Database,
    base: AnswerBase,
    now: dt.datetime,
    recipients: Sequence[str],
    mail: MailSettings,
    *,
    retry: dt.timedelta = dt.timedelta(minutes=15),
    gaps_for: GapsFor | None = None,
    language: str | None = None,
) -> WeeklyOutcome:
    """One round: build the due week's report if it is not kept yet, claim it, send it. The
    e-mail is written in `language` (`CHAT_REPORT_LANGUAGE`), by default the base's default
    language (nb, nn, sv, da, fi or en; English for another)."""
    period = due_week(now, base_timezone(base))
    week = period.start
    row = await _kept(db, week)
    if row is None:
        gaps = await gaps_for(period) if gaps_for is not None else None
        data = await get_report(db, base, period, gaps=gaps, now=now)
        row = await _keep(db, week, list(recipients), data, now)
    if row.status == "sent":
        return WeeklyOutcome(week, "already_sent")
    if not await _claim(db, week, now):
        return WeeklyOutcome(week, "busy")
    try:
        lang = report_language(language, base.config.default_language)
        await asyncio.to_thread(
            send_report, mail, row.recipients, row.report, base.config.name, lang
        )
    except ReportNotSent as exc:
        later = now + retry
        await _update(db, week, status="pending", error=exc.message, claimed_until=later)
        log.warning(
            "the weekly report of %s – %s was not sent (try %d): %s; the next try is at %s UTC",
            period.start,
            period.end,
            row.attempts + 1,
            exc.message,
            later.strftime("%Y-%m-%d %H:%M"),
        )
        return WeeklyOutcome(week, "failed", exc.message)
    await _update(db, week, status="sent", error=None, sent_at=now, claimed_until=None)
    log.info(
        "the weekly report of %s – %s was sent to %d recipient(s)",
        period.start,
        period.end,
        len(row.recipients),
    )
    return WeeklyOutcome(week, "sent")


async def _kept(db: Database, week: dt.date) -> SentReport | None:
    async with db.reading() as session:
        return await session.get(SentReport, week)


async def _keep(
    db: Database, week: dt.date, recipients: list[str], data: dict[str, Any], now: dt.datetime
) -> SentReport:
    """Keep the built report (or the one another process kept first)."""
    try:
        async with db.writing() as session, session.begin():
            row = SentReport(
                week=week,
                status="pending",
                recipients=recipients,
                report=data,
                attempts=0,
                created_at=now,
            )
            session.add(row)
        return row
    except IntegrityError:
        kept = await _kept(db, week)
        assert kept is not None
        return kept


async def _claim(db: Database, week: dt.date, now: dt.datetime) -> bool:
    """Take the week for sending: it is pending and its next try is due, or a sending
    process's claim ran out. True when this process has it."""
    async with db.writing() as session, session.begin():
        done = await session.execute(
            update(SentReport)
            .where(
                SentReport.week == week,
                SentReport.status != "sent",
                or_(SentReport.claimed_until.is_(None), SentReport.claimed_until <= now),
            )
            .values(status="sending", claimed_until=now + CLAIM, attempts=SentReport.attempts + 1)
        )
    return bool(getattr(done, "rowcount", 0) == 1)


async def _update(db: Database, week: dt.date, **values: Any) -> None:
    async with db.writing() as session, session.begin():
        await session.execute(update(SentReport).where(SentReport.week == week).values(**values))


async def get_sent_reports(db: Database) -> list[SentReport]:
    """Every kept weekly report, the newest week first."""
    async with db.reading() as session:
        return list(
            (await session.scalars(select(SentReport).order_by(SentReport.week.desc()))).all()
        )
