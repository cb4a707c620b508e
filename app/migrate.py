"""Alembic, driven from code: the configuration, upgrade to head, and the current revision.

The migrations in `app/migrations` cover the whole database: the conversations' tables and the
hand-off's, on one declarative base (`handoff.tables.Base`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from conversations.errors import StorageUnavailable
from conversations.storage import Database, get_database_url, open_database

if TYPE_CHECKING:
    from alembic.config import Config

    from app.settings import Settings

T = TypeVar("T")

__all__ = [
    "alembic_config",
    "do_upgrade",
    "get_current_revision",
    "get_head_revision",
    "on_database",
    "upgrade_to_head",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    from alembic.config import Config  # (Alembic is imported only when it has work to do)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def get_head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations in app/migrations/versions"
    return head


def get_current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection=connection), "head")


async def do_upgrade(db: Database) -> tuple[str | None, str]:
    """Migrate the database to the newest revision; returns (revision before, revision now).

    On SQLite, foreign keys are off while the migrations run: a migration that rebuilds a
    table (SQLite's way to add a constraint) would otherwise delete the rows that refer to it
    (`ON DELETE CASCADE` fires on `DROP TABLE`). They are checked once the migrations are done;
    a row left without its parent undoes the whole migration.

    Raises StorageUnavailable when it cannot be reached or migrated.
    """
    sqlite = db.dialect == "sqlite"
    try:
        async with contextlib.AsyncExitStack() as stack:
            if db.write_lock is not None:
                await stack.enter_async_context(db.write_lock)
            connection = await stack.enter_async_context(db.engine.connect())
            if sqlite:  # outside any transaction, where SQLite lets it change
                await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                await connection.commit()
            try:
                writer = await connection.execution_options(samsvar_writing=True)
                before = await writer.run_sync(get_current_revision)
                await writer.run_sync(upgrade_to_head)
                now = await writer.run_sync(get_current_revision)
                if sqlite:
                    orphans = (await writer.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if orphans:
                        await writer.rollback()
                        tables = sorted({str(row[0]) for row in orphans})
                        raise StorageUnavailable(
                            f"cannot migrate the database: {len(orphans)} rows of "
                            f"{', '.join(tables)} refer to rows that do not exist"
                        )
                await writer.commit()
            finally:
                if sqlite:  # again outside a transaction (the options change in place)
                    await connection.execution_options(samsvar_writing=False)
                    await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    await connection.commit()
    except (OperationalError, DBAPIError, OSError, RuntimeError) as exc:  # RuntimeError: a
        # migration that refuses to change the data it found (it says why)
        where = db.url.render_as_string(hide_password=True)
        raise StorageUnavailable(f"cannot open or migrate the database at {where}: {exc}") from exc
    assert now is not None
    return before, now


_REVISION = re.compile(r"^(down_)?revision\b[^=]*=\s*[\"']?([\w]+)", re.MULTILINE)


@functools.cache
def head_from_files() -> str | None:
    """The newest revision, read from the migration files with a regular expression (the
    one revision no other names as its `down_revision`), without importing Alembic; None
    when that is not one revision (then Alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, name in _REVISION.findall(path.read_text(encoding="utf-8")):
            (downs if down else revisions).add(name)
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


async def _is_at_head(db: Database) -> bool:
    """Whether the database is already at the newest revision (one cheap query)."""
    head = head_from_files()
    if head is None:
        return False
    try:
        async with db.reading() as session:
            found = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
    except (OperationalError, DBAPIError):
        return False  # no table yet, or another problem: do_upgrade says which
    return [row[0] for row in found] == [head]


def on_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on the configured database (`CHAT_DATABASE_URL`, else the SQLite file in
    the data directory), migrated to the newest revision first, in an event loop of its own;
    the database is closed after. For the commands that are not the server. A database
    already at the newest revision costs one query (Alembic is not even imported)."""

    async def run() -> T:
        db = open_database(get_database_url(settings.database_url, settings.data_dir))
        try:
            if not await _is_at_head(db):
                await do_upgrade(db)
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())
