"""Conversations that take each way through an answer's flow, for a generated suite.

Every way from the first step to an ending (each branch of each decision) becomes one case:
the answer's first question, then for each question on the way a reply that makes the
decisions go that way, written in the base's default language. Dates are written relative
to the day the suite runs ("for 800 dager siden"), so a generated case never goes stale. A
way that no value can take (its conditions contradict each other) gets no case.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge import Answer, AnswerBase, Condition, Decision, Ending, Flow, Question

__all__ = ["flow_cases"]

_YES_NO = {
    "nb": ("ja", "nei"),
    "nn": ("ja", "nei"),
    "sv": ("ja", "nej"),
    "da": ("ja", "nej"),
    "fi": ("kyllä", "ei"),
    "en": ("yes", "no"),
}
_DAYS_AGO = {
    "nb": "for {n} dager siden",
    "nn": "for {n} dagar sidan",
    "sv": "för {n} dagar sedan",
    "da": "for {n} dage siden",
    "fi": "{n} päivää sitten",
    "en": "{n} days ago",
}
# Days ago tried for a date, from recent to old: enough to fall on either side of the
# durations content teams use (days, weeks, months, years).
_AGES = (0, 3, 10, 20, 45, 100, 200, 400, 800, 1200, 2000, 4000)
_TODAY = datetime.date(2026, 1, 1)  # any day: the replies are relative, and so are the checks


@dataclass(frozen=True, slots=True)
class _Test:
    """A condition a way through the flow needs to hold (`wanted`) or not to hold."""

    condition: Condition
    wanted: bool


@dataclass(frozen=True, slots=True)
class _Way:
    steps: tuple[str, ...]
    tests: tuple[_Test, ...]
    ending: Ending


def _ways(
    flow: Flow, step_id: str, steps: tuple[str, ...], tests: tuple[_Test, ...]
) -> Iterator[_Way]:
    step = flow.step(step_id)
    steps = (*steps, step_id)
    if isinstance(step, Ending):
        yield _Way(steps, tests, step)
    elif isinstance(step, Question):
        yield from _ways(flow, step.next, steps, tests)
    elif isinstance(step, Decision):
        earlier: tuple[_Test, ...] = ()
        for branch in step.branches:
            taken = () if branch.condition is None else (_Test(branch.condition, True),)
            yield from _ways(flow, branch.goto, steps, tests + earlier + taken)
            if branch.condition is not None:
                earlier += (_Test(branch.condition, False),)


def _candidates(question: Question, base: AnswerBase, lang: str) -> list[tuple[str, str]]:
    """(canonical value, what the visitor writes) pairs to try for a question."""
    kind = question.type
    if kind == "choice":
        return [
            (o.id, o.labels.get(lang) or next(iter(o.labels.values()))) for o in question.options
        ]
    if kind == "yes_no":
        yes, no = _YES_NO[lang]
        return [("yes", yes), ("no", no)]
    if kind == "date":
        if question.dates == "future":
            return []
        return [
            ((_TODAY - datetime.timedelta(days=n)).isoformat(), _DAYS_AGO[lang].format(n=n))
            for n in _AGES
        ]
    field = base.fields.get(question.field) if question.field else None
    example = (field.example if field else None) or question.example
    values = [str(v) for v in (example, *_operands(question, base)) if v is not None]
    if kind == "number":
        numbers = {float(v) for v in values} | {0.0, 1.0, 2.0, 10.0}
        values = [str(int(n)) if n == int(n) else str(n) for n in sorted(numbers)]
        values += [str(int(n) + 1) for n in sorted(numbers)]
    if kind == "email" and example is None:
        values.append("kari@example.no")
    if kind == "phone" and example is None:
        values.append("+47 912 34 567")
    return [(v, v) for v in dict.fromkeys(values)]


def _operands(question: Question, base: AnswerBase) -> list[Any]:
    found: list[Any] = []
    for answer in base.published():
        flow = answer.flow
        for step in flow.steps if flow is not None else ():
            for branch in step.branches if isinstance(step, Decision) else ():
                condition = branch.condition
                if condition is not None and condition.step == question.id:
                    operand = condition.operand
                    found += list(operand) if isinstance(operand, tuple) else [operand]
    return found


def _choose(question: Question, tests: Sequence[_Test], base: AnswerBase, lang: str) -> str | None:
    mine = [test for test in tests if test.condition.step == question.id]
    for value, written in _candidates(question, base, lang):
        if all(t.condition.holds(value, question.type, _TODAY) == t.wanted for t in mine):
            return written
    return None


def _case(answer: Answer, way: _Way, base: AnswerBase) -> dict[str, Any] | None:
    lang = base.config.default_language
    assert answer.flow is not None
    turns: list[dict[str, Any]] = [{"ask": answer.questions[0], "expect": answer.id}]
    for step_id in way.steps:
        question = answer.flow.step(step_id)
        if not isinstance(question, Question):
            continue
        reply = _choose(question, way.tests, base, lang)
        if reply is None:
            return None
        turns.append({"ask": reply, "expect": "collect"})
    turns[-1] = {**turns[-1], **_ending_expect(answer, way.ending)}
    return {"id": f"{answer.id}-flow-{way.ending.id}", "turns": turns}


def _ending_expect(answer: Answer, ending: Ending) -> dict[str, Any]:
    if ending.handoff:
        return {"expect": "handoff", **({"urgency": ending.urgency} if ending.urgency else {})}
    return {"expect": ending.answer or answer.id}


def flow_cases(base: AnswerBase) -> list[dict[str, Any]]:
    """One conversation case per way through each published answer's flow."""
    cases = []
    for answer in base.published():
        if answer.flow is None:
            continue
        for way in _ways(answer.flow, answer.flow.first.id, (), ()):
            case = _case(answer, way, base)
            if case is not None:
                cases.append(case)
    return cases
