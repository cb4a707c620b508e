"""What callers hand to the storage actions: plain frozen values, no ORM objects."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

__all__ = ["NewInquiry", "NewMessage", "PageInfo", "new_id", "new_message_id"]


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
    # What the optional LLM did (docs/llm.md): all false or empty without one.
    by_llm: bool = False
    citations: tuple[str, ...] = ()
    machine_translated: bool = False
    source_lang: str | None = None
    llm_fallback: str | None = None  # why the curated text was used instead
    retracted: bool = False  # streamed parts were withdrawn
    rewritten: str | None = None  # the LLM's standalone rewrite of a follow-up


@dataclass(frozen=True)
class PageInfo:
    url: str
    title: str | None = None
    referrer: str | None = None
    lang: str | None = None
    seconds_on_page: float = 0.0
