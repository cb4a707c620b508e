"""The values of collecting fields before a hand-off: each field's result, and the hand-off
waiting for them; and the state of a guided flow, which travels the same way.

`bot` stays pure: a `Collect` outcome carries a `PendingHandoff`; `app` stores it with the bot
message (`to_plain`) and passes it back in `PastTurn.pending` (`from_plain`) on the next turn.
While a flow asks a question (decision 0058), the `PendingHandoff` has `flow` set: the version
of the flow, the values collected so far and the path taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    """A hand-off waiting for fields: what it will be, what is done, what is being asked.

    `fields` are the results so far, in the order of `collect`; `asking` is the field asked
    now and `tries` how many answers to it did not match. In a flow, `answer_id` is the
    flow's answer, `asking` the question's step id, and `flow` the rest of its state.
    """

    reason: str
    team: str | None
    question: str | None
    answer_id: str | None
    tried: tuple[str, ...]
    collect: tuple[str, ...]
    fields: tuple[CollectedField, ...]
    asking: str
    tries: int = 0
    flow: FlowState | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "tried", tuple(self.tried))
        object.__setattr__(self, "collect", tuple(self.collect))
        object.__setattr__(self, "fields", tuple(self.fields))

    def to_plain(self) -> dict[str, Any]:
        """JSON-ready data (lists, str, int, None); `flow` only when there is one."""
        plain: dict[str, Any] = {
            "reason": self.reason,
            "team": self.team,
            "question": self.question,
            "answer_id": self.answer_id,
            "tried": list(self.tried),
            "collect": list(self.collect),
            "fields": [[f.name, f.status, f.value] for f in self.fields],
            "asking": self.asking,
            "tries": self.tries,
        }
        if self.flow is not None:
            plain["flow"] = self.flow.to_plain()
        return plain

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> PendingHandoff:
        """The value `to_plain` wrote; raises ValueError for anything else."""
        try:
            return cls(
                reason=str(data["reason"]),
                team=_optional(data["team"]),
                question=_optional(data["question"]),
                answer_id=_optional(data["answer_id"]),
                tried=tuple(str(item) for item in data["tried"]),
                collect=tuple(str(item) for item in data["collect"]),
                fields=tuple(
                    CollectedField(str(n), str(s), _optional(v)) for n, s, v in data["fields"]
                ),
                asking=str(data["asking"]),
                tries=int(data["tries"]),
                flow=FlowState.from_plain(data["flow"]) if data.get("flow") else None,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a pending hand-off: {exc}") from exc


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)
