"""The rollup of closed hours: the counts a report needs per UTC hour, so that a year is
thousands of rows to read instead of a million (decision 0101).

Three tables (migration 0010), written for every hour that ended at least `MARGIN` ago:

- `insight_hours`: typed questions per hour × decision × language × channel × answer;
- `insight_contacts`: questions per hour × the hour of the conversation's previous question
  (for all questions, and for the answered ones against the previous answered one): the
  conversations of a period are its questions whose previous one is before the period;
- `insight_visits`: conversations started per hour × the hour of the visitor's previous
  conversation, and whether that one was the visitor's first: the period's visitors and the
  returning ones.

`fill_rollup` brings it up to date in one writing transaction (idempotent: the hours it
writes are deleted first, and the mark `insight_rollup.through` moves only forwards). A
report calls it before reading (a missing or late rollup is filled then), and the server's
minute loop calls it too, so that hours are written as they close. The margin keeps out the
last minutes, where a question stamped before the hour ended may still be committing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.storage import Conversation, Database, Inquiry
from insights._sql import hour_bucket
from insights.period import Filters, team_answers
from insights.tables import InsightContact, InsightHour, InsightRollup, InsightVisit
from knowledge import AnswerBase

__all__ = [
    "MARGIN",
    "Rollup",
    "fill_rollup",
    "hour_text",
    "read_rollup",
    "rolled_contacts",
    "rolled_groups",
    "rolled_hours",
    "rolled_visits",
    "spans",
]

log = logging.getLogger(__name__)

MARGIN = dt.timedelta(minutes=15)  # an hour is rolled up once it ended this long ago
NAME = "hours"
NONE = ""  # "no previous one" in the rollup's keys


def hour_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H")


def parse_hour_text(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=dt.UTC)


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _floor_day(moment: dt.datetime) -> dt.datetime:
    return floor_hour(moment).replace(hour=0)


def _floor_month(moment: dt.datetime) -> dt.datetime:
    return _floor_day(moment).replace(day=1)


def spans(start: dt.datetime, end: dt.datetime) -> list[tuple[str, str, str]]:
    """[start, end) (whole UTC hours) as the fewest rollup spans: (span, first key, key
    after the last), months inside, then days, then hours at the edges."""
    out: list[tuple[str, str, str]] = []

    def add(span: str, lo: dt.datetime, hi: dt.datetime) -> None:
        if lo < hi:
            out.append((span, hour_text(lo), hour_text(hi)))

    day_lo = _floor_day(start) if _floor_day(start) == start else _floor_day(start) + DAY
    day_hi = _floor_day(end)
    if day_lo >= day_hi:
        add("h", start, end)
        return out
    add("h", start, day_lo)
    add("h", day_hi, end)
    month_lo = _floor_month(day_lo)
    if month_lo != day_lo:
        month_lo = _next_month(month_lo)
    month_hi = _floor_month(day_hi)
    if month_lo >= month_hi:
        add("d", day_lo, day_hi)
        return out
    add("d", day_lo, month_lo)
    add("d", month_hi, day_hi)
    add("m", month_lo, month_hi)
    return out


def _next_month(moment: dt.datetime) -> dt.datetime:
    return (moment.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rollup:
    """The rollup reaches up to `through` (UTC, an hour's start; every hour before it is
    in the tables)."""

    through: dt.datetime | None


async def read_rollup(db: Database) -> Rollup:
    async with db.reading() as session:
        through = (
            await session.execute(select(InsightRollup.through).where(InsightRollup.name == NAME))
        ).scalar_one_or_none()
    return Rollup(parse_hour_text(through) if through else None)


async def fill_rollup(db: Database, now: dt.datetime) -> Rollup:
    """Roll up every hour that ended at least `MARGIN` before `now` and is not yet in the
    rollup, `CHUNK` at a time (one writing transaction each: on SQLite the first fill of a
    long history never holds the write lock for long). Another process doing the same at
    once is harmless: one of the two writes, the other finds it done (or fails, logs and
    reads what there is)."""
    target = floor_hour(now - MARGIN)
    try:
        await _rewind_for_late_rows(db, now)
    except (IntegrityError, OperationalError) as error:
        log.info("insights: late questions not looked for now (%s)", error)
    current = await read_rollup(db)
    while current.through is None or current.through < target:
        try:
            current = await _fill_chunk(db, now, target)
        except (IntegrityError, OperationalError) as error:
            log.info("insights: the rollup was not filled now (%s); reading what there is", error)
            return await read_rollup(db)
    return current


CHUNK = dt.timedelta(days=7)


async def _rewind_for_late_rows(db: Database, now: dt.datetime) -> None:
    """A question stored since the last fill but stamped before `through` (imported, or
    committed long after its turn began) would be missing from its rolled-up hour: move
    `through` back to that hour, so that the fill writes it and what follows again. Only the
    inquiries newer than `last_id` are looked at (the primary key's range), so this is cheap."""
    async with db.writing() as session, session.begin():
        mark = (
            await session.execute(
                select(InsightRollup.through, InsightRollup.last_id).where(
                    InsightRollup.name == NAME
                )
            )
        ).one_or_none()
        newest = (await session.execute(select(func.max(Inquiry.id)))).scalar_one_or_none()
        if mark is None or newest is None or newest <= mark.last_id:
            return
        late = (
            await session.execute(
                select(func.min(Inquiry.created_at)).where(
                    Inquiry.id > mark.last_id, Inquiry.id <= newest
                )
            )
        ).scalar_one_or_none()
        through = mark.through
        if late is not None and floor_hour(late) < parse_hour_text(through):
            through = hour_text(floor_hour(late))
            log.info(
                "insights: questions stored late; the rollup is written again from %s", through
            )
        await session.execute(
            update(InsightRollup)
            .where(InsightRollup.name == NAME, InsightRollup.through == mark.through)
            .values(through=through, last_id=newest, updated_at=now)
        )


async def _fill_chunk(db: Database, now: dt.datetime, target: dt.datetime) -> Rollup:
    async with db.writing() as session, session.begin():
        through = (
            await session.execute(select(InsightRollup.through).where(InsightRollup.name == NAME))
        ).scalar_one_or_none()
        if through is not None:
            start = parse_hour_text(through)
        else:  # never filled: from the first hour with a question or a conversation
            seen = (await session.execute(select(func.max(Inquiry.id)))).scalar_one_or_none()
            firsts = [
                (await session.execute(select(func.min(column)))).scalar_one_or_none()
                for column in (Inquiry.created_at, Conversation.started_at)
            ]
            known = [floor_hour(f) for f in firsts if f is not None]
            start = min([*known, target])
        if through is not None and start >= target:
            return Rollup(start)
        end = min(target, start + CHUNK)
        if start < end:
            await _write_hours(session, db.dialect, start, end)
        if through is None:
            session.add(
                InsightRollup(name=NAME, through=hour_text(end), updated_at=now, last_id=seen or 0)
            )
        else:
            moved = await session.execute(
                update(InsightRollup)
                .where(InsightRollup.name == NAME, InsightRollup.through == through)
                .values(through=hour_text(end), updated_at=now)
            )
            if getattr(moved, "rowcount", 1) != 1:
                raise IntegrityError("rollup moved by another process", None, Exception())
    return Rollup(end)


async def _write_hours(
    session: AsyncSession, dialect: str, start: dt.datetime | None, end: dt.datetime
) -> None:
    """Write the hours in [start, end) (start None: from the first)."""
    lo, hi = (hour_text(start) if start else NONE), hour_text(end)
    await session.execute(
        delete(InsightHour).where(
            InsightHour.span == "h", InsightHour.hour >= lo, InsightHour.hour < hi
        )
    )
    for table in (InsightContact, InsightVisit):
        await session.execute(delete(table).where(table.hour >= lo, table.hour < hi))

    def in_range(column: Any) -> Any:
        return and_(column >= start, column < end) if start is not None else column < end

    # inquiries per hour × decision × language × channel × answer
    bucket = hour_bucket(dialect, Inquiry.created_at)
    answer = func.coalesce(Inquiry.answer_id, literal(NONE, String))
    columns = ["span", "hour", "decision", "language", "channel", "answer_id", "inquiries"]
    await session.execute(
        insert(InsightHour).from_select(
            columns,
            select(
                literal("h", String),
                bucket,
                Inquiry.decision,
                Inquiry.language,
                Inquiry.channel,
                answer,
                func.count(),
            )
            .where(Inquiry.kind == "text", in_range(Inquiry.created_at))
            .group_by(bucket, Inquiry.decision, Inquiry.language, Inquiry.channel, answer),
        )
    )
    # the hours' totals per decision (`t`: the figures by hour without a filter)
    star = literal(NONE, String)
    await session.execute(
        delete(InsightHour).where(
            InsightHour.span == "t", InsightHour.hour >= lo, InsightHour.hour < hi
        )
    )
    await session.execute(
        insert(InsightHour).from_select(
            columns,
            select(
                literal("t", String),
                InsightHour.hour,
                InsightHour.decision,
                star,
                star,
                star,
                func.sum(InsightHour.inquiries),
            )
            .where(InsightHour.span == "h", InsightHour.hour >= lo, InsightHour.hour < hi)
            .group_by(InsightHour.hour, InsightHour.decision),
        )
    )
    # the whole days and months below `end` that these hours touch, summed again
    for span, below, length, suffix, first in (
        ("d", "h", 10, " 00", _floor_day),
        ("m", "d", 7, "-01 00", _floor_month),
    ):
        lo_span = hour_text(first(start)) if start else NONE
        hi_span = hour_text(first(end))
        if lo_span >= hi_span:
            continue
        key = func.substr(InsightHour.hour, 1, length) + literal(suffix, String)
        await session.execute(
            delete(InsightHour).where(
                InsightHour.span == span, InsightHour.hour >= lo_span, InsightHour.hour < hi_span
            )
        )
        dims = (InsightHour.decision, InsightHour.language, InsightHour.channel)
        await session.execute(
            insert(InsightHour).from_select(
                columns,
                select(
                    literal(span, String),
                    key,
                    *dims,
                    InsightHour.answer_id,
                    func.sum(InsightHour.inquiries),
                )
                .where(
                    InsightHour.span == below,
                    InsightHour.hour >= lo_span,
                    InsightHour.hour < hi_span,
                )
                .group_by(key, *dims, InsightHour.answer_id),
            )
        )

    # each question with the time of its conversation's previous one (and previous answered)
    order = (Inquiry.created_at, Inquiry.id)
    window: dict[str, Any] = {
        "partition_by": Inquiry.conversation_id,
        "order_by": order,
        "rows": (None, -1),
    }
    scope = [Inquiry.kind == "text", Inquiry.conversation_id.is_not(None)]
    if start is not None:
        touched = select(Inquiry.conversation_id).where(
            Inquiry.kind == "text", in_range(Inquiry.created_at)
        )
        scope.append(Inquiry.conversation_id.in_(touched))
    asked = (
        select(
            Inquiry.created_at.label("at"),
            Inquiry.decision.label("decision"),
            func.max(Inquiry.created_at).over(**window).label("prev"),
            func.max(case((Inquiry.decision == "answer", Inquiry.created_at)))
            .over(**window)
            # (a question's own row is outside its frame: 1 PRECEDING)
            .label("prev_answer"),
        )
        .where(*scope)
        .subquery()
    )
    hour = hour_bucket(dialect, asked.c.at)
    for kind, previous, only in (
        ("any", asked.c.prev, None),
        ("answer", asked.c.prev_answer, asked.c.decision == "answer"),
    ):
        prev_hour = func.coalesce(hour_bucket(dialect, previous), literal(NONE, String))
        conditions = [in_range(asked.c.at), or_(previous.is_(None), prev_hour != hour)]
        if only is not None:
            conditions.append(only)
        await session.execute(
            insert(InsightContact).from_select(
                ["hour", "kind", "prev_hour", "contacts"],
                select(hour, literal(kind, String), prev_hour, func.count())
                .where(*conditions)
                .group_by(hour, prev_hour),
            )
        )
    # questions of erased conversations: each a conversation of its own
    own = hour_bucket(dialect, Inquiry.created_at)
    orphans = [
        Inquiry.kind == "text",
        Inquiry.conversation_id.is_(None),
        in_range(Inquiry.created_at),
    ]
    for kind, only in (("any", None), ("answer", Inquiry.decision == "answer")):
        rows = (
            await session.execute(
                select(own, func.count())
                .where(*orphans, *([only] if only is not None else []))
                .group_by(own)
            )
        ).all()
        for hour_value, count in rows:
            await _add_contact(session, str(hour_value), kind, int(count))

    # conversations started, with their visitor's previous start and whether it was the first
    visit_window: dict[str, Any] = {
        "partition_by": Conversation.visitor_id,
        "order_by": (Conversation.started_at, Conversation.id),
        "rows": (None, -1),
    }
    visit_scope: list[Any] = []
    if start is not None:
        visit_scope.append(
            Conversation.visitor_id.in_(
                select(Conversation.visitor_id).where(in_range(Conversation.started_at))
            )
        )
    visited = (
        select(
            Conversation.started_at.label("at"),
            func.max(Conversation.started_at).over(**visit_window).label("prev"),
            func.count().over(**visit_window).label("before"),
        )
        .where(*visit_scope)
        .subquery()
    )
    v_hour = hour_bucket(dialect, visited.c.at)
    v_prev = func.coalesce(hour_bucket(dialect, visited.c.prev), literal(NONE, String))
    second = case((visited.c.before == 1, True), else_=False)
    await session.execute(
        insert(InsightVisit).from_select(
            ["hour", "prev_hour", "second", "visits"],
            select(v_hour, v_prev, second, func.count())
            .where(in_range(visited.c.at))
            .group_by(v_hour, v_prev, second),
        )
    )


async def _add_contact(session: AsyncSession, hour: str, kind: str, count: int) -> None:
    found = await session.get(InsightContact, (hour, kind, NONE))
    if found is None:
        session.add(InsightContact(hour=hour, kind=kind, prev_hour=NONE, contacts=count))
    else:
        found.contacts += count
    await session.flush()


# --- reading ---------------------------------------------------------------------------------


def _filter(filters: Filters, base: AnswerBase) -> list[Any]:
    """`inquiry_filter`'s conditions on the rollup's columns."""
    out: list[Any] = []
    if filters.channel is not None:
        out.append(InsightHour.channel == filters.channel)
    if filters.language is not None:
        out.append(InsightHour.language == filters.language)
    if filters.answer_id is not None:
        out.append(InsightHour.answer_id == filters.answer_id)
    if filters.team is not None:
        ids, unanswered = team_answers(base, filters.team)
        either: list[Any] = [InsightHour.answer_id.in_(ids)] if ids else []
        if unanswered:
            either.append(InsightHour.answer_id == NONE)
        out.append(or_(*either) if either else literal(False))
    return out


async def rolled_hours(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, filters: Filters, base: AnswerBase
) -> list[tuple[str, str, int]]:
    """(hour, decision, inquiries) of the rolled-up hours in [start, end)."""
    conditions = _filter(filters, base)
    rows = await session.execute(
        select(InsightHour.hour, InsightHour.decision, func.sum(InsightHour.inquiries))
        .where(
            InsightHour.span == ("h" if conditions else "t"),
            InsightHour.hour >= hour_text(start),
            InsightHour.hour < hour_text(end),
            *conditions,
        )
        .group_by(InsightHour.hour, InsightHour.decision)
    )
    return [(str(h), str(d), int(n)) for h, d, n in rows.all()]


async def rolled_groups(
    session: AsyncSession,
    start: dt.datetime,
    end: dt.datetime,
    filters: Filters,
    base: AnswerBase,
) -> list[tuple[str, str, str | None, str, int]]:
    """(channel, language, answer or None, decision, inquiries) of [start, end), read from
    the fewest spans (months, days, hours)."""
    ranges = [
        and_(InsightHour.span == span, InsightHour.hour >= lo, InsightHour.hour < hi)
        for span, lo, hi in spans(start, end)
    ]
    dims = (InsightHour.channel, InsightHour.language, InsightHour.answer_id, InsightHour.decision)
    rows = await session.execute(
        select(*dims, func.sum(InsightHour.inquiries))
        .where(or_(*ranges), *_filter(filters, base))
        .group_by(*dims)
    )
    return [(str(c), str(lang), a or None, str(d), int(n)) for c, lang, a, d, n in rows.all()]


async def rolled_contacts(
    session: AsyncSession, start: dt.datetime, end: dt.datetime
) -> tuple[list[tuple[str, int]], int]:
    """The conversations of a period that starts at `start`, for its rolled-up hours
    [start, end): by the hour of their first question there, and how many had an answered
    question there."""
    lo, hi = hour_text(start), hour_text(end)
    rows = (
        await session.execute(
            select(InsightContact.hour, InsightContact.kind, func.sum(InsightContact.contacts))
            .where(
                InsightContact.hour >= lo,
                InsightContact.hour < hi,
                InsightContact.prev_hour < lo,
            )
            .group_by(InsightContact.hour, InsightContact.kind)
        )
    ).all()
    by_hour = [(str(h), int(n)) for h, kind, n in rows if kind == "any"]
    return by_hour, sum(int(n) for _, kind, n in rows if kind == "answer")


async def rolled_visits(
    session: AsyncSession, start: dt.datetime, end: dt.datetime
) -> tuple[int, int, int]:
    """For a period that starts at `start`, over its rolled-up hours [start, end): its
    visitors, the first-time visitors among them, and the second conversations of visitors
    whose first was in the period."""
    lo, hi = hour_text(start), hour_text(end)
    in_range = (InsightVisit.hour >= lo, InsightVisit.hour < hi)
    visitors = func.sum(case((InsightVisit.prev_hour < lo, InsightVisit.visits), else_=0))
    firsts = func.sum(case((InsightVisit.prev_hour == NONE, InsightVisit.visits), else_=0))
    seconds = func.sum(
        case(
            (and_(InsightVisit.second, InsightVisit.prev_hour >= lo), InsightVisit.visits),
            else_=0,
        )
    )
    row = (await session.execute(select(visitors, firsts, seconds).where(*in_range))).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
