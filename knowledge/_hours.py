"""Validating `business_hours:` in `base.yaml`: a time zone, the week, and holidays.

```yaml
business_hours:
  timezone: Europe/Oslo
  weekly:
    mon: "08:00-20:00"
    sat: ["10:00-12:00", "13:00-16:00"]
    sun: closed
  holidays:
    - 2026-12-25                              # closed all day
    - {date: 2026-12-24, hours: "10:00-13:00"}
```
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

from knowledge import _checks as check
from knowledge._report import Report, quoted_list
from knowledge._yaml import Map, item_line, key_line
from knowledge.schema import BusinessHours, Minutes

HOURS_KEYS = ("timezone", "weekly", "holidays")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def parse_business_hours(value: Any, line: int | None, report: Report) -> BusinessHours | None:
    node = check.mapping(value, line, "business_hours", report)
    if node is None:
        return None
    before = report.error_count
    check.unknown_keys(node, HOURS_KEYS, "business_hours.", report)
    timezone = _timezone(node, line, report)
    weekly = _weekly(node, line, report)
    holidays = _holidays(node, report)
    if report.error_count > before or timezone is None or weekly is None:
        return None
    return BusinessHours(timezone, weekly, holidays)


def _timezone(node: Map, line: int | None, report: Report) -> str | None:
    field = "business_hours.timezone"
    if node.get("timezone") is None:
        report.error(line, field, 'the required key "timezone" is missing, e.g. Europe/Oslo')
        return None
    at = key_line(node, "timezone")
    name = check.text(node["timezone"], at, field, report)
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        report.error(at, field, f'"{name}" is not a time zone; use an IANA name like Europe/Oslo')
        return None
    return name


def _weekly(node: Map, line: int | None, report: Report) -> dict[int, tuple[Minutes, ...]] | None:
    if node.get("weekly") is None:
        report.error(line, "business_hours.weekly", 'the required key "weekly" is missing')
        return None
    days = check.mapping(node["weekly"], key_line(node, "weekly"), "business_hours.weekly", report)
    if days is None:
        return None
    weekly: dict[int, tuple[Minutes, ...]] = {}
    for key, spec in days.items():
        field = f"business_hours.weekly.{key}"
        at = key_line(days, key)
        if key not in DAYS:
            report.error(at, field, f'"{key}" is not a day; use {quoted_list(DAYS)}')
            continue
        ranges = parse_ranges(spec, at, field, report)
        if ranges:
            weekly[DAYS.index(key)] = ranges
    return weekly


def _holidays(node: Map, report: Report) -> dict[datetime.date, tuple[Minutes, ...]]:
    value = node.get("holidays")
    if value is None:
        return {}
    items = check.sequence(value, key_line(node, "holidays"), "business_hours.holidays", report)
    holidays: dict[datetime.date, tuple[Minutes, ...]] = {}
    for index, item in enumerate(items or ()):
        field, at = f"business_hours.holidays[{index}]", item_line(items, index)
        day, ranges = _holiday(item, at, field, report)
        if day is None:
            continue
        if day in holidays:
            report.error(at, field, f"{day.isoformat()} is listed twice")
        holidays[day] = ranges
    return holidays


def _holiday(
    item: Any, line: int | None, field: str, report: Report
) -> tuple[datetime.date | None, tuple[Minutes, ...]]:
    if not isinstance(item, Map):
        return check.date(item, line, field, report), ()
    check.unknown_keys(item, ("date", "hours"), f"{field}.", report)
    if item.get("date") is None:
        report.error(line, f"{field}.date", 'the required key "date" is missing')
        return None, ()
    day = check.date(item["date"], key_line(item, "date"), f"{field}.date", report)
    hours = item.get("hours", "closed")
    return day, parse_ranges(hours, key_line(item, "hours") or line, f"{field}.hours", report)


def parse_ranges(spec: Any, line: int | None, field: str, report: Report) -> tuple[Minutes, ...]:
    """ "08:00-16:00", a list of such ranges, or "closed"; ranges in order, not overlapping."""
    if spec == "closed":
        return ()
    texts = [spec] if isinstance(spec, str) else spec if isinstance(spec, list) else None
    if texts is None:
        report.error(
            line,
            field,
            f'must be "HH:MM-HH:MM", a list of them, or "closed", not {check.describe(spec)}',
        )
        return ()
    ranges: list[Minutes] = []
    for text in texts:
        found = _range(text, line, field, report)
        if found is None:
            continue
        if ranges and found[0] < ranges[-1][1]:
            report.error(line, field, f'"{text}" starts before the range before it ends')
            continue
        ranges.append(found)
    return tuple(ranges)


def _range(text: Any, line: int | None, field: str, report: Report) -> Minutes | None:
    match = _RANGE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        report.error(line, field, f'{check.describe(text)} is not a range like "08:00-16:00"')
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60 or (h2 == 24 and m2):
        report.error(line, field, f'"{text}" is not a time of day (00:00-24:00)')
        return None
    if end <= start:
        report.error(line, field, f'"{text}" ends before it starts; closing must be after opening')
        return None
    return start, end
