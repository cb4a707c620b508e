"""Alembic's environment for Samsvar's tables.

Samsvar runs migrations itself (`samsvar serve` on start, `samsvar db upgrade`), handing a
connection in `config.attributes["connection"]`. A developer writing a new migration runs
`python -m app.migrations revision --autogenerate -m "…"`, which sets `sqlalchemy.url`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import channels.email.tables
import channels.tables  # noqa: F401  (the channels' tables join the one metadata)
import insights.tables  # noqa: F401  (the weekly reports' table joins the one metadata)
from conversations.storage.tables import Base, UtcDateTime

config = context.config
# One declarative base for the whole database: the conversations' tables and the hand-off's.
target_metadata = Base.metadata


def _render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Migrations name plain SQLAlchemy types, so they never import our table module."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    asyncio.run(_run_with_url(config.get_main_option("sqlalchemy.url") or ""))
