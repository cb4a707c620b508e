"""Opening the database: the URL, the engine, SQLite's settings, and sessions.

SQLite (the default, one file under the data directory, through aiosqlite) and PostgreSQL
(through asyncpg) run the same code. On SQLite every writing transaction starts with
`BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing half-way when a
reading transaction wants to become a writing one; reading sessions run each SELECT in
autocommit and never block in WAL mode.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import SecretStr
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from conversations.errors import StorageUnavailable

__all__ = [
    "OUTAGE_SUSPECTS",
    "Database",
    "database_may_exist",
    "get_database_url",
    "is_unavailable",
    "open_database",
]

SQLITE_BUSY_MS = 15_000
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_ALIASES = {"postgres": "postgresql"}
# PostgreSQL's SQLSTATEs that mean "not now": connection exceptions (08), insufficient
# resources such as too many connections (53), shutting down or starting up (57P01-57P03).
_NOT_NOW = ("08", "53", "57P01", "57P02", "57P03")
# The errors that may mean the database is unavailable (`is_unavailable` tells): the drivers
# raise connection errors raw, SQLAlchemy wraps what happens during a statement.
OUTAGE_SUSPECTS: tuple[type[Exception], ...] = (
    OSError,
    DBAPIError,
    PoolTimeout,
    asyncpg.PostgresError,
)


def get_database_url(configured: str | SecretStr | None, data_dir: Path) -> URL:
    """The async URL to use: the configured one with its async driver, else SQLite in data_dir.

    `postgresql://…` and `postgres://…` get asyncpg, `sqlite:///…` gets aiosqlite.
    Raises StorageUnavailable for a URL that is not one of these.
    """
    if isinstance(configured, SecretStr):
        configured = configured.get_secret_value()
    if not configured:
        return make_url(f"sqlite+aiosqlite:///{(data_dir / 'samsvar.db').resolve()}")
    try:
        url = make_url(configured)
    except ArgumentError as exc:
        raise StorageUnavailable(f"CHAT_DATABASE_URL is not a database URL: {exc}") from exc
    backend = _ALIASES.get(url.get_backend_name(), url.get_backend_name())
    if backend not in _DRIVERS:
        raise StorageUnavailable(
            f"CHAT_DATABASE_URL: unsupported database {backend!r}; use sqlite or postgresql"
        )
    if url.drivername in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        return url
    if "+" in url.drivername:
        raise StorageUnavailable(
            f"CHAT_DATABASE_URL: driver {url.drivername!r} is not async; "
            f"use {_DRIVERS[backend]}:// or {backend}://"
        )
    return url.set(drivername=_DRIVERS[backend])


def _sqlite_events(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            # erased rows are overwritten with zeros, not left in free pages (decision 0110)
            "secure_delete=ON",
            f"busy_timeout={SQLITE_BUSY_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        if connection.get_execution_options().get("samsvar_writing", False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # Reading sessions run each SELECT on its own (autocommit): with aiosqlite every
        # statement is a round trip to its thread, and a reader needs no snapshot across two.


@dataclass(frozen=True)
class Database:
    """An open database: `reading()` and `writing()` give sessions; `close()` at the end.

    On SQLite, writing sessions of this process take turns on an asyncio lock: waiting there
    costs nothing, while a writer waiting on SQLite's lock sits in a thread until the busy
    timeout and then fails ("database is locked"), which many concurrent writers made happen.
    """

    engine: AsyncEngine
    url: URL
    write_lock: asyncio.Lock | None = field(default=None, compare=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def reading(self) -> AsyncSession:
        return AsyncSession(self.engine, expire_on_commit=False)

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        writer = self.engine.execution_options(samsvar_writing=True)
        async with contextlib.AsyncExitStack() as stack:
            if self.write_lock is not None:
                await stack.enter_async_context(self.write_lock)
            yield await stack.enter_async_context(AsyncSession(writer, expire_on_commit=False))

    async def close(self) -> None:
        await self.engine.dispose()


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot serve *now*: down, restarting, refusing more
    connections, every pooled connection busy, SQLite locked past its busy timeout. The
    transaction it interrupted was rolled back; the same request may be tried again later."""
    seen: BaseException | None = exc
    for _ in range(4):  # SQLAlchemy's error, the driver's, what caused it
        if seen is None:
            return False
        if isinstance(seen, StorageUnavailable | ConnectionError | TimeoutError | PoolTimeout):
            return True  # asyncpg raises OSError's ConnectionRefusedError and TimeoutError raw
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        sqlstate = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_NOT_NOW):
            return True
        if isinstance(seen, DBAPIError) and "database is locked" in str(seen.orig):  # SQLite
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def database_may_exist(url: URL) -> bool:
    """False only when `url` is a SQLite file that does not exist yet (so reading it would
    create it); a server database may always exist."""
    return url.get_backend_name() != "sqlite" or Path(url.database or "").is_file()


def open_database(url: URL) -> Database:
    """An engine for `url` (nothing is connected yet; migrate with `do_upgrade`)."""
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"pool_pre_ping": url.get_backend_name() == "postgresql"}
    if url.get_backend_name() == "postgresql":
        options |= {"pool_size": 10, "max_overflow": 20}
        # No just-in-time compiling: the planner asks for it above a cost that the
        # insights' period counts pass, and compiling each statement on each new connection
        # cost more than it saved (a week's report, a year's: docs/benchmarks.md, decision
        # 0101). Sent with the connection's start-up, so it costs no round trip.
        options["connect_args"] = {"server_settings": {"jit": "off"}}
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _sqlite_events(engine)
        return Database(engine, url, asyncio.Lock())
    return Database(engine, url)
