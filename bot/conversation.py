"""What the bot is told about a conversation: the turns so far, the page, the visitor.

`bot` stores nothing. `app` keeps the conversation and passes these values in on every call,
so a turn depends only on its arguments.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.collect import PendingHandoff

__all__ = [
    "DECISIONS",
    "OUTCOMES",
    "EarlierConversation",
    "Page",
    "PastTurn",
    "VisitorContext",
    "count_failures",
]

#: The decisions a turn can have, as `PastTurn.decision` and every outcome's `decision`.
DECISIONS = ("answer", "clarify", "abstain", "handoff", "collect", "feedback", "proactive")

#: How an earlier conversation ended (`EarlierConversation.outcome`).
OUTCOMES = ("resolved", "unresolved", "handed_off")

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PastTurn:
    """One earlier turn of this conversation, as `app` stored it.

    `text` is what the visitor wrote, or the label of the choice they clicked. `decision` is
    the bot's decision on it. `offered` are the answer ids shown as choices (clarify,
    proactive). `helpful` is the visitor's feedback on the answer, if they gave any.
    `pending` (decision `collect`) is the flow that waits for a reply to its question (the
    fields of a hand-off, or an answer's flow).
    """

    text: str
    lang: str
    decision: str
    answer_id: str | None = None
    offered: tuple[str, ...] = ()
    helpful: bool | None = None
    pending: PendingHandoff | None = None

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(
                f"unknown decision {self.decision!r}; use one of {', '.join(DECISIONS)}"
            )
        object.__setattr__(self, "offered", tuple(self.offered))


def count_failures(turns: Sequence[PastTurn]) -> int:
    """The turns that went unresolved, as a hand-off's urgency counts them: an abstain, a
    clarify, or an answer the visitor said did not help."""
    return sum(1 for t in turns if t.decision in ("abstain", "clarify") or t.helpful is False)


@dataclass(frozen=True, slots=True)
class Page:
    """The page the visitor is on, as the widget reports it.

    `lang` is the page's `<html lang>` (any BCP 47 tag, e.g. `nb-NO`; the bot normalises it).
    `seconds_on_page` is how long the visitor has been on it when the widget reports it.
    """

    url: str | None = None
    title: str | None = None
    referrer: str | None = None
    lang: str | None = None
    seconds_on_page: float = 0.0


@dataclass(frozen=True, slots=True)
class EarlierConversation:
    """A conversation the same visitor had before, for "welcome back" and earlier topics.

    `answer_ids` are the answers given or asked about, most recent first. `updated_at` is
    timezone-aware.
    """

    conversation_id: str
    outcome: str
    case_number: str | None
    answer_ids: tuple[str, ...]
    updated_at: datetime.datetime

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}; use one of {', '.join(OUTCOMES)}")
        if self.updated_at.tzinfo is None:
            raise ValueError("updated_at must be timezone-aware")
        object.__setattr__(self, "answer_ids", tuple(self.answer_ids))


@dataclass(frozen=True, slots=True)
class VisitorContext:
    """What is known about the visitor when the bot decides on a proactive offer.

    `earlier` is most recent first. `attributes` are set by operators (e.g. `vip`).
    `offers_made` are the ids of the proactive offers already shown in this conversation
    (`Proactive.rule_id`), so that none is shown twice. `collecting`: the bot's latest
    message asks the visitor for a field, which no offer may interrupt.
    """

    returning: bool = False
    earlier: tuple[EarlierConversation, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    offers_made: tuple[str, ...] = ()
    collecting: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "earlier", tuple(self.earlier))
        object.__setattr__(self, "offers_made", tuple(self.offers_made))
        if not isinstance(self.attributes, MappingProxyType):
            object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
