"""The widget as a visitor (or a screen reader) sees it: role locators and accessible names.

Everything here goes through the accessibility tree (`get_by_role`, which reaches into the
open shadow root of `<samsvar-chat>`), the same contract outside tests rely on
(docs/widget.md, "Accessibility contract").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

WEB_WIDGET = Path(__file__).resolve().parents[2] / "web_widget"
API = "/api/v1/widget"

# The UI texts a visitor sees, per language (the contract names these).
UI: dict[str, dict[str, str]] = {
    "nb": {
        "open": "Åpne chat",
        "shut": "Lukk chat",
        "input": "Skriv en melding",
        "log": "Meldinger",
        "choices": "Forslag",
        "reconnecting": "Kobler til på nytt",
        "sending": "Sender …",
        "yes": "Ja",
        "thanks": "Takk for tilbakemeldingen!",
        "human": "Snakk med et menneske",
        "helped": "Hjalp dette?",
        "typing": "skriver",
        "unread": "Uleste meldinger",
        "bubble": "Ny melding",
    },
    "nn": {"open": "Opne chat", "input": "Skriv ei melding", "log": "Meldingar"},
    "sv": {"open": "Öppna chatten", "input": "Skriv ett meddelande", "log": "Meddelanden"},
    "da": {"open": "Åbn chat", "input": "Skriv en besked", "log": "Beskeder"},
    "fi": {"open": "Avaa chat", "input": "Kirjoita viesti", "log": "Viestit"},
    "en": {
        "open": "Open chat",
        "shut": "Close chat",
        "input": "Write a message",
        "log": "Messages",
        "choices": "Suggestions",
        "reconnecting": "Reconnecting",
        "sending": "Sending …",
        "yes": "Yes",
        "thanks": "Thanks for your feedback!",
        "human": "Talk to a person",
        "helped": "Did this help?",
        "typing": "is typing",
        "unread": "Unread messages",
        "bubble": "New message",
        "fallback": "This answer is not in your language yet",
    },
}

CHAT = re.compile("chat", re.IGNORECASE)


@dataclass
class Widget:
    page: Page
    lang: str = "nb"

    @property
    def root(self) -> Locator:
        return self.page.locator("samsvar-chat")

    @property
    def launcher(self) -> Locator:
        return self.root.get_by_role("button", name=CHAT)

    @property
    def log(self) -> Locator:
        return self.root.get_by_role("log")

    @property
    def textbox(self) -> Locator:
        return self.root.get_by_role("textbox", name=UI[self.lang]["input"], exact=True)

    @property
    def bubble(self) -> Locator:
        """The preview of a new message by the launcher (a proactive offer, an agent's reply)."""
        return self.root.get_by_role("region", name=self.text("bubble"))

    @property
    def dialog(self) -> Locator:
        return self.root.get_by_role("dialog")

    def text(self, key: str) -> str:
        return UI[self.lang][key]

    def open(self) -> None:
        if self.launcher.get_attribute("aria-expanded") != "true":
            self.launcher.click()
        expect(self.textbox).to_be_focused()

    def ask(self, text: str) -> None:
        self.textbox.fill(text)
        self.textbox.press("Enter")

    def shown(self, text: str) -> Locator:
        """The messages in the log that contain `text` (one element per message)."""
        return self.log.get_by_text(text, exact=False)

    def status(self, text: str) -> Locator:
        return self.root.get_by_role("status").filter(has_text=text)

    def stored(self) -> dict[str, Any]:
        """What the widget keeps in localStorage (docs/widget.md, "Privacy")."""
        raw = self.page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('samsvar:'))"
            ".map(k => localStorage.getItem(k))"
        )
        assert len(raw) == 1, raw
        state: dict[str, Any] = json.loads(raw[0])
        return state


def stored_messages(base_url: str, visitor_id: str, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation as the server stored it, through the visitor API."""
    response = httpx.get(
        f"{base_url}{API}/conversations/{conversation_id}",
        headers={"X-Samsvar-Visitor": visitor_id},
        timeout=30,
    )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def demo_file(path: str) -> Path | None:
    """The file `samsvar serve` answers `path` with (widget.js, a demo page or asset)."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/widget.js":
        return WEB_WIDGET / "widget.js"
    demo = WEB_WIDGET / "demo"
    segments = [s for s in path.strip("/").split("/") if s]
    if not segments:
        return demo / "index.html"
    base = demo.joinpath(*segments)
    for candidate in (base, base.with_name(base.name + ".html"), base / "index.html"):
        if candidate.is_file():
            return candidate
    return None


# WCAG 2.1 contrast of every visible text against the background behind it, inside an element:
# the widget's host (its shadow root is searched) or a page's body.
CONTRAST_JS = """
host => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const up = e => e.parentElement
    || (e.getRootNode() instanceof ShadowRoot ? e.getRootNode().host : null);
  const background = el => {
    for (let e = el; e; e = up(e)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a >= 0.99) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const found = [];
  for (const el of (host.shadowRoot || host).querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const placeholder = el.tagName === 'TEXTAREA' && el.placeholder && !el.value;
    if (!own && !placeholder) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2 || !el.checkVisibility() || el.closest('.vh')) continue;
    if (el.closest('option')) continue;  // drawn by the operating system
    const style = getComputedStyle(el, placeholder ? '::placeholder' : null);
    const [hi, lo] = [lum(parse(style.color)), lum(background(el))].sort((a, b) => b - a);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    found.push({text: (placeholder ? el.placeholder : el.textContent).trim().slice(0, 40),
                ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100,
                needed: large ? 3 : 4.5});
  }
  return found;
}
"""

# Computed styles that the host page could leak into the widget, keyed by accessible name.
STYLE_JS = """
host => [...host.shadowRoot.querySelectorAll('button, textarea, [role=log], h2, .msg')]
  .filter(el => el.checkVisibility())
  .map(el => {
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return [el.tagName, el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20),
            s.color, s.backgroundColor, s.fontFamily, s.fontSize, s.lineHeight, s.letterSpacing,
            s.textTransform, Math.round(r.width), Math.round(r.height)].join(' | ');
  })
"""
