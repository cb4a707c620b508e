"""Flows in the answer base: a valid flow loads; every kind of mistake is reported with its
file, line and field, and nothing of the base is used."""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from knowledge import (
    Decision,
    Duration,
    Ending,
    Question,
    check_answer_base,
    load_answer_base,
)
from tests.builders import (
    make_fields_dict,
    make_flow_answer_dict,
    make_paid_repair_dict,
    write_base,
)

BASE = {"teams": ["returns", "support"], "default_team": "support"}


def _write(tmp_path: pathlib.Path, flow_answer: dict[str, Any]) -> pathlib.Path:
    return write_base(
        tmp_path, [flow_answer, make_paid_repair_dict()], base=BASE, fields=make_fields_dict()
    )


def _steps(answer: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = answer["flow"]["steps"]
    return steps


def _step(answer: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(step for step in _steps(answer) if step["id"] == step_id)


def _line(path: pathlib.Path, text: str, after: str | None = None) -> int:
    """The 1-based line of the first line containing `text` (after the line with `after`)."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def _errors(root: pathlib.Path) -> list[str]:
    base, problems = check_answer_base(root)
    assert base is None, "the base must not load"
    return [str(problem) for problem in problems if problem.is_error]


def test_a_valid_flow_loads_with_its_steps_and_a_digest(tmp_path: pathlib.Path) -> None:
    base = load_answer_base(_write(tmp_path, make_flow_answer_dict()))
    answer = base.get("warranty-claim")
    assert answer is not None and answer.flow is not None
    flow = answer.flow
    assert [step.id for step in flow.steps][:4] == ["model", "recall", "bought", "age"]
    bought, age, order = flow.step("bought"), flow.step("age"), flow.step("order")
    assert isinstance(bought, Question) and (bought.type, bought.dates) == ("date", "past")
    assert isinstance(age, Decision)
    condition = age.branches[0].condition
    assert condition is not None and condition.operand == Duration(2, "years")
    assert isinstance(order, Question) and order.field == "order_number"
    assert order.pattern == make_fields_dict()["order_number"]["pattern"]  # from fields.yaml
    assert order.next == "photo"  # the following step when next: is left out
    ending = flow.step("recall-case")
    assert isinstance(ending, Ending) and (ending.kind, ending.urgency) == ("handoff", "urgent")
    assert len(flow.digest) == 16


def test_the_digest_changes_when_the_flow_is_edited_and_only_then(tmp_path: pathlib.Path) -> None:
    first = load_answer_base(_write(tmp_path / "a", make_flow_answer_dict()))
    same = load_answer_base(_write(tmp_path / "b", make_flow_answer_dict()))
    edited = make_flow_answer_dict()
    _step(edited, "model")["example"] = "VK-150"
    changed = load_answer_base(_write(tmp_path / "c", edited))
    digests = [b.get("warranty-claim").flow.digest for b in (first, same, changed)]  # type: ignore[union-attr]
    assert digests[0] == digests[1] != digests[2]


def test_conditions_compare_values_as_documented() -> None:
    today = datetime.date(2026, 6, 15)
    from knowledge import Condition

    older = Condition("bought", "older_than", Duration(2, "years"))
    assert older.holds("2024-06-14", "date", today) and not older.holds("2024-06-15", "date", today)
    assert Condition("model", "in", ("KT-210",)).holds("kt 210", "text", today)
    assert not Condition("model", "not_in", ("KT-210",)).holds("KT210", "text", today)
    assert Condition("count", "above", 3.0).holds("3.5", "number", today)
    assert Duration(1, "months").before(datetime.date(2026, 3, 31)) == datetime.date(2026, 2, 28)


Mistake = Callable[[dict[str, Any]], tuple[str, str]]


def _unknown_step(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "recall")["decide"][1] = {"otherwise": "bougth"}
    return "otherwise: bougth", 'there is no step "bougth" (did you mean "bought"?)'


def _unknown_answer(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "paid")["answer"] = "paid-repairs"
    return "answer: paid-repairs", 'there is no answer with the id "paid-repairs"'


def _unreachable(answer: dict[str, Any]) -> tuple[str, str]:
    _steps(answer).append({"id": "orphan", "message": {"nb": "x", "en": "y"}})
    return "id: orphan", 'no visitor can reach the step "orphan"'


def _loop(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "covered")["decide"][1]["goto"] = "bought"
    return "id: covered", "the flow loops: bought → age → cause → covered → bought"


def _no_branch_for_a_value(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "covered")["decide"].pop()
    return "id: covered", 'has no branch for no of "cause"'


def _no_otherwise(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "age")["decide"].pop()
    return "id: age", "end it with - otherwise: STEP"


def _missing_translation(answer: dict[str, Any]) -> tuple[str, str]:
    del _step(answer, "cause")["ask"]["en"]
    return "ask:", "has no text in en; a flow's texts need every language"


def _value_not_asked_before(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "recall")["decide"][0] = {"when": "bought", "in": ["x"], "goto": "paid"}
    return "in:", 'the question "bought" is not asked on every way to "recall"'


def _operator_does_not_fit(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "covered")["decide"][0] = {"when": "cause", "above": 3, "goto": "paid"}
    return "above: 3", '"above" does not fit a yes_no question'


def _not_a_value_of_the_question(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "covered")["decide"][0]["is"] = "maybe"
    return "is: maybe", '"maybe" is not a value of "cause"'


def _unknown_type(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "cause")["type"] = "yesno"
    return "type: yesno", '"yesno" is not a question type (did you mean "yes_no"?)'


def _duplicate_id(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "photo")["id"] = "cause"
    return "id: cause", 'the step id "cause" is already used at line'


def _unknown_team(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "claim")["handoff"]["team"] = "retruns"
    return "team: retruns", 'unknown team "retruns" (did you mean "returns"?)'


def _unknown_field(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "order")["field"] = "order_nr"
    return "field: order_nr", 'the field "order_nr" is not defined in fields.yaml'


def _bad_duration(answer: dict[str, Any]) -> tuple[str, str]:
    _step(answer, "age")["decide"][0]["older_than"] = "two years"
    return "older_than: two years", '"two years" is not a duration'


def _question_at_the_end(answer: dict[str, Any]) -> tuple[str, str]:
    del _step(answer, "email")["next"]
    _steps(answer).remove(_step(answer, "recall-email"))
    _steps(answer).remove(_step(answer, "recall-case"))
    _step(answer, "recall")["decide"][0]["goto"] = "paid"
    _steps(answer).append(_steps(answer).pop(_steps(answer).index(_step(answer, "email"))))
    return "id: email", "the flow ends after this question"


#: Each mistake made in a valid flow answer: (text on the reported line, message part).
MISTAKES: dict[str, Mistake] = {
    "unknown step": _unknown_step,
    "unknown answer": _unknown_answer,
    "unreachable": _unreachable,
    "loop": _loop,
    "no branch for a value": _no_branch_for_a_value,
    "no otherwise": _no_otherwise,
    "missing translation": _missing_translation,
    "value not asked before": _value_not_asked_before,
    "operator does not fit": _operator_does_not_fit,
    "not a value of the question": _not_a_value_of_the_question,
    "unknown type": _unknown_type,
    "duplicate id": _duplicate_id,
    "unknown team": _unknown_team,
    "unknown field": _unknown_field,
    "bad duration": _bad_duration,
    "question at the end": _question_at_the_end,
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_mistake_is_reported_with_file_and_line(tmp_path: pathlib.Path, name: str) -> None:
    answer = make_flow_answer_dict()
    on_line, message = MISTAKES[name](answer)
    root = _write(tmp_path, answer)
    path = root / "warranty-claim.yaml"
    errors = _errors(root)
    after = {
        "value not asked before": "id: recall",
        "operator does not fit": "id: covered",
        "missing translation": "id: cause",
        "duplicate id": "id: covered",
    }.get(name)
    line = _line(path, on_line, after)
    assert any(e.startswith(f"{path}:{line}: ") and message in e for e in errors), errors
