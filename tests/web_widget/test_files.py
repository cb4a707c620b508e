"""The shipped browser files: the widget's size and hosts, and the demo shop's pages and links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.web_widget.widget import WEB_WIDGET, demo_file

WIDGET = WEB_WIDGET / "widget.js"
DEMO = WEB_WIDGET / "demo"
PAGES = sorted(DEMO.rglob("*.html"))
MAX_WIDGET_BYTES = 40 * 1024  # the target: at most 40 KB uncompressed

# A scheme-qualified or protocol-relative address in code, CSS or markup.
HOST_REFERENCE = re.compile(r"""(?:\b(?:https?|wss?|ftp):)?//[a-z0-9.-]+\.[a-z]{2,}""", re.I)
# Ways a script or stylesheet could reach another host without spelling out an address.
REMOTE_LOADERS = re.compile(
    r"@import|@font-face|\burl\(|importScripts|\bimport\(|XMLHttpRequest|fetch\("
)


def test_the_widget_is_at_most_40_kb() -> None:
    size = WIDGET.stat().st_size
    assert size <= MAX_WIDGET_BYTES, (
        f"widget.js has {size:,} bytes; the limit is {MAX_WIDGET_BYTES:,}"
    )


SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # a name for the SVG vocabulary; never fetched


def test_the_widget_references_no_other_host() -> None:
    code = WIDGET.read_text("utf-8").replace(f'"{SVG_NAMESPACE}"', '""')
    assert HOST_REFERENCE.findall(code) == []
    assert REMOTE_LOADERS.findall(code) == []


def test_every_widget_language_has_every_text() -> None:
    code = WIDGET.read_text("utf-8")
    keys_match = re.search(r"const KEYS = `([^`]*)`", code)
    assert keys_match, "widget.js defines KEYS"
    keys = keys_match.group(1).split()
    assert len(keys) == len(set(keys)), "a key is listed twice"
    texts = dict(re.findall(r"\n(nb|nn|sv|da|fi|en): `([^`]*)`,", code))
    assert sorted(texts) == sorted(["nb", "nn", "sv", "da", "fi", "en"])
    for lang, block in texts.items():
        lines = block.split("\n")
        assert len(lines) == len(keys), f"{lang} has {len(lines)} texts for {len(keys)} keys"
        assert all(line.strip() == line and line for line in lines), (
            f"{lang}: an empty or padded text"
        )
        by_key = dict(zip(keys, lines, strict=True))
        assert "chat" in by_key["open"].lower() and "chat" in by_key["shut"].lower()
        assert all("{n}" in by_key[key] for key in ("place", "wait", "opens", "helping", "stars"))


def test_the_widget_talks_only_to_the_visitor_websocket() -> None:
    code = WIDGET.read_text("utf-8")
    assert re.findall(r"new WebSocket\(", code) == ["new WebSocket("]
    assert re.findall(r"/api/v1/widget/[a-z]*", code) == ["/api/v1/widget/ws"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "script":
            self.scripts.append(values)
        elif tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        elif tag == "form" and values.get("action"):
            self.links.append(str(values["action"]))
        elif tag == "link" and values.get("href"):
            self.assets.append(str(values["href"]))


def _parse(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text("utf-8"))
    return parsed


def _url_path(page: Path) -> str:
    relative = page.relative_to(DEMO).with_suffix("").as_posix()
    return "/" + re.sub(r"(^|/)index$", "", relative)


def test_the_demo_has_every_page_in_norwegian_and_english() -> None:
    paths = {_url_path(page) for page in PAGES}
    wanted = {
        "/",
        "/products/nordlys-bordlampe",
        "/checkout",
        "/checkout/payment-failed",
        "/orders",
    }
    assert wanted <= paths
    assert {"/en" + path.rstrip("/") or "/en" for path in wanted} <= {
        path.rstrip("/") for path in paths
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda page: _url_path(page))
def test_each_page_declares_its_language(page: Path) -> None:
    expected = "en" if _url_path(page).startswith("/en") else "nb"
    assert _parse(page).lang == expected


@pytest.mark.parametrize("page", PAGES, ids=lambda page: _url_path(page))
def test_each_page_embeds_the_widget_with_one_script_tag(page: Path) -> None:
    scripts = _parse(page).scripts
    assert len(scripts) == 1, "a demo page has exactly one script: the widget"
    (tag,) = scripts
    assert tag["src"] == "/widget.js"
    assert "defer" in tag


@pytest.mark.parametrize("page", PAGES, ids=lambda page: _url_path(page))
def test_each_link_leads_to_a_demo_page(page: Path) -> None:
    parsed = _parse(page)
    for href in parsed.links + parsed.assets:
        if href.startswith("#"):
            continue
        assert href.startswith("/") and not href.startswith("//"), f"{href} leaves the demo"
        assert demo_file(href) is not None, f"{page.name}: {href} is not a demo page or asset"


@pytest.mark.parametrize("asset", [*PAGES, *DEMO.rglob("*.css"), *DEMO.rglob("*.svg")], ids=str)
def test_the_demo_loads_nothing_from_another_host(asset: Path) -> None:
    text = asset.read_text("utf-8").replace(f'xmlns="{SVG_NAMESPACE}"', "")
    assert HOST_REFERENCE.findall(text) == []
    assert re.findall(r"@import|@font-face", text) == []


def _normal(path: str) -> str:
    return path.rstrip("/") or "/"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: _url_path(page))
def test_each_page_links_to_its_translation(page: Path) -> None:
    path = _url_path(page)
    english = path == "/en" or path.startswith("/en/")
    other = _normal(path.removeprefix("/en")) if english else _normal("/en" + path)
    assert other in {_normal(link) for link in _parse(page).links}, f"{path} has no link to {other}"
