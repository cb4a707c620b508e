"""The server: the visitor API over HTTP and WebSocket, the demo site, and `create_app`."""

from app.web.application import create_app

__all__ = ["create_app"]
