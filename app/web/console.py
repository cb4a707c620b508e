"""The agent console's files, served at `/console/` from `web_widget/console/`.

`/console` (no slash) redirects to `/console/`: the console's page links its CSS and modules
relatively, and those links resolve only under the folder's address. Until the files exist,
`/console/` is a 404 page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from app.web.site import _SEGMENT, _TYPES, not_found_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


@router.api_route("/console", methods=["GET", "HEAD"])
async def console_folder(request: Request) -> Response:
    """Redirect to the folder's address. The location is relative (`console/`), so it also
    works behind a proxy that serves Samsvar under a path prefix; the query is kept, and the
    browser keeps the fragment (`#case=…`)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"console/{query}", status_code=308, headers=_HEADERS)


@router.api_route("/console/{path:path}", methods=["GET", "HEAD"])
async def console_file(request: Request, path: str = "") -> Response:
    folder = (request.app.state.widget_dir / "console").resolve()
    segments = [s for s in path.split("/") if s]
    if any(not _SEGMENT.fullmatch(s) for s in segments):
        return not_found_page(request.url.path)
    target = folder.joinpath(*segments) if segments else folder / "index.html"
    if target.is_dir():
        target = target / "index.html"
    target = target.resolve()
    if not target.is_file() or not target.is_relative_to(folder) or target.suffix not in _TYPES:
        return not_found_page(request.url.path)
    return FileResponse(target, media_type=_TYPES[target.suffix], headers=_HEADERS)
