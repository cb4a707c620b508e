"""The demo site and the widget script as `samsvar serve` serves them; no way out of the folder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

import web_widget
from app.web.site import get_widget_dir
from tests.app.conftest import Serve
from tests.server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path, serve: Serve) -> LiveServer:
    folder = tmp_path / "web_widget"
    files = {
        "widget.js": "customElements.define('samsvar-chat', class extends HTMLElement {});\n",
        "demo/index.html": "<!doctype html><html lang='nb'><title>Hjem</title></html>",
        "demo/checkout.html": "<!doctype html><title>Kasse</title>",
        "demo/checkout/payment-failed.html": "<!doctype html><title>Betaling feilet</title>",
        "demo/en/index.html": "<!doctype html><html lang='en'><title>Home</title></html>",
        "demo/styles.css": "body { color: #222; }",
        "demo/.hidden.html": "secret",
        "demo/notes.py": "print('not served')",
        "secret.html": "outside the demo folder",
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return serve(widget_dir=folder)


def _get(live: LiveServer, path: str) -> httpx.Response:
    with live.http() as http:
        return http.get(path)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Hjem"),
        ("/checkout", "Kasse"),
        ("/checkout/", "Kasse"),
        ("/checkout/payment-failed", "Betaling feilet"),
        ("/en", "Home"),
        ("/en/", "Home"),
        ("/checkout?order=1", "Kasse"),
    ],
)
def test_pages_are_found_as_html_files_or_folders(site: LiveServer, path: str, title: str) -> None:
    response = _get(site, path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<title>{title}</title>" in response.text


def test_the_widget_script_and_assets(site: LiveServer) -> None:
    script = _get(site, "/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "samsvar-chat" in script.text
    css = _get(site, "/styles.css")
    assert (css.status_code, css.headers["content-type"]) == (200, "text/css; charset=utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/nowhere",
        "/checkout/nothing",
        "/../secret.html",
        "/%2e%2e/secret.html",
        "/checkout/..%2F..%2Fsecret.html",
        "/.hidden",
        "/.hidden.html",
        "/notes.py",
        "/notes",
        "/demo/index.html",
        "/en/%00",
    ],
)
def test_anything_else_is_a_404_page(site: LiveServer, path: str) -> None:
    with site.http() as http:
        response = http.send(http.build_request("GET", site.url + path))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "outside the demo folder" not in response.text
    assert "secret" not in response.text


def test_a_missing_widget_script_is_a_404(tmp_path: Path, serve: Serve) -> None:
    live = serve(widget_dir=tmp_path / "empty")
    assert _get(live, "/widget.js").status_code == 404
    assert _get(live, "/").status_code == 404


def test_the_files_come_from_the_installed_web_widget_package() -> None:
    assert get_widget_dir() == Path(web_widget.__file__).resolve().parent
    assert (get_widget_dir() / "__init__.py").is_file()


@pytest.mark.parametrize("path", ["/console", "/console/", "/console?lang=en", "/console/?x=1"])
def test_the_console_loads_its_css_and_script_with_and_without_the_slash(
    serve: Serve, path: str
) -> None:
    live = serve()
    with live.http() as http:
        page = http.get(path, follow_redirects=True)
        assert page.status_code == 200
        assert page.url.path == "/console/"
        assert page.url.query == httpx.URL(path).query
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text)
        script = re.search(r'<script type="module" src="([^"]+)"', page.text)
        assert css is not None and script is not None
        for link, kind in ((css[1], "text/css"), (script[1], "text/javascript")):
            asset = http.get(urljoin(str(page.url), link))
            assert asset.status_code == 200, link
            assert asset.headers["content-type"].startswith(kind)
