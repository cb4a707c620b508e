"""`business_hours:` and `urgency:` in base.yaml: what is read, and every mistake named."""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

import pytest

from knowledge import URGENCY_SIGNALS, check_answer_base, get_demo_dir, load_answer_base
from tests.builders import make_answer_dict, write_base


def problems_for(tmp_path: pathlib.Path, base: Any) -> list[tuple[int | None, str | None, str]]:
    root = write_base(tmp_path, [make_answer_dict(id="returns")], base=base)
    return [(p.line, p.field, p.message) for p in check_answer_base(root)[1]]


def test_business_hours_with_ranges_closed_days_and_holidays(tmp_path: pathlib.Path) -> None:
    hours = {
        "timezone": "Europe/Stockholm",
        "weekly": {"mon": ["08:00-12:00", "13:00-17:00"], "sat": "10:00-14:00", "sun": "closed"},
        "holidays": ["2026-12-25", {"date": "2026-12-24", "hours": "09:00-12:00"}],
    }
    root = write_base(tmp_path, [make_answer_dict()], base={"business_hours": hours})
    found = load_answer_base(root).config.business_hours
    assert found is not None
    assert found.timezone == "Europe/Stockholm"
    assert dict(found.weekly) == {0: ((480, 720), (780, 1020)), 5: ((600, 840),)}
    assert found.ranges_on(datetime.date(2026, 12, 25)) == ()
    assert found.ranges_on(datetime.date(2026, 12, 24)) == ((540, 720),)
    assert found.ranges_on(datetime.date(2026, 12, 21)) == ((480, 720), (780, 1020))


@pytest.mark.parametrize(
    ("hours", "field", "words"),
    [
        ({"weekly": {"mon": "08:00-16:00"}}, "business_hours.timezone", "missing"),
        ({"timezone": "Europe/Olso", "weekly": {}}, "business_hours.timezone", "not a time zone"),
        ({"timezone": "UTC"}, "business_hours.weekly", "missing"),
        (
            {"timezone": "UTC", "weekly": {"monday": "08:00-16:00"}},
            "business_hours.weekly.monday",
            "not a day",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon": "8-16"}},
            "business_hours.weekly.mon",
            "not a range",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon": "16:00-08:00"}},
            "business_hours.weekly.mon",
            "ends before it starts",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon": "08:00-25:00"}},
            "business_hours.weekly.mon",
            "not a time of day",
        ),
        (
            {"timezone": "UTC", "weekly": {"mon": ["08:00-12:00", "11:00-16:00"]}},
            "business_hours.weekly.mon",
            "starts before",
        ),
        (
            {"timezone": "UTC", "weekly": {}, "holidays": ["24.12.2026"]},
            "business_hours.holidays[0]",
            "YYYY-MM-DD",
        ),
        (
            {"timezone": "UTC", "weekly": {}, "holidays": [{"hours": "09:00-10:00"}]},
            "business_hours.holidays[0].date",
            "missing",
        ),
        ({"timezone": "UTC", "weekly": {}, "open": True}, "business_hours.open", "unknown key"),
    ],
)
def test_bad_business_hours(tmp_path: pathlib.Path, hours: Any, field: str, words: str) -> None:
    problems = problems_for(tmp_path, {"business_hours": hours})
    assert [(f, words in m) for _, f, m in problems] == [(field, True)], problems
    assert all(line is not None for line, _, _ in problems)


def test_urgency_rules_are_read(tmp_path: pathlib.Path) -> None:
    urgency = {
        "default": "low",
        "rules": [
            {"id": "vip", "level": "urgent", "attributes": {"vip": "true"}},
            {"id": "slow", "level": "high", "waiting_minutes": 15, "pages": ["/checkout/*"]},
            {"id": "again", "level": "high", "failures": 2, "topics": ["returns"]},
        ],
    }
    root = write_base(tmp_path, [make_answer_dict(id="returns")], base={"urgency": urgency})
    config = load_answer_base(root).config.urgency
    assert config is not None and config.default == "low"
    assert [r.id for r in config.rules] == ["vip", "slow", "again"]
    assert dict(config.rules[0].attributes) == {"vip": "true"}
    assert (config.rules[1].waiting_minutes, config.rules[1].pages) == (15.0, ("/checkout/*",))
    assert (config.rules[2].failures, config.rules[2].topics) == (2, ("returns",))


@pytest.mark.parametrize(
    ("rule", "field", "words"),
    [
        ({"level": "high", "signal": "anger"}, "urgency.rules[0].id", "missing"),
        ({"id": "x", "signal": "anger"}, "urgency.rules[0].level", "missing"),
        (
            {"id": "x", "level": "critical", "signal": "anger"},
            "urgency.rules[0].level",
            "not a level",
        ),
        ({"id": "x", "level": "high"}, "urgency.rules[0]", "at least one condition"),
        (
            {"id": "x", "level": "high", "signal": "angry"},
            "urgency.rules[0].signal",
            'did you mean "anger"',
        ),
        ({"id": "x", "level": "high", "failures": 0}, "urgency.rules[0].failures", "whole number"),
        (
            {"id": "x", "level": "high", "waiting_minutes": "soon"},
            "urgency.rules[0].waiting_minutes",
            "number of minutes",
        ),
        (
            {"id": "x", "level": "high", "topics": ["retruns"]},
            "urgency.rules[0].topics[0]",
            'did you mean "returns"',
        ),
        (
            {"id": "x", "level": "high", "pages": ["checkout"]},
            "urgency.rules[0].pages[0]",
            "checkout",
        ),
        ({"id": "Bad Id", "level": "high", "failures": 2}, "urgency.rules[0].id", "not a valid"),
        (
            {"id": "x", "level": "high", "failures": 1, "when": "always"},
            "urgency.rules[0].when",
            "unknown key",
        ),
    ],
)
def test_bad_urgency_rules(tmp_path: pathlib.Path, rule: Any, field: str, words: str) -> None:
    problems = problems_for(tmp_path, {"urgency": {"rules": [rule]}})
    assert [(f, words in m) for _, f, m in problems] == [(field, True)], problems
    assert all(line is not None for line, _, _ in problems)


def test_repeated_rule_ids_and_a_bad_default(tmp_path: pathlib.Path) -> None:
    rules = [{"id": "x", "level": "high", "failures": 2}] * 2
    problems = problems_for(tmp_path, {"urgency": {"default": "meh", "rules": rules}})
    assert [f for _, f, _ in problems] == ["urgency.default", "urgency.rules[1].id"]


def test_the_demo_base_uses_every_signal() -> None:
    urgency = load_answer_base(get_demo_dir()).config.urgency
    assert urgency is not None
    assert {rule.signal for rule in urgency.rules if rule.signal} == set(URGENCY_SIGNALS)


def test_field_labels_and_recognise(tmp_path: pathlib.Path) -> None:
    fields = {
        "order_number": {
            "prompt": {"nb": "Ordrenummer?"},
            "pattern": "^[0-9]{7}$",
            "label": {"nb": "ordrenummer", "en": "order number"},
        },
        "product": {"prompt": {"nb": "Produkt?"}, "pattern": ".{2,}", "recognise": False},
        "broken": {"prompt": {"nb": "?"}, "pattern": ".+", "recognise": "no"},
    }
    root = write_base(tmp_path, [make_answer_dict()], fields=fields)
    _, problems = check_answer_base(root)
    assert [p.field for p in problems] == ["broken.recognise"]
    root = write_base(tmp_path / "ok", [make_answer_dict()], fields=dict(list(fields.items())[:2]))
    loaded = load_answer_base(root).fields
    assert loaded["order_number"].labels["en"] == "order number"
    assert (loaded["order_number"].recognise, loaded["product"].recognise) == (True, False)
