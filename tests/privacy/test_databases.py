"""Erasure on both databases: the rows go, and the bytes leave the table files (SQLite:
secure_delete and a checkpoint; PostgreSQL: VACUUM FULL rewrites the table's file)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from sqlalchemy import text

from app.migrate import do_upgrade
from conversations.storage import (
    Database,
    NewMessage,
    do_add_message,
    do_create_conversation,
    do_create_visitor,
    get_database_url,
    open_database,
)
from privacy import CLI, Subject, do_erase, do_retention

MARKER = "QZVMARKER4410" * 4
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


async def _files_of(db: Database) -> list[Path]:
    if db.dialect == "sqlite":
        path = Path(str(db.url.database))
        return [path, path.with_name(path.name + "-wal")]
    async with db.engine.connect() as connection:
        await connection.execute(text("CHECKPOINT"))
        home = (await connection.execute(text("SHOW data_directory"))).scalar_one()
        relative = (
            await connection.execute(text("SELECT pg_relation_filepath('messages')"))
        ).scalar_one()
    return [Path(home) / relative]


def _holds(files: list[Path]) -> bool:
    return any(MARKER.encode() in f.read_bytes() for f in files if f.exists())


async def _scenario(url: str, tmp: Path) -> tuple[bool, bool, int, list[str]]:
    db = open_database(get_database_url(url, tmp))
    try:
        await do_upgrade(db)
        visitor = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        new = NewMessage(role="visitor", text=f"Hei {MARKER}", client_id="c1")
        await do_add_message(db, visitor.id, conversation.id, new, NOW)
        before = _holds(await _files_of(db))
        done = await do_erase(db, Subject(visitor=visitor.id), NOW, by=CLI, vacuum_full=True)
        after = _holds(await _files_of(db))
        async with db.reading() as session:
            left = (await session.execute(text("SELECT count(*) FROM messages"))).scalar_one()
        return before, after, int(left), done.files
    finally:
        await db.close()


def test_an_erased_message_leaves_the_database_files(database_url: str, tmp_path: Path) -> None:
    before, after, left, files = asyncio.run(_scenario(database_url, tmp_path))
    assert before is True  # the check can see the text while it is stored
    assert (after, left) == (False, 0)
    if database_url.startswith("postgresql"):
        assert "postgresql: VACUUM FULL messages" in files
    else:
        assert files == ["sqlite: write-ahead log checkpointed and truncated"]


async def _retention(url: str, tmp: Path) -> tuple[int, int, int]:
    db = open_database(get_database_url(url, tmp))
    try:
        await do_upgrade(db)
        for days in (200, 10):
            when = NOW - dt.timedelta(days=days)
            visitor = await do_create_visitor(db, when)
            conversation = await do_create_conversation(db, visitor.id, when)
            new = NewMessage(role="visitor", text=f"Hei {days}", client_id="c1")
            await do_add_message(db, visitor.id, conversation.id, new, when)
        dry = await do_retention(db, 180, NOW, by=CLI, dry_run=True)
        done = await do_retention(db, 180, NOW, by=CLI)
        async with db.reading() as session:
            left = (await session.execute(text("SELECT count(*) FROM conversations"))).scalar_one()
        return dry.conversations, done.conversations, int(left)
    finally:
        await db.close()


def test_retention_on_both_databases(database_url: str, tmp_path: Path) -> None:
    assert asyncio.run(_retention(database_url, tmp_path)) == (1, 1, 1)
