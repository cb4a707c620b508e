"""Alembic, driven from code: the configuration, upgrade to head, and the current revision.

The migrations in `app/migrations` cover the whole database: the conversations' tables and the
hand-off's, on one declarative base (`handoff.tables.Base`).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from conversations.errors import StorageUnavailable
from conversations.storage import Database

__all__ = [
    "alembic_config",
    "do_upgrade",
    "get_current_revision",
    "get_head_revision",
    "upgrade_to_head",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(*, connection: Connection | None = None, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def get_head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations in app/migrations/versions"
    return head


def get_current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection=connection), "head")


async def do_upgrade(db: Database) -> tuple[str | None, str]:
    """Migrate the database to the newest revision; returns (revision before, revision now).

    Raises StorageUnavailable when it cannot be reached or migrated.
    """
    try:
        async with db.writing() as session:
            connection = await session.connection()
            before = await connection.run_sync(get_current_revision)
            await connection.run_sync(upgrade_to_head)
            now = await connection.run_sync(get_current_revision)
            await session.commit()
    except (OperationalError, DBAPIError, OSError) as exc:
        where = db.url.render_as_string(hide_password=True)
        raise StorageUnavailable(f"cannot open or migrate the database at {where}: {exc}") from exc
    assert now is not None
    return before, now
