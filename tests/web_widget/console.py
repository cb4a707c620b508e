"""The agent console as an agent (or a screen reader) sees it, and an agent over the raw API.

`Desk` finds the console's parts by role and accessible name (docs/console.md), the same way
`Widget` does for the visitor's side. `AgentClient` is an agent that uses the agent API
(docs/agent-api.md) directly over HTTP and the WebSocket, for tests where the agent is not the
thing under test (the widget's side of a hand-off).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect
from websockets.sync.client import ClientConnection, connect

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.server import LiveServer

AGENT_API = "/api/v1/agent"
PASSWORD = "rett-passord-123"  # every test agent's password

# The console's texts that tests look for, per UI language (web_widget/console/texts.js).
DESK_UI: dict[str, dict[str, str]] = {
    "nb": {
        "name": "Navn",
        "password": "Passord",
        "sign_in": "Logg inn",
        "sign_out": "Logg ut",
        "bad_credentials": "Feil navn eller passord.",
        "expired": "Økten din er utløpt. Logg inn på nytt.",
        "signed_out": "Du er logget ut.",
        "queue": "Kø",
        "mine": "Mine saker",
        "case": "Sak {number}",
        "claim": "Ta saken",
        "transfer": "Overfør …",
        "resolve": "Løs saken",
        "transcript": "Samtale",
        "reply": "Svar til besøkeren",
        "send": "Send",
        "search": "Søk i svarene",
        "insert": "Sett inn på {lang}",
        "note": "Nytt notat",
        "add_note": "Legg til notat",
        "context": "Kontekst",
        "status": "Min status",
        "new_case": "Ny sak {number}",
        "typing": "Besøkeren skriver …",
        "rating": "Vurdering",
    },
    "en": {
        "name": "Name",
        "password": "Password",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "queue": "Queue",
        "mine": "My cases",
        "case": "Case {number}",
        "claim": "Claim",
        "context": "Context",
    },
}


@dataclass
class Desk:
    """The console in one browser page."""

    page: Page
    lang: str = "nb"

    def text(self, key: str, **values: str) -> str:
        return DESK_UI[self.lang][key].format(**values)

    # ----- signing in -----

    @property
    def name_box(self) -> Locator:
        return self.page.get_by_role("textbox", name=self.text("name"), exact=True)

    @property
    def password_box(self) -> Locator:
        return self.page.get_by_label(self.text("password"), exact=True)

    @property
    def sign_in_button(self) -> Locator:
        return self.page.get_by_role("button", name=self.text("sign_in"), exact=True)

    def sign_in(self, name: str, password: str = PASSWORD) -> None:
        self.name_box.fill(name)
        self.password_box.fill(password)
        self.sign_in_button.click()

    def signed_in(self) -> None:
        expect(self.page.get_by_role("button", name=self.text("sign_out"))).to_be_visible()

    def alert(self, text: str) -> Locator:
        return self.page.get_by_role("alert").filter(has_text=text)

    def status(self, text: str) -> Locator:
        return self.page.get_by_role("status").filter(has_text=text)

    # ----- the queue -----

    @property
    def queue(self) -> Locator:
        return self.page.get_by_role("list", name=re.compile("^" + re.escape(self.text("queue"))))

    @property
    def mine(self) -> Locator:
        return self.page.get_by_role("list", name=self.text("mine"), exact=True)

    def case_in(self, where: Locator, number: str) -> Locator:
        return where.get_by_role("button", name=re.compile(re.escape(number)))

    # ----- the open case -----

    def heading(self, number: str) -> Locator:
        return self.page.get_by_role("heading", name=self.text("case", number=number), exact=True)

    def button(self, key: str) -> Locator:
        return self.page.get_by_role("button", name=self.text(key), exact=True)

    @property
    def transcript(self) -> Locator:
        return self.page.get_by_role("log", name=self.text("transcript"), exact=True)

    @property
    def reply_box(self) -> Locator:
        return self.page.get_by_role("textbox", name=self.text("reply"), exact=True)

    @property
    def context(self) -> Locator:
        return self.page.get_by_role("complementary", name=self.text("context"))

    def context_row(self, term: str) -> Locator:
        """The value (`dd`) of one row of the context panel."""
        return self.context.locator("dt", has_text=re.compile("^" + re.escape(term) + "$")).locator(
            "xpath=following-sibling::dd[1]"
        )

    @property
    def search_box(self) -> Locator:
        return self.page.get_by_role("searchbox", name=self.text("search"), exact=True)


@dataclass
class AgentClient:
    """An agent using the agent API directly: HTTP with the sign-in cookie, and the WebSocket."""

    base_url: str
    name: str
    password: str = PASSWORD
    http: httpx.Client = field(init=False)
    ws: ClientConnection | None = field(default=None, init=False)
    received: list[dict[str, Any]] = field(default_factory=list, init=False)
    _stack: contextlib.ExitStack[None] = field(default_factory=contextlib.ExitStack, init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.base_url + AGENT_API, timeout=30)

    def sign_in(self) -> dict[str, Any]:
        answer = self.http.post("/sign-in", json={"name": self.name, "password": self.password})
        assert answer.status_code == 200, answer.text
        agent: dict[str, Any] = answer.json()["agent"]
        return agent

    def call(
        self, method: str, path: str, body: Any = None, *, status: int = 200
    ) -> dict[str, Any]:
        answer = self.http.request(method, path, json=body)
        assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
        data: dict[str, Any] = answer.json()
        return data

    def set_status(self, status: str) -> dict[str, Any]:
        agent: dict[str, Any] = self.call("POST", "/me/status", {"status": status})["agent"]
        return agent

    def case(self, case_id: str) -> dict[str, Any]:
        return self.call("GET", f"/cases/{case_id}")

    def find_case(self, number: str, timeout: float = 30) -> dict[str, Any]:
        """The open case with this number, waiting until it exists."""
        deadline = time.monotonic() + timeout
        while True:
            cases = self.call("GET", "/queue?status=open&limit=200")["cases"]
            found = [c for c in cases if c["number"] == number]
            if found:
                return found[0]
            assert time.monotonic() < deadline, f"no open case {number}"
            time.sleep(0.2)

    def claim(self, case_id: str) -> dict[str, Any]:
        return self.call("POST", f"/cases/{case_id}/claim")["case"]

    def reply(self, case_id: str, text: str) -> dict[str, Any]:
        body = {"client_id": str(uuid.uuid4()), "text": text}
        return self.call("POST", f"/cases/{case_id}/messages", body)["message"]

    def resolve(self, case_id: str) -> dict[str, Any]:
        return self.call("POST", f"/cases/{case_id}/resolve")["case"]

    def connect(self) -> dict[str, Any]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        url = self.base_url.replace("http://", "ws://") + AGENT_API + "/ws"
        self.ws = self._stack.enter_context(
            connect(url, additional_headers={"Cookie": cookie}, open_timeout=30)
        )
        return self.expect("welcome")

    def send(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(frame))

    def expect(self, kind: str, timeout: float = 30, **match: Any) -> dict[str, Any]:
        """The next frame of this type whose fields equal `match` (others are kept)."""
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while True:
            frame: dict[str, Any] = json.loads(
                self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            )
            self.received.append(frame)
            if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
                return frame

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stack.close()  # the WebSocket, when connected
        self.ws = None
        self.http.close()


def focused_text(page: Page) -> str:
    text: str = page.evaluate("document.activeElement ? document.activeElement.textContent : ''")
    return text


def tab_to(page: Page, reached: Any, limit: int = 40) -> None:
    """Press Tab until `reached()` is true (at most `limit` times)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if reached():
            return
    raise AssertionError(f"Tab never reached the target; focus is on {focused_text(page)!r}")


def focused_in(page: Page, selector: str) -> bool:
    inside: bool = page.evaluate(
        "s => Boolean(document.activeElement && document.activeElement.closest(s))", selector
    )
    return inside


def assert_focus_ring(page: Page) -> None:
    """The focused element shows a visible ring (at least 2 px, solid)."""
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 2, ring


def escalate(server: LiveServer, text: str, page_url: str | None = None) -> str:
    """A visitor over a real WebSocket asks `text`, skips any question: the case number."""
    with server.visitor() as visitor:
        visitor.hello({"url": page_url or server.url + "/"})
        visitor.message(text)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            frame = visitor.recv(max(0.01, deadline - time.monotonic()))
            if frame["type"] == "status" and (frame.get("case") or {}).get("number"):
                number: str = frame["case"]["number"]
                return number
            message = frame.get("message") or {}
            if frame["type"] == "message" and message.get("decision") == "collect":
                visitor.send({"type": "skip", "client_id": str(uuid.uuid4())})
        raise AssertionError(f"no case for {text!r}: {visitor.received}")
