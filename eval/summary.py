"""The readable summary of a report, as lines for the terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrieval import describe_thresholds

__all__ = ["summary_lines"]

COLUMNS = (
    ("points", "turns", "{:d}"),
    ("pass_rate", "pass", "{:.2f}"),
    ("accuracy", "acc", "{:.2f}"),
    ("hit_at_1", "hit@1", "{:.2f}"),
    ("mrr", "MRR", "{:.2f}"),
    ("wrong_answer_rate", "wrong", "{:.3f}"),
    ("abstain_precision", "abstP", "{:.2f}"),
    ("abstain_recall", "abstR", "{:.2f}"),
    ("context_precision", "ctxP", "{:.2f}"),
    ("context_recall", "ctxR", "{:.2f}"),
    ("faithfulness", "faith", "{:.2f}"),
    ("response_relevancy", "relev", "{:.2f}"),
    ("p50_ms", "p50ms", "{:.0f}"),
    ("p95_ms", "p95ms", "{:.0f}"),
)


def _case_lines(case: Mapping[str, Any]) -> list[str]:
    mark = "PASS" if case["passed"] else "FAIL"
    got = case["answer_id"] or case["decision"]
    wanted = case["expect"] or "no decision"
    head = f"{mark}  {case['id']}: expected {wanted}, got {got} ({case['confidence']:.2f})"
    plain = f"expected {case['expect']}, got {got}"
    extra = [f"      {f}" for f in case.get("failures", []) if f != plain]
    return [head, *extra]


def _cell(values: Mapping[str, Any], key: str, fmt: str) -> str:
    value = values.get(key)
    return "-" if value is None else fmt.format(value)


def _table(metrics: Mapping[str, Any], llm: bool) -> list[str]:
    columns = [c for c in COLUMNS if llm or c[0] not in ("faithfulness", "response_relevancy")]
    rows = [("all", metrics["overall"]), *metrics["languages"].items()]
    lines = ["".join(f"{label:>7}" for _, label, _ in columns).rjust(8 + 7 * len(columns))]
    for name, values in rows:
        cells = "".join(f"{_cell(values, key, fmt):>7}" for key, _, fmt in columns)
        lines.append(f"{name:<8}{cells}")
    return lines


def _weakest(metrics: Mapping[str, Any], top: int = 5) -> list[str]:
    tested = [(a, v) for a, v in metrics["answers"].items() if v.get("points")]
    tested.sort(key=lambda item: (item[1]["accuracy"], -item[1]["points"], item[0]))
    return [
        f"  {a}: accuracy {v['accuracy']:.2f} over {v['points']} turns, "
        f"given wrongly {v['given_wrongly']}×"
        for a, v in tested[:top]
        if v["accuracy"] < 1
    ]


def _gaps(report: Mapping[str, Any]) -> list[str]:
    g = report["gaps"]
    lines = []
    for row in report["confusions"][:5]:
        lines.append(
            f"  confused: {row['expected']} → {row['ranked_first']} ranked first {row['count']}× "
            f"(answered {row['answered']}×)"
        )
    for row in g["near_duplicates"]:
        a, b = row["answers"]
        lines.append(
            f"  near-duplicate answers: {a} ~ {b} "
            f"(questions {row['questions']:.2f}, texts {row['texts']:.2f})"
        )
    for row in g["shared_questions"]:
        lines.append(
            f"  one question under several answers: {row['question']!r}: "
            + ", ".join(row["answers"])
        )
    if g["failing"]:
        lines.append(
            f"  answers whose cases all fail ({len(g['failing'])}): {', '.join(g['failing'])}"
        )
    if g["untested"]:
        lines.append(
            f"  answers no case expects ({len(g['untested'])}): {', '.join(g['untested'])}"
        )
    for row in g["review_overdue"]:
        lines.append(f"  review overdue: {row['id']} (review_by {row['review_by']})")
    for row in g["review_soon"]:
        lines.append(f"  review soon: {row['id']} (review_by {row['review_by']})")
    return lines


def _baseline(diff: Mapping[str, Any]) -> list[str]:
    lines = [
        f"baseline {diff['file']}: {len(diff['regressions'])} regressions, "
        f"{len(diff['improvements'])} improvements, {len(diff['changed'])} changed, "
        f"{len(diff['added'])} new, {len(diff['removed'])} removed cases"
    ]
    for label, key in (
        ("REGRESSED", "regressions"),
        ("IMPROVED", "improvements"),
        ("CHANGED", "changed"),
    ):
        lines += [f"  {label:<9} {r['id']}: was {r['before']}, now {r['after']}" for r in diff[key]]
    for name, m in diff["metrics"].items():
        if m["delta"]:
            lines.append(f"  {name}: {m['before']:.4g} → {m['after']:.4g} ({m['delta']:+.4g})")
    return lines + _threshold_moves(diff.get("thresholds"))


def _threshold_moves(moves: Mapping[str, Any] | None) -> list[str]:
    """Why cases changed when nothing about them did: the thresholds moved with the base."""
    if not moves or not moves["moved"]:
        return []
    parts = [
        f"{key} {moves[key]['before']:.3f} → {moves[key]['after']:.3f} ({moves[key]['delta']:+.3f})"
        for key in ("answer", "clarify")
        if moves[key]["delta"]
    ]
    lines = [f"  thresholds moved: {', '.join(parts)}"]
    policy = moves.get("policy") or {}
    if policy.get("before") != policy.get("after"):
        lines.append(f"    the answering policy changed: {policy['before']} → {policy['after']}")
    else:
        lines.append("    the base changed, so its held-out evidence and the fitted models did")
    if moves["cases"]:
        lines.append(
            f"    {len(moves['cases'])} changed case(s) lie between the old and the new answer "
            f"threshold: {', '.join(moves['cases'])}"
        )
    return lines


def _gate(gate: Mapping[str, Any]) -> list[str]:
    lines = [f"gate: {'passed' if gate['passed'] else 'FAILED'}"]
    for check in gate["checks"]:
        scope = "" if check["scope"] == "all" else f" [{check['scope']}]"
        lines.append(
            f"  {'ok  ' if check['passed'] else 'FAIL'} {check['key']}{scope}: {check['reason']}"
        )
    return lines


def summary_lines(report: Mapping[str, Any], *, failed_only: bool = False) -> list[str]:
    """PASS/FAIL per case, the totals, the metrics table, gaps, baseline and gate."""
    lines: list[str] = []
    for case in report["cases"]:
        if not (failed_only and case["passed"]):
            lines += _case_lines(case)
    s = report["summary"]
    lines += ["", f"{report['suite']}: {s['passed']}/{s['cases']} passed"]
    if "metrics" not in report:
        return lines
    llm = report["ragas"]["llm"] is not None
    lines += ["", *_table(report["metrics"], llm)]
    if report.get("thresholds"):
        lines += ["", *describe_thresholds(dict(report["thresholds"]))]
    if llm and report["ragas"]["llm"]["error"]:
        r = report["ragas"]["llm"]
        lines.append(f"LLM metrics failed on {r['failed']} of {r['turns']} turns: {r['error']}")
    weakest = _weakest(report["metrics"])
    if weakest:
        lines += ["", "weakest answers:", *weakest]
    found = _gaps(report)
    if found:
        lines += ["", "confusions and gaps:", *found]
    if report.get("baseline"):
        lines += ["", *_baseline(report["baseline"])]
    if report.get("gate"):
        lines += ["", *_gate(report["gate"])]
    return lines
