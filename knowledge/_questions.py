"""When two questions are the same question: a module of its own, so that what only compares
questions (the conversations' storage, insights, privacy) does not import the YAML writer."""

from __future__ import annotations

__all__ = ["normalise_question"]

_END_PUNCTUATION = "?!.,;:…¿¡\"'«»“”‘’()[] "


def normalise_question(text: str) -> str:
    """The form in which two questions are the same: case-folded, runs of whitespace made one
    space, and punctuation or quotes at either end removed ("Hvor er pakken min?" and
    "hvor er  pakken min" are one question)."""
    return " ".join(text.casefold().split()).strip(_END_PUNCTUATION)
