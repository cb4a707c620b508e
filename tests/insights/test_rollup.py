"""The rollup of closed hours gives the very figures the inquiries give (decision 0101).

A varied traffic (the benchmark's generator: six languages, two channels, returning visitors,
clicks, cases, "did this help?"), plus conversations resumed days later, erased
conversations and questions after the rollup's end; every report is built twice, from the
inquiries alone and from the rollup, and must be equal.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from benchmarks.run_insights import load_postgres, load_sqlite
from conversations.storage import Database, get_database_url, open_database
from insights import Filters, Period, get_report
from insights.rollup import fill_rollup, read_rollup, spans
from knowledge import AnswerBase, get_demo_dir, load_answer_base

NOW = dt.datetime(2026, 3, 4, 10, 20, tzinfo=dt.UTC)  # the rollup ends at 10:00 (margin)


def _vary_sqlite(path: Path) -> None:
    """Resumed conversations, erased ones, and questions in the open hours."""
    with sqlite3.connect(path) as c:
        c.execute(
            "INSERT INTO inquiries (conversation_id, text, language, decision, answer_id, "
            "confidence, channel, kind, ms, created_at, by_llm, citations, machine_translated, "
            "retracted) SELECT conversation_id, 'again', language, decision, answer_id, 0.7, "
            "channel, 'text', 5.0, strftime('%Y-%m-%d %H:%M:%f', created_at, '+3 days'), 0, "
            "'[]', 0, 0 FROM inquiries WHERE id % 17 = 0"
        )
        c.execute(
            "INSERT INTO inquiries (conversation_id, text, language, decision, answer_id, "
            "confidence, channel, kind, ms, created_at, by_llm, citations, machine_translated, "
            "retracted) SELECT conversation_id, 'later', language, decision, answer_id, 0.7, "
            "channel, 'text', 5.0, strftime('%Y-%m-%d %H:%M:%f', created_at, '+50 minutes'), "
            "0, '[]', 0, 0 FROM inquiries WHERE id % 3 = 0"
        )
        c.execute("UPDATE inquiries SET conversation_id = NULL WHERE id % 23 = 0")
        c.execute(
            "INSERT INTO inquiries (conversation_id, text, language, decision, answer_id, "
            "confidence, channel, kind, ms, created_at, by_llm, citations, machine_translated, "
            "retracted) SELECT conversation_id, 'now', language, 'answer', answer_id, 0.7, "
            "channel, 'text', 5.0, '2026-03-04 10:05:00.000000', 0, '[]', 0, 0 "
            "FROM inquiries WHERE id % 97 = 0 AND answer_id IS NOT NULL"
        )


def _periods() -> list[Period]:
    return [
        Period(dt.date(2026, 2, 23), dt.date(2026, 3, 8), "Europe/Oslo"),  # across NOW
        Period(dt.date(2026, 1, 5), dt.date(2026, 2, 28), "Europe/Oslo"),  # all rolled up
        Period(dt.date(2025, 12, 1), dt.date(2026, 12, 31), "Europe/Helsinki"),  # the year
        Period(dt.date(2026, 2, 1), dt.date(2026, 3, 10), "Asia/Kolkata"),  # half hours
        Period(dt.date(2026, 1, 20), dt.date(2026, 3, 3), "Asia/Tokyo"),  # starts at 15 UTC
    ]


def _filters(base: AnswerBase) -> list[Filters]:
    answer = base.published()[0].id
    return [
        Filters(),
        Filters(channel="email"),
        Filters(language="sv"),
        Filters(answer_id=answer),
        Filters(team=base.config.default_team or "support"),
    ]


async def _compare(db: Database, base: AnswerBase) -> int:
    compared = 0
    for period in _periods():
        for filters in _filters(base):
            raw = await get_report(db, base, period, filters, rollup=False)
            rolled = await get_report(db, base, period, filters, now=NOW)
            assert rolled == raw, (period, filters)
            compared += 1
    return compared


@pytest.fixture(scope="module")
def demo_base() -> AnswerBase:
    return load_answer_base(get_demo_dir())


def test_reports_from_the_rollup_equal_reports_from_the_inquiries(
    tmp_path: Path, demo_base: AnswerBase
) -> None:
    path = tmp_path / "traffic.db"
    load_sqlite(path, 24000, [a.id for a in demo_base.published()])
    _vary_sqlite(path)

    async def run() -> None:
        db = open_database(get_database_url(f"sqlite:///{path}", tmp_path))
        try:
            assert (await read_rollup(db)).through is None
            assert await _compare(db, demo_base) == 25
            assert (await read_rollup(db)).through == dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)
            # an hour later the rollup moves on, and the figures stay the same
            later = NOW + dt.timedelta(hours=26)
            assert (await fill_rollup(db, later)).through == dt.datetime(
                2026, 3, 5, 12, tzinfo=dt.UTC
            )
            period = _periods()[0]
            raw = await get_report(db, demo_base, period, rollup=False)
            assert await get_report(db, demo_base, period, now=later) == raw
        finally:
            await db.close()

    asyncio.run(run())


@pytest.mark.slow
def test_reports_from_the_rollup_equal_on_postgresql(
    postgres_server: str, demo_base: AnswerBase
) -> None:
    from tests.postgres import create_database

    url = asyncio.run(create_database(postgres_server, "samsvar_rollup"))

    async def run() -> None:
        await load_postgres(url, 4000, [a.id for a in demo_base.published()])
        db = open_database(get_database_url(url, Path(".")))
        try:
            assert await _compare(db, demo_base) == 25
        finally:
            await db.close()

    asyncio.run(run())


def test_a_period_is_read_from_the_fewest_spans() -> None:
    utc = dt.UTC
    got = spans(dt.datetime(2026, 1, 4, 23, tzinfo=utc), dt.datetime(2026, 3, 2, 5, tzinfo=utc))
    assert got == [
        ("h", "2026-01-04 23", "2026-01-05 00"),
        ("h", "2026-03-02 00", "2026-03-02 05"),
        ("d", "2026-01-05 00", "2026-02-01 00"),
        ("d", "2026-03-01 00", "2026-03-02 00"),
        ("m", "2026-02-01 00", "2026-03-01 00"),
    ]
    assert spans(
        dt.datetime(2026, 1, 4, 3, tzinfo=utc), dt.datetime(2026, 1, 4, 7, tzinfo=utc)
    ) == [("h", "2026-01-04 03", "2026-01-04 07")]


def test_an_empty_database_is_rolled_up_to_now(tmp_path: Path) -> None:
    async def run() -> None:
        db = open_database(get_database_url(f"sqlite:///{tmp_path / 'e.db'}", tmp_path))
        try:
            from app.migrate import do_upgrade

            await do_upgrade(db)
            assert (await fill_rollup(db, NOW)).through == dt.datetime(
                2026, 3, 4, 10, tzinfo=dt.UTC
            )
        finally:
            await db.close()

    asyncio.run(run())


def test_questions_stored_after_their_hour_was_rolled_up_are_counted(tmp_path: Path) -> None:
    """A question stamped before `through` but stored after a fill (imported, or seeded as
    the dashboard's tests do) is found by its id, and its hour is written again."""

    def add(path: Path, created_at: str, count: int) -> None:
        with sqlite3.connect(path) as c:
            c.executemany(
                "INSERT INTO inquiries (conversation_id, text, language, decision, answer_id, "
                "confidence, channel, kind, ms, created_at, by_llm, citations, "
                "machine_translated, retracted) VALUES (NULL, 'sent', 'nb', 'abstain', NULL, "
                "0.2, 'web', 'text', 5.0, ?, 0, '[]', 0, 0)",
                [(created_at,)] * count,
            )

    async def run() -> tuple[int, int, int]:
        path = tmp_path / "late.db"
        db = open_database(get_database_url(f"sqlite:///{path}", tmp_path))
        base = load_answer_base(get_demo_dir())
        period = Period(dt.date(2026, 2, 23), dt.date(2026, 3, 1), "Europe/Oslo")
        try:
            from app.migrate import do_upgrade

            await do_upgrade(db)
            add(path, "2026-02-24 09:10:00.000000", 2)
            await fill_rollup(db, NOW)  # the week is rolled up: 2
            first = (await get_report(db, base, period, Filters(), now=NOW))["inquiries"]
            add(path, "2026-02-25 14:30:00.000000", 3)  # late: its hour was rolled up
            late = (await get_report(db, base, period, Filters(), now=NOW))["inquiries"]
            raw = (await get_report(db, base, period, Filters(), rollup=False))["inquiries"]
            return first, late, raw
        finally:
            await db.close()

    assert asyncio.run(run()) == (2, 5, 5)
