"""Agents for tests of the hand-off: created in the server's database, signed in over HTTP,
listening on the agent WebSocket (docs/agent-api.md), and a clock the test moves.

- `add_agent(live, name, teams, …)`: a new agent with the password `PASSWORD`.
- `Desk(live, name)`: an agent's console without the browser, on a server in a thread or a
  `samsvar serve` process: `sign_in()`, an httpx client that holds the sign-in cookie (`http`),
  `listen()` opens the WebSocket and keeps what it received, `expect(type, …)` waits for a
  frame.
- `Clock(at)`: the server's clock; `advance(...)` moves it on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from handoff import do_add_agent, hash_password
from tests.server import LiveServer, ServeProcess

AGENT_API = "/api/v1/agent"
AGENT_WS = "/api/v1/agent/ws"
PASSWORD = "ei lang passordsetning for testene"


class Clock:
    """A server clock (aware UTC) that moves only when the test says so."""

    def __init__(self, at: dt.datetime) -> None:
        self.now = at

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def add_agent(
    live: LiveServer,
    name: str,
    teams: Sequence[str],
    *,
    admin: bool = False,
    max_chats: int = 3,
    display_name: str | None = None,
) -> str:
    """Create an agent in the server's database; its id."""
    hashed = hash_password(PASSWORD)

    async def add() -> str:
        async with live.db.writing() as session, session.begin():
            agent = await do_add_agent(
                session,
                name=name,
                display_name=display_name or name.capitalize(),
                password_hash=hashed,
                teams=teams,
                now=dt.datetime.now(dt.UTC),
                admin=admin,
                max_chats=max_chats,
            )
            return str(agent.id)

    return live.run(add())


class Desk:
    """One agent's console: the HTTP client with the cookie and the WebSocket."""

    def __init__(self, live: LiveServer | ServeProcess, name: str) -> None:
        self.live, self.name = live, name
        self.http = httpx.Client(base_url=live.url + AGENT_API, timeout=30)
        self.ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()
        self.received: list[dict[str, Any]] = []
        self.agent: dict[str, Any] = {}

    def sign_in(self, password: str = PASSWORD) -> httpx.Response:
        answer = self.http.post("/sign-in", json={"name": self.name, "password": password})
        if answer.status_code == 200:
            self.agent = answer.json()["agent"]
        return answer

    @property
    def cookie(self) -> str:
        return self.http.cookies.get("samsvar_agent") or ""

    def online(self, status: str = "online") -> dict[str, Any]:
        answer = self.http.post("/me/status", json={"status": status})
        assert answer.status_code == 200, answer.text
        agent: dict[str, Any] = answer.json()["agent"]
        return agent

    def listen(self, cookie: str | None = None) -> dict[str, Any]:
        """Open the agent WebSocket with the sign-in cookie; its first frame."""
        cookie = self.cookie if cookie is None else cookie
        url = self.live.url.replace("http://", "ws://") + AGENT_WS
        headers = {"Cookie": f"samsvar_agent={cookie}"} if cookie else None
        self.ws = self._stack.enter_context(
            connect(url, additional_headers=headers, open_timeout=30)
        )
        return self.recv()

    def recv(self, timeout: float = 30) -> dict[str, Any]:
        assert self.ws is not None
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        self.received.append(frame)
        return frame

    def expect(
        self,
        kind: str,
        where: Callable[[dict[str, Any]], bool] = lambda _frame: True,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """The next frame of this type that fits `where` (other frames are kept)."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.recv(max(0.01, deadline - time.monotonic()))
            if frame["type"] == kind and where(frame):
                return frame

    def quiet(self, seconds: float = 0.5) -> list[dict[str, Any]]:
        frames = []
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0:
                frames.append(self.recv(left))
        return frames

    def close(self) -> None:
        self._stack.close()
        self.ws = None
        self.http.close()

    def __enter__(self) -> Desk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
