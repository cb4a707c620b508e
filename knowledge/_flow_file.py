"""Validating an answer's `flow:` and turning it into a `Flow`.

Each step is read on its own first (keys, texts, types, operands), then the flow as a graph:
unknown step ids, steps no visitor can reach, loops, decisions that test a value not asked on
every way there, and decisions with no branch for some value. Answer ids named by endings are
checked once every answer file is read (`check_flow_answers`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge import _checks as check
from knowledge._flow_graph import Steps, check_graph
from knowledge._regex import backtracking_problem
from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge._yaml import Map, item_line, key_line, node_line, to_plain
from knowledge.flows import (
    DATE_RANGES,
    OPERATORS,
    QUESTION_TYPES,
    Branch,
    Condition,
    Decision,
    Duration,
    Ending,
    Flow,
    Option,
    Question,
    Step,
)
from knowledge.schema import URGENCY_LEVELS, Field

FLOW_KEYS = ("steps",)
QUESTION_KEYS = (
    "id",
    "ask",
    "type",
    "label",
    "options",
    "pattern",
    "example",
    "dates",
    "min",
    "max",
    "field",
    "next",
)
DECISION_KEYS = ("id", "decide")
ENDING_KEYS = ("id", "answer", "message", "handoff")
HANDOFF_KEYS = ("team", "urgency", "message")
OPTION_KEYS = ("id", "label", "words")
BRANCH_KEYS = ("when", "goto", "otherwise", *OPERATORS)
STEP_ID = re.compile(r"[a-z0-9]+([-_][a-z0-9]+)*")
_DURATION = re.compile(r"(\d+)\s*(day|week|month|year)s?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class FlowContext:
    """What a flow is checked against: the answer's languages and the rest of the base."""

    languages: tuple[str, ...]
    teams: tuple[str, ...]
    fields: Mapping[str, Field]


@dataclass(frozen=True)
class ParsedFlow:
    """A valid flow, and the answer ids its endings name (id, line, field) for the check
    against the whole base."""

    flow: Flow
    answers: tuple[tuple[str, int | None, str], ...]


def parse_flow(
    value: Any, line: int | None, context: FlowContext, report: Report
) -> ParsedFlow | None:
    """The flow in an answer's `flow:` key, or None after reporting every problem."""
    node = check.mapping(value, line, "flow", report)
    if node is None:
        return None
    before = report.error_count
    check.unknown_keys(node, FLOW_KEYS, "flow.", report)
    steps = check.sequence(node.get("steps"), key_line(node, "steps") or line, "flow.steps", report)
    if steps is not None and not steps:
        report.error(key_line(node, "steps"), "flow.steps", "needs at least one step")
    if steps is None or not steps:
        return None
    read = Steps()
    for index, raw in enumerate(steps):
        _step(raw, index, steps, read, context, report)
    if report.error_count > before:
        return None
    check_graph(read, report)
    if report.error_count > before:
        return None
    return ParsedFlow(Flow(tuple(read.steps), _digest(node)), tuple(read.answers))


def _digest(node: Map) -> str:
    text = json.dumps(to_plain(node), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _step(raw: Any, index: int, steps: Any, read: Steps, ctx: FlowContext, report: Report) -> None:
    where = f"flow.steps[{index}]"
    node = check.mapping(raw, item_line(steps, index), where, report)
    if node is None:
        return
    step_id = _step_id(node, where, read, report)
    kinds = [
        key for key in ("ask", "field", "decide", "answer", "message", "handoff") if key in node
    ]
    if not kinds:
        report.error(
            node_line(node),
            where,
            "a step needs one of ask (a question), decide (a decision), or answer, message "
            "or handoff (an ending)",
        )
        return
    following = _following(steps, index)
    if kinds[0] in ("ask", "field"):
        step: Step | None = _question(node, where, step_id, following, read, ctx, report)
    elif kinds[0] == "decide":
        step = _decision(node, where, step_id, read, report)
    else:
        step = _ending(node, where, step_id, kinds, read, ctx, report)
    if step is not None:
        read.steps.append(step)


def _step_id(node: Map, where: str, read: Steps, report: Report) -> str:
    line = key_line(node, "id")
    value = node.get("id")
    if value is None:
        report.error(node_line(node), f"{where}.id", 'the required key "id" is missing')
        return f"#{len(read.lines)}"
    step_id = str(value)
    if not isinstance(value, str) or not STEP_ID.fullmatch(step_id):
        report.error(
            line,
            f"{where}.id",
            f'"{step_id}" is not a valid step id; use lowercase letters a-z, digits, and single '
            'hyphens or underscores between them, e.g. "bought"',
        )
    elif step_id in read.lines:
        report.error(
            line,
            f"{where}.id",
            f'the step id "{step_id}" is already used at line {read.lines[step_id]}',
        )
    else:
        read.lines[step_id] = line
    return step_id


def _following(steps: Any, index: int) -> str | None:
    if index + 1 < len(steps) and isinstance(steps[index + 1], Map):
        value = steps[index + 1].get("id")
        return str(value) if value is not None else None
    return None


def _texts(
    node: Map, key: str, where: str, ctx: FlowContext, report: Report
) -> dict[str, str] | None:
    """Text per language in every language the answer is written in."""
    line = key_line(node, key)
    texts = check.lang_texts(node[key], line, f"{where}.{key}", report)
    if texts is None:
        return None
    missing = [lang for lang in ctx.languages if lang not in texts]
    if missing:
        report.error(
            line,
            f"{where}.{key}",
            f"has no text in {quoted_list(missing)}; a flow's texts need every language its "
            f"answer is written in ({quoted_list(ctx.languages)})",
        )
        return None
    return texts


# --- questions ----------------------------------------------------------------------------


def _question(
    node: Map,
    where: str,
    step_id: str,
    following: str | None,
    read: Steps,
    ctx: FlowContext,
    report: Report,
) -> Question | None:
    check.unknown_keys(node, QUESTION_KEYS, f"{where}.", report)
    before = report.error_count
    base_field = _field(node, where, ctx, report)
    kind = _type(node, where, base_field, report)
    ask = _texts(node, "ask", where, ctx, report) if "ask" in node else None
    if ask is None and base_field is not None and "ask" not in node:
        ask = dict(base_field.prompts)
    elif ask is None and "ask" not in node:
        report.error(node_line(node), f"{where}.ask", 'the required key "ask" is missing')
    labels = _texts(node, "label", where, ctx, report) if "label" in node else None
    if labels is None and base_field is not None:
        labels = dict(base_field.labels)
    next_id = _next(node, where, step_id, following, read, report)
    options = _options(node, where, kind, ctx, report)
    pattern, example = _pattern(node, where, kind, base_field, report)
    dates = _dates(node, where, kind, report)
    low, high = _number(node, "min", where, kind, report), _number(node, "max", where, kind, report)
    if report.error_count > before or kind is None or ask is None or next_id is None:
        return None
    return Question(
        step_id,
        ask,
        kind,
        next_id,
        labels or {},
        options,
        pattern,
        example,
        dates,
        low,
        high,
        base_field.name if base_field else None,
    )


def _field(node: Map, where: str, ctx: FlowContext, report: Report) -> Field | None:
    if node.get("field") is None:
        return None
    line = key_line(node, "field")
    name = check.text(node["field"], line, f"{where}.field", report)
    if name is not None and name not in ctx.fields:
        report.error(
            line,
            f"{where}.field",
            f'the field "{name}" is not defined in fields.yaml'
            f"{unknown_name_hint(name, ctx.fields)}; "
            f"defined fields: {quoted_list(sorted(ctx.fields))}",
        )
        return None
    return ctx.fields.get(name) if name else None


def _type(node: Map, where: str, base_field: Field | None, report: Report) -> str | None:
    value = node.get("type")
    if value is None:
        if base_field is not None:
            return "text"
        report.error(
            node_line(node),
            f"{where}.type",
            f"a question needs a type: {quoted_list(QUESTION_TYPES)} "
            '(or "field:" from fields.yaml)',
        )
        return None
    if value not in QUESTION_TYPES:
        hint = unknown_name_hint(value, QUESTION_TYPES)
        report.error(
            key_line(node, "type"),
            f"{where}.type",
            f'"{value}" is not a question type{hint}; use one of {quoted_list(QUESTION_TYPES)}',
        )
        return None
    if base_field is not None and value != "text":
        report.error(
            key_line(node, "type"), f"{where}.type", "a question with field: is a text question"
        )
        return None
    return str(value)


def _next(
    node: Map, where: str, step_id: str, following: str | None, read: Steps, report: Report
) -> str | None:
    if node.get("next") is None:
        if following is None:
            report.error(
                node_line(node),
                where,
                "the flow ends after this question; add next: or put an ending "
                "(answer, message or handoff) after it",
            )
            return None
        read.targets.append((step_id, following, node_line(node), f"{where}.next"))
        return following
    target = check.text(node["next"], key_line(node, "next"), f"{where}.next", report)
    if target is not None:
        read.targets.append((step_id, target, key_line(node, "next"), f"{where}.next"))
    return target


def _options(
    node: Map, where: str, kind: str | None, ctx: FlowContext, report: Report
) -> tuple[Option, ...]:
    if kind != "choice":
        _only_for(node, "options", where, "choice", kind, report)
        return ()
    line = key_line(node, "options") if "options" in node else node_line(node)
    items = check.sequence(node.get("options"), line, f"{where}.options", report)
    if items is None:
        return ()
    if len(items) < 2:
        report.error(line, f"{where}.options", "a choice needs at least two options")
    options: list[Option] = []
    for index, raw in enumerate(items):
        option = _option(raw, f"{where}.options[{index}]", item_line(items, index), ctx, report)
        if option is not None and any(o.id == option.id for o in options):
            report.error(
                item_line(items, index),
                f"{where}.options[{index}].id",
                f'"{option.id}" is used twice',
            )
        elif option is not None:
            options.append(option)
    return tuple(options)


def _option(
    raw: Any, where: str, line: int | None, ctx: FlowContext, report: Report
) -> Option | None:
    node = check.mapping(raw, line, where, report)
    if node is None:
        return None
    check.unknown_keys(node, OPTION_KEYS, f"{where}.", report)
    option_id = check.text(node.get("id"), key_line(node, "id"), f"{where}.id", report)
    if "label" not in node:
        report.error(node_line(node), f"{where}.label", 'the required key "label" is missing')
        return None
    labels = _texts(node, "label", where, ctx, report)
    words: list[str] | None = []
    if node.get("words") is not None:
        words = check.text_list(node["words"], key_line(node, "words"), f"{where}.words", report)
    if option_id is None or labels is None or words is None:
        return None
    return Option(option_id, labels, tuple(words))


def _only_for(
    node: Map, key: str, where: str, wanted: str, kind: str | None, report: Report
) -> bool:
    if key in node and kind is not None and kind not in wanted.split("|"):
        report.error(
            key_line(node, key),
            f"{where}.{key}",
            f"only a {wanted.replace('|', ' or ')} question has {key}, and this one is {kind}",
        )
        return False
    return key in node


def _pattern(
    node: Map, where: str, kind: str | None, base_field: Field | None, report: Report
) -> tuple[str | None, str | None]:
    if base_field is not None:
        return base_field.pattern, base_field.example
    pattern = example = None
    if _only_for(node, "pattern", where, "text", kind, report):
        pattern = check.text(node["pattern"], key_line(node, "pattern"), f"{where}.pattern", report)
        try:
            re.compile(pattern or "")
        except re.error as exc:
            report.error(
                key_line(node, "pattern"),
                f"{where}.pattern",
                f"is not a valid regular expression: {exc}",
            )
            pattern = None
        slow = backtracking_problem(pattern) if pattern else None
        if slow is not None:
            report.error(key_line(node, "pattern"), f"{where}.pattern", slow)
            pattern = None
    if _only_for(node, "example", where, "text|number|email|phone", kind, report):
        example = check.text(node["example"], key_line(node, "example"), f"{where}.example", report)
        if example is not None and pattern is not None and not re.fullmatch(pattern, example):
            report.error(
                key_line(node, "example"),
                f"{where}.example",
                f'"{example}" does not match the pattern {pattern}; fix the example or the pattern',
            )
    return pattern, example


def _dates(node: Map, where: str, kind: str | None, report: Report) -> str:
    if not _only_for(node, "dates", where, "date", kind, report):
        return "any"
    value = node["dates"]
    if value not in DATE_RANGES:
        report.error(
            key_line(node, "dates"),
            f"{where}.dates",
            f'"{value}": use one of {quoted_list(DATE_RANGES)}',
        )
        return "any"
    return str(value)


def _number(node: Map, key: str, where: str, kind: str | None, report: Report) -> float | None:
    if not _only_for(node, key, where, "number", kind, report):
        return None
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        report.error(
            key_line(node, key), f"{where}.{key}", f"must be a number, not {check.describe(value)}"
        )
        return None
    return float(value)


# --- decisions ----------------------------------------------------------------------------


def _decision(node: Map, where: str, step_id: str, read: Steps, report: Report) -> Decision | None:
    check.unknown_keys(node, DECISION_KEYS, f"{where}.", report)
    line = key_line(node, "decide")
    items = check.sequence(node["decide"], line, f"{where}.decide", report)
    if items is None:
        return None
    if not items:
        report.error(line, f"{where}.decide", "needs at least one branch")
        return None
    branches = []
    for index, raw in enumerate(items):
        at = f"{where}.decide[{index}]"
        branch = _branch(
            raw, at, step_id, item_line(items, index), index == len(items) - 1, read, report
        )
        if branch is not None:
            branches.append(branch)
    return Decision(step_id, tuple(branches)) if len(branches) == len(items) else None


def _branch(
    raw: Any,
    where: str,
    step_id: str,
    line: int | None,
    last: bool,
    read: Steps,
    report: Report,
) -> Branch | None:
    node = check.mapping(raw, line, where, report)
    if node is None:
        return None
    check.unknown_keys(node, BRANCH_KEYS, f"{where}.", report)
    if "otherwise" in node:
        if len(node) > 1 or not last:
            report.error(
                key_line(node, "otherwise"),
                f"{where}.otherwise",
                "otherwise: is a branch of its own, the last one: - otherwise: STEP",
            )
            return None
        return _goto(node, "otherwise", where, step_id, None, read, report)
    ops = [key for key in node if key in OPERATORS]
    if "when" not in node or len(ops) != 1 or "goto" not in node:
        report.error(
            node_line(node) or line,
            where,
            "a branch is when: STEP, one comparison ("
            + quoted_list(OPERATORS)
            + "), and goto: STEP; "
            "or otherwise: STEP",
        )
        return None
    tested = check.text(node["when"], key_line(node, "when"), f"{where}.when", report)
    operand = _operand(node, ops[0], f"{where}.{ops[0]}", report)
    if tested is None or operand is None:
        return None
    condition = Condition(tested, ops[0], operand)
    read.tests.append((step_id, condition, key_line(node, ops[0]), f"{where}.{ops[0]}"))
    return _goto(node, "goto", where, step_id, condition, read, report)


def _goto(
    node: Map,
    key: str,
    where: str,
    step_id: str,
    condition: Condition | None,
    read: Steps,
    report: Report,
) -> Branch | None:
    target = check.text(node[key], key_line(node, key), f"{where}.{key}", report)
    if target is None:
        return None
    read.targets.append((step_id, target, key_line(node, key), f"{where}.{key}"))
    return Branch(condition, target)


def _operand(node: Map, op: str, where: str, report: Report) -> Any:
    value, line = node[op], key_line(node, op)
    if op in ("in", "not_in"):
        items = check.sequence(value, line, where, report)
        if items is None or not items:
            report.error(
                line, where, "needs a list of at least one value"
            ) if items is not None else None
            return None
        return tuple(str(to_plain(item)) for item in items)
    if op in ("above", "below", "at_least", "at_most"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            report.error(line, where, f"must be a number, not {check.describe(value)}")
            return None
        return float(value)
    if op in ("older_than", "within"):
        match = _DURATION.fullmatch(str(value).strip().casefold())
        if match is None:
            report.error(
                line,
                where,
                f'"{value}" is not a duration; write e.g. "2 years", "6 months", "30 days"',
            )
            return None
        return Duration(int(match.group(1)), f"{match.group(2)}s")
    if op in ("before", "after"):
        return _absolute_date(value, line, where, report)
    if isinstance(value, bool):
        return "yes" if value else "no"  # YAML reads a bare yes/no as true/false
    return str(to_plain(value))


def _absolute_date(
    value: Any, line: int | None, where: str, report: Report
) -> datetime.date | None:
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        return check.date(value, line, where, report)
    report.error(line, where, f'must be a date written YYYY-MM-DD, not "{value}"')
    return None


# --- endings ------------------------------------------------------------------------------


def _ending(
    node: Map,
    where: str,
    step_id: str,
    kinds: list[str],
    read: Steps,
    ctx: FlowContext,
    report: Report,
) -> Ending | None:
    check.unknown_keys(node, ENDING_KEYS, f"{where}.", report)
    before = report.error_count
    if "answer" in node and len(kinds) > 1:
        report.error(
            key_line(node, kinds[1]),
            f"{where}.{kinds[1]}",
            "an ending is one of answer, message or handoff (a hand-off may have its own message)",
        )
        return None
    if "answer" in node:
        answer_id = check.text(node["answer"], key_line(node, "answer"), f"{where}.answer", report)
        if answer_id is None:
            return None
        read.answers.append((answer_id, key_line(node, "answer"), f"{where}.answer"))
        return Ending(step_id, answer=answer_id)
    if "handoff" not in node:
        message = _texts(node, "message", where, ctx, report)
        return None if message is None else Ending(step_id, message=message)
    if "message" in node:
        report.error(
            key_line(node, "message"), f"{where}.message", "put a hand-off's message under handoff:"
        )
    handoff = _handoff(node, where, ctx, report)
    if handoff is None or report.error_count > before:
        return None
    team, urgency, message = handoff
    return Ending(step_id, message=message, handoff=True, team=team, urgency=urgency)


def _handoff(
    node: Map, where: str, ctx: FlowContext, report: Report
) -> tuple[str | None, str | None, dict[str, str]] | None:
    value = node["handoff"]
    if value is None or (isinstance(value, Map) and not value):
        return None, None, {}
    spec = check.mapping(value, key_line(node, "handoff"), f"{where}.handoff", report)
    if spec is None:
        return None
    at = f"{where}.handoff"
    check.unknown_keys(spec, HANDOFF_KEYS, f"{at}.", report)
    team = urgency = None
    if spec.get("team") is not None:
        team = check.text(spec["team"], key_line(spec, "team"), f"{at}.team", report)
        if team is not None and ctx.teams and team not in ctx.teams:
            report.error(
                key_line(spec, "team"),
                f"{at}.team",
                f'unknown team "{team}"{unknown_name_hint(team, ctx.teams)}; teams in base.yaml: '
                f"{quoted_list(ctx.teams)}",
            )
    if spec.get("urgency") is not None:
        urgency = str(spec["urgency"])
        if urgency not in URGENCY_LEVELS:
            report.error(
                key_line(spec, "urgency"),
                f"{at}.urgency",
                f'"{urgency}" is not an urgency; use one of {quoted_list(URGENCY_LEVELS)}',
            )
    message = _texts(spec, "message", at, ctx, report) if "message" in spec else {}
    return (team, urgency, message) if message is not None else None
