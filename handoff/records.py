"""What callers hand to the hand-off actions: plain frozen values."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from handoff.urgency import Urgency

__all__ = ["REGISTERED", "NewCase", "QueueFilter", "new_agent_id", "new_case_id"]

#: The reason of a case an agent registered (a call, a visit at the desk), not the bot's.
REGISTERED = "registered"


def new_case_id() -> str:
    return "c_" + secrets.token_urlsafe(16)


def new_agent_id() -> str:
    return "a_" + secrets.token_urlsafe(12)


@dataclass(frozen=True)
class NewCase:
    """A hand-off to open as a case (from the bot's `Escalate` and the conversation)."""

    conversation_id: str
    visitor_id: str
    team: str
    reason: str
    language: str
    urgency: Urgency
    question: str | None = None
    page_url: str | None = None
    topic: str | None = None
    tried: Sequence[dict[str, Any]] = ()  # [{answer_id, title, helpful}]
    fields: Sequence[dict[str, Any]] = ()  # [{name, label, status, value}]
    failures: int = 0
    attributes: Mapping[str, str] = field(default_factory=dict)
    summary: str | None = None
    off_hours: bool = False
    path: Sequence[dict[str, Any]] = ()  # a guided flow's steps: [{step, label}]
    customer_id: str | None = None  # the site's signed-in customer (a verified identity)


@dataclass(frozen=True)
class QueueFilter:
    """Which cases to list: statuses, teams (None: every team), an agent (`"none"`: no
    agent), the lowest urgency rank, and the page."""

    statuses: tuple[str, ...] = ("queued", "reopened")
    teams: tuple[str, ...] | None = None
    agent: str | None = None
    min_rank: int = 0
    limit: int = 50
    offset: int = 0
    include_agent: str | None = None  # also the cases assigned to this agent, whatever team
