"""The checkable facts of a text: numbers, dates, times, prices, URLs, e-mails, phone numbers.

Every fact is a tagged string, so facts written differently compare equal:

    n:1299      "1 299,-", "1299 kr", "1.299", "NOK 1 299", "1 299 kroner"
    n:14        "14 dager", "14 days", "fjorten dagar", "14 päivän"
    n:49.9      "49,90", "49.90"
    m:3         "mars", "March", "maaliskuussa", the month of "01.03.2026"
    w:1         "mandag", "Monday", "maanantaisin"
    c:krone     "kr", "kroner", "NOK", "SEK", ",-"
    u:shop.example/returns   "https://www.shop.example/returns/", "shop.example/returns"
    e:kundeservice@shop.example
    p:22000000  "+47 22 00 00 00", "0047 22000000", "22 00 00 00"
    x:…         a card number, IBAN or identity number (digits only)

A written number may be read more than one way ("1.299" is 1299 in Norwegian and 1.299 in
English; "16.30" is a decimal or half past four): `Fact.readings` holds each reading as the set
of tagged values it needs, and a fact is supported when one reading is fully supported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from bot._lexicon import CURRENCIES, NUMBER_WORDS, month_of, weekday_of
from bot.privacy import PLACEHOLDER, find_personal_data

__all__ = [
    "CITATION",
    "Fact",
    "allowed_values",
    "extract_facts",
    "personal_values",
    "strip_markers",
]

CITATION = re.compile(r"\[\s*([a-z0-9][a-z0-9-]*(?:\s*[,;]\s*[a-z0-9][a-z0-9-]*)*)\s*\]")
_TLDS = "com|net|org|info|biz|eu|io|no|se|dk|fi|is|de|uk|nu|example"
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:" + _TLDS + r")(?:/[^\s<>\"'()\[\]{}]*)?(?![\w-])",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DOT_DATE = re.compile(r"(?<![\d.])(\d{1,2})([./])(\d{1,2})\2(\d{2,4})?(?![\d])")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
_NUMBER = re.compile(r"(?<![\d])\d+(?:(?:[.,'\u00a0\u2009\u202f]| (?=\d{3}(?!\d)))\d+)*")
_MAY = re.compile(r"(?<!\w)May(?=\s+\d)|(?<=\d)\.?\s+May(?!\w)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_SEPARATORS = re.compile(r"[.,'\u00a0\u2009\u202f ]")
_COUNTRY_CODES = ("358", "45", "46", "47", "354", "298", "299")


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact as written (`text`) and the ways it can be read (each a set of values)."""

    text: str
    readings: tuple[frozenset[str], ...]

    def supported_by(self, allowed: frozenset[str]) -> bool:
        return any(reading <= allowed for reading in self.readings)


def strip_markers(text: str) -> str:
    """`text` without citations and placeholders (they are not facts)."""
    return PLACEHOLDER.sub(" ", CITATION.sub(" ", text))


def _number(text: str) -> str:
    value = Decimal(text).normalize()
    return f"n:{value:f}"


def _number_readings(token: str) -> tuple[frozenset[str], ...]:
    groups = _SEPARATORS.split(token)
    seps = _SEPARATORS.findall(token)
    if not seps:
        return (frozenset({_number(token)}),)
    readings: list[frozenset[str]] = []
    if len(set(seps)) == 1 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        readings.append(frozenset({_number("".join(groups))}))
    if len(seps) == 1 and seps[0] in ".,":
        readings.append(frozenset({_number(f"{groups[0]}.{groups[1]}")}))
        hour, minute = int(groups[0]), int(groups[1])
        if len(groups[1]) == 2 and hour <= 23 and minute <= 59:
            readings.append(_clock(groups[0], groups[1]))
    return tuple(readings) or (frozenset(_number(g) for g in groups),)


def _clock(hour: str, minute: str) -> frozenset[str]:
    values = {_number(hour)}
    if int(minute):
        values.add(_number(minute))
    return frozenset(values)


def _date(day: str, month: str, year: str | None) -> frozenset[str] | None:
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    values = {_number(day), f"m:{int(month)}"}
    if year:
        values.add(_number(year))
    return frozenset(values)


def _date_readings(match: re.Match[str]) -> tuple[frozenset[str], ...]:
    first, sep, second, year = match.group(1), match.group(2), match.group(3), match.group(4)
    readings = [_date(first, second, year)]
    if sep == "/":
        readings.append(_date(second, first, year))
    if not year and sep == ".":
        readings.append(frozenset({_number(f"{first}.{second}")}))
        readings.append(_clock(first, second) if len(second) == 2 else None)
    return tuple(r for r in readings if r)


def _phone_value(raw: str) -> str:
    digits = re.sub(r"\D", "", raw.replace("(0)", ""))
    if raw.startswith(("+", "00")):
        digits = digits[2:] if raw.startswith("00") else digits
        code = next((c for c in _COUNTRY_CODES if digits.startswith(c)), "")
        digits = digits[len(code) :]
    return f"p:{digits.lstrip('0')}"


def _url_value(raw: str) -> str:
    url = raw.rstrip(".,;:!?»”’\"'").lower()
    url = re.sub(r"^https?://", "", url)
    url = url.removeprefix("www.")
    return f"u:{url.rstrip('/')}"


_Read = Callable[[re.Match[str]], Iterable[frozenset[str] | None]]


class _Scanner:
    """Takes facts out of a text, blanking each one so later patterns do not see it again."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.facts: list[Fact] = []

    def take(self, start: int, end: int, readings: Iterable[frozenset[str] | None]) -> None:
        found = tuple(r for r in readings if r)
        if found:
            self.facts.append(Fact(self.text[start:end], found))
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def take_pattern(self, pattern: re.Pattern[str], read: _Read) -> None:
        for match in list(pattern.finditer(self.text)):
            self.take(match.start(), match.end(), read(match))


def _personal(scanner: _Scanner) -> None:
    for finding in find_personal_data(scanner.text):
        if finding.kind == "email":
            value = f"e:{finding.value.casefold()}"
        elif finding.kind == "phone":
            value = _phone_value(finding.value)
        else:
            value = "x:" + re.sub(r"[\s-]", "", finding.value).upper()
        scanner.take(finding.start, finding.end, [frozenset({value})])


def _words(scanner: _Scanner, lang: str | None) -> None:
    numbers = NUMBER_WORDS.get(lang or "", {})
    for match in _WORD.finditer(scanner.text):
        word = match.group().casefold()
        month, weekday = month_of(word), weekday_of(word)
        if word in numbers:
            scanner.facts.append(Fact(match.group(), (frozenset({_number(str(numbers[word]))}),)))
        elif month is not None:
            scanner.facts.append(Fact(match.group(), (frozenset({f"m:{month}"}),)))
        elif weekday is not None:
            scanner.facts.append(Fact(match.group(), (frozenset({f"w:{weekday}"}),)))


def _constant(value: frozenset[str]) -> _Read:
    return lambda match: [value]


def extract_facts(text: str, lang: str | None = None) -> tuple[Fact, ...]:
    """The facts in `text`; number words are read in `lang` (none when it is None)."""
    scanner = _Scanner(strip_markers(text))
    _personal(scanner)
    scanner.take_pattern(_URL, lambda m: [frozenset({_url_value(m.group())})])
    scanner.take_pattern(_ISO_DATE, lambda m: [_date(m.group(3), m.group(2), m.group(1))])
    scanner.take_pattern(_DOT_DATE, _date_readings)
    scanner.take_pattern(_TIME, lambda m: [_clock(m.group(1), m.group(2))])
    scanner.take_pattern(_MAY, lambda m: [frozenset({"m:5"})])
    for name, pattern in CURRENCIES:
        scanner.take_pattern(pattern, _constant(frozenset({f"c:{name}"})))
    scanner.take_pattern(_NUMBER, lambda m: _number_readings(m.group()))
    _words(scanner, lang)
    return tuple(scanner.facts)


def personal_values(text: str) -> frozenset[str]:
    """The fact values of the personal data in `text` (as `extract_facts` would tag them)."""
    scanner = _Scanner(text)
    _personal(scanner)
    return frozenset(value for fact in scanner.facts for value in fact.readings[0])


def allowed_values(texts: Iterable[tuple[str, str | None]]) -> frozenset[str]:
    """Every value any reading of any fact in these (text, language) pairs has.

    The host of every URL is allowed too: naming the site of a cited link adds nothing.
    """
    values: set[str] = set()
    for text, lang in texts:
        for fact in extract_facts(text, lang):
            for reading in fact.readings:
                values |= reading
    hosts = {"u:" + v[2:].split("/", 1)[0] for v in values if v.startswith("u:")}
    return frozenset(values | hosts)
