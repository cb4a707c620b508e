"""The report of a period: the figures, the top questions, the gaps and the answers due for
review, as one JSON document (`samsvar report --json`, the API, the weekly e-mail), and that
document as HTML, plain text and CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from conversations.storage import Database, Inquiry
from insights._sql import inquiry_filter
from insights.figures import Figures
from insights.period import Filters, Period
from knowledge import AnswerBase

__all__ = [
    "REVIEW_AHEAD_DAYS",
    "get_report",
    "get_review_due",
    "get_top_questions",
    "report_html",
    "report_json",
    "report_text",
    "write_csv",
]

REVIEW_AHEAD_DAYS = 14  # answers whose review date falls within this after the period
TOP_QUESTIONS = 10


async def get_top_questions(
    db: Database, base: AnswerBase, period: Period, filters: Filters, limit: int = TOP_QUESTIONS
) -> list[dict[str, Any]]:
    """The questions asked most often in the period, written alike (case and spaces aside),
    with the answer most often given to them (None: mostly not answered)."""
    start, end = period.bounds()
    text = func.lower(func.trim(Inquiry.text)).label("text")
    async with db.reading() as session:
        rows = (
            await session.execute(
                select(text, Inquiry.answer_id, func.count().label("n"))
                .where(*inquiry_filter(start, end, filters, base))
                .group_by(text, Inquiry.answer_id)
                .order_by(func.count().desc())
                .limit(limit * 5)
            )
        ).all()
    merged: dict[str, dict[str, Any]] = {}
    for question, answer_id, count in rows:
        key = " ".join(str(question).split())
        item = merged.setdefault(key, {"question": key, "count": 0, "answers": {}})
        item["count"] += int(count)
        item["answers"][answer_id] = item["answers"].get(answer_id, 0) + int(count)
    top = sorted(merged.values(), key=lambda i: (-i["count"], i["question"]))[:limit]
    return [
        {
            "question": item["question"],
            "count": item["count"],
            "answer_id": max(item["answers"].items(), key=lambda kv: kv[1])[0],
        }
        for item in top
    ]


def get_review_due(base: AnswerBase, until: dt.date) -> list[dict[str, Any]]:
    """Answers (not retired) whose `review_by` is on or before `until`, the oldest first."""
    due = [
        a
        for a in base.answers
        if a.review_by is not None and a.review_by <= until and a.status != "retired"
    ]
    due.sort(key=lambda a: (a.review_by or until, a.id))
    return [
        {
            "answer_id": a.id,
            "title": a.title,
            "review_by": a.review_by.isoformat() if a.review_by else None,
            "owner": a.owner,
            "overdue": bool(
                a.review_by and a.review_by < until - dt.timedelta(days=REVIEW_AHEAD_DAYS)
            ),
        }
        for a in due
    ]


def report_json(
    figures: Figures,
    *,
    top_questions: Sequence[Mapping[str, Any]] = (),
    gaps: Sequence[Mapping[str, Any]] | None = None,
    review_due: Sequence[Mapping[str, Any]] = (),
    previous: Figures | None = None,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The report document: the figures' JSON plus `top_questions`, `gaps` (empty with
    `gaps_included: false` when they were not computed), `review_due` and, when given, the
    previous period's headline figures (`previous`)."""
    data = figures.as_json()
    if titles:
        for item in data["by_answer"]:
            item["title"] = titles.get(item["answer_id"], item["answer_id"])
    data["top_questions"] = [dict(q) for q in top_questions]
    data["gaps"] = [dict(g) for g in gaps or ()]
    data["gaps_included"] = gaps is not None
    data["review_due"] = [dict(r) for r in review_due]
    if previous is not None:
        before = previous.as_json()
        data["previous"] = {
            key: before[key]
            for key in (
                "period",
                "inquiries",
                "conversations",
                "answered",
                "clarified",
                "abstained",
                "handed_off",
                "self_service_rate",
                "helpful",
                "handoffs",
            )
        }
    return data


# --- text -----------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _delta(now: float | int | None, before: float | int | None, percent: bool = False) -> str:
    if now is None or before is None:
        return ""
    change = now - before
    if percent:
        return f" ({100 * change:+.1f} pp)"
    return f" ({change:+d})" if isinstance(change, int) else f" ({change:+.1f})"


def headline(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, with the change since `previous`."""
    p = data.get("previous") or {}
    h = data["handoffs"]
    return [
        ("Inquiries", f"{data['inquiries']:,}{_delta(data['inquiries'], p.get('inquiries'))}"),
        (
            "Conversations",
            f"{data['conversations']:,}{_delta(data['conversations'], p.get('conversations'))}",
        ),
        (
            "Self-service rate",
            _percent(data["self_service_rate"])
            + _delta(data["self_service_rate"], p.get("self_service_rate"), percent=True),
        ),
        ("Answered", f"{data['answered']:,}"),
        ("Clarified", f"{data['clarified']:,}"),
        ("Abstained", f"{data['abstained']:,}"),
        ("Hand-off rate", _percent(data["rates"]["handoff"])),
        ("Did this help?", f"yes {data['helpful']['yes']:,}, no {data['helpful']['no']:,}"),
        ("Hand-offs", f"{h['count']:,}"),
        ("First reply (median)", _duration(h["first_reply_p50_s"])),
        ("Resolution (median)", _duration(h["resolution_p50_s"])),
        ("CSAT (1–5)", "–" if h["csat_mean"] is None else f"{h['csat_mean']:.2f}"),
        ("Reopened within 7 days", _percent(h["reopen_rate"])),
        (
            "Returning visitors",
            f"{data['visitors']['returning']:,} of {data['visitors']['count']:,}",
        ),
    ]


def _gap_line(gap: Mapping[str, Any]) -> str:
    examples = " | ".join(gap["examples"][:2])
    near = ", ".join(gap["nearest"]) or "-"
    return f"{gap['size']:>6}  {examples}  (near: {near}; {', '.join(gap['languages'])})"


def report_text(data: Mapping[str, Any], name: str = "Samsvar") -> str:
    """The report for a terminal or the e-mail's plain-text part."""
    period = data["period"]
    lines = [f"{name}: {period['from']} – {period['to']} ({period['timezone']})"]
    if data.get("filters"):
        lines.append("filters: " + ", ".join(f"{k} {v}" for k, v in data["filters"].items()))
    lines.append("")
    width = max(len(label) for label, _ in headline(data))
    lines += [f"{label:<{width}}  {value}" for label, value in headline(data)]
    for target in data["handoffs"]["targets"]:
        lines.append(
            f"  target {target['channel']} {target['measure']} ≤ {_duration(target['target_s'])}: "
            f"met {_percent(target['met_rate'])} of {target['measured']}"
        )
    sections: list[tuple[str, list[str]]] = [
        (
            "Top questions",
            [
                f"{q['count']:>6}  {q['question']}  [{q['answer_id'] or 'not answered'}]"
                for q in data.get("top_questions", [])
            ],
        ),
        ("Answers used", [f"{a['count']:>6}  {a['answer_id']}" for a in data["by_answer"][:10]]),
        (
            "Largest gaps",
            [_gap_line(g) for g in data.get("gaps", [])[:10]],
        ),
        (
            "Changed most",
            [
                f"{c['change']:>+6}  {c['answer_id']} ({c['previous']} → {c['count']})"
                for c in data.get("changes", [])
            ],
        ),
        (
            "Due for review",
            [
                f"{r['review_by']}  {r['answer_id']} ({r['owner'] or 'no owner'})"
                for r in data.get("review_due", [])
            ],
        ),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", title, *rows]
    return "\n".join(lines) + "\n"


# --- HTML (e-mail safe: tables and inline styles, no scripts, no SVG) ------------------------

_CELL = 'style="padding:4px 8px;border-bottom:1px solid #ddd;text-align:left"'
_TABLE = '<table style="border-collapse:collapse;margin:8px 0">'
_BAR = '<span style="display:inline-block;height:10px;width:{}px;background:#2a6f97"></span>'


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    top = "".join(f"<th {_CELL}>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td {_CELL}>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"{_TABLE}<tr>{top}</tr>{body}</table>"


def _bars(rows: Sequence[tuple[str, int]]) -> str:
    """A bar per row, drawn with widths (e-mail clients drop SVG)."""
    most = max((n for _, n in rows), default=0) or 1
    out = []
    for label, n in rows:
        width = max(1, round(240 * n / most)) if n else 0
        out.append(
            f"<tr><td {_CELL}>{html.escape(label)}</td><td {_CELL}>"
            f"{_BAR.format(width)} {n:,}</td></tr>"
        )
    return _TABLE + "".join(out) + "</table>"


def report_html(data: Mapping[str, Any], name: str = "Samsvar") -> str:
    """The report as one HTML page (also the e-mail's HTML part)."""
    period = data["period"]
    title = f"{name}: {period['from']} – {period['to']}"
    parts = [
        '<!doctype html><html><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title></head>",
        '<body style="font-family:system-ui,sans-serif;color:#1b1b1b;max-width:760px">',
        f'<h1 style="font-size:20px">{html.escape(title)}</h1>',
        f"<p>Time zone {html.escape(period['timezone'])}.</p>",
        _table(("Figure", "Value"), headline(data)),
        '<h2 style="font-size:16px">Inquiries by day</h2>',
        _bars([(d["date"], d["inquiries"]) for d in data["by_day"]][-62:]),
    ]
    sections: list[tuple[str, Sequence[str], list[Sequence[str]]]] = [
        (
            "Top questions",
            ("Count", "Question", "Answer"),
            [
                (q["count"], q["question"], q["answer_id"] or "not answered")
                for q in data.get("top_questions", [])
            ],
        ),
        (
            "Largest gaps",
            ("Questions", "Examples", "Nearest answers", "Languages"),
            [
                (
                    g["size"],
                    " | ".join(g["examples"][:3]),
                    ", ".join(g["nearest"]),
                    ", ".join(g["languages"]),
                )
                for g in data.get("gaps", [])[:10]
            ],
        ),
        (
            "Answers used",
            ("Answer", "Count"),
            [(a.get("title", a["answer_id"]), a["count"]) for a in data["by_answer"][:15]],
        ),
        (
            "Changed most",
            ("Answer", "Before", "Now", "Helpful before", "Helpful now"),
            [
                (
                    c["answer_id"],
                    c["previous"],
                    c["count"],
                    _percent(c["previous_helpful_rate"]),
                    _percent(c["helpful_rate"]),
                )
                for c in data.get("changes", [])
            ],
        ),
        (
            "Hand-off targets",
            ("Channel", "Measure", "Target", "Median", "Met"),
            [
                (
                    t["channel"],
                    t["measure"],
                    _duration(t["target_s"]),
                    _duration(t["p50_s"]),
                    _percent(t["met_rate"]),
                )
                for t in data["handoffs"]["targets"]
            ],
        ),
        (
            "Due for review",
            ("Answer", "Review by", "Owner"),
            [(r["title"], r["review_by"], r["owner"] or "–") for r in data.get("review_due", [])],
        ),
    ]
    for heading, head, rows in sections:
        if rows:
            parts += [
                f'<h2 style="font-size:16px">{html.escape(heading)}</h2>',
                _table(head, [[str(c) for c in r] for r in rows]),
            ]
    parts.append("</body></html>")
    return "\n".join(parts)


# --- CSV ------------------------------------------------------------------------------------


def write_csv(data: Mapping[str, Any], folder: Path) -> list[Path]:
    """One CSV file per table of the report in `folder` (created); returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, tuple[Sequence[str], list[Sequence[Any]]]] = {
        "summary.csv": (("figure", "value"), _summary_rows(data)),
        "by_day.csv": (
            ("date", "inquiries", "conversations"),
            [(d["date"], d["inquiries"], d["conversations"]) for d in data["by_day"]],
        ),
        "by_hour.csv": (("hour", "inquiries"), list(enumerate(data["by_hour"]))),
        "by_answer.csv": (
            ("answer_id", "count"),
            [(a["answer_id"], a["count"]) for a in data["by_answer"]],
        ),
        "by_language.csv": (("language", "count"), list(data["by_language"].items())),
        "by_channel.csv": (("channel", "count"), list(data["by_channel"].items())),
        "gaps.csv": (
            ("size", "examples", "nearest", "languages"),
            [
                (
                    g["size"],
                    " | ".join(g["examples"]),
                    " ".join(g["nearest"]),
                    " ".join(g["languages"]),
                )
                for g in data.get("gaps", [])
            ],
        ),
        "top_questions.csv": (
            ("question", "count", "answer_id"),
            [
                (q["question"], q["count"], q["answer_id"] or "")
                for q in data.get("top_questions", [])
            ],
        ),
    }
    written = []
    for name, (head, rows) in tables.items():
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(head)
            writer.writerows(rows)
        written.append(path)
    return written


def _summary_rows(data: Mapping[str, Any]) -> list[Sequence[Any]]:
    h = data["handoffs"]
    rows: list[Sequence[Any]] = [
        ("from", data["period"]["from"]),
        ("to", data["period"]["to"]),
        *(
            (key, data[key])
            for key in (
                "inquiries",
                "conversations",
                "answered",
                "clarified",
                "abstained",
                "handed_off",
                "self_service_rate",
            )
        ),
        ("helpful_yes", data["helpful"]["yes"]),
        ("helpful_no", data["helpful"]["no"]),
    ]
    rows += [
        (f"handoffs_{key}", h[key])
        for key in ("count", "first_reply_p50_s", "resolution_p50_s", "csat_mean", "reopen_rate")
    ]
    return [(k, "" if v is None else v) for k, v in rows]


async def get_report(
    db: Database,
    base: AnswerBase,
    period: Period,
    filters: Filters | None = None,
    *,
    gaps: Sequence[Mapping[str, Any]] | None = None,
    compare: bool = True,
    now: dt.datetime | None = None,
    rollup: bool = True,
) -> dict[str, Any]:
    """The report document of `period` (see `report_json`); `gaps` as found by the caller
    (`insights.gaps`), None when they were not looked for. `now` and `rollup`: as for
    `get_figures` (the same document without the rollup, only slower)."""
    from insights.figures import get_figures

    filters = filters or Filters()
    figures = await get_figures(db, base, period, filters, now=now, rollup=rollup)
    previous = (
        await get_figures(db, base, period.previous(), filters, now=now, rollup=rollup)
        if compare
        else None
    )
    return report_json(
        figures,
        top_questions=await get_top_questions(db, base, period, filters),
        gaps=gaps,
        review_due=get_review_due(base, period.end + dt.timedelta(days=REVIEW_AHEAD_DAYS)),
        previous=previous,
        titles={a.id: a.title for a in base.answers},
    )
