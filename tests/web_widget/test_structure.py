"""The widget's accessible structure (a contract, docs/widget.md), its UI languages, and isolation.

Every check goes through roles and accessible names in a real Chromium, against the real server.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.web_widget.widget import CHAT, CONTRAST_JS, STYLE_JS, UI, Widget, demo_file

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

    from app.engine import Engine
    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, Shot

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("lang", "path"), [("nb", "/checkout/payment-failed"), ("en", "/en/checkout/payment-failed")]
)
def test_the_accessible_structure(open_page: OpenPage, shot: Shot, lang: str, path: str) -> None:
    page = open_page(path)
    widget = Widget(page, lang)
    assert page.evaluate("document.querySelector('samsvar-chat').shadowRoot.mode") == "open"
    launcher = widget.launcher
    expect(launcher).to_have_count(1)
    expect(launcher).to_have_accessible_name(re.compile("^" + widget.text("open")))
    expect(launcher).to_have_attribute("aria-expanded", "false")
    # The proactive offer arrives before the visitor types; its quick replies are buttons.
    expect(launcher).to_have_accessible_name(re.compile(widget.text("unread") + ": 1$"))
    shot(page, "offer")

    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(launcher).to_have_accessible_name(widget.text("shut"))
    expect(widget.dialog).to_have_accessible_name("Nordlys Hjem")
    expect(widget.log).to_have_accessible_name(widget.text("log"))
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.textbox).to_be_focused()
    replies = widget.log.get_by_role("group", name=widget.text("choices")).get_by_role("button")
    expect(replies.first).to_be_visible()
    assert replies.count() >= 1
    shot(page, "open")

    page.keyboard.press("Escape")
    expect(widget.dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def _host_page(lang: str, attributes: str = "") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>test</title>'
        f'</head><body><h1>Host page</h1><script src="/widget.js" {attributes} defer></script>'
        "</body></html>"
    )


def _serve_html(page: Page, url: str, html: str) -> None:
    page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))


LANGUAGE_CASES = [
    # (page lang, browser locale, data-* attributes, UI language)
    ("no", "en-US", "", "nb"),
    ("nb-NO", "en-US", "", "nb"),
    ("nn-NO", "en-US", "", "nn"),
    ("sv-SE", "en-US", "", "sv"),
    ("da-DK", "en-US", "", "da"),
    ("fi-FI", "en-US", "", "fi"),
    ("en-GB", "sv-SE", "", "en"),
    ("de", "sv-SE", "", "sv"),  # a page language we do not have: the browser's
    ("", "fi-FI", "", "fi"),
    ("de", "de-DE", "", "nb"),  # neither: bokmål
    ("en", "en-US", 'data-lang="da"', "da"),  # the site owner's choice wins
]


@pytest.mark.parametrize(("page_lang", "locale", "attributes", "ui"), LANGUAGE_CASES)
def test_the_ui_language(
    open_page: OpenPage, site: LiveServer, page_lang: str, locale: str, attributes: str, ui: str
) -> None:
    page = open_page(None, locale=locale)
    _serve_html(page, f"{site.url}/host", _host_page(page_lang, attributes))
    page.goto(f"{site.url}/host")
    widget = Widget(page, ui)
    expect(widget.launcher).to_have_accessible_name(UI[ui]["open"])
    assert CHAT.search(UI[ui]["open"])
    widget.launcher.click()
    expect(widget.textbox).to_be_focused()
    expect(widget.log).to_have_accessible_name(UI[ui]["log"])


def test_the_host_page_css_does_not_leak_in(
    open_page: OpenPage, site: LiveServer, shot: Shot
) -> None:
    hostile = (
        "<style>html, body, body * { color: rgb(255, 0, 255) !important; font: italic 30px/3 serif"
        " !important; letter-spacing: 6px !important; text-transform: uppercase !important;"
        " background: yellow !important; }"
        " button, textarea, [role=log], .launcher, .msg, header, form { display: none !important;"
        " border: 9px solid red !important; }</style>"
    )
    plain = open_page(None)
    _serve_html(plain, f"{site.url}/host", _host_page("nb"))
    plain.goto(f"{site.url}/host")
    Widget(plain).open()
    expected = plain.locator("samsvar-chat").evaluate(STYLE_JS)

    page = open_page(None)
    _serve_html(page, f"{site.url}/host", _host_page("nb").replace("</head>", hostile + "</head>"))
    page.goto(f"{site.url}/host")
    Widget(page).open()
    shot(page, "hostile")
    assert page.locator("samsvar-chat").evaluate(STYLE_JS) == expected


def test_the_widget_css_does_not_leak_out(open_page: OpenPage, site: LiveServer) -> None:
    # The demo's pages use class and element names the widget also uses (badge, header, form).
    probe = """() => [...document.querySelectorAll('header, form, button, .badge, h2, table')]
        .map(el => { const s = getComputedStyle(el);
          return [el.tagName, el.className, s.color, s.backgroundColor, s.display, s.borderRadius,
                  s.fontSize, s.padding].join(' | '); })"""

    def without_widget(route: Route) -> None:
        route.abort()

    bare = open_page(None)
    bare.route(f"{site.url}/widget.js", without_widget)
    bare.goto(f"{site.url}/orders")
    with_widget = open_page("/orders")
    Widget(with_widget).open()
    assert with_widget.evaluate(probe) == bare.evaluate(probe)


@pytest.mark.parametrize(
    ("lang", "path"), [("nb", "/checkout/payment-failed"), ("en", "/en/checkout/payment-failed")]
)
def test_text_contrast_meets_wcag_aa(open_page: OpenPage, lang: str, path: str) -> None:
    page = open_page(path)
    widget = Widget(page, lang)
    expect(widget.launcher).to_have_accessible_name(re.compile(": 1$"))  # the offer's bubble
    texts = page.locator("samsvar-chat").evaluate(CONTRAST_JS)
    widget.open()
    widget.ask(
        "Kortet mitt blir avvist i kassen" if lang == "nb" else "Why was my payment declined?"
    )
    expect(widget.log.get_by_role("group", name=widget.text("helped"))).to_be_visible()
    texts += page.locator("samsvar-chat").evaluate(CONTRAST_JS)
    assert len(texts) > 10, texts
    failing = [text for text in texts if text["ratio"] < text["needed"]]
    assert failing == [], failing


FOCUS_JS = """host => {
  const el = host.shadowRoot.activeElement;
  if (!el) return null;
  const s = getComputedStyle(el);
  return {name: el.getAttribute('aria-label') || el.textContent.trim() || el.tagName,
          visible: el.matches(':focus-visible'),
          style: s.outlineStyle, width: parseFloat(s.outlineWidth)};
}"""


def test_focus_is_visible_on_every_control(open_page: OpenPage, shot: Shot) -> None:
    page = open_page("/checkout/payment-failed")
    widget = Widget(page)
    widget.open()
    widget.ask("Hva er hovedstaden i Peru?")  # no answer: the reply offers a person
    expect(widget.log.get_by_role("button", name=widget.text("human"))).to_be_visible()
    seen: dict[str, dict[str, object]] = {}
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        focused = page.locator("samsvar-chat").evaluate(FOCUS_JS)
        if focused is None:
            break
        seen[str(focused["name"])] = focused
    shot(page, "focus")
    assert {widget.text("human"), "Lukk"} <= set(seen), seen
    for name, focused in seen.items():
        assert focused["visible"] and focused["style"] != "none" and focused["width"] >= 2, name


def test_demo_files_map_like_the_server(site: LiveServer) -> None:
    """The test helper that serves demo files during an outage agrees with `samsvar serve`."""
    import httpx

    for path in ("/", "/checkout", "/en/checkout/payment-failed", "/site.css", "/widget.js"):
        found = demo_file(path)
        assert found is not None, path
        served = httpx.get(site.url + path, timeout=30)
        assert served.status_code == 200
        assert served.content == found.read_bytes(), path


def test_a_signed_in_customer_goes_on_from_another_device(
    open_page: OpenPage, demo_engine: Engine, tmp_path: Path
) -> None:
    """The site's signed identity (data-customer-id, data-customer-hmac) reaches the server,
    which continues the customer's conversation on a second browser (docs/widget.md)."""
    import shutil

    from conversations.identity import customer_hmac
    from conversations.storage import get_customer_visitor
    from tests.server import make_settings, start_server
    from web_widget import __file__ as widget_package

    secret = "delt hemmelighet mellom butikken og samsvar"
    signed = f'data-customer-id="kunde-5" data-customer-hmac="{customer_hmac(secret, "kunde-5")}"'
    widget_dir = tmp_path / "site"
    (widget_dir / "demo").mkdir(parents=True)
    shutil.copy(Path(widget_package).parent / "widget.js", widget_dir / "widget.js")
    (widget_dir / "demo" / "index.html").write_text(_host_page("nb", signed), encoding="utf-8")
    settings = make_settings(tmp_path / "data", identity_secret=secret)
    with start_server(settings, engine=demo_engine, widget_dir=widget_dir) as live:
        laptop = open_page("/", base=live.url)
        first = Widget(laptop, "nb")
        first.open()
        first.ask("Hvor er pakken min?")
        laptop.wait_for_function(  # stored: the conversation has begun
            "() => Object.keys(localStorage).some(k => k.startsWith('samsvar:') &&"
            " JSON.parse(localStorage.getItem(k)).conversation_id)"
        )
        phone = open_page("/", base=live.url)
        second = Widget(phone, "nb")
        second.open()
        expect(second.shown("Hvor er pakken min?")).to_have_count(1)
        customer = live.run(get_customer_visitor(live.db, "kunde-5"))
    assert customer is not None
    assert first.stored()["visitor_id"] == second.stored()["visitor_id"] == customer.id
