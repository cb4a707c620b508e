"""Business hours: whether people answer now, and when they next do (time-zone aware)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from knowledge import BusinessHours

__all__ = ["is_open", "next_opening"]

LOOK_AHEAD_DAYS = 366


def _local_time(day: dt.date, minutes: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    midnight = dt.datetime.combine(day, dt.time(), zone)
    # Wall-clock arithmetic: 08:00 is 08:00 local on a day with a DST change too.
    local = midnight.replace(hour=minutes // 60 % 24, minute=minutes % 60)
    if minutes >= 24 * 60:
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return local


def is_open(hours: BusinessHours | None, now: dt.datetime) -> bool:
    """True within a range of `hours` at `now` (aware), or always when there are no hours."""
    if hours is None:
        return True
    zone = zoneinfo.ZoneInfo(hours.timezone)
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in hours.ranges_on(local.date()))


def next_opening(hours: BusinessHours | None, now: dt.datetime) -> dt.datetime | None:
    """When people next start answering after `now` (aware UTC); None when open now, when
    there are no hours, or when nothing opens within a year."""
    if hours is None or is_open(hours, now):
        return None
    zone = zoneinfo.ZoneInfo(hours.timezone)
    local = now.astimezone(zone)
    for offset in range(LOOK_AHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        for start, _end in hours.ranges_on(day):
            opening = _local_time(day, start, zone)
            if opening > local:
                return opening.astimezone(dt.UTC)
    return None
