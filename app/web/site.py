"""The demo web shop and the widget script, served by `samsvar serve`.

`GET /widget.js` is `web_widget/widget.js`. `GET /` is `web_widget/demo/index.html`, and
`GET /<path>` is `web_widget/demo/<path>.html`, `…/<path>/index.html`, or a file with a known
type (CSS, images). Each segment of a path must be a plain name (letters, digits, `.`, `_`, `-`,
not starting with a dot), so nothing outside the demo folder can be reached. Anything else is
a 404 page. Paths under `/api/` never reach this router.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.convertors import Convertor, register_url_convertor

import web_widget

__all__ = ["get_widget_dir", "not_found_page", "router"]

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


class _SitePath(Convertor[str]):
    """Any path except those under api/ (which belong to the API and its JSON errors)."""

    regex = r"(?!api(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("sitepath", _SitePath())

router = APIRouter(include_in_schema=False)


def get_widget_dir() -> Path:
    """The folder with widget.js and demo/ (inside the installed `web_widget` package)."""
    return Path(web_widget.__file__).resolve().parent


def _widget_dir(request: Request) -> Path:
    folder: Path = request.app.state.widget_dir
    return folder


def _demo_file(widget_dir: Path, path: str) -> Path | None:
    demo = (widget_dir / "demo").resolve()
    segments = [s for s in path.strip("/").split("/") if s]
    if any(not _SEGMENT.fullmatch(s) for s in segments):
        return None
    base = demo.joinpath(*segments)
    candidates = [base / "index.html"] if not segments else []
    if segments:
        candidates = [base, base.with_name(base.name + ".html"), base / "index.html"]
    for candidate in candidates:
        resolved = candidate.resolve()
        if (
            resolved.is_file()
            and resolved.is_relative_to(demo)
            and resolved.suffix.lower() in _TYPES
        ):
            return resolved
    return None


def not_found_page(path: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        "<title>Fant ikke siden</title></head><body>"
        "<h1>Fant ikke siden</h1><p>Page not found.</p>"
        '<p><a href="/">Til forsiden</a> · <a href="/en/">Home (English)</a></p>'
        "</body></html>"
    )
    return HTMLResponse(body, status_code=404, headers=_HEADERS)


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def widget_script(request: Request) -> Response:
    script = _widget_dir(request) / "widget.js"
    if not script.is_file():
        return not_found_page(request.url.path)
    return FileResponse(script, media_type=_TYPES[".js"], headers=_HEADERS)


@router.api_route("/{path:sitepath}", methods=["GET", "HEAD"])
async def demo_page(request: Request, path: str) -> Response:
    found = _demo_file(_widget_dir(request), path)
    if found is None:
        return not_found_page(request.url.path)
    return FileResponse(found, media_type=_TYPES[found.suffix.lower()], headers=_HEADERS)
