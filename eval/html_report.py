"""A self-contained HTML report of a run: one file, inline CSS and SVG, no script, no assets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from eval._svg import chart, legend
from retrieval import describe_thresholds

__all__ = ["render_html"]

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
  color:#1b1b1b}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d4d4d4;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f1f1}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1b5e20;font-weight:600}.fail{color:#b71c1c;font-weight:600}
.tiles{display:flex;flex-wrap:wrap;gap:.8rem;padding:0;list-style:none}
.tiles li{border:1px solid #ccc;border-radius:.4rem;padding:.5rem .8rem;min-width:8rem}
.tiles b{display:block;font-size:1.3rem}
.legend{list-style:none;padding:0;display:flex;gap:1.2rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.muted{color:#555}code{background:#f4f4f4;padding:0 .2rem}
"""

METRIC_COLUMNS = (
    ("points", "turns"),
    ("pass_rate", "pass rate"),
    ("accuracy", "accuracy"),
    ("hit_at_1", "hit@1"),
    ("mrr", "MRR"),
    ("wrong_answer_rate", "wrong answers"),
    ("abstain_precision", "abstain precision"),
    ("abstain_recall", "abstain recall"),
    ("context_precision", "context precision"),
    ("context_recall", "context recall"),
    ("faithfulness", "faithfulness"),
    ("response_relevancy", "response relevancy"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.0f}"
    return escape(str(value))


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str = "None.") -> str:
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_fmt(c)}</td>'
            if isinstance(c, int | float) and not isinstance(c, bool)
            else f"<td>{c if isinstance(c, _Html) else _fmt(c)}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    if not body:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Html(str):
    """Text that is already HTML."""


def _mark(passed: bool) -> _Html:
    return _Html('<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>')


def _section(anchor: str, title: str, *parts: str) -> str:
    heading = f'<h2 id="{anchor}-h">{escape(title)}</h2>'
    return (
        f'<section id="{anchor}" aria-labelledby="{anchor}-h">{heading}{"".join(parts)}</section>'
    )


def _summary(report: Mapping[str, Any]) -> str:
    o = report["metrics"]["overall"]
    gate = report.get("gate")
    tiles = [
        ("cases passed", f"{o['cases_passed']} / {o['cases']}"),
        ("accuracy", _fmt(o["accuracy"])),
        ("hit@1", _fmt(o["hit_at_1"])),
        ("wrong answers", _fmt(o["wrong_answer_rate"])),
        (
            "abstain precision / recall",
            f"{_fmt(o['abstain_precision'])} / {_fmt(o['abstain_recall'])}",
        ),
        ("p50 / p95 ms", f"{_fmt(o['p50_ms'])} / {_fmt(o['p95_ms'])}"),
        ("gate", "none" if gate is None else ("passed" if gate["passed"] else "FAILED")),
    ]
    items = "".join(f"<li>{escape(label)}<b>{value}</b></li>" for label, value in tiles)
    t = report["thresholds"]
    run = report["run"]
    meta = (
        f'<p class="muted">Answer base <code>{escape(report["answers"])}</code>; run '
        f"{escape(run['started'])}, {run['jobs']} job(s), {run['seconds']:.1f} s.</p>"
        + "".join(f'<p class="muted">{escape(line)}</p>' for line in describe_thresholds(t))
    )
    return _section("summary", "Summary", f'<ul class="tiles">{items}</ul>', meta)


def _gate(gate: Mapping[str, Any] | None) -> str:
    if gate is None:
        return _section("gate", "Gate", '<p class="muted">The suite sets no gate.</p>')
    rows = [
        (_mark(c["passed"]), c["key"], c["scope"], c["threshold"], c["value"], c["reason"])
        for c in gate["checks"]
    ]
    verdict = "passed" if gate["passed"] else "failed: samsvar eval exits with code 3"
    return _section(
        "gate",
        "Gate",
        f"<p>The gate {escape(verdict)}.</p>",
        _table(("", "limit", "scope", "threshold", "value", "why"), rows),
    )


def _metric_rows(named: Mapping[str, Mapping[str, Any]]) -> list[list[Any]]:
    return [
        [name, *(values.get(key) for key, _ in METRIC_COLUMNS)] for name, values in named.items()
    ]


def _languages(metrics: Mapping[str, Any]) -> str:
    rows = _metric_rows({"all": metrics["overall"], **metrics["languages"]})
    headers = ("language", *(label for _, label in METRIC_COLUMNS))
    return _section("languages", "Metrics by language", _table(headers, rows))


def _answers(metrics: Mapping[str, Any]) -> str:
    rows = [
        [*row, metrics["answers"][row[0]]["given_wrongly"]]
        for row in _metric_rows(metrics["answers"])
    ]
    headers = ("answer", *(label for _, label in METRIC_COLUMNS), "given wrongly")
    return _section("answers", "Metrics by answer", _table(headers, rows))


def _points(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [turn for case in report["cases"] for turn in case.get("turns", [case])]


def _groups(report: Mapping[str, Any], key: str, within: int) -> dict[str, list[float]]:
    """`key` values by what was right: the expected answer among the first `within` ranked, or
    not, or the turn was out of scope (turns expecting clarify or handoff are left out)."""
    groups: dict[str, list[float]] = {"correct": [], "wrong": [], "out_of_scope": []}
    for p in _points(report):
        value = p.get(key)
        if (
            value is None
            or p.get("action", "ask") != "ask"
            or p["expect"] in (None, "clarify", "handoff")
        ):
            continue
        if p["expect"] == "abstain":
            groups["out_of_scope"].append(value)
        elif p["expect"] in [r["id"] for r in p["ranked"][:within]]:
            groups["correct"].append(value)
        else:
            groups["wrong"].append(value)
    return groups


def _distribution(report: Mapping[str, Any]) -> str:
    t = report["thresholds"]
    first = _groups(report, "confidence", 1)
    three = _groups(report, "top3", 3)
    parts = [
        "<p>How sure the bot was on each turn, by what the right outcome was. A turn at or "
        "right of the answer threshold is answered. Below it, the bot offers choices when the "
        "top-3 confidence reaches the clarify threshold, and abstains otherwise.</p>",
        legend(first, "right answer ranked first", "another answer ranked first"),
        chart(
            first,
            [(t["answer"], "answer threshold")],
            title="Confidence that the first answer is right, with the answer threshold",
            axis="confidence: P(the first answer is right)",
        ),
    ]
    if any(three.values()):
        parts += [
            legend(three, "right answer among the first three", "right answer not among them"),
            chart(
                three,
                [(t["clarify"], "clarify threshold")],
                title="Top-3 confidence, with the clarify threshold",
                axis="top-3 confidence: P(the right answer is among the first three)",
            ),
        ]
    return _section("distribution", "Score distribution", *parts)


def _confusions(rows: Sequence[Mapping[str, Any]]) -> str:
    table = _table(
        ("expected", "ranked first instead", "turns", "answered wrongly", "cases"),
        [
            (r["expected"], r["ranked_first"], r["count"], r["answered"], ", ".join(r["cases"]))
            for r in rows
        ],
        "No answer ranked first for another answer's questions.",
    )
    intro = (
        "<p>Answers that ranked first for another answer's questions: merge them, or sharpen "
        "their questions.</p>"
    )
    return _section("confusions", "Confusions", intro, table)


def _pairs(rows: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["answers"][0], r["answers"][1], r["questions"], r["texts"]) for r in rows]


def _gaps(g: Mapping[str, Any]) -> str:
    parts = [
        "<h3>Near-duplicate answers</h3>",
        _table(
            ("answer", "answer", "question similarity", "text similarity"),
            _pairs(g["near_duplicates"]),
            "No near-duplicate answers.",
        ),
        "<h3>Most similar answers</h3>",
        _table(
            ("answer", "answer", "question similarity", "text similarity"),
            _pairs(g["most_similar"]),
        ),
        "<h3>One question under several answers</h3>",
        _table(
            ("question", "answers"),
            [(r["question"], ", ".join(r["answers"])) for r in g["shared_questions"]],
        ),
        "<h3>Answers without a passing case</h3>",
        _table(
            ("answer", "why"),
            [(a, "all its cases fail") for a in g["failing"]]
            + [(a, "no case expects it") for a in g["untested"]],
        ),
        "<h3>Review dates</h3>",
        _table(
            ("answer", "review by", "owner", "status"),
            [(r["id"], r["review_by"], r["owner"], "overdue") for r in g["review_overdue"]]
            + [(r["id"], r["review_by"], r["owner"], "due soon") for r in g["review_soon"]],
            "No review date has passed or is near.",
        ),
    ]
    return _section("gaps", "Gaps", *parts)


def _baseline(diff: Mapping[str, Any] | None) -> str:
    if diff is None:
        return ""

    def rows(key: str) -> list[tuple[Any, ...]]:
        return [(r["id"], r["ask"], r["expect"], r["before"], r["after"]) for r in diff[key]]

    headers = ("case", "question", "expected", "before", "now")
    parts = [
        f"<p>Compared with <code>{escape(diff['file'])}</code>: {len(diff['added'])} new and "
        f"{len(diff['removed'])} removed cases.</p>"
    ]
    for title, key in (
        ("Regressions", "regressions"),
        ("Improvements", "improvements"),
        ("Changed", "changed"),
    ):
        parts += [f"<h3>{title} ({len(diff[key])})</h3>", _table(headers, rows(key))]
    metric_rows = [
        (name, m["before"], m["after"], m["delta"]) for name, m in diff["metrics"].items()
    ]
    parts += ["<h3>Metrics</h3>", _table(("metric", "before", "now", "change"), metric_rows)]
    return _section("baseline", "Baseline", *parts)


def _case_rows(cases: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (
            _mark(c["passed"]),
            c["id"],
            c["ask"],
            c["expect"],
            c["answer_id"] or c["decision"],
            c["confidence"],
            c["lang"],
            "; ".join(c.get("failures", [])),
        )
        for c in cases
    ]


def _cases(report: Mapping[str, Any]) -> str:
    headers = (
        "",
        "case",
        "question (last turn)",
        "expected",
        "got",
        "confidence",
        "language",
        "failures",
    )
    failed = [c for c in report["cases"] if not c["passed"]]
    return _section(
        "failed", "Failed cases", _table(headers, _case_rows(failed), "Every case passed.")
    ) + _section(
        "cases",
        "All cases",
        f"<details><summary>{len(report['cases'])} cases</summary>"
        f"{_table(headers, _case_rows(report['cases']))}</details>",
    )


def render_html(report: Mapping[str, Any]) -> str:
    """The report (as `evaluate` builds it) as one HTML page."""
    title = f"Evaluation: {report['suite']}"
    description = f"<p>{escape(report['description'])}</p>" if report.get("description") else ""
    body = "".join(
        [
            f"<h1>{escape(title)}</h1>",
            description,
            _summary(report),
            _gate(report.get("gate")),
            _languages(report["metrics"]),
            _distribution(report),
            _confusions(report["confusions"]),
            _gaps(report["gaps"]),
            _baseline(report.get("baseline")),
            _answers(report["metrics"]),
            _cases(report),
        ]
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )
