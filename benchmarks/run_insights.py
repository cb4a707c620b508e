"""Insights at scale: a year of 1,000,000 inquiries, the report of one week and of the whole
year on SQLite and PostgreSQL, and `samsvar report` end to end (issue 12).

    python -m benchmarks.run_insights                    # SQLite and PostgreSQL
    python -m benchmarks.run_insights --only sqlite --inquiries 200000
    python -m benchmarks.run_insights --load-into postgresql://…/empty_db   # and keep it

The traffic is synthetic but shaped like a shop's: questions by hour of day and weekday,
Zipf-distributed answers, six languages, two channels, clicks (not counted) besides typed
questions, one case per ~20 conversations with replies, resolutions, ratings and reopenings,
and "did this help?" on one answer in ten. Loaded straight into the migrated tables (the
sqlite3 module, asyncpg's COPY), then timed through `insights.get_report` as the CLI and the
API call it. Writes docs/benchmarks/insights.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info

ROOT = Path(__file__).resolve().parent.parent
YEAR_START = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)  # a Monday
LANGS = (("nb", 45), ("sv", 15), ("da", 10), ("fi", 10), ("en", 15), ("nn", 5))
DECISIONS = (("answer", 60), ("clarify", 10), ("abstain", 15), ("handoff", 5), ("collect", 2))
HOURLY = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 12, 12, 11, 10, 9, 9, 9, 8, 6, 4, 2]
RUNS = 3
RAW_RUNS = 2  # the reports without the rollup (as before it), for comparison


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def traffic(n: int, answers: list[str], seed: int = 0) -> Iterator[tuple[str, Any]]:
    """(table, row) pairs: visitors, conversations, inquiries, cases and feedback."""
    rng = random.Random(seed)
    zipf = [1 / (rank + 1) for rank in range(len(answers))]
    hour_weights = HOURLY
    made = 0
    visitors: list[str] = []
    conversation = 0
    case = 0
    while made < n:
        day = rng.randrange(364)
        hour = rng.choices(range(24), hour_weights)[0]
        start = YEAR_START + dt.timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        if visitors and rng.random() < 0.3:
            visitor = rng.choice(visitors)
        else:
            visitor = f"v{len(visitors):021d}"
            visitors.append(visitor)
            yield "visitors", (visitor, _stamp(start), _stamp(start), 1, "{}")
        conversation += 1
        cid = f"c{conversation:021d}"
        lang = _pick(rng, LANGS)
        channel = "email" if rng.random() < 0.15 else "widget"
        yield "conversations", (cid, visitor, "bot", lang, None, 0, 0, _stamp(start), _stamp(start))
        turns = rng.choice((1, 1, 2, 3, 4))
        at = start
        handed = False
        for _ in range(turns):
            decision = _pick(rng, DECISIONS)
            answer = rng.choices(answers, zipf)[0] if decision == "answer" else None
            at += dt.timedelta(seconds=rng.randrange(5, 90))
            yield (
                "inquiries",
                (
                    cid,
                    f"question {rng.randrange(5000)} {lang}",
                    lang,
                    decision,
                    answer,
                    0.7,
                    channel,
                    "text",
                    at,
                ),
            )
            made += 1
            if decision == "answer" and rng.random() < 0.1:
                yield (
                    "feedback",
                    (
                        cid,
                        f"m{made:023d}",
                        answer,
                        rng.random() < 0.75,
                        at + dt.timedelta(seconds=20),
                    ),
                )
            if decision == "clarify" and rng.random() < 0.6:
                at += dt.timedelta(seconds=8)
                yield (
                    "inquiries",
                    (
                        cid,
                        "choice",
                        lang,
                        "answer",
                        rng.choices(answers, zipf)[0],
                        1.0,
                        channel,
                        "choice",
                        at,
                    ),
                )
                made += 1
            handed = handed or decision == "handoff"
        if handed and not case % 1 and rng.random() < 0.9:
            case += 1
            reply = rng.expovariate(1 / 90) if rng.random() < 0.9 else None
            resolve = (
                reply + rng.expovariate(1 / 1800)
                if reply is not None and rng.random() < 0.85
                else None
            )
            rating = (
                rng.choice((3, 4, 4, 5, 5)) if resolve is not None and rng.random() < 0.4 else None
            )
            reopened = 1 if resolve is not None and rng.random() < 0.06 else 0
            yield (
                "cases",
                (
                    f"k{case:021d}",
                    case,
                    cid,
                    visitor,
                    lang,
                    at,
                    reply,
                    resolve,
                    rating,
                    reopened,
                    rng.choice(answers),
                ),
            )


def _rows_sqlite(table: str, row: Any) -> tuple[str, tuple[Any, ...]]:
    if table == "inquiries":
        cid, text, lang, decision, answer, conf, channel, kind, at = row
        return (
            "INSERT INTO inquiries (conversation_id, message_id, text, language, decision, "
            "answer_id, confidence, page_url, channel, kind, ms, created_at, by_llm, citations, "
            "machine_translated, retracted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,'[]',0,0)",
            (cid, None, text, lang, decision, answer, conf, None, channel, kind, 5.0, _stamp(at)),
        )
    if table == "visitors":
        return (
            "INSERT INTO visitors (id, created_at, last_seen_at, visits, attributes) "
            "VALUES (?,?,?,?,?)",
            row,
        )
    if table == "conversations":
        return (
            "INSERT INTO conversations (id, visitor_id, status, language, page_url, last_seq, "
            "human_notice_sent, started_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            row,
        )
    if table == "feedback":
        cid, mid, answer, helpful, at = row
        return (
            "INSERT INTO feedback (conversation_id, message_id, answer_id, helpful, created_at) "
            "VALUES (?,?,?,?,?)",
            (cid, mid, answer, int(helpful), _stamp(at)),
        )
    return _case_sql(row, _stamp)


def _case_values(row: Any, stamp: Any) -> tuple[Any, ...]:
    cid_, number, cid, visitor, lang, at, reply, resolve, rating, reopened, topic = row
    later = lambda s: stamp(at + dt.timedelta(seconds=s)) if s is not None else None  # noqa: E731
    status = (
        "resolved"
        if resolve is not None and not reopened
        else "reopened"
        if reopened
        else "assigned"
    )
    return (
        cid_,
        f"S-2026-{number:06d}",
        cid,
        visitor,
        status,
        "support",
        None,
        "normal",
        1,
        "[]",
        "unresolved",
        None,
        lang,
        None,
        topic,
        "[]",
        "[]",
        0,
        "{}",
        None,
        None,
        0,
        reopened,
        None,
        rating,
        None,
        later(resolve),
        stamp(at),
        stamp(at),
        later(reply),
        later(reply),
        later(reply),
        stamp(at),
        None if reopened else later(resolve),
        stamp(at),
    )


CASE_COLUMNS = (
    "id, number, conversation_id, visitor_id, status, team, agent_id, urgency, urgency_rank, "
    "urgency_reasons, reason, question, language, page_url, topic, tried, fields, failures, "
    "attributes, summary, contact_email, off_hours, reopened, previous_agent_id, rating, "
    "rating_comment, rated_at, created_at, waiting_since, assigned_at, answered_at, "
    "first_response_at, last_message_at, resolved_at, updated_at"
)


def _case_sql(row: Any, stamp: Any) -> tuple[str, tuple[Any, ...]]:
    marks = ",".join("?" * 35)
    return f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({marks})", _case_values(row, stamp)


async def _migrate(url: str) -> None:
    from app.migrate import do_upgrade
    from conversations.storage import get_database_url, open_database

    db = open_database(get_database_url(url, Path(".")))
    try:
        await do_upgrade(db)
    finally:
        await db.close()


def load_sqlite(path: Path, n: int, answers: list[str]) -> dict[str, int]:
    asyncio.run(_migrate(f"sqlite:///{path}"))
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    counts: dict[str, int] = {}
    batch: dict[str, list[tuple[Any, ...]]] = {}
    sql: dict[str, str] = {}
    with connection:
        asked: list[tuple[Any, ...]] = []
        for table, row in traffic(n, answers):
            statement, values = _rows_sqlite(table, row)
            sql[table] = statement
            counts[table] = counts.get(table, 0) + 1
            if table == "inquiries":
                asked.append(values)
                continue
            batch.setdefault(table, []).append(values)
            if len(batch[table]) >= 50_000:
                connection.executemany(statement, batch.pop(table))
        for table, rows in batch.items():
            connection.executemany(sql[table], rows)
        # in the order they were asked, as a server writes them (the rows' order on disk
        # decides how fast a period's questions are read)
        asked.sort(key=lambda values: values[11])
        connection.executemany(sql["inquiries"], asked)
    connection.execute("ANALYZE")
    connection.close()
    return counts


async def load_postgres(url: str, n: int, answers: list[str]) -> dict[str, int]:
    import asyncpg

    await _migrate(url)
    connection = await asyncpg.connect(url)
    columns = {
        "visitors": ("id", "created_at", "last_seen_at", "visits", "attributes"),
        "conversations": (
            "id",
            "visitor_id",
            "status",
            "language",
            "page_url",
            "last_seq",
            "human_notice_sent",
            "started_at",
            "updated_at",
        ),
        "inquiries": (
            "conversation_id",
            "text",
            "language",
            "decision",
            "answer_id",
            "confidence",
            "channel",
            "kind",
            "ms",
            "created_at",
            "by_llm",
            "citations",
            "machine_translated",
            "retracted",
        ),
        "feedback": ("conversation_id", "message_id", "answer_id", "helpful", "created_at"),
        "cases": tuple(c.strip() for c in CASE_COLUMNS.split(",")),
    }
    stamp = lambda t: t  # noqa: E731  (asyncpg takes datetimes)
    counts: dict[str, int] = {}
    batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in columns}

    def convert(table: str, row: Any) -> tuple[Any, ...]:
        if table == "visitors":
            return (
                row[0],
                dt.datetime.fromisoformat(row[1]).replace(tzinfo=dt.UTC),
                dt.datetime.fromisoformat(row[2]).replace(tzinfo=dt.UTC),
                row[3],
                row[4],
            )
        if table == "conversations":
            s = dt.datetime.fromisoformat(row[7]).replace(tzinfo=dt.UTC)
            return (*row[:6], bool(row[6]), s, s)
        if table == "inquiries":
            cid, text, lang, decision, answer, conf, channel, kind, at = row
            return (
                cid,
                text,
                lang,
                decision,
                answer,
                conf,
                channel,
                kind,
                5.0,
                at,
                False,
                "[]",
                False,
                False,
            )
        if table == "feedback":
            return row
        values = list(_case_values(row, stamp))
        values[21] = bool(values[21])
        return tuple(values)

    async def flush(table: str) -> None:
        if batch[table]:
            await connection.copy_records_to_table(
                table, records=batch[table], columns=list(columns[table])
            )
            batch[table] = []

    try:
        order = ("visitors", "conversations", "inquiries", "feedback", "cases")
        pending: dict[str, list[Any]] = {t: [] for t in order}
        for table, row in traffic(n, answers):
            pending[table].append(convert(table, row))
            counts[table] = counts.get(table, 0) + 1
        pending["inquiries"].sort(key=lambda values: values[9])  # in the order asked
        for table in order:  # parents first (foreign keys)
            for start in range(0, len(pending[table]), 50_000):
                batch[table] = pending[table][start : start + 50_000]
                await flush(table)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return counts


NOW = dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC)  # after the synthetic year


async def _time_reports(url: str, answers_dir: Path, *, raw: bool = True) -> dict[str, Any]:
    """Each report from the inquiries alone (`rollup=False`, as before the rollup) and from
    the rollup, in the same run; the first report's filling of the rollup timed apart.
    Without `raw`, only from the rollup. Wall and processor time (`time.process_time`:
    this process, SQLite's thread included; PostgreSQL's work is in its own processes)."""
    from conversations.storage import get_database_url, open_database
    from insights import Filters, Period, fill_rollup, get_report
    from knowledge import load_answer_base

    base = load_answer_base(answers_dir)
    db = open_database(get_database_url(url, Path(".")))
    week = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 7), "Europe/Oslo")
    year = Period(dt.date(2026, 1, 5), dt.date(2027, 1, 3), "Europe/Oslo")
    out: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        await fill_rollup(db, NOW)
        out["rollup_fill_seconds"] = round(time.perf_counter() - started, 2)
        print(f"  rollup of the whole year filled in {out['rollup_fill_seconds']} s", flush=True)
        started = time.perf_counter()
        await fill_rollup(db, NOW + dt.timedelta(hours=1))
        out["rollup_hour_seconds"] = round(time.perf_counter() - started, 3)
        for name, period, filters in (
            ("week", week, Filters()),
            ("year", year, Filters()),
            ("week_language_sv", week, Filters(language="sv")),
            ("year_team_support", year, Filters(team="support")),
        ):
            row: dict[str, Any] = {}
            documents = {}
            ways = (("raw", False, RAW_RUNS), ("rollup", True, RUNS))
            for how, rollup, runs in ways if raw else ways[1:]:
                times, cpu = [], []
                for _ in range(runs):
                    started, processor = time.perf_counter(), time.process_time()
                    data = await get_report(db, base, period, filters, now=NOW, rollup=rollup)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - processor)
                documents[how] = data
                row[how] = {
                    "seconds_p50": round(statistics.median(times), 3),
                    "seconds_all": [round(t, 3) for t in times],
                    "processor_seconds_p50": round(statistics.median(cpu), 3),
                }
            if raw:
                assert documents["raw"] == documents["rollup"], f"{name}: the figures differ"
            row |= {
                "inquiries": data["inquiries"],
                "conversations": data["conversations"],
                "cases": data["handoffs"]["count"],
            }
            out[name] = row
            raw_p50 = f"raw p50 {row['raw']['seconds_p50']:.3f} s, " if raw else ""
            print(
                f"  {name:<20} {raw_p50}rollup p50 {row['rollup']['seconds_p50']:.3f} s, "
                f"processor {row['rollup']['processor_seconds_p50']:.3f} s "
                f"({data['inquiries']:,} inquiries)",
                flush=True,
            )
    finally:
        await db.close()
    return out


def _cli_seconds(data_dir: Path, answers_dir: Path, url: str | None) -> float:
    env = os.environ | {"CHAT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    if url:
        env["CHAT_DATABASE_URL"] = url
    times = []
    for _ in range(5):
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "app",
                "report",
                "--from",
                "2026-06-01",
                "--to",
                "2026-06-07",
                "--answers",
                str(answers_dir),
                "--no-gaps",
                "--json",
                str(data_dir / "week.json"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
    return round(statistics.median(times), 3)


def _load_into(url: str, n: int, answers: list[str]) -> None:
    """The year in the database at `url` (migrated first), its rollup filled to now."""
    from conversations.storage import get_database_url, open_database
    from insights.rollup import fill_rollup

    started = time.perf_counter()
    if url.startswith("sqlite"):
        counts = load_sqlite(Path(url.removeprefix("sqlite:///")), n, answers)
    else:
        counts = asyncio.run(load_postgres(url, n, answers))
    print(f"loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)

    async def fill() -> None:
        db = open_database(get_database_url(url, Path(".")))
        try:
            await fill_rollup(db, dt.datetime.now(dt.UTC))
        finally:
            await db.close()

    started = time.perf_counter()
    asyncio.run(fill())
    print(f"rollup filled in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inquiries", type=int, default=1_000_000)
    parser.add_argument("--only", default="sqlite,postgresql")
    parser.add_argument(
        "--reuse-sqlite",
        type=Path,
        help="time the rollup's reports on this SQLite year (an earlier run's) and nothing else",
    )
    parser.add_argument(
        "--load-into",
        metavar="URL",
        help="load the year into this empty database (SQLite or PostgreSQL), fill its rollup "
        "and keep it (for run_report_command --database URL); nothing is timed",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "insights.json")
    args = parser.parse_args()
    from knowledge import get_demo_dir, load_answer_base

    answers_dir = get_demo_dir()
    answers = [a.id for a in load_answer_base(answers_dir).published()]
    if args.load_into:
        _load_into(args.load_into, args.inquiries, answers)
        return
    results: dict[str, Any] = {
        "machine": machine_info(),
        "inquiries_asked": args.inquiries,
        "answers": len(answers),
    }
    if args.reuse_sqlite is not None:  # a year loaded by an earlier run, migrated to head
        url = f"sqlite:///{args.reuse_sqlite}"
        results["sqlite_reused"] = {
            "file": str(args.reuse_sqlite),
            "load_average_1m_start": round(os.getloadavg()[0], 2),
            "reports": asyncio.run(_time_reports(url, answers_dir, raw=False)),
            "load_average_1m_end": round(os.getloadavg()[0], 2),
        }
        args.only = ""
    if "sqlite" in args.only:
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder)
            path = data_dir / "samsvar.db"
            started = time.perf_counter()
            counts = load_sqlite(path, args.inquiries, answers)
            print(f"sqlite: loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
            results["sqlite"] = {
                "rows": counts,
                "file_mb": round(path.stat().st_size / 1e6, 1),
                "reports": asyncio.run(_time_reports(f"sqlite:///{path}", answers_dir)),
                "cli_week_seconds_p50": _cli_seconds(data_dir, answers_dir, None),
            }
            print(
                "  samsvar report (week, whole command) p50 "
                f"{results['sqlite']['cli_week_seconds_p50']} s"
            )
    if "postgresql" in args.only:
        sys.path.insert(0, str(ROOT))
        from tests.postgres import create_database, postgres_missing, running_postgres

        missing = postgres_missing()
        if missing:
            results["postgresql"] = {"skipped": missing}
        else:
            with running_postgres() as server, tempfile.TemporaryDirectory() as folder:
                url = asyncio.run(create_database(server, "insights_bench"))
                started = time.perf_counter()
                counts = asyncio.run(load_postgres(url, args.inquiries, answers))
                print(
                    f"postgresql: loaded {counts} in {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
                results["postgresql"] = {
                    "rows": counts,
                    "reports": asyncio.run(_time_reports(url, answers_dir)),
                    "cli_week_seconds_p50": _cli_seconds(Path(folder), answers_dir, url),
                }
                print(
                    "  samsvar report (week, whole command) p50 "
                    f"{results['postgresql']['cli_week_seconds_p50']} s"
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
