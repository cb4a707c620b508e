"""The date reader of flows (`bot/_dates.py`): what it read before stays read the same; short
month names with a dot keep their year; month-first English and ISO dates; and dates ahead of
today ("om to uker") in the six languages, which only a question that allows the future takes."""

from __future__ import annotations

import datetime

import pytest

from bot import _flow_texts as flow_texts
from bot._dates import find_dates
from bot._values import read_value
from knowledge import Duration, Question

TODAY = datetime.date(2026, 6, 15)

# What the reader gave before these changes, kept as it was (the flows' sample phrases and more).
KEPT = [
    ("i mars i fjor", ("2025-03-31",)),
    ("Jeg kjøpte den 10.3.2024, tror jeg", ("2024-03-10",)),
    ("2024-03-10", ("2024-03-10",)),
    ("forrige måned", ("2026-05-31",)),
    ("Jag köpte den för två år sedan", ("2024-06-15",)),
    ("Købt sidste år i marts", ("2025-03-31",)),
    ("Ostin sen kaksi vuotta sitten", ("2024-06-15",)),
    ("viime vuonna maaliskuussa", ("2025-03-31",)),
    ("I bought it last year", ("2025-12-31",)),
    ("on the 3rd of March 2024", ("2024-03-03",)),
    ("Eg kjøpte han i går", ("2026-06-14",)),
    ("neste uke engang", ()),
    ("10.3.2027", ("2027-03-10",)),
    ("enten 1.3.2025 eller 1.4.2025", ("2025-03-01", "2025-04-01")),
    ("i mars", ("2026-03-31",)),
    ("mars 2024", ("2024-03-31",)),
    ("10. mars 2024", ("2024-03-10",)),
    ("10. maaliskuuta", ("2026-03-10",)),
    ("i 2023", ("2023-12-31",)),
    ("for et halvt år siden", ("2025-12-15",)),
    ("3/10/2024", ("2024-10-03",)),
    ("10.3.", ("2026-03-10",)),
    ("i dag", ("2026-06-15",)),
    ("forrige uke", ("2026-06-08",)),
    ("in May last year", ("2025-05-31",)),
    ("may", ()),
    ("March 3, 2024", ("2024-03-03",)),
    ("for 3 måneder siden", ("2026-03-15",)),
    ("den 5. januar", ("2026-01-05",)),
    ("5 januari 2025", ("2025-01-05",)),
    ("den 5. januar 2025", ("2025-01-05",)),
    ("huhtikuussa 2024", ("2024-04-30",)),
    ("i april i år", ("2026-04-30",)),
    ("last month", ("2026-05-31",)),
    ("17/5/24", ("2024-05-17",)),
    ("sidste uge", ("2026-06-08",)),
    ("fem dager siden", ("2026-06-10",)),
    ("Jan kom i går", ("2026-06-14",)),
    ("det var 12 mai", ("2026-05-12",)),
    ("i mai", ("2026-05-31",)),
    ("I bought it in March", ("2026-03-31",)),
    ("kesäkuussa", ("2026-06-15",)),
    ("om lag to uker siden", ("2026-06-01",)),  # "om lag": about, not "in"
    ("jan 3", ()),  # a short name and a number: maybe a name, not read
]


@pytest.mark.parametrize(("text", "dates"), KEPT)
def test_what_was_read_before_is_read_the_same(text: str, dates: tuple[str, ...]) -> None:
    assert tuple(day.isoformat() for day in find_dates(text, TODAY)) == dates


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("3 okt. 2024", "2024-10-03"),  # was 3 October 2025: the year after "okt." was lost
        ("Jeg kjøpte den 3. okt. 2024, tror jeg", "2024-10-03"),  # nb
        ("Eg kjøpte han 3. okt. 2024", "2024-10-03"),  # nn
        ("Jag köpte den 3 okt. 2024", "2024-10-03"),  # sv
        ("Jeg købte den 3. okt. 2024", "2024-10-03"),  # da
        ("Ostin sen 3. lokakuuta 2024", "2024-10-03"),  # fi
        ("I bought it on 3 Oct. 2024", "2024-10-03"),  # en
        ("okt. 2024", "2024-10-31"),  # a month and its year: the month's last day
        ("March 3, 2024", "2024-03-03"),
        ("Mar 3rd 2024", "2024-03-03"),
        ("I bought it on Mar 3rd 2024.", "2024-03-03"),
        ("Oct. 3, 2024", "2024-10-03"),
        ("Jan 3, 2024", "2024-01-03"),
        ("2024-10-03", "2024-10-03"),
        ("2024-10-03T10:00", "2024-10-03"),
        ("Det var i mars. 2024 var et godt år", "2026-03-31"),  # the year is another sentence's
    ],
)
def test_short_month_names_month_first_and_iso_dates(text: str, date: str) -> None:
    assert [day.isoformat() for day in find_dates(text, TODAY)] == [date]


IN_TWO_WEEKS = "2026-06-29"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("om to uker", IN_TWO_WEEKS),  # nb
        ("Kan dere komme om to veker?", IN_TWO_WEEKS),  # nn
        ("om två veckor", IN_TWO_WEEKS),  # sv
        ("om to uger", IN_TWO_WEEKS),  # da
        ("kahden viikon päästä", IN_TWO_WEEKS),  # fi
        ("in two weeks", IN_TWO_WEEKS),  # en
        ("two weeks from now", IN_TWO_WEEKS),
        ("om 10 dager", "2026-06-25"),
        ("om en uke", "2026-06-22"),
        ("kolmen päivän kuluttua", "2026-06-18"),
        ("in a month", "2026-07-15"),
        ("om ett år", "2027-06-15"),
        ("i morgen", "2026-06-16"),
        ("i morgon", "2026-06-16"),
        ("huomenna", "2026-06-16"),
        ("tomorrow", "2026-06-16"),
        ("i overmorgen", "2026-06-17"),
    ],
)
def test_dates_ahead_of_today_in_each_language(text: str, date: str) -> None:
    assert [day.isoformat() for day in find_dates(text, TODAY)] == [date]


def test_words_after_in_that_are_no_span_are_no_date() -> None:
    assert find_dates("in one of my orders", TODAY) == []
    assert find_dates("om tre ting", TODAY) == []


@pytest.mark.parametrize("lang", ["nb", "nn", "sv", "da", "fi", "en"])
def test_only_a_question_that_allows_the_future_takes_a_date_ahead(lang: str) -> None:
    text = {
        "nb": "om to uker",
        "nn": "om to veker",
        "sv": "om två veckor",
        "da": "om to uger",
        "fi": "kahden viikon päästä",
        "en": "in two weeks",
    }[lang]
    ask = {lang: "?"}
    for dates in ("future", "any"):
        question = Question("delivery", ask, "date", "x", dates=dates)
        assert read_value(question, text, lang, TODAY).value == IN_TWO_WEEKS
    past = Question("bought", ask, "date", "x", dates="past")
    reading = read_value(past, text, lang, TODAY)
    assert reading.value is None
    assert reading.problem == flow_texts.FUTURE_DATE[lang].format(date="29.6.2026")


def test_a_duration_after_a_day() -> None:
    assert Duration(1, "months").after(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert Duration(2, "weeks").after(TODAY) == datetime.date(2026, 6, 29)
    assert Duration(1, "years").after(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)
