"""A real Samsvar server for tests: uvicorn on 127.0.0.1:0, in a thread or as `samsvar serve`.

`start_server(settings, engine=…)` runs the app in a thread of the test process on a fresh
port and yields a `LiveServer`; `live.run(coro)` runs a coroutine (e.g. a storage query) on
the server's own event loop, so tests can check what was stored on SQLite and PostgreSQL
alike. `samsvar_serve(...)` starts the real command in a subprocess and waits for the URL it
prints. `Visitor` is a small WebSocket client speaking docs/api.md: it keeps every frame it
received, and `expect(kind)` keeps the frames it passes over for the next read, so a reply that
arrives before an `ack` is still there for `reply()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from websockets.sync.client import ClientConnection, connect

from app.serve import bind, make_server, url_of
from app.settings import Settings

if TYPE_CHECKING:
    import uvicorn

    from app.engine import Engine
    from conversations.storage import Database

T = TypeVar("T")

WS_PATH = "/api/v1/widget/ws"
API = "/api/v1/widget"


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test server: nothing from the environment or a .env file."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "answers_dir": None,
        "chroma_url": None,
        "answer_threshold": None,
        "clarify_threshold": None,
        "database_url": None,
        "allowed_origins": [],
        "rate_limit_messages": 1000,
        # Every test visitor comes from 127.0.0.1: the limits per address are tested alone.
        "rate_limit_new_visitors": 1_000_000,
        "rate_limit_hellos": 1_000_000,
        "rate_limit_typing": 1_000_000,
        "rate_limit_seconds": 60.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def llm_settings(data_dir: Path, llm_url: str, **overrides: Any) -> Settings:
    """Test settings with the LLM at `llm_url` (the loopback server in tests/llm_server.py):
    2 s deadline, no retries, and a breaker that stays closed while tests share an engine."""
    values: dict[str, Any] = {
        "llm_base_url": llm_url,
        "llm_model": "gpt-4o-mini",
        "llm_timeout": 2.0,
        "llm_retries": 0,
        "llm_retry_backoff": 0.01,
        "llm_breaker_failures": 50,
    }
    return make_settings(data_dir, **(values | overrides))


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread
    loop: asyncio.AbstractEventLoop
    app: Any

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + WS_PATH

    @property
    def db(self) -> Database:
        database: Database = self.app.state.chat.db
        return database

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the server's event loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def visitor(self, **kwargs: Any) -> Visitor:
        return Visitor(self.ws_url, **kwargs)

    def conversation(self, page: Mapping[str, Any] | None = None) -> Visitor:
        """A new visitor with a conversation started over HTTP (`POST /conversations`), as a
        tab that has not connected yet (a page view alone starts no conversation)."""
        with self.http() as http:
            visitor_id = http.post(f"{API}/visitors").json()["visitor_id"]
            started = http.post(
                f"{API}/conversations",
                json={"page": dict(page) if page is not None else None},
                headers={"X-Samsvar-Visitor": visitor_id},
            )
        started.raise_for_status()
        return self.visitor(
            visitor_id=visitor_id, conversation_id=started.json()["conversation_id"]
        )


# Tuesday 1 December 2026, 10:00 in Oslo: the demo base's desk is open (08:00-20:00).
OPEN_HOURS = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def running_clock(start: dt.datetime) -> Callable[[], dt.datetime]:
    """A server clock that reads `start` when made and then moves on in real time.

    Tests whose outcome depends on business hours pass one to `start_server`, so they behave
    the same on any day at any hour.
    """
    began = time.monotonic()

    def clock() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - began)

    return clock


@contextlib.contextmanager
def start_server(
    settings: Settings,
    *,
    engine: Engine | None = None,
    widget_dir: Path | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> Iterator[LiveServer]:
    """Serve the app on a free loopback port in a thread; stop it on exit. `clock` replaces
    the server's wall clock (business hours, time-outs, reopening)."""
    from app.web import create_app

    sock = bind("127.0.0.1", 0)
    url = url_of(sock).rstrip("/")
    ready = threading.Event()
    loops: list[asyncio.AbstractEventLoop] = []

    def on_ready() -> None:
        loops.append(asyncio.get_running_loop())
        ready.set()

    app = create_app(settings, engine=engine, on_ready=on_ready, widget_dir=widget_dir, clock=clock)
    server = make_server(app, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not ready.wait(120):
            raise RuntimeError("the test server did not start within 120 s")
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the test server stopped while starting")
            time.sleep(0.01)
        yield LiveServer(url, settings, server, thread, loops[0], app)
    finally:
        server.should_exit = True
        thread.join(60)
        sock.close()


class Visitor:
    """One browser tab: a WebSocket that speaks docs/api.md and keeps what it received."""

    def __init__(
        self,
        ws_url: str,
        *,
        visitor_id: str | None = None,
        conversation_id: str | None = None,
        origin: str | None = None,
    ) -> None:
        self.ws_url, self.origin = ws_url, origin
        self.visitor_id, self.conversation_id = visitor_id, conversation_id
        self.ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()
        self.received: list[dict[str, Any]] = []  # every frame, in arrival order
        self._unread: deque[dict[str, Any]] = deque()  # passed over by `expect`, not yet read
        self.last_seq = 0

    def connect(self) -> ClientConnection:
        headers = {"Origin": self.origin} if self.origin else None
        self.ws = self._stack.enter_context(
            connect(self.ws_url, additional_headers=headers, open_timeout=30)
        )
        return self.ws

    def hello(self, page: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        if self.ws is None:
            self.connect()
        frame = {
            "type": "hello",
            "visitor_id": self.visitor_id,
            "conversation_id": self.conversation_id,
            "last_seq": self.last_seq,
            "page": dict(page) if page is not None else None,
        }
        self.send(frame | extra)
        welcome = self.expect("welcome")
        self.visitor_id, self.conversation_id = welcome["visitor_id"], welcome["conversation_id"]
        return welcome

    def send(self, frame: Mapping[str, Any] | str) -> None:
        assert self.ws is not None
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def message(self, text: str, client_id: str | None = None, **extra: Any) -> str:
        client_id = client_id or str(uuid.uuid4())
        self.send({"type": "message", "client_id": client_id, "text": text, **extra})
        return client_id

    def _read(self, timeout: float) -> dict[str, Any]:
        """The next frame from the socket, recorded in `received`."""
        assert self.ws is not None
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        self.received.append(frame)
        if frame["type"] == "message":
            self.last_seq = max(self.last_seq, frame["message"]["seq"])
        for message in frame.get("messages", ()) if frame["type"] != "message" else ():
            self.last_seq = max(self.last_seq, message["seq"])
        if frame["type"] == "ack":
            self.last_seq = max(self.last_seq, frame["seq"])
        if frame["type"] == "conversation":  # the server started the conversation
            self.conversation_id = frame["conversation_id"]
        return frame

    def recv(self, timeout: float = 30) -> dict[str, Any]:
        """The next frame not yet read: one that `expect` passed over, else a new one."""
        if self._unread:
            return self._unread.popleft()
        return self._read(timeout)

    def expect(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        """The next frame of this type not yet read. Frames of other types before it are kept
        for later `recv`, `expect` and `reply` calls, in order."""
        for index, frame in enumerate(self._unread):
            if frame["type"] == kind:
                del self._unread[index]
                return frame
        deadline = time.monotonic() + timeout
        while True:
            frame = self._read(max(0.01, deadline - time.monotonic()))
            if frame["type"] == kind:
                return frame
            self._unread.append(frame)

    def reply(self, timeout: float = 30) -> dict[str, Any]:
        """The next bot message not yet read (visitor messages before it are read past)."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.01, deadline - time.monotonic())
            message: dict[str, Any] = self.expect("message", left)["message"]
            if message["role"] == "bot":
                return message

    def quiet(self, seconds: float = 0.5) -> list[dict[str, Any]]:
        """Every frame not yet read, and every frame that arrives within `seconds` (to check
        that nothing more comes)."""
        frames = list(self._unread)
        self._unread.clear()
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0:
                frames.append(self._read(left))
        return frames

    def messages(self) -> list[dict[str, Any]]:
        """Every message received, from welcomes and message frames, in arrival order."""
        found: list[dict[str, Any]] = []
        for frame in self.received:
            if frame["type"] in ("welcome", "conversation"):
                found.extend(frame.get("messages", ()))
            elif frame["type"] == "message":
                found.append(frame["message"])
        return found

    def close(self) -> None:
        if self.ws is not None:
            self._stack.close()
            self.ws = None
        self._unread.clear()

    def __enter__(self) -> Visitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class ServeProcess:
    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)


URL_LINE = re.compile(r"running at (http://\S+/)")


@contextlib.contextmanager
def samsvar_serve(
    samsvar: str,
    env: Mapping[str, str],
    cwd: Path,
    *args: str,
    timeout: float = 300,
    port: int = 0,
) -> Iterator[ServeProcess]:
    """`samsvar serve --port PORT ARGS…` in a subprocess (port 0: any free one), until the URL
    is printed; SIGTERM on exit (unless the test already stopped it)."""
    process = subprocess.Popen(
        [samsvar, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    try:
        url = None
        while url is None:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"samsvar serve exited: {''.join(output)}")
            output.append(line)
            if found := URL_LINE.search(line):
                url = found.group(1).rstrip("/")
            if time.monotonic() > deadline:
                raise RuntimeError(f"samsvar serve printed no URL: {''.join(output)}")
        yield ServeProcess(url, process, output)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        output.append(process.stdout.read())
        process.stdout.close()
