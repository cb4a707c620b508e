"""A flow as a graph: unknown step ids, steps no visitor can reach, loops, decisions that test
a value not asked on every way there or have no branch for some value; and, across answer
files, the answers that endings name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from knowledge._report import Report, quoted_list, unknown_name_hint
from knowledge.flows import OPERATORS, YES_NO, Condition, Decision, Question, Step
from knowledge.schema import Answer, Problem

__all__ = ["Steps", "check_flow_answers", "check_graph"]


@dataclass
class Steps:
    """The steps read so far, with the lines to report graph problems at."""

    steps: list[Step] = field(default_factory=list)
    lines: dict[str, int | None] = field(default_factory=dict)
    targets: list[tuple[str, str, int | None, str]] = field(default_factory=list)  # from, to
    tests: list[tuple[str, Condition, int | None, str]] = field(default_factory=list)
    answers: list[tuple[str, int | None, str]] = field(default_factory=list)


def check_graph(read: Steps, report: Report) -> None:
    """Report what is wrong with the flow as a whole, once each step is valid on its own."""
    before = report.error_count
    steps = {step.id: step for step in read.steps}
    for _origin, target, line, where in read.targets:
        if target not in steps:
            report.error(
                line,
                where,
                f'there is no step "{target}"{unknown_name_hint(target, steps)}; steps: '
                f"{quoted_list(steps)}",
            )
    if report.error_count > before:
        return
    graph = {step_id: _successors(step) for step_id, step in steps.items()}
    first = read.steps[0].id
    reached = _reachable(first, graph)
    for step in read.steps:
        if step.id not in reached:
            report.error(
                read.lines.get(step.id),
                f"flow.steps[{read.steps.index(step)}]",
                f'no visitor can reach the step "{step.id}": no next:, goto: or otherwise: leads '
                "to it",
            )
    loop = _loop(first, graph)
    if loop is not None:
        report.error(
            read.lines.get(loop[-2]),
            f"flow.steps[{read.steps.index(steps[loop[-2]])}]",
            f"the flow loops: {' → '.join(loop)}; a flow must always move on to an ending",
        )
        return
    _check_tests(read, steps, graph, first, report)


def _successors(step: Step) -> tuple[str, ...]:
    if isinstance(step, Question):
        return (step.next,)
    if isinstance(step, Decision):
        return tuple(dict.fromkeys(branch.goto for branch in step.branches))
    return ()


def _reachable(first: str, graph: Mapping[str, Sequence[str]]) -> set[str]:
    seen, todo = {first}, [first]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _loop(first: str, graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle as a path that returns to where it started, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in graph[node]:
            found = visit(target)
            if found is not None:
                return found
        path.pop()
        done.add(node)
        return None

    return visit(first)


def _asked_before(
    first: str, steps: Mapping[str, Step], graph: Mapping[str, Sequence[str]]
) -> dict[str, set[str]]:
    """For each reachable step, the questions asked on every way from the start to it."""
    order = _topological(first, graph)
    asked: dict[str, set[str]] = {first: set()}
    for step_id in order:
        carried = asked[step_id] | ({step_id} if isinstance(steps[step_id], Question) else set())
        for target in graph[step_id]:
            asked[target] = asked[target] & carried if target in asked else set(carried)
    return asked


def _topological(first: str, graph: Mapping[str, Sequence[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        seen.add(node)
        for target in graph[node]:
            if target not in seen:
                visit(target)
        order.append(node)

    visit(first)
    return order[::-1]


def _check_tests(
    read: Steps,
    steps: Mapping[str, Step],
    graph: Mapping[str, Sequence[str]],
    first: str,
    report: Report,
) -> None:
    asked = _asked_before(first, steps, graph)
    for decision_id, condition, line, where in read.tests:
        tested = steps.get(condition.step)
        if not isinstance(tested, Question):
            what = "is not a step" if tested is None else "is not a question"
            report.error(
                line, where, f'"{condition.step}" {what}; a decision tests the value of a question'
            )
            continue
        if condition.step not in asked.get(decision_id, set()):
            report.error(
                line,
                where,
                f'the question "{condition.step}" is not asked on every way to "{decision_id}"; '
                "a decision can only test values collected before it",
            )
            continue
        _check_operator(condition, tested, line, where, report)
    for step in read.steps:
        if isinstance(step, Decision):
            _check_cover(
                step,
                steps,
                read.lines.get(step.id),
                f"flow.steps[{read.steps.index(step)}]",
                report,
            )


def _check_operator(
    condition: Condition, question: Question, line: int | None, where: str, report: Report
) -> None:
    fits = OPERATORS[condition.operator]
    if question.type not in fits:
        report.error(
            line,
            where,
            f'"{condition.operator}" does not fit a {question.type} question; it fits '
            f"{quoted_list(fits)} questions",
        )
        return
    values = condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
    allowed = _values_of(question)
    for value in values:
        if allowed is not None and str(value) not in allowed:
            report.error(
                line,
                where,
                f'"{value}" is not a value of "{question.id}"{unknown_name_hint(value, allowed)}; '
                f"its values: {quoted_list(allowed)}",
            )
        elif question.type == "number" and not _is_number(str(value)):
            report.error(line, where, f'"{value}" is not a number')


def _values_of(question: Question) -> tuple[str, ...] | None:
    if question.type == "choice":
        return tuple(option.id for option in question.options)
    return YES_NO if question.type == "yes_no" else None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_cover(
    decision: Decision, steps: Mapping[str, Step], line: int | None, where: str, report: Report
) -> None:
    """A decision without otherwise: must have a branch for every value of what it tests."""
    if decision.branches[-1].condition is None:
        return
    tested = decision.tested()
    question = steps.get(tested[0]) if len(tested) == 1 else None
    values = _values_of(question) if isinstance(question, Question) else None
    if values is None:
        report.error(
            line,
            f"{where}.decide",
            "has no branch for the values none of its conditions match; end it with "
            "- otherwise: STEP (only a decision on one choice or yes/no question may leave it "
            "out, when it has a branch for each of its values)",
        )
        return
    covered: set[str] = set()
    for branch in decision.branches:
        assert branch.condition is not None
        operand = branch.condition.operand
        if branch.condition.operator == "is":
            covered.add(str(operand))
        elif branch.condition.operator == "in" and isinstance(operand, tuple):
            covered.update(operand)
    missing = [value for value in values if value not in covered]
    if missing:
        report.error(
            line,
            f"{where}.decide",
            f'has no branch for {quoted_list(missing)} of "{tested[0]}"; add a branch for each, '
            "or - otherwise: STEP",
        )


# --- across answer files ------------------------------------------------------------------


def check_flow_answers(
    flows: Iterable[tuple[Answer, tuple[tuple[str, int | None, str], ...]]],
    answers: Sequence[Answer],
    invalid: frozenset[str],
) -> list[Problem]:
    """Every answer an ending names is a published answer without a flow of its own (an id
    in `invalid` is an answer file with errors, already reported)."""
    by_id = {answer.id: answer for answer in answers}
    problems = []
    for owner, named in flows:
        assert owner.source is not None
        for answer_id, line, where in named:
            message = _answer_problem(answer_id, by_id, invalid)
            if message is not None:
                problems.append(Problem(owner.source, line, where, message))
    return problems


def _answer_problem(
    answer_id: str, by_id: Mapping[str, Answer], invalid: frozenset[str]
) -> str | None:
    if answer_id in invalid:
        return None
    target = by_id.get(answer_id)
    if target is None:
        return f'there is no answer with the id "{answer_id}"{unknown_name_hint(answer_id, by_id)}'
    if target.status != "published":
        return f'the answer "{answer_id}" is {target.status}; an ending gives a published answer'
    if target.flow is not None:
        return f'the answer "{answer_id}" has a flow of its own; an ending gives a plain answer'
    return None
