"""The client address of a request or WebSocket, for the limits per address.

Behind a reverse proxy on the same machine, uvicorn takes the address from the proxy's
`X-Forwarded-For` (its `forwarded_allow_ips`, default 127.0.0.1; the environment variable
FORWARDED_ALLOW_IPS names other proxies), so this is the visitor's address, not the proxy's.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

__all__ = ["client_address"]


def client_address(connection: HTTPConnection) -> str:
    """The address the request came from ("unknown" when the server was not told)."""
    client = connection.client
    return client.host if client is not None and client.host else "unknown"
