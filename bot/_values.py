"""Reading the value a flow's question asks for in what the visitor wrote, inside a sentence.

`read_value` returns a `Reading`: the canonical value (see `knowledge.flows`), or why none was
found, as the text to say before asking again. A reply that holds two different values of the
kind asked for is not guessed at: it is asked again.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot import _flow_texts as texts
from bot._collect_texts import FIELD_TRY_AGAIN
from bot._collecting import check_answer, describe_problem
from bot._dates import find_dates
from knowledge import Field, Question, same_text

__all__ = ["Reading", "is_email_address", "option_labels", "read_value", "yes_or_no"]

_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# An e-mail address, strictly (decision 0113): a local part of letters, digits and . _ ' + -
# (no dot first, last or twice), and a domain of letters, digits and inner hyphens, ending in a
# top-level domain of letters (or an IDN's xn--). Nothing a mailto: link reads as more headers
# (`?`, `&`, `=`, `%`, `#`, `/`) and no quoted or bracketed forms: `kari@x.no?bcc=…` is not one.
_LOCAL = r"[\w'+-]+(?:\.[\w'+-]+)*"
_LABEL = r"[^\W_](?:[^\W_]|-(?=[^\W_]|-)){0,62}"
_DOMAIN = rf"(?:{_LABEL}\.)+(?:[^\W\d_]{{2,63}}|xn--[a-z0-9-]{{1,59}})"
_ADDRESS = re.compile(rf"({_LOCAL})@({_DOMAIN})")
_EMAIL = re.compile(rf"(?<![\w.'+@-]){_LOCAL}@{_DOMAIN}(?![\w@-]|\.[^\W_])")
_PHONE = re.compile(r"(?<![\w@+])\+?\d(?:[\s-]?\(?\d\)?){5,16}(?![\w@])")
_NUMBER = re.compile(r"(?<![\w.,])[-+]?\d+(?:[.,]\d+)?(?![\w]|[.,]\d)")
_NUMBER_WORDS = {
    word: value
    for value, words in enumerate(
        (
            "null noll nolla zero",
            "én ett eitt yksi one",
            "to två two kaksi",
            "tre three kolme",
            "fire fyra four neljä",
            "fem five viisi",
            "seks sex six kuusi",
            "sju syv seven seitsemän",
            "åtte åtta otte eight kahdeksan",
            "ni nio nine yhdeksän",
            "ti tio ten kymmenen",
        )
    )
    for word in words.split()
}


@dataclass(frozen=True, slots=True)
class Reading:
    """The value found (canonical), or `problem`: what to say before asking again."""

    value: str | None
    problem: str | None = None


def read_value(
    question: Question,
    text: str,
    lang: str,
    today: datetime.date,
    *,
    field: Field | None = None,
    default_language: str = "nb",
) -> Reading:
    """The value of `question` in the visitor's reply `text` (in `lang`)."""
    kind = question.type
    if kind == "choice":
        return _choice(question, text, lang)
    if kind == "yes_no":
        return _yes_no(text, lang)
    if kind == "date":
        return _date(question, text, lang, today)
    if kind == "number":
        return _number(question, text, lang)
    if kind == "email":
        return _one(_EMAIL, text, texts.NO_EMAIL[lang], _strip_email)
    if kind == "phone":
        return _one(_PHONE, text, texts.NO_PHONE[lang], _phone)
    return _text(question, text, lang, field, default_language)


def is_email_address(text: str) -> bool:
    """Whether `text` is one e-mail address, strictly: `kari@example.no` and
    `kari.nord+kundeservice@bøker.no` are; `kari@x.no?bcc=ola@y.no`, `kari@localhost` and
    `"kari"@x.no` are not. At most 254 characters, 64 before the @."""
    found = _ADDRESS.fullmatch(text)
    return found is not None and len(text) <= 254 and len(found.group(1)) <= 64


def option_labels(question: Question, lang: str, default_language: str) -> tuple[str, ...]:
    """The buttons of a choice (or yes/no) question in `lang`."""
    if question.type == "yes_no":
        return texts.YES_LABEL[lang], texts.NO_LABEL[lang]
    return tuple(
        option.labels.get(lang) or option.labels.get(default_language) or option.id
        for option in question.options
    )


def _plain(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def _choice(question: Question, text: str, lang: str) -> Reading:
    plain = f" {_plain(text)} "
    exact, inside = set(), set()
    for position, option in enumerate(question.options, start=1):
        names = {_plain(n) for n in (*option.labels.values(), *option.words, option.id)}
        names.discard("")
        if plain.strip() in names or plain.strip() == str(position):
            exact.add(option.id)
        elif any(f" {name} " in plain for name in names):
            inside.add(option.id)
    found = exact or inside
    if len(found) == 1:
        return Reading(found.pop())
    shown = ", ".join(option_labels(question, lang, lang))
    return Reading(None, texts.NOT_AN_OPTION[lang].format(options=shown))


def yes_or_no(text: str) -> str | None:
    """`yes` or `no` when the reply says so: by its first word, else by the words in it
    when they all point one way."""
    words = _plain(text.replace("n't", " not")).split()
    if not words:
        return None
    first = words[0]
    if first in texts.YES_WORDS or first in texts.FIRST_YES_WORDS:
        return "yes"
    if first in texts.NO_WORDS or first in texts.FIRST_NO_WORDS:
        return "no"
    yes = any(word in texts.YES_WORDS for word in words)
    no = any(word in texts.NO_WORDS for word in words)
    if yes != no:
        return "yes" if yes else "no"
    return None


def _yes_no(text: str, lang: str) -> Reading:
    value = yes_or_no(text)
    return Reading(value) if value else Reading(None, texts.NOT_YES_NO[lang])


def _date(question: Question, text: str, lang: str, today: datetime.date) -> Reading:
    found = set(find_dates(text, today))
    if not found:
        return Reading(None, texts.NO_DATE[lang])
    if len(found) > 1:
        return Reading(None, texts.TWO_DATES[lang])
    day = found.pop()
    shown = f"{day.day}.{day.month}.{day.year}"
    if question.dates == "past" and day > today:
        return Reading(None, texts.FUTURE_DATE[lang].format(date=shown))
    if question.dates == "future" and day < today:
        return Reading(None, texts.PAST_DATE[lang].format(date=shown))
    return Reading(day.isoformat())


def _number(question: Question, text: str, lang: str) -> Reading:
    values = {float(m.group(0).replace(",", ".")) for m in _NUMBER.finditer(text)}
    if not values:
        values = {float(_NUMBER_WORDS[w]) for w in _plain(text).split() if w in _NUMBER_WORDS}
    if len(values) != 1:
        return Reading(None, texts.NOT_A_NUMBER[lang])
    number = values.pop()
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        shown = [_canonical(v) if v is not None else "…" for v in (low, high)]
        return Reading(None, texts.NUMBER_RANGE[lang].format(low=shown[0], high=shown[1]))
    return Reading(_canonical(number))


def _canonical(number: float) -> str:
    return str(int(number)) if number == int(number) else repr(number)


def _strip_email(value: str) -> str:
    return value.rstrip(".")


def _phone(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    return value.strip() if 7 <= len(digits) <= 15 else None


def _one(
    pattern: re.Pattern[str], text: str, problem: str, clean: Callable[[str], str | None]
) -> Reading:
    found = {value for m in pattern.finditer(text) if (value := clean(m.group(0)))}
    if len({same_text(value) for value in found}) == 1:
        return Reading(found.pop())
    return Reading(None, problem)


def _text(
    question: Question, text: str, lang: str, field: Field | None, default_language: str
) -> Reading:
    if question.pattern is None:
        value = text.strip()
        return Reading(value) if value else Reading(None, FIELD_TRY_AGAIN[lang])
    checked = field or Field(question.id, {}, question.pattern, question.example, question.labels)
    found = check_answer(checked, text)
    if found is not None:
        return Reading(found)
    return Reading(None, describe_problem(checked, text, lang, default_language))
