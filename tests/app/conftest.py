"""Server fixtures: a real uvicorn on 127.0.0.1:0 over the session's demo index.

- `serve(clock=…, **settings)`: start a server with these settings and clock (a fresh SQLite
  database in a temporary folder unless `database_url` is given); stopped after the test.
- `live_server`: one such server with the defaults.
- `api`: an httpx client on `live_server`, with a fresh visitor (`api.headers` has its id).

`postgres_server` and `database_url` are in tests/conftest.py (the storage tests use them too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

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
