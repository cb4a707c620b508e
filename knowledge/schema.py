"""The answer base as values: answers, fields, the base configuration and problems.

Everything here is a frozen dataclass. Mappings are stored as read-only
`types.MappingProxyType` views and sequences as tuples, so a loaded answer base
can be shared between threads and requests without copying.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import pathlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from knowledge.flows import Flow

__all__ = [
    "LANGUAGES",
    "URGENCY_LEVELS",
    "URGENCY_SIGNALS",
    "Answer",
    "AnswerBase",
    "BaseConfig",
    "BusinessHours",
    "Field",
    "Handoff",
    "ProactiveRule",
    "Problem",
    "ServiceTarget",
    "Template",
    "UrgencyConfig",
    "UrgencyRule",
]

#: Who an operator's proactive rule is for.
VISITORS: tuple[str, ...] = ("new", "returning", "any")

#: The languages an answer may be written in, in fallback order.
LANGUAGES: tuple[str, ...] = ("nb", "nn", "sv", "da", "fi", "en")

#: The statuses an answer may have.
STATUSES: tuple[str, ...] = ("draft", "published", "retired")

#: The channels an agent registers an inquiry on from a template (`templates.yaml`).
TEMPLATE_CHANNELS: tuple[str, ...] = ("phone", "desk")

#: Urgency levels of a case, lowest first.
URGENCY_LEVELS: tuple[str, ...] = ("low", "normal", "high", "urgent")

#: The built-in signals an urgency rule may name (`signal:`); `handoff` detects them.
URGENCY_SIGNALS: tuple[str, ...] = ("urgent_words", "anger", "security_words")

#: A range of minutes after midnight, local time: (start, end), end > start, end <= 1440.
Minutes = tuple[int, int]


K = TypeVar("K")
V = TypeVar("V")


def _frozen_mapping(value: Mapping[K, V]) -> Mapping[K, V]:
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def _sha256_of(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Handoff:
    """What a human needs when an answer's topic is handed off.

    `collect` names the fields of `fields.yaml` to ask for first; the loader compiles them
    into `flow`, a flow of those questions ending in the hand-off (decision 0058), which the
    bot runs like any other flow.
    """

    team: str | None
    collect: tuple[str, ...]
    flow: Flow | None = field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "collect", tuple(self.collect))


@dataclass(frozen=True, slots=True)
class Answer:
    """One core answer: the questions visitors ask and the curated reply per language.

    `answer` maps language code to text, in `LANGUAGES` order. `source` (the
    file the answer came from) does not take part in equality.
    """

    id: str
    title: str
    status: str
    questions: tuple[str, ...]
    answer: Mapping[str, str] = field(hash=False)
    links: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    handoff: Handoff | None = None
    owner: str | None = None
    review_by: datetime.date | None = None
    source: pathlib.Path | None = field(default=None, compare=False)
    # A guided flow (`flow:`): given instead of the text, which then introduces it.
    flow: Flow | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions", tuple(self.questions))
        object.__setattr__(self, "answer", _frozen_mapping(self.answer))
        object.__setattr__(self, "links", tuple(self.links))
        object.__setattr__(self, "pages", tuple(self.pages))

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of what retrieval and replies depend on.

        Covers id, title, status, questions and the answer texts; the JSON is
        canonical (sorted keys, no spaces, UTF-8), so the hash is stable across
        runs and Python versions.
        """
        return _sha256_of(
            {
                "id": self.id,
                "title": self.title,
                "status": self.status,
                "questions": list(self.questions),
                "answer": dict(sorted(self.answer.items())),
            }
        )

    def text_for(self, lang: str, default_language: str) -> tuple[str, str, bool]:
        """Return (language used, text, is_fallback).

        The text in `lang` when the answer has it; otherwise the text in
        `default_language`; otherwise the first language the answer has, in
        `LANGUAGES` order. `is_fallback` is true unless `lang` itself was used.
        """
        if lang in self.answer:
            return lang, self.answer[lang], False
        for candidate in (default_language, *LANGUAGES, *sorted(self.answer)):
            if candidate in self.answer:
                return candidate, self.answer[candidate], True
        raise ValueError(f"answer {self.id!r} has no text in any language")


@dataclass(frozen=True, slots=True)
class Field:
    """A piece of information asked for before a hand-off (defined in `fields.yaml`)."""

    name: str
    prompts: Mapping[str, str] = field(hash=False)
    pattern: str
    example: str | None
    # What to call the field in a sentence ("an order number"), per language; optional.
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Whether a value the visitor already wrote (in a longer message) is recognised.
    recognise: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompts", _frozen_mapping(self.prompts))
        object.__setattr__(self, "labels", _frozen_mapping(self.labels))

    def check_value(self, value: str) -> bool:
        """True when `value`, stripped of surrounding whitespace, fully matches the pattern."""
        return re.fullmatch(self.pattern, value.strip()) is not None


@dataclass(frozen=True, slots=True)
class ProactiveRule:
    """An operator's rule for offering help before the visitor asks (`base.yaml` `proactive:`).

    The rule fires on a page matching one of `pages` (every page when empty), once the visitor
    has been on it `after_seconds`, for `visitor` (`new`, `returning` or `any`). It says
    `message` (per language) and suggests the answers `suggest` (published answer ids).
    """

    id: str
    message: Mapping[str, str] = field(hash=False)
    pages: tuple[str, ...] = ()
    after_seconds: int = 0
    visitor: str = "any"
    suggest: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", _frozen_mapping(self.message))
        object.__setattr__(self, "pages", tuple(self.pages))
        object.__setattr__(self, "suggest", tuple(self.suggest))


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When people answer (`base.yaml` `business_hours:`), in the time zone `timezone`.

    `weekly` maps a weekday (0 Monday … 6 Sunday) to its open ranges in minutes after local
    midnight; a missing day is closed. `holidays` maps a date to its ranges instead (empty:
    closed all day).
    """

    timezone: str
    weekly: Mapping[int, tuple[Minutes, ...]] = field(hash=False)
    holidays: Mapping[datetime.date, tuple[Minutes, ...]] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly", _frozen_mapping(self.weekly))
        object.__setattr__(self, "holidays", _frozen_mapping(self.holidays))

    def ranges_on(self, day: datetime.date) -> tuple[Minutes, ...]:
        """The open ranges of one local date (a holiday's, else its weekday's)."""
        if day in self.holidays:
            return self.holidays[day]
        return self.weekly.get(day.weekday(), ())


@dataclass(frozen=True, slots=True)
class UrgencyRule:
    """One urgency rule (`base.yaml` `urgency.rules`): when every condition holds, the case
    is at least `level`. Conditions left empty (or None) are not checked; a rule has at
    least one."""

    id: str
    level: str
    signal: str | None = None
    words: tuple[str, ...] = ()
    failures: int | None = None
    topics: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    waiting_minutes: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(self.words))
        object.__setattr__(self, "topics", tuple(self.topics))
        object.__setattr__(self, "pages", tuple(self.pages))
        object.__setattr__(self, "attributes", _frozen_mapping(self.attributes))


@dataclass(frozen=True, slots=True)
class UrgencyConfig:
    """`base.yaml` `urgency:`: the level with no rule firing, and the rules in file order."""

    default: str = "normal"
    rules: tuple[UrgencyRule, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))


DEFAULT_MAX_WRONG = 0.03
MAX_WRONG_LIMIT = 0.5


@dataclass(frozen=True, slots=True)
class AnsweringPolicy:
    """How daring the bot may be (`base.yaml` `answering:`).

    `max_wrong` is the largest share of all questions the operator accepts to get a wrong
    curated answer; the answer threshold is chosen to answer as much as possible within it.
    """

    max_wrong: float = DEFAULT_MAX_WRONG


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """The operator's service targets for one channel (`base.yaml` `targets:`), in seconds:
    the time to an agent's first reply and to the resolution of a handed-off case."""

    first_reply: float | None = None
    resolution: float | None = None


@dataclass(frozen=True, slots=True)
class BaseConfig:
    """Settings of one answer base, read from its `base.yaml`.

    `teams` holds team ids and `team_names` their names for people (the id when none is
    given); `proactive` the operator's proactive rules, in file order. `business_hours` is
    None when people answer at any time; `urgency` None when every case is "normal";
    `answering` the answering policy (the share of wrong answers accepted); `targets` the
    service targets per channel (channel name → `ServiceTarget`).
    """

    name: str = "Samsvar"
    default_language: str = "nb"
    default_team: str | None = None
    teams: tuple[str, ...] = ()
    business_hours: BusinessHours | None = field(default=None, hash=False)
    proactive: tuple[ProactiveRule, ...] = field(default=(), hash=False)
    urgency: UrgencyConfig | None = field(default=None, hash=False)
    team_names: Mapping[str, str] = field(default_factory=dict, hash=False)
    answering: AnsweringPolicy = field(default_factory=AnsweringPolicy)
    targets: Mapping[str, ServiceTarget] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", _frozen_mapping(self.targets))
        object.__setattr__(self, "teams", tuple(self.teams))
        object.__setattr__(self, "proactive", tuple(self.proactive))
        object.__setattr__(self, "team_names", _frozen_mapping(self.team_names))


@dataclass(frozen=True, slots=True)
class Template:
    """A template an agent registers a phone call or a visit at the desk from
    (`templates.yaml`): its `titles` per language, the `topic` (a published answer's id)
    whose curated text resolves it, the `team` a case left open goes to (the topic's
    hand-off team or the base's default team when the file names none), the `channel`
    (`phone` or `desk`), `fields` of `fields.yaml` with a preset value or None (to fill in),
    and whether it is usually resolved at once."""

    id: str
    titles: Mapping[str, str] = field(hash=False)
    topic: str
    team: str | None
    channel: str = "phone"
    fields: Mapping[str, str | None] = field(default_factory=dict, hash=False)
    resolve_at_once: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", _frozen_mapping(self.titles))
        object.__setattr__(self, "fields", _frozen_mapping(self.fields))

    def title_for(self, lang: str, default_language: str) -> str:
        """The title in `lang`, else in the default language, else the first one written."""
        for candidate in (lang, default_language, *LANGUAGES):
            if candidate in self.titles:
                return self.titles[candidate]
        return next(iter(self.titles.values()))


def _sorted_by_id(answers: Iterable[Answer]) -> tuple[Answer, ...]:
    return tuple(sorted(answers, key=lambda answer: answer.id))


@dataclass(frozen=True, slots=True)
class AnswerBase:
    """A validated answer base: every answer (all statuses, sorted by id), its settings, and
    the agents' registration templates (`templates.yaml`, in file order)."""

    path: pathlib.Path
    config: BaseConfig
    answers: tuple[Answer, ...]
    fields: Mapping[str, Field] = field(hash=False)
    templates: tuple[Template, ...] = field(default=(), hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", _sorted_by_id(self.answers))
        object.__setattr__(self, "fields", _frozen_mapping(self.fields))
        object.__setattr__(self, "templates", tuple(self.templates))

    def template(self, template_id: str) -> Template | None:
        """The registration template with this id, or None."""
        return next((t for t in self.templates if t.id == template_id), None)

    def published(self) -> tuple[Answer, ...]:
        """The answers visitors may get, sorted by id."""
        return tuple(answer for answer in self.answers if answer.status == "published")

    def get(self, answer_id: str) -> Answer | None:
        """The answer with this id, whatever its status, or None."""
        index = bisect.bisect_left(self.answers, answer_id, key=lambda answer: answer.id)
        if index < len(self.answers) and self.answers[index].id == answer_id:
            return self.answers[index]
        return None

    @property
    def languages(self) -> frozenset[str]:
        """The languages that at least one published answer is written in."""
        return frozenset(lang for answer in self.published() for lang in answer.answer)

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) over the published answers' hashes and the default language.

        Changes whenever what visitors can be answered changes; use it to tell
        whether an index built from the base is stale.
        """
        return _sha256_of(
            {
                "default_language": self.config.default_language,
                "answers": [[answer.id, answer.content_hash] for answer in self.published()],
            }
        )


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or worth a look) in an answer base or an import file.

    `line` is 1-based; `field` names the key, e.g. "questions[2]" (0-based index)
    or "handoff.collect[0]".
    """

    file: pathlib.Path
    line: int | None
    field: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        location = str(self.file) if self.line is None else f"{self.file}:{self.line}"
        parts = [location]
        if self.severity != "error":
            parts.append(self.severity)
        if self.field is not None:
            parts.append(self.field)
        return ": ".join([*parts, self.message])

    @property
    def is_error(self) -> bool:
        """True for an error, false for a warning."""
        return self.severity == "error"
