"""Guided flows as values: the steps of an answer's `flow:` and how a decision is taken.

A flow is a list of steps, each one of three kinds:

- a `Question` asks the visitor for one value of a type (`QUESTION_TYPES`);
- a `Decision` picks the next step from the values collected so far (`Branch`, `Condition`);
- an `Ending` ends the flow: a curated answer, a message, or a hand-off to a team.

The values a question collects are kept as canonical text, whatever the visitor wrote: an
option id for a choice, `yes` or `no`, a date as `YYYY-MM-DD`, a number as `12` or `2.5`, and
the text, e-mail address or phone number as found. Conditions compare those. The file format
is in docs/answer-base.md ("Flows"); `samsvar answers check` validates it.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.schema import Field

__all__ = [
    "DATE_RANGES",
    "DURATION_UNITS",
    "OPERATORS",
    "QUESTION_TYPES",
    "YES_NO",
    "Branch",
    "Condition",
    "Decision",
    "Duration",
    "Ending",
    "Flow",
    "Option",
    "Question",
    "Step",
    "collect_digest",
    "collect_flow",
    "same_text",
]

#: The types of value a question may ask for.
QUESTION_TYPES = ("choice", "yes_no", "date", "number", "text", "email", "phone")

#: Which dates a date question accepts (`dates:`): only past ones (today included), only
#: future ones (today included), or any.
DATE_RANGES = ("past", "future", "any")

#: The canonical values of a yes/no question.
YES_NO = ("yes", "no")

#: The comparisons a decision's branch may make, and the question types each one fits.
OPERATORS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "is": ("choice", "yes_no", "number", "text", "email", "phone"),
        "in": ("choice", "number", "text", "email", "phone"),
        "not_in": ("choice", "number", "text", "email", "phone"),
        "above": ("number",),
        "below": ("number",),
        "at_least": ("number",),
        "at_most": ("number",),
        "older_than": ("date",),
        "within": ("date",),
        "before": ("date",),
        "after": ("date",),
    }
)

#: The units a duration (`older_than: 2 years`) may be written in.
DURATION_UNITS = ("days", "weeks", "months", "years")

_IGNORED = re.compile(r"[\s\-_.]+")


def same_text(value: str) -> str:
    """How texts are compared in conditions: without case, spaces, hyphens, dots or
    underscores (`KT-210`, `kt 210` and `kt210` are the same model)."""
    return _IGNORED.sub("", value.casefold())


def _frozen(value: Mapping[str, str]) -> Mapping[str, str]:
    return value if isinstance(value, MappingProxyType) else MappingProxyType(dict(value))


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of time such as `2 years` or `30 days`."""

    amount: int
    unit: str

    def before(self, day: datetime.date) -> datetime.date:
        """The date this long before `day` (a month back from 31 March is 28 or 29 February)."""
        if self.unit == "days":
            return day - datetime.timedelta(days=self.amount)
        if self.unit == "weeks":
            return day - datetime.timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "years" else 1)
        year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return datetime.date(year, month + 1, min(day.day, last))

    def after(self, day: datetime.date) -> datetime.date:
        """The date this long after `day` (a month on from 31 January is 28 or 29 February)."""
        return Duration(-self.amount, self.unit).before(day)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a choice question: its id (the value), its label per language (the
    button), and other `words` that mean it."""

    id: str
    labels: Mapping[str, str] = field(hash=False)
    words: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "words", tuple(self.words))


@dataclass(frozen=True, slots=True)
class Question:
    """Ask the visitor for one value, then go on to `next`.

    `ask` is the question per language and `labels` what to call the value ("purchase
    date"). `pattern` and `example` (text), `minimum` and `maximum` (number), `dates` (date)
    and `options` (choice) say what is accepted. `field` names a field of `fields.yaml` whose
    prompt, pattern, example and label the question uses.
    """

    id: str
    ask: Mapping[str, str] = field(hash=False)
    type: str
    next: str
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    options: tuple[Option, ...] = ()
    pattern: str | None = None
    example: str | None = None
    dates: str = "any"
    minimum: float | None = None
    maximum: float | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ask", _frozen(self.ask))
        object.__setattr__(self, "labels", _frozen(self.labels))
        object.__setattr__(self, "options", tuple(self.options))

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True, slots=True)
class Condition:
    """`step`'s value compared with `operand` by `operator` (one of `OPERATORS`).

    The operand is a tuple of texts for `in` and `not_in`, a text for `is`, a number for
    the number comparisons, a `Duration` for `older_than` and `within`, a date for `before`
    and `after`.
    """

    step: str
    operator: str
    operand: str | float | tuple[str, ...] | Duration | datetime.date

    def holds(self, value: str, kind: str, today: datetime.date) -> bool:
        """Whether the condition holds for `value`, the canonical value of a `kind`
        question; `today` dates `older_than` and `within`."""
        op, operand = self.operator, self.operand
        if kind == "date":
            day = datetime.date.fromisoformat(value)
            if isinstance(operand, Duration):
                limit = operand.before(today)
                return day < limit if op == "older_than" else day >= limit
            assert isinstance(operand, datetime.date)
            return day < operand if op == "before" else day > operand
        if op in ("above", "below", "at_least", "at_most"):
            return _compare(float(value), op, float(operand))  # type: ignore[arg-type]
        if op == "is":
            return _same(value, str(operand), kind)
        assert isinstance(operand, tuple)
        found = any(_same(value, item, kind) for item in operand)
        return found if op == "in" else not found


def _compare(number: float, op: str, limit: float) -> bool:
    return {
        "above": number > limit,
        "below": number < limit,
        "at_least": number >= limit,
        "at_most": number <= limit,
    }[op]


def _same(value: str, other: str, kind: str) -> bool:
    if kind == "number":
        return float(value) == float(other)
    return same_text(value) == same_text(other)


@dataclass(frozen=True, slots=True)
class Branch:
    """Go to `goto` when `condition` holds; a branch without one is `otherwise`."""

    condition: Condition | None
    goto: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The first branch whose condition holds picks the next step."""

    id: str
    branches: tuple[Branch, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "branches", tuple(self.branches))

    def tested(self) -> tuple[str, ...]:
        """The questions whose values the branches test, in order, once each."""
        steps = (b.condition.step for b in self.branches if b.condition is not None)
        return tuple(dict.fromkeys(steps))


@dataclass(frozen=True, slots=True)
class Ending:
    """The end of a flow, one of three: `answer` (a curated answer's id, given word for
    word), `message` (text per language), or `handoff` (to `team`, at least `urgency`, with
    every value collected; `message` is then what the visitor is told)."""

    id: str
    answer: str | None = None
    message: Mapping[str, str] = field(default_factory=dict, hash=False)
    handoff: bool = False
    team: str | None = None
    urgency: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _frozen(self.message))

    @property
    def kind(self) -> str:
        """`answer`, `message` or `handoff`."""
        if self.handoff:
            return "handoff"
        return "answer" if self.answer is not None else "message"


Step = Question | Decision | Ending


@dataclass(frozen=True, slots=True)
class Flow:
    """An answer's flow: its steps in file order (the first is where it starts) and a
    digest of its definition, which changes whenever the flow is edited."""

    steps: tuple[Step, ...]
    digest: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def questions(self) -> Iterator[Question]:
        return (step for step in self.steps if isinstance(step, Question))

    def label(self, step_id: str, lang: str, default_language: str) -> str:
        """What to call a question's value in `lang` ("kjøpsdato"), for a case or a message:
        its label in `lang`, else in the default language, else its id."""
        step = self.step(step_id)
        labels = step.labels if isinstance(step, Question) else {}
        return labels.get(lang) or labels.get(default_language) or step_id.replace("-", " ")


# --- handoff.collect: the simplest flow ---------------------------------------------------------


def collect_digest(names: Iterable[str]) -> str:
    """The version of the flow that `handoff.collect: names` compiles to: it changes when
    the fields asked for or their order change."""
    text = "\n".join(dict.fromkeys(names))
    return "collect-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def collect_flow(names: Iterable[str], fields: Mapping[str, Field], team: str | None) -> Flow:
    """The flow that `handoff.collect: names` stands for (decision 0058): one `field:`
    question per field of `fields.yaml`, in order (each once), then a hand-off to `team`
    (None: the base's default team). Every name must be in `fields`."""
    order = tuple(dict.fromkeys(names))
    ending = "handoff"
    while ending in order:  # a field may be called anything, the step ids must differ
        ending += "_"
    steps: list[Step] = []
    for index, name in enumerate(order):
        spec = fields[name]
        steps.append(
            Question(
                name,
                spec.prompts,
                "text",
                order[index + 1] if index + 1 < len(order) else ending,
                spec.labels,
                pattern=spec.pattern,
                example=spec.example,
                field=name,
            )
        )
    steps.append(Ending(ending, handoff=True, team=team))
    return Flow(tuple(steps), collect_digest(order))
