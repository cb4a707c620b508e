"""Reading the cases of a suite: single-turn cases, conversations (`turns:`) and expectations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eval._problems import Problems, line_of
from knowledge import LANGUAGES

DECISIONS = ("abstain", "handoff", "clarify", "collect")
URGENCIES = ("low", "normal", "high", "urgent")
EXPECT_KEYS = ("expect", "lang", "contains", "not_contains", "urgency")
ACTIONS = ("ask", "choose", "feedback")  # what the visitor does in a turn
FEEDBACK = ("helpful", "not_helpful")
TURN_KEYS = (*ACTIONS, "page", *EXPECT_KEYS)
CASE_KEYS = ("id", "ask", "page", *EXPECT_KEYS, "held_out", "turns")
CONVERSATION_KEYS = ("id", "page", "turns")


@dataclass(frozen=True, slots=True)
class Expect:
    """What one turn must do. `decision` is an answer id, or abstain, clarify or handoff; None
    (only on a `choose` or `feedback` turn) when the turn sets no decision."""

    decision: str | None
    lang: str | None = None  # the language the reply must be in
    contains: tuple[str, ...] = ()  # phrases the reply must contain (case-insensitive)
    not_contains: tuple[str, ...] = ()  # phrases it must not contain
    urgency: str | None = None  # low | normal | high | urgent (of a handoff)

    @property
    def answer_id(self) -> str | None:
        """The expected answer id, or None when a decision (abstain, …) is expected."""
        return None if self.decision is None or self.decision in DECISIONS else self.decision


@dataclass(frozen=True, slots=True)
class Turn:
    """One visitor action and what the bot must do with it.

    `action` is `ask` (the visitor writes `ask`), `choose` (clicks the quick reply of answer
    `target`) or `feedback` (answers "did this help?"; `target` is helpful or not_helpful).
    For the two clicks, `ask` describes the click, e.g. "(chooses returns)".
    """

    ask: str
    expect: Expect
    page: str | None = None
    line: int | None = None
    action: str = "ask"
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One conversation: a single turn, or several (`turns:`), each with expectations.

    `held_out`: the question is asked against the index without that phrasing (see
    docs/eval.md). `ask`, `expect`, `page` and `lang` are the last turn's.
    """

    id: str
    turns: tuple[Turn, ...]
    held_out: bool = False
    line: int | None = None
    multi_turn: bool = False

    @property
    def ask(self) -> str:
        return self.turns[-1].ask

    @property
    def expect(self) -> str | None:
        return self.turns[-1].expect.decision

    @property
    def page(self) -> str | None:
        return self.turns[-1].page

    @property
    def lang(self) -> str | None:
        return self.turns[-1].expect.lang


def _unknown_keys(raw: Any, allowed: tuple[str, ...], field: str, problems: Problems) -> None:
    for key in raw:
        if key not in allowed:
            problems.add(
                line_of(raw, str(key)),
                f"{field}.{key}",
                f"unknown key (allowed: {', '.join(allowed)})",
            )


def _text(raw: Any, key: str, field: str, line: int | None, problems: Problems) -> str | None:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(line_of(raw, key) or line, f"{field}.{key}", "required, a non-empty text")
        return None
    return value


def _phrases(raw: Any, key: str, field: str, problems: Problems) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        problems.add(line_of(raw, key), f"{field}.{key}", "a text or a non-empty list of texts")
        return ()
    phrases: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            where = line_of(items, i) if items is value else line_of(raw, key)
            problems.add(where, f"{field}.{key}[{i}]", "a non-empty text")
        else:
            phrases.append(item.strip())
    return tuple(phrases)


def _choice(raw: Any, key: str, allowed: tuple[str, ...], field: str, problems: Problems) -> Any:
    value = raw.get(key)
    if value is not None and value not in allowed:
        what = "language" if key == "lang" else key
        problems.add(
            line_of(raw, key),
            f"{field}.{key}",
            f"unknown {what} {value!r} (allowed: {', '.join(allowed)})",
        )
        return None
    return value


def _expect(
    raw: Any, field: str, line: int | None, problems: Problems, required: bool = True
) -> Expect | None:
    decision = None
    if required or "expect" in raw:
        decision = _text(raw, "expect", field, line, problems)
    lang = _choice(raw, "lang", LANGUAGES, field, problems)
    urgency = _choice(raw, "urgency", URGENCIES, field, problems)
    contains = _phrases(raw, "contains", field, problems)
    not_contains = _phrases(raw, "not_contains", field, problems)
    if decision is None and (required or "expect" in raw):
        return None
    return Expect(decision and decision.strip(), lang, contains, not_contains, urgency)


def _page(raw: Any, field: str, problems: Problems, default: str | None = None) -> str | None:
    page = raw.get("page")
    if page is None:
        return default
    if not isinstance(page, str) or not page.strip():
        problems.add(line_of(raw, "page"), f"{field}.page", "a URL or path, e.g. /checkout")
        return default
    return page.strip()


def _turn(
    raw: Any,
    field: str,
    line: int | None,
    page: str | None,
    problems: Problems,
    allowed: tuple[str, ...] = TURN_KEYS,
) -> Turn | None:
    if not isinstance(raw, dict):
        problems.add(line, field, "a turn must be a mapping with at least 'ask' and 'expect'")
        return None
    _unknown_keys(raw, allowed, field, problems)
    action = _action(raw, field, line, problems)
    if action is None:
        return None
    what = raw.get(action)
    target = None if action == "ask" else what
    ask = str(what) if action == "ask" else f"({action.replace('choose', 'chooses')} {what})"
    expect = _expect(raw, field, line, problems, required=action == "ask")
    turn_page = _page(raw, field, problems, page)
    if expect is None:
        return None
    return Turn(ask, expect, turn_page, line, action, target)


def _action(raw: Any, field: str, line: int | None, problems: Problems) -> str | None:
    """Which of ask, choose or feedback the turn is (exactly one), its value checked."""
    given = [key for key in ACTIONS if key in raw]
    if len(given) > 1:
        problems.add(
            line_of(raw, given[1]), f"{field}.{given[1]}", "a turn is one of ask, choose, feedback"
        )
        return None
    action = given[0] if given else "ask"
    if action == "feedback" and raw.get("feedback") not in FEEDBACK:
        problems.add(line_of(raw, "feedback"), f"{field}.feedback", "helpful or not_helpful")
        return None
    if _text(raw, action, field, line, problems) is None:
        return None
    return action


def _conversation(
    raw: Any, field: str, line: int | None, problems: Problems
) -> tuple[Turn, ...] | None:
    _unknown_keys(raw, CONVERSATION_KEYS, field, problems)
    page = _page(raw, field, problems)
    raw_turns = raw.get("turns")
    if not isinstance(raw_turns, list) or not raw_turns:
        problems.add(line_of(raw, "turns") or line, f"{field}.turns", "a non-empty list of turns")
        return None
    turns = [
        _turn(item, f"{field}.turns[{i}]", line_of(raw_turns, i), page, problems)
        for i, item in enumerate(raw_turns)
    ]
    complete = [turn for turn in turns if turn is not None]
    return tuple(complete) if len(complete) == len(turns) else None


def _held_out(raw: Any, field: str, problems: Problems) -> bool:
    value = raw.get("held_out", False)
    if not isinstance(value, bool):
        problems.add(line_of(raw, "held_out"), f"{field}.held_out", "true or false")
        return False
    return value


def read_case(raw: Any, pos: int, line: int | None, problems: Problems) -> Case | None:
    """One case of `cases:` (at position `pos`), or None when it has problems (all added)."""
    field = f"cases[{pos}]"
    if not isinstance(raw, dict):
        problems.add(line, field, "a case must be a mapping with 'ask' and 'expect', or 'turns'")
        return None
    case_id = str(pos + 1 if raw.get("id") in (None, "") else raw["id"])
    if "turns" in raw:
        mixed = [key for key in raw if key not in CONVERSATION_KEYS and key in CASE_KEYS]
        if mixed:
            problems.add(
                line_of(raw, str(mixed[0])),
                f"{field}.{mixed[0]}",
                "a case has either 'turns' (a conversation) or 'ask' and 'expect', not both",
            )
            return None
        turns = _conversation(raw, field, line, problems)
        return None if turns is None else Case(case_id, turns, False, line, multi_turn=True)
    turn = _turn(raw, field, line, None, problems, allowed=CASE_KEYS)
    held_out = _held_out(raw, field, problems)
    if turn is None:
        return None
    return Case(case_id, (turn,), held_out, line)
