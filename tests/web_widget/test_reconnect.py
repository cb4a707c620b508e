"""The widget's WebSocket reliability: outages, lost frames, resends, and nothing shown twice.

The server is real. An outage is a real one (`samsvar serve` killed with SIGKILL and started
again on the same port); a lost frame is cut out of the real connection by Playwright's
WebSocket routing, which sits between the page and the server like a bad network.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from knowledge import AnswerBase, get_demo_dir, load_answer_base
from tests.web_widget.widget import Widget, demo_file, stored_messages

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route, WebSocketRoute

    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, RestartableServer, Shot

pytestmark = pytest.mark.slow

FIRST = "Kortet mitt blir avvist i kassen"  # payment-declined
DURING = "Hvor lang leveringstid har dere?"  # delivery-time, asked while the server is down


@pytest.fixture(scope="module")
def demo_base() -> AnswerBase:
    return load_answer_base(get_demo_dir())


def curated(base: AnswerBase, answer_id: str) -> str:
    answer = base.get(answer_id)
    assert answer is not None
    return answer.answer["nb"]


def _serve_the_shop_from_files(page: Page, base_url: str) -> None:
    """While the chat server is down, the shop's own pages still load (they live elsewhere in a
    real deployment); here Playwright answers them from the same files."""

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(base_url)
        found = demo_file(path)
        if found is None:
            route.fulfill(status=404, body="not found")
        else:
            route.fulfill(path=found)

    page.route(base_url + "/**", answer)


def _visitor_once(
    widget: Widget, base_url: str, visitor_text: str, reply_text: str, timeout: float = 5
) -> list[dict[str, Any]]:
    """Assert the visitor's message and its reply are each shown once and stored once, once
    everything has settled: the reply is shown and nothing is left to send."""
    expect(widget.shown(reply_text)).to_have_count(1, timeout=timeout * 1000)
    widget.page.wait_for_function(
        "() => Object.keys(localStorage).filter(k => k.startsWith('samsvar:'))"
        ".every(k => (JSON.parse(localStorage.getItem(k)).outbox || []).length === 0)"
    )
    expect(widget.shown(visitor_text)).to_have_count(1)
    expect(widget.shown(visitor_text)).not_to_contain_text(widget.text("sending"))
    expect(widget.shown(reply_text)).to_have_count(1)
    state = widget.stored()
    stored = stored_messages(base_url, state["visitor_id"], state["conversation_id"])
    assert [m["role"] for m in stored if m["text"] == visitor_text] == ["visitor"]
    assert [m["role"] for m in stored if m["text"] == reply_text] == ["bot"]
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
    return stored


def test_a_message_sent_during_an_outage_arrives_once(
    open_page: OpenPage,
    restartable_server: RestartableServer,
    shot: Shot,
    demo_base: AnswerBase,
) -> None:
    server = restartable_server
    # The page is served by the chat server, and during the outage from files without an
    # address; Chromium's Local Network Access checks would then block the reconnect to
    # loopback, so this visitor allows local network access (as a prompt would).
    page = open_page("/", base=server.url, permissions=["local-network-access"])
    widget = Widget(page)
    widget.open()
    widget.ask(FIRST)
    expect(widget.shown(curated(demo_base, "payment-declined"))).to_have_count(1)
    state = widget.stored()

    _serve_the_shop_from_files(page, server.url)
    server.kill()
    expect(widget.status(widget.text("reconnecting"))).to_be_visible()
    widget.ask(DURING)
    pending = widget.shown(DURING)
    expect(pending).to_contain_text(widget.text("sending"))
    shot(page, "outage")
    page.reload()  # the unsent message was kept in localStorage
    expect(widget.shown(DURING)).to_contain_text(widget.text("sending"))
    assert [item["text"] for item in widget.stored()["outbox"]] == [DURING]

    server.start()  # the same port: the widget finds it by itself
    reply = curated(demo_base, "delivery-time")
    # The widget's backoff is capped at 15 s (with jitter), so it may wait that long.
    _visitor_once(widget, server.url, DURING, reply, timeout=30)
    expect(widget.shown(DURING)).not_to_contain_text(widget.text("sending"))
    expect(widget.status(widget.text("reconnecting"))).to_have_count(0)
    assert widget.stored()["outbox"] == []
    assert widget.stored()["conversation_id"] == state["conversation_id"]
    _visitor_once(widget, server.url, FIRST, curated(demo_base, "payment-declined"))
    shot(page, "after")


class _Cutter:
    """Sits between the page and the server; cuts the first connection at a chosen frame."""

    def __init__(self, cut: str) -> None:
        self.cut = cut  # "request": lose the visitor's message; "ack": lose the server's ack
        self.armed = True
        self.connections = 0
        self.sent: list[list[dict[str, Any]]] = []
        self.lock = threading.Lock()

    def __call__(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        self.connections += 1
        sent: list[dict[str, Any]] = []
        self.sent.append(sent)

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            sent.append(frame)
            if self.armed and self.cut == "request" and frame["type"] == "message":
                self.armed = False
                route.close()
                server.close()
                return
            server.send(message)

        def from_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if self.armed and self.cut == "ack" and frame["type"] == "ack":
                self.armed = False
                route.close()
                server.close()
                return
            route.send(message)

        route.on_message(from_page)
        server.on_message(from_server)


@pytest.mark.parametrize("cut", ["request", "ack"])
def test_a_lost_frame_is_resent_and_shown_once(
    open_page: OpenPage, site: LiveServer, shot: Shot, demo_base: AnswerBase, cut: str
) -> None:
    cutter = _Cutter(cut)
    page = open_page(None)
    page.route_web_socket("**/api/v1/widget/ws", cutter)
    page.goto(site.url + "/")
    widget = Widget(page)
    widget.open()
    widget.ask(FIRST)
    _visitor_once(widget, site.url, FIRST, curated(demo_base, "payment-declined"))
    assert cutter.connections >= 2 and not cutter.armed
    (first, *_) = (frame for frame in cutter.sent[0] if frame["type"] == "message")
    later = [frame for sent in cutter.sent[1:] for frame in sent if frame["type"] == "message"]
    if cut == "request":  # the server never got it: the widget sent it again, same client_id
        assert [frame["client_id"] for frame in later] == [first["client_id"]]
    assert {frame["client_id"] for frame in later} <= {first["client_id"]}
    assert widget.stored()["outbox"] == []
    shot(page, "after")


class _SlowBot:
    """Holds back what the server sends after `typing: on`, until the test releases it."""

    def __init__(self) -> None:
        self.route: WebSocketRoute | None = None
        self.held: list[str | bytes] = []
        self.holding = False

    def __call__(self, route: WebSocketRoute) -> None:
        self.route = route
        server = route.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if self.holding:
                self.held.append(message)
                return
            route.send(message)
            frame = json.loads(message)
            self.holding = frame["type"] == "typing" and frame["on"] is True

        server.on_message(from_server)

    def release(self) -> None:
        assert self.route is not None
        self.holding = False
        for message in self.held:
            self.route.send(message)


def test_the_typing_indicator_is_announced_politely(
    open_page: OpenPage, site: LiveServer, shot: Shot, demo_base: AnswerBase
) -> None:
    slow = _SlowBot()
    page = open_page(None)
    page.route_web_socket("**/api/v1/widget/ws", slow)
    page.goto(site.url + "/")
    widget = Widget(page)
    widget.open()
    widget.ask(FIRST)
    typing = widget.status(f"Nordlys Hjem {widget.text('typing')}")
    expect(typing).to_be_visible()
    expect(typing).to_have_attribute("aria-live", "polite")
    shot(page, "typing")
    slow.release()
    expect(widget.shown(curated(demo_base, "payment-declined"))).to_have_count(1)
    expect(typing).to_have_count(0)
