"""The figures of a period: every inquiry counted, in the database (GROUP BY), never by
reading the rows into Python.

What each figure means is in docs/insights.md; `Figures.as_json()` is the `samsvar report`
JSON without the gaps.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.storage import Conversation, Database, Feedback, Inquiry, Message
from handoff.records import REGISTERED
from handoff.tables import Case
from insights._sql import hour_bucket, inquiry_filter, parse_hour, seconds_between
from insights.period import Filters, Period, team_answers
from insights.rollup import (
    fill_rollup,
    floor_hour,
    rolled_contacts,
    rolled_groups,
    rolled_hours,
    rolled_visits,
)
from knowledge import AnswerBase

__all__ = [
    "DECISIONS",
    "Figures",
    "HandoffFigures",
    "changes_between",
    "get_figures",
    "percentile",
    "read_figures",
]

DECISIONS = ("answer", "clarify", "collect", "abstain", "handoff")
CHANGES = 10  # answers listed under "changed most"
# From this long a rolled-up stretch on, a period's conversations come from the rollup
ROLLED_CONVERSATIONS = dt.timedelta(days=32)


@dataclass(frozen=True)
class HandoffFigures:
    """The cases opened in the period: times in seconds (None when there is none to measure),
    CSAT as the mean rating 1–5, the reopen rate of the resolved ones, and per channel the
    share that met the base's targets. An inquiry an agent registered and resolved at once
    (a call answered there and then) is no case that waited: it is counted in
    `resolved_at_registration` only."""

    count: int = 0
    answered: int = 0
    resolved: int = 0
    first_reply_p50_s: float | None = None
    first_reply_p90_s: float | None = None
    handling_p50_s: float | None = None
    resolution_p50_s: float | None = None
    resolution_p90_s: float | None = None
    rated: int = 0
    csat_mean: float | None = None
    reopened: int = 0
    reopen_rate: float | None = None
    by_team: Mapping[str, int] = field(default_factory=dict)
    targets: Sequence[Mapping[str, Any]] = ()
    resolved_at_registration: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "answered": self.answered,
            "resolved": self.resolved,
            "first_reply_p50_s": _round(self.first_reply_p50_s),
            "first_reply_p90_s": _round(self.first_reply_p90_s),
            "handling_p50_s": _round(self.handling_p50_s),
            "resolution_p50_s": _round(self.resolution_p50_s),
            "resolution_p90_s": _round(self.resolution_p90_s),
            "rated": self.rated,
            "csat_mean": _round(self.csat_mean, 2),
            "reopened": self.reopened,
            "reopen_rate": _round(self.reopen_rate, 4),
            "by_team": dict(self.by_team),
            "resolved_at_registration": self.resolved_at_registration,
            "targets": [dict(t) for t in self.targets],
        }


@dataclass(frozen=True)
class Figures:
    """The figures of one period and filter (see docs/insights.md for each)."""

    period: Period
    filters: Filters
    decisions: Mapping[str, int]
    conversations: int
    self_served: int
    handed_off_conversations: int
    helpful_yes: int
    helpful_no: int
    by_answer: Sequence[tuple[str, int]]
    by_language: Mapping[str, int]
    by_channel: Mapping[str, int]
    by_day: Sequence[tuple[dt.date, int, int]]  # date, inquiries, conversations
    by_hour: Sequence[int]  # 24 counts, the base's local hours
    visitors: int
    returning_visitors: int
    handoffs: HandoffFigures
    changes: Sequence[Mapping[str, Any]] = ()
    helpful_by_answer: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def inquiries(self) -> int:
        return sum(self.decisions.values())

    def rate(self, part: int, whole: int | None = None) -> float | None:
        whole = self.inquiries if whole is None else whole
        return round(part / whole, 4) if whole else None

    def as_json(self) -> dict[str, Any]:
        d = self.decisions
        return {
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "days": self.period.days,
                "timezone": self.period.timezone,
            },
            "filters": self.filters.as_json(),
            "inquiries": self.inquiries,
            "conversations": self.conversations,
            "answered": d.get("answer", 0),
            "clarified": d.get("clarify", 0),
            "abstained": d.get("abstain", 0),
            "handed_off": d.get("handoff", 0),
            "collecting": d.get("collect", 0),
            "self_service_rate": self.rate(self.self_served, self.conversations),
            "rates": {
                "answer": self.rate(d.get("answer", 0)),
                "clarify": self.rate(d.get("clarify", 0)),
                "abstain": self.rate(d.get("abstain", 0)),
                "handoff": self.rate(self.handed_off_conversations, self.conversations),
            },
            "helpful": {"yes": self.helpful_yes, "no": self.helpful_no},
            "by_answer": [
                {"answer_id": answer_id, "count": count} for answer_id, count in self.by_answer
            ],
            "by_language": dict(self.by_language),
            "by_channel": dict(self.by_channel),
            "by_day": [
                {"date": day.isoformat(), "inquiries": n, "conversations": c}
                for day, n, c in self.by_day
            ],
            "by_hour": list(self.by_hour),
            "visitors": {"count": self.visitors, "returning": self.returning_visitors},
            "handoffs": self.handoffs.as_json(),
            "changes": [dict(c) for c in self.changes],
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` quantile (0.5: the median) by linear interpolation; None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def get_figures(
    db: Database,
    base: AnswerBase,
    period: Period,
    filters: Filters | None = None,
    *,
    now: dt.datetime | None = None,
    rollup: bool = True,
    changes: bool = True,
) -> Figures:
    """The figures of `period` for the inquiries that pass `filters` (checked with
    `check_filters` by the caller). With `rollup` the closed hours are read from the rollup
    (filled first, up to `now`: the clock when None) and only the rest from the inquiries;
    the figures are the same either way (decision 0101). Without `changes`, `changes` stays
    empty and the previous period is not read (`get_report` has it at hand)."""
    through = None
    if rollup:
        through = (await fill_rollup(db, now or dt.datetime.now(dt.UTC))).through
    return await read_figures(db, base, period, filters, through, changes=changes)


async def read_figures(
    db: Database,
    base: AnswerBase,
    period: Period,
    filters: Filters | None,
    through: dt.datetime | None,
    *,
    changes: bool = True,
) -> Figures:
    """`get_figures` with the rollup already filled up to `through` (None: no rollup)."""
    filters = filters or Filters()
    start, end = period.bounds()
    before_start, before_end = period.previous().bounds()
    dialect = db.dialect
    async with db.reading() as session:
        hours, groups, conversations = await _counted(
            session, dialect, base, start, end, filters, through
        )
        visitors, returning = await _visitors(session, start, end, through)
        helpful = await _helpful(session, start, end, filters, base)
        cases = await _cases(session, dialect, start, end, filters, base)
        if changes:
            before = await _answers_only(session, base, before_start, before_end, filters, through)
            helpful_before = await _helpful(session, before_start, before_end, filters, base)
    decisions: Counter[str] = Counter()
    for _, decision, count in hours:
        decisions[decision] += count
    by_day, by_hour = _local_days(period, hours, conversations[0])
    by_answer = _answers(groups)
    return Figures(
        period=period,
        filters=filters,
        decisions=dict(decisions),
        conversations=conversations[1],
        self_served=conversations[2],
        handed_off_conversations=conversations[3],
        helpful_yes=sum(yes for yes, _ in helpful.values()),
        helpful_no=sum(no for _, no in helpful.values()),
        by_answer=by_answer,
        by_language=_summed(groups, 1),
        by_channel=_summed(groups, 0),
        by_day=by_day,
        by_hour=by_hour,
        visitors=visitors,
        returning_visitors=returning,
        handoffs=_handoff_figures(cases, base),
        changes=_changes(dict(by_answer), before, helpful, helpful_before) if changes else (),
        helpful_by_answer=helpful,
    )


def _split(start: dt.datetime, end: dt.datetime, through: dt.datetime | None) -> dt.datetime:
    """Where the rolled-up part of [start, end) ends: [start, mid) from the rollup, [mid,
    end) from the inquiries. `start` when none of it can come from the rollup (none yet, or
    a period that does not start on a whole hour)."""
    if through is None or start != floor_hour(start):
        return start
    return max(start, min(floor_hour(end), through))


async def _counted(
    session: AsyncSession,
    dialect: str,
    base: AnswerBase,
    start: dt.datetime,
    end: dt.datetime,
    filters: Filters,
    through: dt.datetime | None,
) -> tuple[
    list[tuple[str, str, int]],
    list[tuple[str, str, str | None, str, int]],
    tuple[list[tuple[str, int]], int, int, int],
]:
    """(by hour and decision, by group, conversations) of [start, end)."""
    mid = _split(start, end, through)
    rest = inquiry_filter(mid, end, filters, base)
    hours = await _by_hour_and_decision(session, dialect, rest) if mid < end else []
    groups = await _by_group(session, rest) if mid < end else []
    if mid > start:
        hours += await rolled_hours(session, start, mid, filters, base)
        groups = _merged(groups + await rolled_groups(session, start, mid, filters, base))
    where = inquiry_filter(start, end, filters, base)
    if mid - start < ROLLED_CONVERSATIONS or filters.as_json():
        # A filtered period's conversations are counted from its inquiries (the rollup
        # keeps the conversations of all inquiries, not of each filter's); so are a short
        # period's, where that is faster than looking up every case's conversation.
        return hours, groups, await _conversations(session, dialect, where)
    by_hour, answered = await rolled_contacts(session, start, mid)
    if mid < end:
        more, more_answered = await _contacts_after(session, dialect, start, mid, end)
        by_hour += more
        answered += more_answered
    handed, spoiled = await _flagged(session, where) if by_hour else (0, 0)
    return hours, groups, (by_hour, sum(n for _, n in by_hour), answered - spoiled, handed)


def _merged(
    groups: Sequence[tuple[str, str, str | None, str, int]],
) -> list[tuple[str, str, str | None, str, int]]:
    totals: Counter[tuple[str, str, str | None, str]] = Counter()
    for channel, language, answer_id, decision, count in groups:
        totals[(channel, language, answer_id, decision)] += count
    return [(*key, count) for key, count in totals.items()]


async def _contacts_after(
    session: AsyncSession, dialect: str, start: dt.datetime, mid: dt.datetime, end: dt.datetime
) -> tuple[list[tuple[str, int]], int]:
    """`rolled_contacts` for the questions in [mid, end), from the inquiries: those whose
    conversation's previous question (answered one) is before `start`."""
    earlier = aliased(Inquiry)
    by_hour: Counter[str] = Counter()
    answered = 0
    for only_answered in (False, True):
        same = [
            earlier.conversation_id == Inquiry.conversation_id,
            earlier.kind == "text",
            or_(
                earlier.created_at < Inquiry.created_at,
                and_(earlier.created_at == Inquiry.created_at, earlier.id < Inquiry.id),
            ),
        ]
        if only_answered:
            same.append(earlier.decision == "answer")
        previous = select(func.max(earlier.created_at)).where(*same).scalar_subquery()
        bucket = hour_bucket(dialect, Inquiry.created_at).label("hour")
        conditions = [
            Inquiry.kind == "text",
            Inquiry.created_at >= mid,
            Inquiry.created_at < end,
            or_(Inquiry.conversation_id.is_(None), previous.is_(None), previous < start),
        ]
        if only_answered:
            conditions.append(Inquiry.decision == "answer")
        rows = await session.execute(
            select(bucket, func.count()).where(*conditions).group_by(bucket)
        )
        for hour, count in rows.all():
            if only_answered:
                answered += int(count)
            else:
                by_hour[str(hour)] += int(count)
    return list(by_hour.items()), answered


async def _flagged(session: AsyncSession, where: list[Any]) -> tuple[int, int]:
    """Of the period's conversations with a case or an unhelpful click (few), those with a
    case, and those with an answered question (not self-served after all)."""
    flagged = union(
        select(Case.conversation_id),
        select(Feedback.conversation_id).where(Feedback.helpful.is_(False)),
    )
    per = (
        select(
            Inquiry.conversation_id.label("key"),
            func.max(case((Inquiry.decision == "answer", 1), else_=0)).label("answered"),
        )
        .where(*where, Inquiry.conversation_id.in_(flagged))
        .group_by(Inquiry.conversation_id)
        .subquery()
    )
    handed = exists().where(Case.conversation_id == per.c.key)
    row = (
        await session.execute(
            select(func.sum(case((handed, 1), else_=0)), func.sum(per.c.answered))
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def _by_hour_and_decision(
    session: AsyncSession, dialect: str, where: list[Any]
) -> list[tuple[str, str, int]]:
    bucket = hour_bucket(dialect, Inquiry.created_at).label("hour")
    rows = await session.execute(
        select(bucket, Inquiry.decision, func.count())
        .where(*where)
        .group_by(bucket, Inquiry.decision)
    )
    return [(str(h), str(d), int(n)) for h, d, n in rows.all()]


async def _by_group(
    session: AsyncSession, where: list[Any]
) -> list[tuple[str, str, str | None, str, int]]:
    rows = await session.execute(
        select(Inquiry.channel, Inquiry.language, Inquiry.answer_id, Inquiry.decision, func.count())
        .where(*where)
        .group_by(Inquiry.channel, Inquiry.language, Inquiry.answer_id, Inquiry.decision)
    )
    return [(str(c), str(lang), a, str(d), int(n)) for c, lang, a, d, n in rows.all()]


async def _answers_only(
    session: AsyncSession,
    base: AnswerBase,
    start: dt.datetime,
    end: dt.datetime,
    filters: Filters,
    through: dt.datetime | None,
) -> dict[str, int]:
    """Inquiries answered with each answer in [start, end)."""
    mid = _split(start, end, through)
    totals: Counter[str] = Counter()
    if mid > start:
        for _, _, answer_id, decision, count in await rolled_groups(
            session, start, mid, filters, base
        ):
            if decision == "answer" and answer_id is not None:
                totals[answer_id] += count
    if mid < end:
        rows = await session.execute(
            select(Inquiry.answer_id, func.count())
            .where(*inquiry_filter(mid, end, filters, base), Inquiry.decision == "answer")
            .group_by(Inquiry.answer_id)
        )
        for a, n in rows.all():
            if a is not None:
                totals[str(a)] += int(n)
    return dict(totals)


def _summed(groups: Sequence[tuple[str, str, str | None, str, int]], column: int) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for row in groups:
        totals[str(row[column])] += row[4]
    return dict(totals.most_common())


def _answers(groups: Sequence[tuple[str, str, str | None, str, int]]) -> list[tuple[str, int]]:
    totals: Counter[str] = Counter()
    for _, _, answer_id, decision, count in groups:
        if decision == "answer" and answer_id is not None:
            totals[answer_id] += count
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _contact_key() -> Any:
    """A conversation's id; an inquiry with none (an erased conversation) is its own contact."""
    return func.coalesce(Inquiry.conversation_id, literal("#") + cast(Inquiry.id, String))


async def _conversations(
    session: AsyncSession, dialect: str, where: list[Any]
) -> tuple[list[tuple[str, int]], int, int, int]:
    """(conversations by the UTC hour of their first question, conversations, self-served,
    handed off)."""
    key = _contact_key().label("key")
    per = (
        select(
            key,
            func.min(Inquiry.created_at).label("first"),
            func.max(case((Inquiry.decision == "answer", 1), else_=0)).label("answered"),
        )
        .where(*where)
        .group_by(key)
        .subquery()
    )
    handed = exists().where(Case.conversation_id == per.c.key)
    unhelpful = exists().where(Feedback.conversation_id == per.c.key, Feedback.helpful.is_(False))
    served = case((and_(per.c.answered == 1, ~handed, ~unhelpful), 1), else_=0)
    bucket = hour_bucket(dialect, per.c.first).label("hour")
    rows = (
        await session.execute(
            select(
                bucket,
                func.count(),
                func.sum(served),
                func.sum(case((handed, 1), else_=0)),
            ).group_by(bucket)
        )
    ).all()
    by_hour = [(str(h), int(n)) for h, n, _, _ in rows]
    return (
        by_hour,
        sum(int(n) for _, n, _, _ in rows),
        sum(int(s or 0) for _, _, s, _ in rows),
        sum(int(h or 0) for _, _, _, h in rows),
    )


async def _visitors(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, through: dt.datetime | None
) -> tuple[int, int]:
    """Visitors whose conversations started in [start, end), and those of them who came back:
    with another conversation that started before `end` (earlier, or in the period). The
    filters do not apply."""
    mid = _split(start, end, through)
    if mid == start:
        return await _visitors_raw(session, start, end)
    visitors, firsts, seconds = await rolled_visits(session, start, mid)
    if mid < end:
        earlier = aliased(Conversation)
        same = [
            earlier.visitor_id == Conversation.visitor_id,
            or_(
                earlier.started_at < Conversation.started_at,
                and_(earlier.started_at == Conversation.started_at, earlier.id < Conversation.id),
            ),
        ]
        previous = select(func.max(earlier.started_at)).where(*same).scalar_subquery()
        before = select(func.count()).where(*same).scalar_subquery()
        rows = (
            await session.execute(
                select(previous, before).where(
                    Conversation.started_at >= mid, Conversation.started_at < end
                )
            )
        ).all()
        for prev, count in rows:
            if prev is None or prev < start:
                visitors += 1
            if prev is None:
                firsts += 1
            elif count == 1 and prev >= start:
                seconds += 1
    return visitors, visitors - (firsts - seconds)


async def _visitors_raw(
    session: AsyncSession, start: dt.datetime, end: dt.datetime
) -> tuple[int, int]:
    """`_visitors` from the conversations alone (`ix_conversations_started_at`)."""
    started = (Conversation.started_at >= start) & (Conversation.started_at < end)
    visitors = (
        await session.execute(
            select(func.count(func.distinct(Conversation.visitor_id))).where(started)
        )
    ).scalar_one()
    mine = select(Conversation.visitor_id).where(started)
    again = (
        select(Conversation.visitor_id)
        .where(Conversation.visitor_id.in_(mine), Conversation.started_at < end)
        .group_by(Conversation.visitor_id)
        .having(func.count() >= 2)
    )
    returning = (
        await session.execute(select(func.count()).select_from(again.subquery()))
    ).scalar_one()
    return int(visitors), int(returning)


async def _helpful(
    session: AsyncSession, start: dt.datetime, end: dt.datetime, filters: Filters, base: AnswerBase
) -> dict[str, tuple[int, int]]:
    """ "Did this help?" clicks in [start, end): answer id → (yes, no)."""
    yes = func.sum(case((Feedback.helpful.is_(True), 1), else_=0))
    no = func.sum(case((Feedback.helpful.is_(False), 1), else_=0))
    query = (
        select(Feedback.answer_id, yes, no)
        .where(Feedback.created_at >= start, Feedback.created_at < end)
        .group_by(Feedback.answer_id)
    )
    if filters.answer_id is not None:
        query = query.where(Feedback.answer_id == filters.answer_id)
    if filters.team is not None:
        ids, _ = team_answers(base, filters.team)
        query = query.where(Feedback.answer_id.in_(ids))
    if filters.channel is not None or filters.language is not None:
        query = query.join(Message, Message.id == Feedback.message_id).join(
            Inquiry, Inquiry.message_id == Message.reply_to
        )
        if filters.channel is not None:
            query = query.where(Inquiry.channel == filters.channel)
        if filters.language is not None:
            query = query.where(Inquiry.language == filters.language)
    rows = (await session.execute(query)).all()
    return {str(a): (int(y or 0), int(n or 0)) for a, y, n in rows if a is not None}


async def _cases(
    session: AsyncSession,
    dialect: str,
    start: dt.datetime,
    end: dt.datetime,
    filters: Filters,
    base: AnswerBase,
) -> list[tuple[Any, ...]]:
    """One row per case opened in [start, end): channel, team, first reply, handling and
    resolution seconds, rating, reopened, resolved, resolved when it was registered."""
    # The conversation's channel (one primary-key read per case; before migration 0012 it
    # was the channel of the conversation's first inquiry, which is the same).
    channel = (
        select(Conversation.channel)
        .where(Conversation.id == Case.conversation_id)
        .scalar_subquery()
    )
    query = select(
        func.coalesce(channel, literal("widget")),
        Case.team,
        seconds_between(dialect, Case.first_response_at, Case.created_at),
        seconds_between(dialect, Case.resolved_at, Case.assigned_at),
        seconds_between(dialect, Case.resolved_at, Case.created_at),
        Case.rating,
        Case.reopened,
        Case.resolved_at.is_not(None),
        and_(Case.reason == REGISTERED, Case.resolved_at == Case.created_at),
    ).where(Case.created_at >= start, Case.created_at < end)
    if filters.team is not None:
        query = query.where(Case.team == filters.team)
    if filters.language is not None:
        query = query.where(Case.language == filters.language)
    if filters.answer_id is not None:
        query = query.where(Case.topic == filters.answer_id)
    rows = (await session.execute(query)).all()
    if filters.channel is not None:
        rows = [row for row in rows if row[0] == filters.channel]
    return [tuple(row) for row in rows]


def _handoff_figures(cases: Sequence[tuple[Any, ...]], base: AnswerBase) -> HandoffFigures:
    # A call that an agent registered and answered at once never waited for anyone: it is
    # counted apart, not as a case with a first reply and a resolution of 0 s.
    rows = [r for r in cases if not r[8]]
    first = [float(r[2]) for r in rows if r[2] is not None]
    handling = [float(r[3]) for r in rows if r[3] is not None]
    resolution = [float(r[4]) for r in rows if r[4] is not None]
    ratings = [int(r[5]) for r in rows if r[5] is not None]
    resolved_once = [r for r in rows if r[7] or int(r[6] or 0) > 0]
    reopened = sum(1 for r in resolved_once if int(r[6] or 0) > 0)
    return HandoffFigures(
        count=len(rows),
        answered=len(first),
        resolved=sum(1 for r in rows if r[7]),
        first_reply_p50_s=percentile(first, 0.5),
        first_reply_p90_s=percentile(first, 0.9),
        handling_p50_s=percentile(handling, 0.5),
        resolution_p50_s=percentile(resolution, 0.5),
        resolution_p90_s=percentile(resolution, 0.9),
        rated=len(ratings),
        csat_mean=statistics.fmean(ratings) if ratings else None,
        reopened=reopened,
        reopen_rate=reopened / len(resolved_once) if resolved_once else None,
        by_team=dict(Counter(str(r[1]) for r in rows).most_common()),
        targets=_targets(rows, base),
        resolved_at_registration=len(cases) - len(rows),
    )


def _targets(rows: Sequence[tuple[Any, ...]], base: AnswerBase) -> list[dict[str, Any]]:
    """Per channel with targets in base.yaml: each target, the median, and the share of the
    cases that met it (of those measured)."""
    by_channel: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_channel[str(row[0])].append(row)
    out = []
    for channel, target in sorted(base.config.targets.items()):
        mine = by_channel.get(channel, [])
        for name, column, goal in (
            ("first_reply", 2, target.first_reply),
            ("resolution", 4, target.resolution),
        ):
            if goal is None:
                continue
            values = [float(r[column]) for r in mine if r[column] is not None]
            met = sum(1 for v in values if v <= goal)
            out.append(
                {
                    "channel": channel,
                    "measure": name,
                    "target_s": goal,
                    "p50_s": _round(percentile(values, 0.5)),
                    "measured": len(values),
                    "met": met,
                    "met_rate": round(met / len(values), 4) if values else None,
                }
            )
    return out


def changes_between(figures: Figures, previous: Figures) -> list[dict[str, Any]]:
    """`figures.changes` from the previous period's figures (the same as `get_figures`
    finds by reading that period's answers and clicks again)."""
    return _changes(
        dict(figures.by_answer),
        dict(previous.by_answer),
        figures.helpful_by_answer,
        previous.helpful_by_answer,
    )


def _changes(
    now: Mapping[str, int],
    before: Mapping[str, int],
    helpful: Mapping[str, tuple[int, int]],
    helpful_before: Mapping[str, tuple[int, int]],
) -> list[dict[str, Any]]:
    """The answers whose use or helpfulness changed most since the previous period: ordered
    by the change in use, then in the share of "yes"."""
    rows = []
    for answer_id in set(now) | set(before):
        count, previous = now.get(answer_id, 0), before.get(answer_id, 0)
        rate, rate_before = (
            _yes_rate(helpful.get(answer_id)),
            _yes_rate(helpful_before.get(answer_id)),
        )
        helpful_change = (
            round(rate - rate_before, 4) if rate is not None and rate_before is not None else None
        )
        if count == previous and not helpful_change:
            continue
        rows.append(
            {
                "answer_id": answer_id,
                "count": count,
                "previous": previous,
                "change": count - previous,
                "helpful_rate": rate,
                "previous_helpful_rate": rate_before,
                "helpful_change": helpful_change,
            }
        )
    rows.sort(key=_change_order)
    return rows[:CHANGES]


def _change_order(row: Mapping[str, Any]) -> tuple[float, float, str]:
    return (-abs(float(row["change"])), -abs(float(row["helpful_change"] or 0.0)), row["answer_id"])


def _yes_rate(votes: tuple[int, int] | None) -> float | None:
    if not votes or sum(votes) == 0:
        return None
    return round(votes[0] / sum(votes), 4)


def _local_days(
    period: Period, hours: Sequence[tuple[str, str, int]], conversations: Sequence[tuple[str, int]]
) -> tuple[list[tuple[dt.date, int, int]], list[int]]:
    """Per local day (inquiries, conversations) and per local hour of day (inquiries)."""
    zone = period.zone
    inquiries: Counter[dt.date] = Counter()
    started: Counter[dt.date] = Counter()
    by_hour = [0] * 24
    seen: dict[str, tuple[dt.date, int]] = {}  # a bucket comes once per decision: convert once

    def local(bucket: str) -> tuple[dt.date, int]:
        found = seen.get(bucket)
        if found is None:
            moment = parse_hour(bucket).astimezone(zone)
            found = seen[bucket] = (moment.date(), moment.hour)
        return found

    for bucket, _, count in hours:
        day, hour = local(bucket)
        inquiries[day] += count
        by_hour[hour] += count
    for bucket, count in conversations:
        started[local(bucket)[0]] += count
    days = [(day, inquiries.get(day, 0), started.get(day, 0)) for day in period.dates()]
    return days, by_hour
