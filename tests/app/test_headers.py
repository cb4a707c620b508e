"""Security headers on every response (decision 0114), checked on the ASGI app in-process:
pages, files, JSON errors, the body limit's 413 and CORS preflights."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from app.web.application import create_app
from app.web.headers import API_POLICY, CONSOLE_POLICY, SITE_POLICY
from tests.server import make_settings


def _get(tmp_path: Path, method: str, path: str, **kwargs: object) -> httpx.Response:
    app = create_app(make_settings(tmp_path))

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_the_policies_have_no_unsafe_inline_and_forbid_framing() -> None:
    for policy in (CONSOLE_POLICY, SITE_POLICY, API_POLICY):
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_every_kind_of_response_has_the_headers(tmp_path: Path) -> None:
    cases = {
        ("GET", "/"): (SITE_POLICY, "same-origin", 200),
        ("GET", "/widget.js"): (SITE_POLICY, "same-origin", 200),
        ("GET", "/no-such-page"): (SITE_POLICY, "same-origin", 404),
        ("GET", "/console/"): (CONSOLE_POLICY, "no-referrer", 200),
        ("GET", "/console"): (CONSOLE_POLICY, "no-referrer", 308),
        ("GET", "/api/v1/widget/nothing"): (API_POLICY, "no-referrer", 404),
        ("GET", "/api/v1/openapi.json"): (API_POLICY, "no-referrer", 200),
    }
    for (method, path), (policy, referrer, status) in cases.items():
        answer = _get(tmp_path, method, path)
        assert answer.status_code == status, (path, answer.status_code)
        assert answer.headers["content-security-policy"] == policy, path
        assert answer.headers["referrer-policy"] == referrer, path
        assert answer.headers["x-content-type-options"] == "nosniff", path
        assert answer.headers["x-frame-options"] == "DENY", path
        if path.startswith("/api/"):
            assert answer.headers["cache-control"] == "no-store", path
        else:
            assert answer.headers["cache-control"] == "no-cache", path  # the files' own


def test_the_body_limit_and_a_preflight_get_them_too(tmp_path: Path) -> None:
    too_big = _get(tmp_path, "POST", "/api/v1/widget/visitors", content=b"x" * (64 * 1024 + 1))
    preflight = _get(
        tmp_path,
        "OPTIONS",
        "/api/v1/widget/visitors",
        headers={"Origin": "http://test", "Access-Control-Request-Method": "POST"},
    )
    for answer in (too_big, preflight):
        assert answer.headers["content-security-policy"] == API_POLICY
        assert answer.headers["cache-control"] == "no-store"
    assert too_big.status_code == 413


def test_a_server_error_has_the_headers_too(tmp_path: Path) -> None:
    """Starlette renders the 500 outside the middleware; its handler adds them."""
    app = create_app(make_settings(tmp_path))

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/api/v1/broken")

    answer = asyncio.run(go())
    assert answer.status_code == 500 and answer.json()["code"] == "server_error"
    assert answer.headers["content-security-policy"] == API_POLICY
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
