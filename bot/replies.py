"""The values the bot returns. `bot` never acts on them; `app` does.

Every outcome has `lang` (the visitor's language), `confidence`, `ranked` (the retrieval
ranking, best first; empty when nothing was ranked), `ms` (time taken), `text` (what the bot
says), `decision`, and two flags for the interface: `offer_human` (show a "talk to a person"
button) and `ask_feedback` (show "did this help?").

`confidence` is retrieval's confidence that the first ranked answer is right when the outcome
came from ranking the visitor's message. It is 1.0 when the outcome did not depend on a guess:
a choice the visitor clicked, a request for a person, feedback, a proactive offer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.collect import CollectedField, PendingHandoff
from retrieval import Candidate

__all__ = [
    "ESCALATE_REASONS",
    "Abstain",
    "Acknowledge",
    "Choice",
    "Clarify",
    "Collect",
    "Escalate",
    "Outcome",
    "Proactive",
    "Reply",
]

#: Why a conversation is handed to a person (`Escalate.reason`): `flow` is the hand-off at
#: the end of a guided flow.
ESCALATE_REASONS = ("asked_for_human", "unresolved", "accepted_offer", "flow", "unanswered")


@dataclass(frozen=True, slots=True)
class _Turn:
    lang: str  # the visitor's language
    confidence: float
    ranked: tuple[Candidate, ...]
    ms: float  # time the turn took
    offer_human: bool = field(default=False, kw_only=True)
    ask_feedback: bool = field(default=False, kw_only=True)
    # A short follow-up is read together with the previous question: this is that question.
    read_with: str | None = field(default=None, kw_only=True)
    # A follow-up the LLM rewrote into a standalone question for retrieval: the rewrite.
    rewritten: str | None = field(default=None, kw_only=True)
    # An unanswered question's query vector as the turn computed it (float16 bytes) and the
    # encoder's model version: stored with the inquiry, so that the gaps need not embed it.
    query_vector: bytes | None = field(default=None, kw_only=True, repr=False)
    vector_model: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Reply(_Turn):
    """A curated answer, word for word; `fallback` when not in the visitor's language.

    With an LLM configured (`Bot(assistant=…)`): `by_llm` when the LLM wrote the text from
    the answers it `citations` (checked against them), `machine_translated` when a cited
    answer is not in the visitor's language (`source_lang` is the one it came from), and
    `llm_fallback` names why the curated text was used instead (`retracted`: streamed parts
    were withdrawn first).
    """

    answer_id: str
    text: str
    reply_lang: str
    fallback: bool
    links: tuple[str, ...]
    note: str | None = None  # shown with a fallback: the answer is not in the visitor's language
    decision: str = "answer"
    ask_feedback: bool = field(default=True, kw_only=True)
    chosen: bool = field(default=False, kw_only=True)  # the visitor clicked it as a choice
    by_llm: bool = field(default=False, kw_only=True)
    citations: tuple[str, ...] = field(default=(), kw_only=True)
    machine_translated: bool = field(default=False, kw_only=True)
    source_lang: str | None = field(default=None, kw_only=True)
    llm_fallback: str | None = field(default=None, kw_only=True)
    retracted: bool = field(default=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Choice:
    """A quick reply: an answer offered by its label (a question in the visitor's language)."""

    answer_id: str
    label: str


@dataclass(frozen=True, slots=True)
class Clarify(_Turn):
    """Two or three close candidates offered as choices."""

    text: str
    choices: tuple[Choice, ...]
    decision: str = "clarify"
    offer_human: bool = field(default=True, kw_only=True)


@dataclass(frozen=True, slots=True)
class Abstain(_Turn):
    """No curated answer fits: say so honestly and offer a human."""

    text: str
    decision: str = "abstain"
    offer_human: bool = field(default=True, kw_only=True)


@dataclass(frozen=True, slots=True)
class Escalate(_Turn):
    """Hand the conversation to a person. `app` passes this to the hand-off.

    - `reason`: `asked_for_human`, `unresolved` (two unresolved turns in a row) or
      `accepted_offer` (the visitor took an offer of a person).
    - `question`: the visitor's question in their own words (the last unresolved one, not
      "I want a person"); None when the visitor has asked nothing yet.
    - `answer_id`: the topic, the answer whose `handoff` applies (the answer most recently
      given, else the best ranked); None when there is none.
    - `team`: the topic's `handoff.team`, else the base's `default_team`.
    - `collect`: the fields the topic's `handoff.collect` asks for.
    - `fields`: what became of each of them (given, recognised, skipped or not given), in
      the order of `collect`; the bot asked for them first (`Collect`).
    - `tried`: the answers the visitor was given in this conversation, oldest first.

    From a guided flow (decision 0058), `fields` are the values collected, in the order
    asked, named by step id (or by the `fields.yaml` field the step uses); `field_labels`
    says what to call each in the visitor's language; `path` is the steps the visitor
    took, questions and decisions, ending with the flow's ending; `urgency` is the least
    urgency the flow's ending asks for (None: the rules decide alone).
    """

    text: str
    reason: str
    team: str | None
    question: str | None
    tried: tuple[str, ...]
    answer_id: str | None
    collect: tuple[str, ...] = ()
    fields: tuple[CollectedField, ...] = ()
    decision: str = "handoff"
    urgency: str | None = field(default=None, kw_only=True)
    path: tuple[str, ...] = field(default=(), kw_only=True)
    # A plain dict (not a read-only view) so that outcomes pickle for eval's worker processes.
    field_labels: Mapping[str, str] = field(default_factory=dict, kw_only=True, hash=False)

    def values(self) -> dict[str, str]:
        """The collected values by field name (given or recognised ones)."""
        return {f.name: f.value for f in self.fields if f.value is not None}


@dataclass(frozen=True, slots=True)
class Collect(_Turn):
    """A flow's question (`text`): a field the topic needs before a hand-off, or a step of
    an answer's flow; both run as flows (decision 0058).

    `problem` says what was wrong with the visitor's previous answer (it is part of `text`
    too); `attempt` counts from 1 to `max_attempts`. `skip_label` is the quick reply that
    skips the field. `pending` is the flow waiting for the reply: `app` stores it and
    passes it back in `PastTurn.pending`. `options` are the buttons of a flow's choice or
    yes/no question in the visitor's language: a click sends the label as the visitor's
    message, which the bot reads like any reply.
    """

    text: str
    field: str
    label: str
    example: str | None
    attempt: int
    max_attempts: int
    problem: str | None
    skip_label: str
    pending: PendingHandoff
    decision: str = "collect"
    options: tuple[str, ...] = dataclasses.field(default=(), kw_only=True)


@dataclass(frozen=True, slots=True)
class Acknowledge(_Turn):
    """The bot's reply to "did this help?": thanks, or sorry and an offer of a person."""

    text: str
    helpful: bool
    answer_id: str | None
    decision: str = "feedback"


@dataclass(frozen=True, slots=True)
class Proactive(_Turn):
    """An offer of help before the visitor asks, with answers to choose from.

    `rule_id` is the operator rule's id, `pages:<answer id>` for an offer from the answers'
    `pages` patterns, or `welcome-back`. `case_number` is set for a welcome back after a
    hand-off.
    """

    text: str
    choices: tuple[Choice, ...]
    rule_id: str
    case_number: str | None = None
    decision: str = "proactive"


Outcome = Reply | Clarify | Abstain | Escalate | Collect | Acknowledge | Proactive
