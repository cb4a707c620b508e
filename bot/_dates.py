"""Finding a date in what a visitor wrote, in the six languages, relative to an injected today.

Read: ISO dates (2024-03-10), day-month-year with dots or slashes (10.3.2024, 10/3/24, "10.3."),
a day and a month name, full or short, with or without a dot ("10. mars 2024", "3 okt. 2024",
"3rd of March", "March 3, 2024", "Mar 3rd 2024", "10. maaliskuuta"), a month name alone or with a
year ("i mars", "mars 2024", "i mars i fjor", "maaliskuussa"), a year ("i 2023"), and relative
dates: today, yesterday, last week, last month, last year, this year, "N days/weeks/months/years
ago" (digits or number words, "et halvt år"), and ahead of today: tomorrow and "in N days/weeks/
months/years" ("om to uker", "om två veckor", "kahden viikon päästä", "two weeks from now").
A date question that only takes past dates refuses those with what it read (`bot/_values.py`).

A month or a year without a day means its last day, and never a day after today for a month or
year that has begun: the latest date the visitor can mean. "Older than two years" is then only
true when it is true for every day the visitor may mean. Slashes are read day first, as in
the Nordics. Every date found is returned; the caller decides what to do with two.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator

from bot._lexicon import month_of
from knowledge import Duration

__all__ = ["find_dates"]

# Short forms and English "may" (`month_of` leaves it to its callers, since it is also a
# verb); the full names in six languages, and Finnish inflected ones ("maaliskuussa"), are the
# bot's lexicon's (`month_of`).
_ABBREVIATIONS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sept sep",
        "okt oct",
        "nov",
        "des dec",
    ),
    start=1,
):
    _ABBREVIATIONS.update(dict.fromkeys(_names.split(), _number))
# Month names of three letters that are no common word, read without a day or a year.
_SHORT = frozenset({"mai", "maj"})

_NUMBER_WORDS: dict[str, int] = {}
for _value, _words in enumerate(
    (
        "en ett ei ein eitt et one a an yksi yhden vuosi",
        "to två two kaksi kahden",
        "tre three kolme kolmen",
        "fire fyra four neljä neljän",
        "fem five viisi viiden",
        "seks sex six kuusi kuuden",
        "sju syv seven seitsemän",
        "åtte åtta otte eight kahdeksan",
        "ni nio nine yhdeksän",
        "ti tio ten kymmenen",
        "elleve elva eleven",
        "tolv twelve",
    ),
    start=1,
):
    _NUMBER_WORDS.update(dict.fromkeys(_words.split(), _value))

_UNITS = {
    "days": "dag dager dagar dage day days päivä päivää päivän",
    "weeks": "uke uker veke veker vecka veckor uge uger week weeks viikko viikkoa viikon",
    "months": "måned måneder månad månader måneden month months kuukausi kuukautta kuukauden",
    "years": "år året year years vuosi vuotta vuoden",
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words.split()}

_AGO = r"(?:siden|sidan|sedan|ago|sitten)"
_RELATIVE = re.compile(
    rf"(?:\b(?:for|för)\s+)?\b(\d+|[^\W\d_]+)\s+([^\W\d_]+)\s+{_AGO}\b", re.IGNORECASE
)
_HALF_YEAR = re.compile(
    r"\b(?:et\s+halvt\s+år|ett\s+halvår|eit\s+halvt\s+år|et\s+halvt\s+år|"
    r"half\s+a\s+year|puoli\s+vuotta)\s+" + _AGO,
    re.IGNORECASE,
)
_AHEAD = re.compile(
    r"\b(?:om|in)\s+(\d+|[^\W\d_]+)\s+([^\W\d_]+)\b"
    r"|\b(\d+|[^\W\d_]+)\s+([^\W\d_]+)\s+(?:from\s+now|päästä|kuluttua)\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")  # also "2024-10-03T10:00"
_NUMERIC = re.compile(r"(?<![\d.,/])(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})(?![\d/]|\.\d)")
_DAY_MONTH_DOT = re.compile(r"(?<![\d.,/])(\d{1,2})\.(\d{1,2})\.(?!\d)")
_WORD = r"[^\W\d_]+"
# A short month name may end in a dot ("okt. 2024"), part of the name; after a full name a dot
# ends a sentence, and a year after it is not the month's ("i mars. 2024 var …").
_DAY_NAME = re.compile(
    rf"(?<![\d.])(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+|de\s+)?({_WORD})(\.)?"
    rf"(?:,?\s+(\d{{4}})(?!\d))?",
    re.IGNORECASE,
)
# Month first ("March 3, 2024", "Mar 3rd 2024", "Oct. 3"); a short name only with a dot, an
# ordinal or a year, since "jan 3" may be a name and a number.
_NAME_DAY = re.compile(
    rf"\b({_WORD})(\.)?\s+(\d{{1,2}})(st|nd|rd|th)?(?![\d.])(?:,?\s+(\d{{4}})(?!\d))?",
    re.IGNORECASE,
)
_NAME_YEAR = re.compile(rf"\b({_WORD})(\.)?(?:\s+(\d{{4}})(?!\d))?", re.IGNORECASE)
_FUTURE_DAYS = {"tomorrow": 1, "day_after_tomorrow": 2}
_YEAR = re.compile(
    r"\b(?:i|in|år|vuonna|vuoden)\s+((?:19|20)\d{2})\b|\b((?:19|20)\d{2})\s*:?(?:ssa|llä)\b"
)

_PHRASES: tuple[tuple[str, str], ...] = (
    (
        "day_after_tomorrow",
        r"i\s+overmorgen|i\s+övermorgon|i\s+overmorgon|i\s+overmorgen|ylihuomenna|"
        r"the\s+day\s+after\s+tomorrow",
    ),
    ("tomorrow", r"i\s*morgen|i\s*morgon|imorgon|huomenna|tomorrow"),
    ("today", r"i\s*dag|idag|tänään|today|nettopp"),
    ("yesterday", r"i\s*går|igår|i\s*gær|eilen|yesterday"),
    (
        "last_week",
        r"forrige\s+uke|førre\s+veke|förra\s+veckan|sidste\s+uge|viime\s+viikolla|last\s+week",
    ),
    (
        "last_month",
        r"forrige\s+måned|førre\s+månad|förra\s+månaden|sidste\s+måned|viime\s+kuussa|last\s+month",
    ),
)
_LAST_YEAR = re.compile(
    r"\b(?:i\s+fjor|i\s+fjol|förra\s+året|sidste\s+år|viime\s+vuonna|last\s+year)\b",
    re.IGNORECASE,
)
_THIS_YEAR = re.compile(r"\b(?:i\s+år|tänä\s+vuonna|this\s+year)\b", re.IGNORECASE)


def _month(word: str) -> int | None:
    word = word.casefold().rstrip(".")
    return month_of(word) or _ABBREVIATIONS.get(word)


def _end_of_month(year: int, month: int, today: datetime.date) -> datetime.date:
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return min(last, today) if (year, month) == (today.year, today.month) else last


def _end_of_year(year: int, today: datetime.date) -> datetime.date:
    return (
        min(datetime.date(year, 12, 31), today)
        if year == today.year
        else datetime.date(year, 12, 31)
    )


def _short_form(word: str) -> bool:
    return word.casefold() in _ABBREVIATIONS


def _year_of(match: re.Match[str], name: int) -> tuple[int | None, int]:
    """The year after the month name in group `name` (its dot in the next group, the year in
    the one after), and where the date's text ends: a year after a full name and a dot is
    another sentence's ("i mars. 2024 var …"), and the date ends at the name."""
    dot, year = match[name + 1], match[name + 2]
    if year and dot and not _short_form(match[name]):
        return None, match.end(name)
    return (int(year) if year else None), match.end()


def _full_year(digits: str) -> int:
    year = int(digits)
    return year + 2000 if len(digits) == 2 else year


def _safe(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


class _Finder:
    """One text: dates are collected from the most specific forms down, and each piece of
    text is used by one form only."""

    def __init__(self, text: str, today: datetime.date) -> None:
        self.text = text
        self.today = today
        self.used = [False] * len(text)
        self.found: list[datetime.date] = []

    def take(self, match: re.Match[str], day: datetime.date | None, end: int = 0) -> None:
        """Keep `day`, read from `match` (up to `end` when given), unless a piece of that text
        was read already."""
        start, end = match.start(), end or match.end()
        if day is None or any(self.used[start:end]):
            return
        self.used[start:end] = [True] * (end - start)
        self.found.append(day)

    def matches(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return (m for m in pattern.finditer(self.text) if not any(self.used[m.start() : m.end()]))

    def run(self) -> list[datetime.date]:
        for match in self.matches(_ISO):
            self.take(match, _safe(int(match[1]), int(match[2]), int(match[3])))
        for match in self.matches(_NUMERIC):
            self.take(match, _safe(_full_year(match[3]), int(match[2]), int(match[1])))
        for match in self.matches(_DAY_MONTH_DOT):
            self.take(match, self._in_year(None, int(match[2]), int(match[1])))
        self._named()
        self._relative()
        return self.found

    def _in_year(self, year: int | None, month: int, day: int) -> datetime.date | None:
        """A day of a month with no year given: this year's, or last year's when that day is
        still ahead (or the year the sentence names)."""
        year = year or self._named_year()
        if year is not None:
            return _safe(year, month, day)
        this = _safe(self.today.year, month, day)
        if this is not None and this <= self.today:
            return this
        return _safe(self.today.year - 1, month, day)

    def _named(self) -> None:
        for match in self.matches(_DAY_NAME):
            month = _month(match[2])
            year, end = _year_of(match, 2)
            if month is not None:
                self.take(match, self._in_year(year, month, int(match[1])), end)
        for match in self.matches(_NAME_DAY):
            month = _month(match[1])
            short = len(match[1]) <= 3 and not (match[2] or match[4] or match[5])
            if month is not None and not short and not (match[2] and not _short_form(match[1])):
                year = int(match[5]) if match[5] else None
                self.take(match, self._in_year(year, month, int(match[3])))
        for match in self.matches(_NAME_YEAR):
            month = _month(match[1])
            year, end = _year_of(match, 1)
            named = _LAST_YEAR.search(self.text) or _THIS_YEAR.search(self.text)
            if month is not None and (len(match[1]) > 3 or match[1] in _SHORT or year or named):
                self.take(match, self._month_alone(month, year), end)
        for match in self.matches(_YEAR):
            self.take(match, _end_of_year(int(match[1] or match[2]), self.today))

    def _named_year(self) -> int | None:
        """The year the sentence names for a month ("i mars i fjor", "in March this year");
        those words are then used up."""
        for pattern, year in ((_LAST_YEAR, self.today.year - 1), (_THIS_YEAR, self.today.year)):
            for match in self.matches(pattern):
                self.used[match.start() : match.end()] = [True] * (match.end() - match.start())
                return year
        return None

    def _month_alone(self, month: int, year: int | None) -> datetime.date:
        year = year or self._named_year()
        if year is None:
            year = self.today.year if month <= self.today.month else self.today.year - 1
        return _end_of_month(year, month, self.today)

    def _relative(self) -> None:
        for match in self.matches(_HALF_YEAR):
            self.take(match, Duration(6, "months").before(self.today))
        for match in self.matches(_RELATIVE):
            self.take(match, self._ago(match[1], match[2]))
        for match in self.matches(_AHEAD):
            self.take(match, self._ahead(match[1] or match[3], match[2] or match[4]))
        today = self.today
        for name, words in _PHRASES:
            for match in self.matches(re.compile(rf"\b(?:{words})\b", re.IGNORECASE)):
                self.take(match, _phrase_date(name, today))
        for match in self.matches(_LAST_YEAR):
            self.take(match, datetime.date(today.year - 1, 12, 31))

    def _ago(self, count: str, unit_word: str) -> datetime.date | None:
        duration = _duration(count, unit_word)
        return duration.before(self.today) if duration else None

    def _ahead(self, count: str, unit_word: str) -> datetime.date | None:
        duration = _duration(count, unit_word)
        return duration.after(self.today) if duration else None


def _duration(count: str, unit_word: str) -> Duration | None:
    """A span such as "to uker", "2 weeks" or "kahden viikon"; None when the words are not one."""
    unit = _UNIT_OF.get(unit_word.casefold())
    amount = int(count) if count.isdigit() else _NUMBER_WORDS.get(count.casefold())
    if unit is None or amount is None:
        return None
    return Duration(amount, unit)


def _phrase_date(name: str, today: datetime.date) -> datetime.date:
    if name in _FUTURE_DAYS:
        return today + datetime.timedelta(days=_FUTURE_DAYS[name])
    if name == "today":
        return today
    if name == "yesterday":
        return today - datetime.timedelta(days=1)
    if name == "last_week":
        return today - datetime.timedelta(days=7)
    first = today.replace(day=1)
    return first - datetime.timedelta(days=1)  # the last day of last month


def find_dates(text: str, today: datetime.date) -> list[datetime.date]:
    """Every date written in `text`, in the order the forms are tried, repeats included."""
    return _Finder(text, today).run()
