"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against a real server.

- `browser`: one headless Chromium for the session (`/usr/bin/chromium`, the arguments from
  STACK.md). Every browser test is skipped, with the reason, when that binary is missing.
- `site`: one real Samsvar server for the session (uvicorn on 127.0.0.1:0 in a thread, over
  the session's demo index) serving the visitor API, `widget.js` and the demo shop.
- `open_page(path, *, locale=…, base=…)`: a new browser context (a new visitor with empty
  `localStorage`) on a page of `site` (`path=None`: not navigated yet). An uncaught
  JavaScript error fails the test, and a screenshot of every page opened is saved in
  `var/screenshots/` when the test ends.
- `shot(page, step)`: save a screenshot of a step now (`var/screenshots/<test>-<step>.png`).
- `restartable_server`: `samsvar serve` in a subprocess on a fixed port, which a test can kill
  (SIGKILL) and start again on the same port, over its own copy of the demo index.
- `desk_server`: a real server of its own for each module of hand-off tests (a fresh database, so
  other tests' cases do not crowd its queues), with the agents of `AGENTS` created through
  `samsvar agents add`.
- `serve_desk(engine, data_dir, run_samsvar, clock=None)`: the same as a context manager, for a
  test that sets the server's clock (business hours).
- `agents`: an `AgentClient` per agent, signed in over the API and set to *away* before each
  test, so nothing is assigned automatically until a test says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import RunSamsvar, samsvar_env
from tests.server import (
    OPEN_HOURS,
    LiveServer,
    make_settings,
    running_clock,
    samsvar_serve,
    start_server,
)
from tests.web_widget.console import PASSWORD, AgentClient

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from app.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 860}

OpenPage = Callable[..., "Page"]
Shot = Callable[["Page", str], Path]


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def site(demo_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path_factory.mktemp("site-data"))
    # Inside business hours whatever the real day and hour (hand-offs say the queue place).
    with start_server(settings, engine=demo_engine, clock=running_clock(OPEN_HOURS)) as live:
        yield live


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shot:
    test = _file_name(request.node.name)

    def save(page: Page, step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{_file_name(step)}.png"
        page.screenshot(path=path)
        return path

    return save


@pytest.fixture
def open_page(
    browser: Browser, site: LiveServer, request: pytest.FixtureRequest
) -> Iterator[OpenPage]:
    opened: list[tuple[Page, list[str]]] = []
    contexts = []

    def open_(
        path: str | None = "/", *, locale: str = "nb-NO", base: str | None = None, **context: Any
    ) -> Page:
        ctx = browser.new_context(viewport=VIEWPORT, locale=locale, **context)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        opened.append((page, errors))
        if path is not None:  # None: the test routes or sets up something first
            page.goto((base or site.url) + path)
        return page

    yield open_
    test = _file_name(request.node.name)
    for number, (page, _) in enumerate(opened):
        suffix = f"-{number + 1}" if len(opened) > 1 else ""
        with contextlib.suppress(Exception):  # a screenshot must not hide the test's own failure
            page.screenshot(path=SCREENSHOTS / f"{test}{suffix}.png")
    for ctx in contexts:
        ctx.close()
    uncaught = [error for _, errors in opened for error in errors]
    assert not uncaught, f"uncaught JavaScript errors: {uncaught}"


class RestartableServer:
    """`samsvar serve` on one port, which the test can kill and start again."""

    def __init__(self, data_dir: Path, cwd: Path) -> None:
        self.env = samsvar_env(data_dir)
        self.cwd = cwd
        self.port = 0
        self.url = ""
        self._stack = contextlib.ExitStack()
        self._current: Any = None

    def start(self) -> str:
        command = str(Path(sys.executable).with_name("samsvar"))
        serving = self._stack.enter_context(
            samsvar_serve(command, self.env, self.cwd, port=self.port)
        )
        self._current = serving
        self.url = serving.url
        self.port = int(self.url.rsplit(":", 1)[1])
        return self.url

    def kill(self) -> None:
        """Stop the process at once (SIGKILL): its sockets die without a goodbye."""
        process = self._current.process
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def close(self) -> None:
        self._stack.close()


@pytest.fixture
def restartable_server(demo_data_dir: Path, tmp_path: Path) -> Iterator[RestartableServer]:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data_dir, data_dir, ignore=shutil.ignore_patterns("samsvar.db*"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    server = RestartableServer(data_dir, cwd)
    server.start()
    try:
        yield server
    finally:
        server.close()


# name: (display name, teams, extra `agents add` options)
AGENTS: dict[str, tuple[str, list[str], list[str]]] = {
    "kari": ("Kari", ["payments", "support"], []),
    "ola": ("Ola", ["returns"], []),
    "sjef": ("Sjefen", ["support"], ["--admin"]),
}


@contextlib.contextmanager
def serve_desk(
    engine: Engine,
    data_dir: Path,
    run_samsvar: RunSamsvar,
    clock: Callable[[], dt.datetime] | None = None,
) -> Iterator[LiveServer]:
    """A real server over a fresh database in `data_dir`, with the agents of `AGENTS`.

    Without `clock` the server's clock runs from a Tuesday morning inside business hours, so
    the tests behave the same on any day at any hour.
    """
    settings = make_settings(data_dir)
    clock = clock or running_clock(OPEN_HOURS)
    with start_server(settings, engine=engine, clock=clock) as live:
        for name, (display, teams, extra) in AGENTS.items():
            team_options = [option for team in teams for option in ("--team", team)]
            done = run_samsvar(
                "agents",
                "add",
                name,
                *team_options,
                "--display-name",
                display,
                *extra,
                "--password-stdin",
                data_dir=data_dir,
                stdin=PASSWORD + "\n",
            )
            assert done.returncode == 0, done.stderr
        yield live


@pytest.fixture(scope="module")
def desk_server(
    demo_engine: Engine, tmp_path_factory: pytest.TempPathFactory, run_samsvar: RunSamsvar
) -> Iterator[LiveServer]:
    with serve_desk(demo_engine, tmp_path_factory.mktemp("desk-data"), run_samsvar) as live:
        yield live


@pytest.fixture
def agents(desk_server: LiveServer) -> Iterator[dict[str, AgentClient]]:
    clients = {name: AgentClient(desk_server.url, name) for name in AGENTS}
    try:
        for client in clients.values():
            client.sign_in()
            client.set_status("away")
        yield clients
    finally:
        for client in clients.values():
            client.close()
