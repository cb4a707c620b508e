"""Comparing a run with an earlier report (`--baseline OLD.json`), case by case.

Cases are matched by id. A *regression* passed before and fails now, an *improvement* the
other way round; *changed* cases kept their pass or fail but now get something else (another
answer, another decision). The overall metrics are compared too when the old report has them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.errors import BaselineInvalid

__all__ = ["Baseline", "compare_with_baseline", "load_baseline", "threshold_moves"]

COMPARED = (
    "pass_rate",
    "accuracy",
    "hit_at_1",
    "mrr",
    "wrong_answer_rate",
    "abstain_precision",
    "abstain_recall",
    "context_precision",
    "context_recall",
    "faithfulness",
    "response_relevancy",
    "p50_ms",
    "p95_ms",
)


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    suite: str
    cases: Mapping[str, Mapping[str, Any]]
    overall: Mapping[str, Any] | None
    thresholds: Mapping[str, Any] | None = None


def _check_case(path: Path, index: int, case: Any) -> None:
    if not isinstance(case, dict) or not {"id", "passed"} <= case.keys():
        raise BaselineInvalid(
            f"{path}: cases[{index}] is not a case of a suite report (it needs 'id' and 'passed')"
        )


def load_baseline(path: str | Path) -> Baseline:
    """Read a report written by `samsvar eval --json`; raises BaselineInvalid naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineInvalid(f"{path}: baseline report not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineInvalid(f"{path}: cannot read the baseline report: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineInvalid(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise BaselineInvalid(f"{path}: not a suite report (no 'cases' list): use a --json output")
    for index, case in enumerate(data["cases"]):
        _check_case(path, index, case)
    metrics = data.get("metrics")
    overall = metrics.get("overall") if isinstance(metrics, dict) else None
    thresholds = data.get("thresholds")
    valid = isinstance(thresholds, dict) and all(
        isinstance(thresholds.get(key), int | float) for key in ("answer", "clarify")
    )
    return Baseline(
        path,
        str(data.get("suite", "")),
        {str(c["id"]): c for c in data["cases"]},
        overall if isinstance(overall, dict) else None,
        thresholds if valid else None,
    )


def _got(case: Mapping[str, Any]) -> str:
    return str(case.get("answer_id") or case.get("decision") or "?")


def _row(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": new["id"],
        "ask": new.get("ask"),
        "expect": new.get("expect"),
        "before": _got(old),
        "after": _got(new),
        "failures": list(new.get("failures", [])),
    }


def _metrics(baseline: Baseline, overall: Mapping[str, Any]) -> dict[str, Any]:
    if baseline.overall is None:
        return {}
    out = {}
    for name in COMPARED:
        before, after = baseline.overall.get(name), overall.get(name)
        if isinstance(before, int | float) and isinstance(after, int | float):
            out[name] = {"before": before, "after": after, "delta": round(after - before, 4)}
    return out


def compare_with_baseline(
    baseline: Baseline, cases: Sequence[Mapping[str, Any]], overall: Mapping[str, Any]
) -> dict[str, Any]:
    """The case-by-case differences between the baseline and this run's report cases."""
    regressions, improvements, changed = [], [], []
    for new in cases:
        old = baseline.cases.get(str(new["id"]))
        if old is None:
            continue
        if old["passed"] and not new["passed"]:
            regressions.append(_row(old, new))
        elif not old["passed"] and new["passed"]:
            improvements.append(_row(old, new))
        elif _got(old) != _got(new):
            changed.append(_row(old, new))
    ids = {str(c["id"]) for c in cases}
    return {
        "file": str(baseline.path),
        "suite": baseline.suite,
        "regressions": regressions,
        "improvements": improvements,
        "changed": changed,
        "added": [str(c["id"]) for c in cases if str(c["id"]) not in baseline.cases],
        "removed": [case_id for case_id in baseline.cases if case_id not in ids],
        "metrics": _metrics(baseline, overall),
    }


def _between(value: Any, one: float, other: float) -> bool:
    return isinstance(value, int | float) and min(one, other) <= value < max(one, other)


def threshold_moves(
    baseline: Baseline, thresholds: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """How the answer and clarify thresholds moved since the baseline, and the cases it moved.

    A case is moved by the answer threshold when its confidence lies between the old and the
    new one (it was answered and is not, or the other way round) and its decision changed.
    None when the baseline report has no thresholds (older reports).
    """
    if baseline.thresholds is None:
        return None
    moves: dict[str, Any] = {}
    for key in ("answer", "clarify"):
        before, after = float(baseline.thresholds[key]), float(thresholds[key])
        moves[key] = {"before": before, "after": after, "delta": round(after - before, 4)}
    old_answer, new_answer = moves["answer"]["before"], moves["answer"]["after"]
    moved = []
    for case in cases:
        old = baseline.cases.get(str(case["id"]))
        if old is None or _got(old) == _got(case):
            continue
        if _between(case.get("confidence"), old_answer, new_answer):
            moved.append(str(case["id"]))
    moves["moved"] = bool(moves["answer"]["delta"] or moves["clarify"]["delta"])
    moves["cases"] = moved
    moves["policy"] = {
        "before": baseline.thresholds.get("max_wrong"),
        "after": thresholds.get("max_wrong"),
    }
    return moves
