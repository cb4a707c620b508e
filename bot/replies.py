"""The values one turn returns. `bot` never acts on them; `app` does."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval import Candidate

__all__ = ["Abstain", "Choice", "Clarify", "Outcome", "Reply"]


@dataclass(frozen=True, slots=True)
class _Turn:
    lang: str  # the visitor's language
    confidence: float
    ranked: tuple[Candidate, ...]
    ms: float  # time the turn took


@dataclass(frozen=True, slots=True)
class Reply(_Turn):
    """A curated answer, word for word; `fallback` when not in the visitor's language."""

    answer_id: str
    text: str
    reply_lang: str
    fallback: bool
    links: tuple[str, ...]
    note: str | None = None  # shown with a fallback: the answer is not in the visitor's language
    decision: str = "answer"


@dataclass(frozen=True, slots=True)
class Choice:
    answer_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Clarify(_Turn):
    """Two or three close candidates offered as choices."""

    text: str
    choices: tuple[Choice, ...]
    decision: str = "clarify"


@dataclass(frozen=True, slots=True)
class Abstain(_Turn):
    """No curated answer fits: say so honestly and offer a human."""

    text: str
    decision: str = "abstain"


Outcome = Reply | Clarify | Abstain
