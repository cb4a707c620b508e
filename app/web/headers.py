"""Security headers on every HTTP response (decision 0114).

One ASGI middleware, outside every other, so that the body-limit's 413s, CORS preflights and
the error handlers' JSON get them too. A header a route set itself is kept.

- The agent console (`/console…`): a Content Security Policy without `'unsafe-inline'` (its
  page loads only its own modules and style sheets), not framed, no referrer.
- The API (`/api/…`): nothing may load from it as a document (`default-src 'none'`), and
  `Cache-Control: no-store`, since its JSON carries what visitors wrote and who they are.
- Everything else (the demo shop and `widget.js`): a strict policy of the same kind, so the
  demo is itself a site with a strict CSP that the widget must work on.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_POLICY", "CONSOLE_POLICY", "SITE_POLICY", "SecurityHeaders", "headers_for"]

CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def headers_for(path: str) -> dict[str, str]:
    """The security headers of a response to `path` (lower-case names)."""
    if path.startswith("/api/"):
        return _COMMON | {
            "content-security-policy": API_POLICY,
            "referrer-policy": "no-referrer",
            "cache-control": "no-store",
        }
    if path == "/console" or path.startswith("/console/"):
        policy = {"content-security-policy": CONSOLE_POLICY, "referrer-policy": "no-referrer"}
        return _COMMON | policy
    return _COMMON | {"content-security-policy": SITE_POLICY, "referrer-policy": "same-origin"}


class SecurityHeaders:
    """ASGI middleware: add `headers_for(path)` to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or ())
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.encode(), value.encode())
                    for name, value in extra.items()
                    if name.encode() not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
