"""Running the app on uvicorn: one socket, one process, the WebSocket limits."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

if TYPE_CHECKING:
    from app.engine import Engine
    from app.settings import Settings

__all__ = [
    "WS_MAX_BYTES",
    "bind",
    "check_redis",
    "make_server",
    "openapi_json",
    "serve_forever",
    "upgrade_database",
    "url_of",
]

WS_MAX_BYTES = 64 * 1024  # a frame over this closes the connection (1009); text is ≤ 2,000 chars


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port). Raises OSError.

    It listens at once, so a client that connects while the app is still starting waits in
    the backlog instead of being refused.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}/"


def make_server(app: FastAPI, *, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        ws="websockets-sansio",
        ws_max_size=WS_MAX_BYTES,
        ws_per_message_deflate=False,  # frames are small JSON: compressing costs CPU and memory
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        lifespan="on",
        log_level=log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    return uvicorn.Server(config)


def openapi_json() -> str:
    """The OpenAPI document as committed in docs/openapi.json."""
    import json

    from app.settings import Settings
    from app.web import create_app

    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


async def _upgrade(settings: Settings) -> tuple[str | None, str]:
    from app.migrate import do_upgrade
    from conversations.storage import get_database_url, open_database

    db = open_database(get_database_url(settings.database_url, settings.data_dir))
    try:
        return await do_upgrade(db)
    finally:
        await db.close()


def upgrade_database(settings: Settings) -> tuple[str | None, str]:
    """Migrate the configured database; raises StorageUnavailable."""
    import asyncio

    return asyncio.run(_upgrade(settings))


def check_redis(settings: Settings) -> None:
    """With CHAT_REDIS_URL set: check that Redis answers; raises RedisUnavailable."""
    import asyncio

    from conversations.shared_state import check_redis as check

    if settings.redis_url is not None:
        asyncio.run(check(settings.redis_url.get_secret_value()))


def serve_forever(
    settings: Settings,
    engine: Engine,
    sock: socket.socket,
    announce: Callable[[str], None],
) -> None:
    """Run the server on `sock` until Ctrl-C or SIGTERM; `announce(url)` once it is ready."""
    from app.web import create_app

    url = url_of(sock)
    app = create_app(settings, engine=engine, on_ready=lambda: announce(url))
    server = make_server(app, log_level=settings.log_level)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then raises the signal again for the
    # handler that was there before: that one ends the process with exit code 0.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stopped(_signal: int, _frame: object) -> None:
    raise SystemExit(0)
