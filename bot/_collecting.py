"""Reading the value of a field of `fields.yaml`: recognising values already written,
checking answers, explaining what is wrong, and recognising "skip" and a new question.

A flow's questions use these (`bot/_values.py`, `bot/_flow_turns.py`), so do the questions
that `handoff.collect` compiles to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot._collect_texts import (
    CHECK_FIELD,
    FIELD_DIGIT_COUNT,
    FIELD_DIGITS_ONLY,
    FIELD_LIKE_EXAMPLE,
    FIELD_NEEDS_AT,
    FIELD_TRY_AGAIN,
    SKIP_WORDS,
)
from knowledge import Field

_SKIPS = frozenset(word for words in SKIP_WORDS.values() for word in words)
_NOT_WORD = re.compile(r"[^\w\s']+")
_SEPARATORS = re.compile(r"[\s.-]+")
_NUMBER = re.compile(r"(?<![\w@])\+?\d(?:[\s.-]?\d)*(?![\w@])")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_QUESTION_WORDS = 3  # a reply with no digits and this many words may be a new question


def is_skip(text: str) -> bool:
    """Whether the whole message means "skip this one" ("hopp over", "vet ikke", "skip")."""
    plain = " ".join(_NOT_WORD.sub(" ", text.casefold().replace("’", "'")).split())
    return plain in _SKIPS


def _unanchored(pattern: str) -> str:
    inner = pattern
    for start in ("^", r"\A"):
        if inner.startswith(start):
            inner = inner[len(start) :]
    for end in ("$", r"\Z", r"\z"):
        if inner.endswith(end) and not inner.endswith("\\" + end):
            inner = inner[: -len(end)]
    return inner


def recognise(field: Field, texts: Iterable[str], taken: Iterable[str] = ()) -> str | None:
    """A value of `field` in what the visitor wrote (the most recent first), not one of
    `taken` (the values other fields already have); None when the field does not recognise
    values or none is there."""
    if not field.recognise:
        return None
    found = re.compile(rf"(?<!\w)(?:{_unanchored(field.pattern)})(?!\w)")
    used = set(taken)
    for text in reversed(list(texts)):
        for match in found.finditer(text):
            value = match.group(0).strip()
            if value and value not in used and field.check_value(value):
                return value
    return None


def _whole(field: Field, value: str) -> str | None:
    if field.check_value(value):
        return value
    if field.example and field.example.isdigit():
        compact = _SEPARATORS.sub("", value)
        if compact.isdigit() and field.check_value(compact):
            return compact
    return None


def check_answer(field: Field, text: str) -> str | None:
    """The value in the visitor's answer, or None when it does not match.

    The whole answer is tried first; then the value is looked for inside a sentence ("Det är
    2048170", "Mitt ordrenummer er 123 45 67, takk"), where exactly one value must be found.
    A number written with spaces, dots or dashes ("123 45 67") is accepted when the field's
    example is a plain number and the digits alone match.
    """
    value = text.strip()
    whole = _whole(field, value)
    if whole is not None:
        return whole
    found = {
        checked
        for match in _sentence_values(field, value)
        if (checked := _whole(field, match)) is not None
    }
    return found.pop() if len(found) == 1 else None


def _sentence_values(field: Field, text: str) -> list[str]:
    inside = re.compile(rf"(?<!\w)(?:{_unanchored(field.pattern)})(?!\w)")
    values = [match.group(0).strip() for match in inside.finditer(text)]
    return values + [match.group(0) for match in _NUMBER.finditer(text)]


def may_be_question(text: str) -> bool:
    """Whether a reply that gives no value may be a new question rather than a try at one:
    no digits, and a question mark or a few words ("hvor lang tid tar en retur?")."""
    if any(char.isdigit() for char in text):
        return False
    return "?" in text or len(_LETTERS.findall(text)) >= _QUESTION_WORDS


def label_of(field: Field, lang: str, default_language: str) -> str:
    """What to call the field in a sentence, in `lang` where the base says."""
    labels = field.labels
    return labels.get(lang) or labels.get(default_language) or field.name.replace("_", " ")


def describe_problem(field: Field, text: str, lang: str, default_language: str) -> str:
    """Why the answer does not fit, specifically: "…: it has 8 digits, but should have 7."."""
    example = field.example
    value = text.strip()
    numbers = [match.group(0) for match in _NUMBER.finditer(value)]
    if len(numbers) == 1 and len(_LETTERS.findall(value)) >= 2:
        value = numbers[0]  # the number inside a sentence: "det er 12345678"
    if example and example.isdigit():
        digits = _SEPARATORS.sub("", value)
        if digits.isdigit() and len(digits) != len(example):
            detail = FIELD_DIGIT_COUNT[lang].format(got=len(digits), want=len(example))
        elif not digits.isdigit():
            detail = FIELD_DIGITS_ONLY[lang].format(example=example)
        else:
            detail = FIELD_LIKE_EXAMPLE[lang].format(example=example)
    elif example and "@" in example and "@" not in value:
        detail = FIELD_NEEDS_AT[lang].format(example=example)
    elif example:
        detail = FIELD_LIKE_EXAMPLE[lang].format(example=example)
    else:
        detail = FIELD_TRY_AGAIN[lang]
    return CHECK_FIELD[lang].format(label=label_of(field, lang, default_language), detail=detail)
