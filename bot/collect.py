"""The values of a guided flow in a conversation: each question's result, and the flow (or
the hand-off collecting fields, the simplest flow) waiting for a reply.

`bot` stays pure: a `Collect` outcome carries a `PendingHandoff`; `app` stores it with the bot
message (`to_plain`) and passes it back in `PastTurn.pending` (`from_plain`) on the next turn.
Its `flow` holds the version of the flow, the values collected so far and the path taken
(decision 0058).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge import collect_digest

__all__ = ["FIELD_STATUSES", "MAX_FIELD_TRIES", "CollectedField", "FlowState", "PendingHandoff"]

#: How a field ended: typed when asked, found in what the visitor wrote before, skipped by
#: the visitor, or given up on after `MAX_FIELD_TRIES` answers that did not match.
FIELD_STATUSES = ("given", "recognised", "skipped", "not_given")

#: Answers that may fail a field's pattern before it is handed off as not given.
MAX_FIELD_TRIES = 3


@dataclass(frozen=True, slots=True)
class CollectedField:
    """One field's result. `value` is set for `given` and `recognised`."""

    name: str
    status: str
    value: str | None = None

    def __post_init__(self) -> None:
        if self.status not in FIELD_STATUSES:
            raise ValueError(f"unknown field status {self.status!r}")


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where a visitor is in a flow: `digest` is the version of the flow they started,
    `values` what each question asked so far gave (named by step id, canonical values), and
    `path` the steps passed, questions and decisions, in order."""

    digest: str
    values: tuple[CollectedField, ...] = ()
    path: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        object.__setattr__(self, "path", tuple(self.path))

    def value(self, step_id: str) -> CollectedField | None:
        return next((v for v in self.values if v.name == step_id), None)

    def to_plain(self) -> dict[str, Any]:
        return {
            "digest": self.digest,
            "values": [[v.name, v.status, v.value] for v in self.values],
            "path": list(self.path),
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> FlowState:
        return cls(
            str(data["digest"]),
            tuple(CollectedField(str(n), str(s), _optional(v)) for n, s, v in data["values"]),
            tuple(str(step) for step in data["path"]),
        )


@dataclass(frozen=True, slots=True)
class PendingHandoff:
    """A flow asking the visitor a question: what it is for, where it is, what is asked.

    Two kinds of flow run the same way (decision 0058). An answer's `flow:` has `reason`
    `flow`, and `answer_id` is that answer. A hand-off whose topic collects fields first
    (`handoff.collect`) has the hand-off's own `reason` (`asked_for_human`, `unresolved`, …),
    its `team`, `question` and `tried`, and `answer_id` is the topic (`collecting`).

    `asking` is the question's step id (a field's name when collecting), `tries` how many
    replies to it gave no value, and `flow` the rest of the state.
    """

    reason: str
    team: str | None
    question: str | None
    answer_id: str | None
    tried: tuple[str, ...]
    asking: str
    flow: FlowState
    tries: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "tried", tuple(self.tried))

    @property
    def collecting(self) -> bool:
        """Whether this is a hand-off collecting its topic's fields, not an answer's flow."""
        return self.reason != "flow"

    def to_plain(self) -> dict[str, Any]:
        """JSON-ready data (lists, str, int, None)."""
        return {
            "reason": self.reason,
            "team": self.team,
            "question": self.question,
            "answer_id": self.answer_id,
            "tried": list(self.tried),
            "asking": self.asking,
            "tries": self.tries,
            "flow": self.flow.to_plain(),
        }

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> PendingHandoff:
        """The value `to_plain` wrote, or what a version before collecting ran as a flow
        stored (`collect` and `fields`, no `flow`); raises ValueError for anything else."""
        try:
            asking = str(data["asking"])
            flow = data.get("flow")
            return cls(
                reason=str(data["reason"]),
                team=_optional(data["team"]),
                question=_optional(data["question"]),
                answer_id=_optional(data["answer_id"]),
                tried=tuple(str(item) for item in data["tried"]),
                asking=asking,
                flow=FlowState.from_plain(flow) if flow else _collected_before(data, asking),
                tries=int(data["tries"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a pending hand-off: {exc}") from exc


def _collected_before(data: Mapping[str, Any], asking: str) -> FlowState:
    """A collection stored before it ran as a flow, as the state of the flow it is now: the
    fields so far as its values, the questions passed as its path."""
    values = tuple(CollectedField(str(n), str(s), _optional(v)) for n, s, v in data["fields"])
    return FlowState(
        collect_digest(str(name) for name in data["collect"]),
        values,
        (*(value.name for value in values), asking),
    )


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)
