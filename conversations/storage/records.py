"""What callers hand to the storage actions: plain frozen values, no ORM objects."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

from knowledge import normalise_question

__all__ = [
    "LabelledQuestion",
    "NewInquiry",
    "NewMessage",
    "NewQuestionDecision",
    "PageInfo",
    "new_id",
    "new_message_id",
    "question_key",
]


def new_id() -> str:
    """A visitor or conversation id: 22 URL-safe characters."""
    return secrets.token_urlsafe(16)


def new_message_id() -> str:
    return "m_" + secrets.token_urlsafe(16)


@dataclass(frozen=True)
class NewMessage:
    role: str  # visitor | bot | agent | system
    text: str
    lang: str | None = None
    kind: str = "text"  # visitor messages: text | choice | human
    client_id: str | None = None
    reply_to: str | None = None  # bot messages: the visitor message they answer
    decision: str | None = None
    answer_id: str | None = None
    choices: tuple[dict[str, str], ...] = ()
    links: tuple[str, ...] = ()
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewInquiry:
    """One turn, registered: the visitor's words and what the bot decided."""

    text: str
    language: str
    decision: str
    answer_id: str | None
    confidence: float
    ms: float
    page_url: str | None
    channel: str = "widget"
    kind: str = "text"  # the visitor message's kind: text, or a click (choice | human | skip)
    # What the optional LLM did (docs/llm.md): all false or empty without one.
    by_llm: bool = False
    citations: tuple[str, ...] = ()
    machine_translated: bool = False
    source_lang: str | None = None
    llm_fallback: str | None = None  # why the curated text was used instead
    retracted: bool = False  # streamed parts were withdrawn
    rewritten: str | None = None  # the LLM's standalone rewrite of a follow-up
    # An unanswered question's query vector from the bot's turn (float16 bytes) and the
    # encoder's model version, kept in `inquiry_vectors` for insights' gaps.
    query_vector: bytes | None = field(default=None, repr=False)
    vector_model: str | None = None


@dataclass(frozen=True)
class PageInfo:
    url: str
    title: str | None = None
    referrer: str | None = None
    lang: str | None = None
    seconds_on_page: float = 0.0


def question_key(question: str) -> str:
    """How a question is stored in `question_decisions`: SHA-256 of its normalised form (so
    "Hvor er pakken min?" and "hvor er pakken min" are one question)."""
    return hashlib.sha256(normalise_question(question).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LabelledQuestion:
    """A visitor's question whose right answer is known, and how it is known (`source`):
    `helpful` (the visitor said the answer helped) or `agent` (an agent sent the answer's
    curated text in the hand-off)."""

    question: str
    answer_id: str
    source: str
    language: str | None
    at: dt.datetime


@dataclass(frozen=True)
class NewQuestionDecision:
    """A content team's decision on a question as a phrasing of an answer."""

    question: str
    answer_id: str
    decision: str  # accepted | rejected
    sources: tuple[str, ...] = ()  # helpful, agent, assigned
