"""Comparing a run with an earlier report, case by case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import BaselineInvalid, compare_with_baseline, load_baseline
from eval.baseline import threshold_moves
from eval.summary import _baseline


def case(case_id: str, passed: bool, got: str, **extra: object) -> dict[str, object]:
    answer = None if got in ("abstain", "clarify", "handoff") else got
    decision = "answer" if answer else got
    return {
        "id": case_id,
        "ask": f"q {case_id}",
        "expect": "x",
        "passed": passed,
        "answer_id": answer,
        "decision": decision,
        **extra,
    }


def write(
    path: Path, cases: list[dict[str, object]], overall: dict[str, float] | None = None
) -> Path:
    data: dict[str, object] = {"suite": "s", "cases": cases, "summary": {}}
    if overall is not None:
        data["metrics"] = {"overall": overall}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_regressions_improvements_changes_and_membership(tmp_path: Path) -> None:
    old = write(
        tmp_path / "old.json",
        [
            case("a", True, "returns"),
            case("b", False, "abstain"),
            case("c", False, "refund-time"),
            case("d", True, "returns"),
            case("gone", True, "returns"),
        ],
        {"accuracy": 0.8, "p95_ms": 40.0},
    )
    now = [
        case("a", False, "return-label", failures=["expected returns, got return-label"]),
        case("b", True, "payment-declined"),
        case("c", False, "exchange"),
        case("d", True, "returns"),
        case("new", True, "returns"),
    ]
    diff = compare_with_baseline(load_baseline(old), now, {"accuracy": 0.6, "p95_ms": 40.0})
    assert diff["regressions"] == [
        {
            "id": "a",
            "ask": "q a",
            "expect": "x",
            "before": "returns",
            "after": "return-label",
            "failures": ["expected returns, got return-label"],
        }
    ]
    assert [r["id"] for r in diff["improvements"]] == ["b"]
    assert [(r["id"], r["before"], r["after"]) for r in diff["changed"]] == [
        ("c", "refund-time", "exchange")
    ]
    assert (diff["added"], diff["removed"]) == (["new"], ["gone"])
    assert diff["metrics"]["accuracy"] == {"before": 0.8, "after": 0.6, "delta": -0.2}
    assert diff["metrics"]["p95_ms"]["delta"] == 0
    assert diff["file"] == str(old) and diff["suite"] == "s"


def test_a_report_without_metrics_still_compares_cases(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", [case("a", True, "returns")])
    diff = compare_with_baseline(
        load_baseline(old), [case("a", False, "abstain")], {"accuracy": 0.0}
    )
    assert [r["id"] for r in diff["regressions"]] == ["a"]
    assert diff["metrics"] == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline report not found"),
        ("{", ":1: not JSON"),
        ("[]", "not a suite report (no 'cases' list)"),
        ('{"cases": [{"id": "a"}]}', "cases[0] is not a case of a suite report"),
    ],
)
def test_bad_baselines(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineInvalid) as caught:
        load_baseline(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_moved_thresholds_are_reported_with_the_cases_they_moved(tmp_path: Path) -> None:
    path = write(
        tmp_path / "old.json",
        [case("a", True, "returns"), case("b", True, "returns"), case("c", True, "returns")],
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    data["thresholds"] = {"answer": 0.5, "clarify": 0.4, "source": "auto", "max_wrong": 0.03}
    path.write_text(json.dumps(data), encoding="utf-8")
    now = [
        case("a", False, "abstain", confidence=0.55),  # between 0.5 and 0.6: the threshold
        case("b", False, "abstain", confidence=0.2),  # below both: its own ranking changed
        case("c", True, "returns", confidence=0.9),
    ]
    thresholds = {"answer": 0.6, "clarify": 0.4, "source": "auto", "max_wrong": 0.03}

    moves = threshold_moves(load_baseline(path), thresholds, now)

    assert moves is not None
    assert moves["answer"] == {"before": 0.5, "after": 0.6, "delta": 0.1}
    assert moves["clarify"]["delta"] == 0
    assert moves["moved"] is True
    assert moves["cases"] == ["a"]
    assert moves["policy"] == {"before": 0.03, "after": 0.03}
    diff = compare_with_baseline(load_baseline(path), now, {}) | {"thresholds": moves}
    lines = "\n".join(_baseline(diff))
    assert "thresholds moved: answer 0.500 → 0.600 (+0.100)" in lines
    assert "1 changed case(s) lie between the old and the new answer threshold: a" in lines


def test_a_baseline_without_thresholds_reports_no_move(tmp_path: Path) -> None:
    path = write(tmp_path / "old.json", [case("a", True, "returns")])
    now = [case("a", True, "returns", confidence=0.9)]

    assert threshold_moves(load_baseline(path), {"answer": 0.6, "clarify": 0.4}, now) is None
