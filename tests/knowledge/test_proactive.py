"""The operator's proactive rules in base.yaml: the format and its problems (file:line:field)."""

from __future__ import annotations

import pathlib

import pytest

from knowledge import ProactiveRule, Problem, check_answer_base, load_answer_base
from tests.builders import make_answer_dict, write_answer_file, write_base

RULES = """\
default_language: nb
proactive:
  - id: checkout-help
    pages: [/checkout, "/checkout/*"]
    after_seconds: 30
    visitor: returning
    message:
      nb: Trenger du hjelp?
      en: Need help?
    suggest: [payment-declined, returns]
  - id: anywhere
    message: {nb: Hei!}
"""


def base_with(tmp_path: pathlib.Path, base_yaml: str, *extra: dict[str, object]) -> pathlib.Path:
    answers = [make_answer_dict(), make_answer_dict(id="returns", title="Retur"), *extra]
    root = write_base(tmp_path, answers)
    write_answer_file(root, base_yaml, "base.yaml")
    return root


def problems(tmp_path: pathlib.Path, base_yaml: str, *extra: dict[str, object]) -> list[Problem]:
    return check_answer_base(base_with(tmp_path, base_yaml, *extra))[1]


def located(found: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file.name, p.line, p.field) for p in found]


def test_rules_are_read_as_typed_values(tmp_path: pathlib.Path) -> None:
    config = load_answer_base(base_with(tmp_path, RULES)).config
    assert config.proactive == (
        ProactiveRule(
            id="checkout-help",
            message={"nb": "Trenger du hjelp?", "en": "Need help?"},
            pages=("/checkout", "/checkout/*"),
            after_seconds=30,
            visitor="returning",
            suggest=("payment-declined", "returns"),
        ),
        ProactiveRule(id="anywhere", message={"nb": "Hei!"}),
    )
    rule = config.proactive[1]
    assert (rule.pages, rule.after_seconds, rule.visitor, rule.suggest) == ((), 0, "any", ())
    with pytest.raises(TypeError):
        rule.message["en"] = "Hi"  # type: ignore[index]


def test_the_demo_base_has_rules_that_load(tmp_path: pathlib.Path) -> None:
    from knowledge import get_demo_dir

    ids = [rule.id for rule in load_answer_base(get_demo_dir()).config.proactive]
    assert ids == ["orders-returning", "checkout-help"]


@pytest.mark.parametrize(
    ("rule", "line", "field", "words"),
    [
        ("  - message: {nb: Hei}\n", 3, "proactive[0].id", 'required key "id"'),
        ("  - id: Checkout Help\n    message: {nb: Hei}\n", 3, "proactive[0].id", "not a valid"),
        ("  - id: welcome-back\n    message: {nb: Hei}\n", 3, "proactive[0].id", "reserved"),
        ("  - id: x\n", 3, "proactive[0].message", 'required key "message"'),
        ("  - id: x\n    message: {de: Hallo}\n", 4, "proactive[0].message.de", "unknown language"),
        ("  - id: x\n    message: {en: Hi}\n", 4, "proactive[0].message", "needs a message in nb"),
        ("  - id: x\n    message: {nb: ''}\n", 4, "proactive[0].message.nb", "is empty"),
        (
            "  - id: x\n    message: {nb: Hei}\n    after_second: 3\n",
            5,
            "proactive[0].after_second",
            'did you mean "after_seconds"',
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    after_seconds: -5\n",
            5,
            "proactive[0].after_seconds",
            "between 0 and 3600",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    after_seconds: 2.5\n",
            5,
            "proactive[0].after_seconds",
            "whole number of seconds, not 2.5",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    after_seconds: '30'\n",
            5,
            "proactive[0].after_seconds",
            'not the text "30"',
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    after_seconds: true\n",
            5,
            "proactive[0].after_seconds",
            "whole number",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    visitor: everyone\n",
            5,
            "proactive[0].visitor",
            "new, returning, any",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    pages:\n      - /ok\n      - checkout\n",
            7,
            "proactive[0].pages[1]",
            "must start with '/'",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    pages: /checkout\n",
            5,
            "proactive[0].pages",
            "must be a list",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    suggest: returns\n",
            5,
            "proactive[0].suggest",
            "must be a list",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    suggest:\n      - returns\n      - returns\n",
            7,
            "proactive[0].suggest[1]",
            "suggested twice",
        ),
        (
            "  - id: x\n    message: {nb: Hei}\n    suggest: [a, b, c, d]\n",
            5,
            "proactive[0].suggest",
            "at most 3",
        ),
        ("  - just text\n", 3, "proactive[0]", "must be a mapping"),
    ],
)
def test_a_bad_rule_is_reported_at_its_line_and_field(
    tmp_path: pathlib.Path, rule: str, line: int, field: str, words: str
) -> None:
    found = [
        p for p in problems(tmp_path, "default_language: nb\nproactive:\n" + rule) if p.is_error
    ]
    assert (found[0].file.name, found[0].line, found[0].field) == ("base.yaml", line, field), found
    assert words in found[0].message


def test_a_suggestion_must_be_an_answer_of_the_base(tmp_path: pathlib.Path) -> None:
    base_yaml = (
        "proactive:\n  - id: x\n    message: {nb: Hei}\n"
        "    suggest:\n      - returns\n      - retruns\n"
    )
    found = problems(tmp_path, base_yaml)
    assert located(found) == [("base.yaml", 6, "proactive[0].suggest[1]")]
    assert 'no answer with the id "retruns"' in found[0].message
    assert 'did you mean "returns"' in found[0].message
    assert str(found[0]).startswith(f"{found[0].file}:6: proactive[0].suggest[1]: ")


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_a_suggestion_must_be_published(tmp_path: pathlib.Path, status: str) -> None:
    hidden = make_answer_dict(id="gift-cards", title="Gavekort", status=status)
    base_yaml = "proactive:\n  - id: x\n    message: {nb: Hei}\n    suggest: [gift-cards]\n"
    found = [p for p in problems(tmp_path, base_yaml, hidden) if p.is_error]
    assert located(found) == [("base.yaml", 4, "proactive[0].suggest[0]")]
    assert f"is {status}" in found[0].message


def test_a_suggested_answer_with_errors_of_its_own_is_reported_once(tmp_path: pathlib.Path) -> None:
    broken = make_answer_dict(id="gift-cards", title="Gavekort", questions=[])
    base_yaml = "proactive:\n  - id: x\n    message: {nb: Hei}\n    suggest: [gift-cards]\n"
    found = problems(tmp_path, base_yaml, broken)
    assert [(p.file.name, p.field) for p in found] == [("gift-cards.yaml", "questions")]


def test_rule_ids_must_be_unique(tmp_path: pathlib.Path) -> None:
    base_yaml = (
        "proactive:\n  - id: same\n    message: {nb: Hei}\n  - id: same\n    message: {nb: Hallo}\n"
    )
    found = problems(tmp_path, base_yaml)
    assert located(found) == [("base.yaml", 4, "proactive[1].id")]
    assert "proactive[0]" in found[0].message


def test_every_problem_in_the_rules_is_reported_at_once(tmp_path: pathlib.Path) -> None:
    base_yaml = (
        "proactive:\n"
        "  - id: a\n    message: {nb: Hei}\n    visitor: all\n"
        "  - id: b\n    message: {xx: Hi}\n    suggest: [nope]\n"
    )
    found = problems(tmp_path, base_yaml)
    assert [p.field for p in found] == ["proactive[0].visitor", "proactive[1].message.xx"]


def test_nothing_of_an_invalid_base_loads(tmp_path: pathlib.Path) -> None:
    from knowledge import AnswerBaseInvalid

    with pytest.raises(AnswerBaseInvalid) as caught:
        load_answer_base(base_with(tmp_path, "proactive:\n  - id: x\n"))
    assert "proactive[0].message" in str(caught.value)
