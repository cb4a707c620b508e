"""Shared fixtures: the `samsvar` command as a subprocess, and the demo answer base indexed once.

Indexing the demo base embeds about 900 texts, so one session-scoped data directory is indexed
once (through the CLI) and reused by every test that asks the demo base, in a subprocess or
in-process (`demo_engine`, opened on the same directory, reuses the index).

Every test that uses a fixture of `SLOW_FIXTURES`, directly or through another fixture, is
marked `slow` at collection, as are the tests marked so by hand. `scripts/test` runs the rest
(the fast set); `scripts/test --all`, which CI runs, runs everything (decision 0080).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.llm_server import FakeLLM
from tests.postgres import create_database, postgres_missing, running_postgres
from tests.redis_server import RedisServer, redis_missing, running_redis

if TYPE_CHECKING:
    from app.engine import Engine

SAMSVAR = Path(sys.executable).with_name("samsvar")

RunSamsvar = Callable[..., subprocess.CompletedProcess[str]]

# Fixtures that index the demo base, start a server, a browser or a subprocess. They are named
# here, not the test files that use them, so the fast set follows a test wherever it moves.
SLOW_FIXTURES = frozenset(
    {
        "demo_data_dir",  # indexes the demo base through the CLI: 20 s to 2 min on two cores
        "demo_engine",
        "run_samsvar",  # each call is a fresh interpreter importing the whole stack
        "serve",  # a real uvicorn per test
        "live_server",
        "site",
        "desk_server",
        "restartable_server",  # `samsvar serve` in a subprocess
        "browser",  # Chromium
        "open_page",
        "postgres_server",  # initdb and a PostgreSQL 15 server
        "chroma_url",  # `chroma run` in a subprocess
    }
)


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that uses a fixture of `SLOW_FIXTURES` (`item.fixturenames` is
    the closure: the fixtures of its fixtures too)."""
    for item in items:
        uses = SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        if uses and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def samsvar_env(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test runner's environment without any CHAT_* setting, plus CHAT_DATA_DIR."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHAT_")}
    env["CHAT_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


@pytest.fixture(scope="session")
def run_samsvar(tmp_path_factory: pytest.TempPathFactory) -> RunSamsvar:
    """Run `samsvar ARGS…` with CHAT_DATA_DIR=data_dir, in an empty working directory.

    `env` adds variables, `prefix` goes before the command (e.g. `unshare --net`), `stdin` is
    the command's standard input.
    """
    command = str(SAMSVAR) if SAMSVAR.exists() else shutil.which("samsvar")
    assert command, "the samsvar command is not installed"
    cwd = tmp_path_factory.mktemp("cwd")  # no stray .env, nothing written into the repository

    def run(
        *args: str,
        data_dir: Path,
        env: Mapping[str, str] | None = None,
        prefix: tuple[str, ...] = (),
        timeout: float = 600,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, str(command), *args],
            input=stdin,
            cwd=cwd,
            env=samsvar_env(data_dir, env),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory, run_samsvar: RunSamsvar) -> Path:
    """A data directory holding the index of the demo answer base (built once per session)."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    done = run_samsvar("answers", "index", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "embedded" in done.stdout
    return data_dir


@pytest.fixture(scope="session")
def demo_engine(demo_data_dir: Path) -> Engine:
    """The demo base's engine, in-process, over the session's index (nothing is re-embedded)."""
    from app import Settings
    from app.engine import open_engine
    from knowledge import get_demo_dir

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=demo_data_dir,
        answers_dir=None,
        chroma_url=None,
        answer_threshold=None,
        clarify_threshold=None,
    )
    engine = open_engine(settings, get_demo_dir())
    assert engine.sync.embedded == 0, "the session index should have been reused"
    return engine


@pytest.fixture(scope="session")
def llm_server_session() -> Iterator[FakeLLM]:
    """One OpenAI-compatible test server on loopback for the whole session."""
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def llm_server(llm_server_session: FakeLLM) -> FakeLLM:
    """The session's test LLM server, with no script, no latency and no recorded requests."""
    llm_server_session.reset()
    return llm_server_session


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    missing = postgres_missing()
    if missing is not None:
        pytest.skip(missing)
    with running_postgres() as url:
        yield url


_numbers = itertools.count(1)


# The PostgreSQL case is `slow` by hand: it asks `postgres_server` only when it runs, so the
# collection hook above cannot see it among the test's fixtures.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: a SQLite file, or a new database on the test PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server: str = request.getfixturevalue("postgres_server")
    return asyncio.run(create_database(server, f"samsvar_test_{next(_numbers)}"))


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh Redis on loopback for one test (it may stop and start it again)."""
    missing = redis_missing()
    if missing is not None:
        pytest.skip(missing)
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server
