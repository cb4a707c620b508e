"""Content Security Policies in a real Chromium (decision 0114).

The demo shop is served with a strict policy (no `'unsafe-inline'` for scripts or styles), so
it is a site like those the widget must work on; a copy of the shop adds a stricter one still
in a <meta> (Trusted Types, nothing but the page's own origin). The console is
served with its own policy. Every CSP violation the page reports, and every console error,
fails the test.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from app.web.site import get_widget_dir
from tests.server import OPEN_HOURS, make_settings, running_clock, start_server
from tests.web_widget.console import Desk
from tests.web_widget.widget import Widget

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

    from app.engine import Engine
    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, Shot
    from tests.web_widget.console import AgentClient

pytestmark = pytest.mark.slow

# Records every violation the page reports, before any of its scripts run.
VIOLATIONS_JS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
STRICTER = (  # frame-ancestors cannot be set in a <meta>; the server's header has it
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'"
)


def _watch(page: Page) -> list[str]:
    """Console errors and CSP reports of `page`, as they come."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.add_init_script(VIOLATIONS_JS)
    return problems


def _violations(page: Page) -> list[Any]:
    found: list[Any] = page.evaluate("window.__violations")
    return found


def _chat(page: Page) -> None:
    widget = Widget(page)
    widget.open()
    widget.ask("Betalingen min ble avvist")
    expect(widget.log.get_by_role("link", name="shop.example/help/payment/declined")).to_be_visible(
        timeout=30_000
    )
    # The widget's styles apply: the launcher is laid out as a round button, not default text.
    radius = widget.launcher.evaluate("el => getComputedStyle(el).borderTopLeftRadius")
    assert radius not in ("", "0px"), radius


def test_the_widget_works_on_the_demo_shop_under_its_strict_policy(
    open_page: OpenPage, site: LiveServer, shot: Shot
) -> None:
    page = open_page(None)
    problems = _watch(page)
    answer = page.goto(site.url + "/")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    _chat(page)
    shot(page, "strict-csp")
    assert _violations(page) == []
    assert problems == []


def test_the_widget_works_under_trusted_types_and_nothing_but_self(
    open_page: OpenPage,
    demo_engine: Engine,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A shop whose page adds a stricter policy of its own in a <meta> (Trusted Types, nothing
    from anywhere but its own origin) on top of the server's header."""
    folder = tmp_path_factory.mktemp("strict-shop")
    shutil.copytree(get_widget_dir() / "demo", folder / "demo")
    shutil.copy(get_widget_dir() / "widget.js", folder / "widget.js")
    index = folder / "demo" / "index.html"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{STRICTER}">'
    index.write_text(
        index.read_text(encoding="utf-8").replace("<head>", f"<head>\n{meta}", 1),
        encoding="utf-8",
    )
    settings = make_settings(tmp_path_factory.mktemp("strict-shop-data"))
    with start_server(
        settings, engine=demo_engine, widget_dir=folder, clock=running_clock(OPEN_HOURS)
    ) as live:
        page = open_page(None, base=live.url)
        problems = _watch(page)
        page.goto(live.url + "/")
        assert page.evaluate("window.trustedTypes !== undefined")
        _chat(page)
        assert _violations(page) == []
        assert problems == []


def test_the_console_runs_under_its_policy_without_errors(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    page = open_page(None, base=desk_server.url)
    problems = _watch(page)
    answer = page.goto(desk_server.url + "/console/")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["referrer-policy"] == "no-referrer"
    desk = Desk(page)
    desk.sign_in("kari")
    desk.signed_in()
    me = page.evaluate(
        "fetch('/api/v1/agent/me').then(r => [r.status, r.headers.get('cache-control')])"
    )
    assert me == [200, "no-store"]
    insights = page.evaluate(
        "fetch('/console/insights.html').then(r => r.headers.get('content-security-policy'))"
    )
    assert insights == policy
    shot(page, "console-csp")
    assert _violations(page) == []
    # The console asks /me before anyone has signed in: Chromium logs that 401 as a failed
    # resource. It is the console's way of knowing, not an error of the page.
    unsigned = "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    assert [p for p in problems if p != unsigned] == []
