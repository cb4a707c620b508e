"""The shortcuts that make redaction fast find exactly what the slow way found.

Each test here fails when its shortcut skips something: a phrase introducing a name without a
word of `_INTRO_WORDS`, a letter the case-insensitive match folds that `_FOLDS` misses, a
number found inside another with a letter or `+` right before it, a long number covered by one
finding taking another's finding with it, a date check that disagrees with `datetime`.
"""

from __future__ import annotations

import datetime
import random
import re
import sys

import pytest

from bot import find_personal_data
from bot._identity import _is_date, luhn_is_valid
from bot._names import _FOLDS, _INTRO_WORDS, _SAYS_NAME, _SIGN_OFF


def spans(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in find_personal_data(text, broad=True)]


def test_every_phrase_introducing_a_name_holds_a_word_looked_for_first() -> None:
    phrases = (_SAYS_NAME + "|" + _SIGN_OFF).split("|")
    for phrase in phrases:
        words = phrase.replace(r"\s+", " ").lower()
        assert any(word in words for word in _INTRO_WORDS), phrase


def test_the_folded_letters_are_all_those_lower_case_misses() -> None:
    letters = sorted(set("".join(_INTRO_WORDS)))
    any_letter = re.compile("(?i)[" + "".join(letters) + "]")
    folded = set()
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if any_letter.fullmatch(char):
            for letter in letters:
                if re.fullmatch("(?i)" + letter, char) and char.lower() != letter:
                    folded.add(char)
    assert folded == set(_FOLDS)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mvh Synnøve Kvamme", "Synnøve Kvamme"),
        ("MY NAME IS Synnøve Kvamme", "Synnøve Kvamme"),
        # "ſ" is an "s" to the case-insensitive match, but "hilſen".lower() has no "hilsen"
        ("Med vennlig hilſen Synnøve Kvamme", "Synnøve Kvamme"),
        ("NİMENİ ON Synnøve Kvamme", "Synnøve Kvamme"),
    ],
)
def test_a_name_after_an_introduction_in_any_case_is_found(text: str, name: str) -> None:
    assert ("name", name) in spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "kari (at) example (dot) no",
        "kari[at]example.no",
        "kari {a} example.no",
        "kari at example dot no",
    ],
)
def test_obfuscated_email_addresses_with_each_kind_of_at(text: str) -> None:
    assert spans(text) == [("email", text)]


@pytest.mark.parametrize(
    "text",
    [
        "x4111 1111 1111 1111",
        "@4111 1111 1111 1111",
        "+4111 1111 1111 1111",
        "a91234567",
        "+004791234567",
        "x004791234567",
        "a10.0.0.1",
        "1.10.0.0.1",
        "g::1",
    ],
)
def test_nothing_starts_right_after_a_letter_or_a_sign(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("0047 912 34 567", [("phone", "0047 912 34 567")]),
        ("ring 912 34 567", [("phone", "912 34 567")]),
        ("fra 10.0.0.1 og ::1 og fe80::1", [("ip", "10.0.0.1"), ("ip", "::1"), ("ip", "fe80::1")]),
    ],
)
def test_numbers_and_addresses_at_a_word_start_are_found(
    text: str, found: list[tuple[str, str]]
) -> None:
    assert spans(text) == found


def test_each_long_number_is_judged_on_its_own() -> None:
    # a card covers the first long number; the second fails Luhn and holds a "phone number"
    text = "kort 4111 1111 1111 1111, referanse 9123 4567 8901 2345, ring 912 34 567"
    assert spans(text) == [("card", "4111 1111 1111 1111"), ("phone", "912 34 567")]


def test_the_date_check_agrees_with_datetime() -> None:
    for year in (0, 1, 1800, 1899, 1900, 1999, 2000, 2004, 2023, 2024, 2100, 9999, 10000):
        for month in range(-1, 15):
            for day in range(-1, 33):
                try:
                    datetime.date(year, month, day)
                    exists = True
                except ValueError:
                    exists = False
                assert _is_date(year, month, day) == exists, (year, month, day)


def test_luhn_agrees_with_its_definition() -> None:
    def luhn(digits: str) -> bool:
        total = 0
        for position, char in enumerate(reversed(digits)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        return total % 10 == 0

    draw = random.Random(6)
    for _ in range(2000):
        digits = "".join(draw.choice("0123456789") for _ in range(draw.randint(1, 19)))
        assert luhn_is_valid(digits) == luhn(digits), digits
    assert not luhn_is_valid("4111 1111")
