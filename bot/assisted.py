"""What the LLM help returns: the text and its origin, stream events, the hand-off note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "URGENCIES",
    "AssistStats",
    "Assisted",
    "Delta",
    "HandoffNote",
    "OnEvent",
    "Retract",
    "StreamEvent",
    "TurnLike",
]

URGENCIES = ("low", "normal", "high", "urgent")


class TurnLike(Protocol):
    """An earlier turn as the conversation stored it (`bot.PastTurn` has these fields)."""

    @property
    def text(self) -> str: ...

    @property
    def decision(self) -> str: ...

    @property
    def answer_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Assisted:
    """The text to send and where it came from.

    `by_llm`: written (or translated) by the LLM and checked; else the curated text word for
    word, with `fallback_reason` saying why when the LLM was tried. `machine_translated`: the
    text is in `reply_lang` but a cited answer is not (`source_lang` is what it came from).
    `retracted`: streamed parts were withdrawn before the curated text replaced them.
    """

    text: str
    answer_id: str
    citations: tuple[str, ...]
    reply_lang: str
    by_llm: bool
    machine_translated: bool = False
    source_lang: str | None = None
    fallback_reason: str | None = None
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class Delta:
    """A checked part of a streamed reply, to show after what came before."""

    text: str


@dataclass(frozen=True, slots=True)
class Retract:
    """Withdraw every part shown so far; the final text replaces them."""

    reason: str


StreamEvent = Delta | Retract
OnEvent = Callable[[StreamEvent], None]


@dataclass(frozen=True, slots=True)
class HandoffNote:
    """For the agent: a summary and both urgencies; `urgency` is the higher of the two."""

    summary: str
    lang: str
    urgency: str
    rule_urgency: str
    suggested_urgency: str | None
    by_llm: bool
    fallback_reason: str | None = None


@dataclass(frozen=True, slots=True)
class AssistStats:
    """Counts since start: fallbacks by task and reason, translations by answer and language."""

    fallbacks: dict[str, dict[str, int]]
    translations: dict[str, dict[str, int]]
    breaker: str
