"""Server fixtures: a real uvicorn on 127.0.0.1:0 over the session's demo index.

- `serve(clock=…, **settings)`: start a server with these settings and clock (a fresh SQLite
  database in a temporary folder unless `database_url` is given); stopped after the test.
- `live_server`: one such server with the defaults.
- `api`: an httpx client on `live_server`, with a fresh visitor (`api.headers` has its id).
- `postgres_server` (session): a real PostgreSQL 15 (skipped where it is not installed);
  `database_url`: a fresh database on SQLite or, with the `postgresql` parameter, on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.postgres import create_database, postgres_missing, running_postgres
from tests.server import API, LiveServer, make_settings, start_server

if TYPE_CHECKING:
    from app.engine import Engine

Serve = Callable[..., LiveServer]


@pytest.fixture
def serve(demo_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    with contextlib.ExitStack() as stack:

        def start(
            widget_dir: Path | None = None,
            clock: Callable[[], dt.datetime] | None = None,
            **overrides: Any,
        ) -> LiveServer:
            data_dir = tmp_path_factory.mktemp("server-data")
            settings = make_settings(data_dir, **overrides)
            return stack.enter_context(
                start_server(settings, engine=demo_engine, widget_dir=widget_dir, clock=clock)
            )

        yield start


@pytest.fixture
def live_server(serve: Serve) -> LiveServer:
    return serve()


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    with live_server.http() as client:
        visitor = client.post(f"{API}/visitors").json()["visitor_id"]
        client.headers["X-Samsvar-Visitor"] = visitor
        yield client


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    missing = postgres_missing()
    if missing is not None:
        pytest.skip(missing)
    with running_postgres() as url:
        yield url


_numbers = itertools.count(1)


# The PostgreSQL case is `slow` by hand: it asks `postgres_server` only when it runs, so the
# collection hook in tests/conftest.py cannot see it among the test's fixtures.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the test PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return asyncio.run(create_database(server, f"samsvar_test_{next(_numbers)}"))
