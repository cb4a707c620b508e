"""Moving through a flow: from a step, through its decisions, to the next question or an
ending. Pure: the flow, the values so far and today in, where it stops out."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from bot.collect import CollectedField, FlowState
from knowledge import Decision, Ending, Flow, Question

__all__ = ["Stop", "advance", "case_fields"]


@dataclass(frozen=True, slots=True)
class Stop:
    """Where the flow stops: the question to ask or the ending (`step`), with the decisions
    passed on the way added to `path`. `step` is None when a decision needed the value of
    `missing`, which the visitor did not give."""

    step: Question | Ending | None
    path: tuple[str, ...]
    missing: str | None = None


def advance(flow: Flow, step_id: str, state: FlowState, today: datetime.date) -> Stop:
    """From `step_id` (a step not yet passed) to the next question or ending."""
    path = state.path
    step = flow.step(step_id)
    for _ in range(len(flow.steps)):  # a valid flow has no loops: each step once at most
        if not isinstance(step, Decision):
            break
        path += (step.id,)
        target, missing = _decide(step, flow, state, today)
        if target is None:
            return Stop(None, path, missing)
        step = flow.step(target)
    if isinstance(step, Ending):
        return Stop(step, (*path, step.id))
    if isinstance(step, Question):
        return Stop(step, (*path, step.id))
    return Stop(None, path, None)  # an edited flow without the step: a person takes over


def _decide(
    decision: Decision, flow: Flow, state: FlowState, today: datetime.date
) -> tuple[str | None, str | None]:
    """(the step to go to, None), or (None, the question whose value is missing)."""
    for branch in decision.branches:
        condition = branch.condition
        if condition is None:
            return branch.goto, None
        result = state.value(condition.step)
        question = flow.step(condition.step)
        if result is None or result.value is None or not isinstance(question, Question):
            return None, condition.step
        if condition.holds(result.value, question.type, today):
            return branch.goto, None
    return None, decision.tested()[0] if decision.tested() else None


def case_fields(
    flow: Flow, state: FlowState, default_language: str, also: Sequence[CollectedField] = ()
) -> tuple[CollectedField, ...]:
    """The values for a case, in the order asked: a choice as its label (in the base's
    language), a question that uses a field of `fields.yaml` named by that field; `also`
    are results to add (the question being asked when the visitor asked for a person)."""
    fields = []
    for result in (*state.values, *also):
        question = flow.step(result.name)
        if not isinstance(question, Question):
            continue
        value = result.value
        option = question.option(value) if value is not None else None
        if option is not None:
            value = option.labels.get(default_language) or next(iter(option.labels.values()))
        fields.append(CollectedField(question.field or question.id, result.status, value))
    return tuple(fields)
