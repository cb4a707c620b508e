"""A period (whole days in the base's time zone) and the filters of the figures."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from insights.errors import BadPeriod, UnknownFilter
from knowledge import LANGUAGES, AnswerBase

__all__ = [
    "MAX_DAYS",
    "Filters",
    "Period",
    "base_timezone",
    "check_filters",
    "check_period",
    "parse_date",
]

MAX_DAYS = 732  # two years: the longest period one report reads
_CHANNEL = re.compile(r"[a-z][a-z0-9_-]{0,15}")


@dataclass(frozen=True)
class Period:
    """The days `start` to `end`, both included, in the time zone `timezone`."""

    start: dt.date
    end: dt.date
    timezone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first midnight, the midnight after the last day) as aware UTC times."""
        first = dt.datetime.combine(self.start, dt.time(), self.zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), self.zone)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)

    def previous(self) -> Period:
        """The period of as many days just before this one."""
        return Period(
            self.start - dt.timedelta(days=self.days),
            self.start - dt.timedelta(days=1),
            self.timezone,
        )

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class Filters:
    """Which inquiries count: all (None) or those of one channel, team, language, answer."""

    channel: str | None = None
    team: str | None = None
    language: str | None = None
    answer_id: str | None = None

    def as_json(self) -> dict[str, str]:
        return {
            name: value
            for name, value in (
                ("channel", self.channel),
                ("team", self.team),
                ("language", self.language),
                ("answer", self.answer_id),
            )
            if value is not None
        }


def base_timezone(base: AnswerBase) -> str:
    """The base's time zone: its business hours', else UTC."""
    hours = base.config.business_hours
    return hours.timezone if hours is not None else "UTC"


def parse_date(value: str, name: str) -> dt.date:
    """A date written YYYY-MM-DD; raises BadPeriod naming `name` (e.g. `--from`)."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadPeriod(f"{name} {value!r} is not a date: write it YYYY-MM-DD") from exc


def check_period(start: dt.date, end: dt.date, timezone: str = "UTC") -> Period:
    """The period; raises BadPeriod for an end before the start, more than MAX_DAYS days or an
    unknown time zone."""
    if end < start:
        raise BadPeriod(
            f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise BadPeriod(f"the period has {(end - start).days + 1} days; at most {MAX_DAYS}")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadPeriod(f"unknown time zone {timezone!r}") from exc
    return Period(start, end, timezone)


def check_filters(filters: Filters, base: AnswerBase) -> Filters:
    """The filters, checked against the base; raises UnknownFilter with the code of the
    filter that names nothing (unknown_answer, unknown_team, unknown_language,
    unknown_channel)."""
    if filters.answer_id is not None and base.get(filters.answer_id) is None:
        raise UnknownFilter(
            f"answer filter: the answer base has no answer {filters.answer_id!r}",
            code="unknown_answer",
        )
    teams = set(base.config.teams) | {t for t in [base.config.default_team] if t}
    teams |= {a.handoff.team for a in base.answers if a.handoff and a.handoff.team}
    if filters.team is not None and filters.team not in teams:
        known = ", ".join(sorted(teams)) or "none"
        raise UnknownFilter(
            f"team filter: no team {filters.team!r} in the answer base (teams: {known})",
            code="unknown_team",
        )
    if filters.language is not None and filters.language not in LANGUAGES:
        raise UnknownFilter(
            f"language filter: {filters.language!r} is not one of {', '.join(LANGUAGES)}",
            code="unknown_language",
        )
    if filters.channel is not None and not _CHANNEL.fullmatch(filters.channel):
        raise UnknownFilter(
            f"channel filter: {filters.channel!r} is not a channel name (e.g. widget, email)",
            code="unknown_channel",
        )
    return filters


def team_answers(base: AnswerBase, team: str) -> tuple[list[str], bool]:
    """The answers whose hand-offs go to `team`, and whether inquiries with no answer (an
    abstention) count for it (they go to the base's default team)."""
    default = base.config.default_team
    ids = [
        a.id
        for a in base.answers
        if ((a.handoff.team if a.handoff and a.handoff.team else None) or default) == team
    ]
    return ids, team == default
