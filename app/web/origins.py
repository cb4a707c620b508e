"""Which web origins may use the visitor API from a browser (CORS and the WebSocket's Origin)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

__all__ = ["Origins"]


class Origins:
    """The sites that embed the widget. The server's own origin is always allowed, and a
    client that sends no Origin (not a browser) is not a cross-site risk."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.any = False
        self.allowed: set[str] = set()
        for origin in allowed:
            if origin.strip() == "*":
                self.any = True
            elif origin.strip():
                self.allowed.add(origin.strip().rstrip("/").lower())

    def cors_list(self) -> list[str]:
        return ["*"] if self.any else sorted(self.allowed)

    def allows(self, origin: str | None, host: str | None) -> bool:
        if origin is None or self.any:
            return True
        origin = origin.rstrip("/").lower()
        if origin in self.allowed:
            return True
        netloc = urlsplit(origin).netloc
        return bool(host) and netloc == (host or "").lower()
