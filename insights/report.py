"""The report of a period: the figures, the top questions, the gaps and the answers due for
review, as one JSON document (`samsvar report --json`, the API, the weekly e-mail), and that
document as HTML, plain text and CSV files."""

from __future__ import annotations

import csv
import dataclasses
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
from insights.texts import say
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
                # ties in a fixed order: the same questions on every call
                .order_by(func.count().desc(), text, Inquiry.answer_id)
                .limit(limit * 5)
            )
        ).all()
    merged: dict[str, dict[str, Any]] = {}
    for question, answer_id, count in rows:
        key = " ".join(str(question).split())
        if not key:  # an erased question: counted in the figures, not listed
            continue
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


def _n(value: int, lang: str = "en") -> str:
    """A count with thousands grouped: 1,234 in English, 1 234 in the Nordic languages."""
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", "\u00a0")


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


def headline(data: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    """The headline figures as (label, value) pairs, with the change since `previous`, the
    labels in `lang` (insights.texts)."""
    p = data.get("previous") or {}
    h = data["handoffs"]
    return [
        (
            say("inquiries", lang),
            f"{_n(data['inquiries'], lang)}{_delta(data['inquiries'], p.get('inquiries'))}",
        ),
        (
            say("conversations", lang),
            f"{_n(data['conversations'], lang)}"
            f"{_delta(data['conversations'], p.get('conversations'))}",
        ),
        (
            say("self_service_rate", lang),
            _percent(data["self_service_rate"])
            + _delta(data["self_service_rate"], p.get("self_service_rate"), percent=True),
        ),
        (say("answered", lang), _n(data["answered"], lang)),
        (say("clarified", lang), _n(data["clarified"], lang)),
        (say("abstained", lang), _n(data["abstained"], lang)),
        (say("handoff_rate", lang), _percent(data["rates"]["handoff"])),
        (
            say("did_this_help", lang),
            say(
                "yes_no",
                lang,
                yes=_n(data["helpful"]["yes"], lang),
                no=_n(data["helpful"]["no"], lang),
            ),
        ),
        (say("handoffs", lang), _n(h["count"], lang)),
        (say("first_reply", lang), _duration(h["first_reply_p50_s"])),
        (say("resolution", lang), _duration(h["resolution_p50_s"])),
        (say("csat", lang), "–" if h["csat_mean"] is None else f"{h['csat_mean']:.2f}"),
        (say("reopened", lang), _percent(h["reopen_rate"])),
        (
            say("returning", lang),
            say(
                "of",
                lang,
                part=_n(data["visitors"]["returning"], lang),
                whole=_n(data["visitors"]["count"], lang),
            ),
        ),
    ]


def _gap_line(gap: Mapping[str, Any], lang: str) -> str:
    examples = " | ".join(gap["examples"][:2])
    near = ", ".join(gap["nearest"]) or "-"
    return (
        f"{gap['size']:>6}  {examples}  ({say('near', lang)}: {near}; "
        f"{', '.join(gap['languages'])})"
    )


def report_text(data: Mapping[str, Any], name: str = "Samsvar", lang: str = "en") -> str:
    """The report for a terminal or the e-mail's plain-text part, its words in `lang`."""
    period = data["period"]
    lines = [f"{name}: {period['from']} – {period['to']} ({period['timezone']})"]
    if data.get("filters"):
        lines.append(
            f"{say('filters', lang)}: " + ", ".join(f"{k} {v}" for k, v in data["filters"].items())
        )
    lines.append("")
    pairs = headline(data, lang)
    width = max(len(label) for label, _ in pairs)
    lines += [f"{label:<{width}}  {value}" for label, value in pairs]
    for target in data["handoffs"]["targets"]:
        lines.append(
            "  "
            + say(
                "target_line",
                lang,
                channel=target["channel"],
                measure=target["measure"],
                target=_duration(target["target_s"]),
                rate=_percent(target["met_rate"]),
                measured=target["measured"],
            )
        )
    sections: list[tuple[str, list[str]]] = [
        (
            say("top_questions", lang),
            [
                f"{q['count']:>6}  {q['question']}  [{q['answer_id'] or say('not_answered', lang)}]"
                for q in data.get("top_questions", [])
            ],
        ),
        (
            say("answers_used", lang),
            [f"{a['count']:>6}  {a['answer_id']}" for a in data["by_answer"][:10]],
        ),
        (
            say("largest_gaps", lang),
            [_gap_line(g, lang) for g in data.get("gaps", [])[:10]],
        ),
        (
            say("changed_most", lang),
            [
                f"{c['change']:>+6}  {c['answer_id']} ({c['previous']} → {c['count']})"
                for c in data.get("changes", [])
            ],
        ),
        (
            say("due_for_review", lang),
            [
                f"{r['review_by']}  {r['answer_id']} ({r['owner'] or say('no_owner', lang)})"
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


def _bars(rows: Sequence[tuple[str, int]], lang: str) -> str:
    """A bar per row, drawn with widths (e-mail clients drop SVG)."""
    most = max((n for _, n in rows), default=0) or 1
    out = []
    for label, n in rows:
        width = max(1, round(240 * n / most)) if n else 0
        out.append(
            f"<tr><td {_CELL}>{html.escape(label)}</td><td {_CELL}>"
            f"{_BAR.format(width)} {_n(n, lang)}</td></tr>"
        )
    return _TABLE + "".join(out) + "</table>"


def report_html(data: Mapping[str, Any], name: str = "Samsvar", lang: str = "en") -> str:
    """The report as one HTML page (also the e-mail's HTML part), its words in `lang`."""
    period = data["period"]
    title = f"{name}: {period['from']} – {period['to']}"

    def t(key: str) -> str:
        return say(key, lang)

    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title></head>",
        '<body style="font-family:system-ui,sans-serif;color:#1b1b1b;max-width:760px">',
        f'<h1 style="font-size:20px">{html.escape(title)}</h1>',
        f"<p>{html.escape(say('time_zone', lang, timezone=period['timezone']))}</p>",
        _table((t("figure"), t("value")), headline(data, lang)),
        f'<h2 style="font-size:16px">{html.escape(t("inquiries_by_day"))}</h2>',
        _bars([(d["date"], d["inquiries"]) for d in data["by_day"]][-62:], lang),
    ]
    sections: list[tuple[str, Sequence[str], list[Sequence[str]]]] = [
        (
            t("top_questions"),
            (t("count"), t("question"), t("answer")),
            [
                (q["count"], q["question"], q["answer_id"] or t("not_answered"))
                for q in data.get("top_questions", [])
            ],
        ),
        (
            t("largest_gaps"),
            (t("questions"), t("examples"), t("nearest_answers"), t("languages")),
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
            t("answers_used"),
            (t("answer"), t("count")),
            [(a.get("title", a["answer_id"]), a["count"]) for a in data["by_answer"][:15]],
        ),
        (
            t("changed_most"),
            (t("answer"), t("before"), t("now"), t("helpful_before"), t("helpful_now")),
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
            t("handoff_targets"),
            (t("channel"), t("measure"), t("target"), t("median"), t("met")),
            [
                (
                    tg["channel"],
                    tg["measure"],
                    _duration(tg["target_s"]),
                    _duration(tg["p50_s"]),
                    _percent(tg["met_rate"]),
                )
                for tg in data["handoffs"]["targets"]
            ],
        ),
        (
            t("due_for_review"),
            (t("answer"), t("review_by"), t("owner")),
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
    `get_figures` (the same document without the rollup, only slower).

    The rollup is filled once, and the answers and clicks of the previous period are read
    once: its figures give this period's `changes` (`changes_between`)."""
    import asyncio

    from insights.figures import changes_between, read_figures
    from insights.rollup import fill_rollup

    filters = filters or Filters()
    through = (await fill_rollup(db, now or dt.datetime.now(dt.UTC))).through if rollup else None
    # The period's figures, the previous period's and the top questions on three connections
    # at once: on PostgreSQL (and SQLite's threads) they run side by side.
    figures, previous, top = await asyncio.gather(
        read_figures(db, base, period, filters, through, changes=not compare),
        read_figures(db, base, period.previous(), filters, through, changes=False)
        if compare
        else _nothing(),
        get_top_questions(db, base, period, filters),
    )
    if previous is not None:
        figures = dataclasses.replace(figures, changes=changes_between(figures, previous))
    return report_json(
        figures,
        top_questions=top,
        gaps=gaps,
        review_due=get_review_due(base, period.end + dt.timedelta(days=REVIEW_AHEAD_DAYS)),
        previous=previous,
        titles={a.id: a.title for a in base.answers},
    )


async def _nothing() -> None:
    return None
