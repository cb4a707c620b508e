"""One process's connection to the Redis server that several server processes share.

`open_redis_link(url)` connects and checks the server answers (raising RedisUnavailable, with
the password hidden, when it does not). The `RedisLink` knows whether Redis is working *now*:
the hub's listener (`conversations.redis_hub`) keeps that up to date, and any command that
fails marks the link down, so locks and rate limits fall back to this process's own until the
listener has reconnected (and told every connection to catch up).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from conversations.errors import RedisUnavailable

__all__ = ["REDIS_ERRORS", "RedisLink", "open_redis_link", "shown_url"]

log = logging.getLogger(__name__)

REDIS_ERRORS = (RedisError, OSError)  # what a lost or refusing server raises
CONNECT_SECONDS = 3.0  # connecting, and any one command, may take this long
SCHEMES = ("redis", "rediss", "unix")


def shown_url(url: str) -> str:
    """`url` with its password replaced by `***` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class RedisLink:
    """The client (commands go through its pool) and whether Redis works now (`up`)."""

    def __init__(self, client: Redis, shown: str) -> None:
        self.client, self.shown = client, shown
        self.up = True

    def lost(self, exc: BaseException) -> None:
        """A command failed: carry on alone until the hub has reconnected."""
        if self.up:
            log.warning(
                "lost Redis at %s (%s); this process serves its own connections alone and "
                "reconnects",
                self.shown,
                exc or type(exc).__name__,
            )
        self.up = False

    def found(self) -> None:
        if not self.up:
            log.warning("Redis at %s is back; connections catch up from the database", self.shown)
        self.up = True

    async def close(self) -> None:
        await self.client.aclose()


async def open_redis_link(url: str) -> RedisLink:
    """Connect to Redis at `url` and check that it answers; raises RedisUnavailable."""
    shown = shown_url(url)
    if urlsplit(url).scheme not in SCHEMES:
        raise RedisUnavailable(
            f"CHAT_REDIS_URL is not a Redis URL: {shown!r} (use redis://, rediss:// or unix://)"
        )
    try:
        client = Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=CONNECT_SECONDS,
            socket_timeout=CONNECT_SECONDS,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),  # a failure is reported at once: we fall back and retry
        )
    except ValueError as exc:
        raise RedisUnavailable(f"CHAT_REDIS_URL is not a Redis URL: {shown!r}: {exc}") from exc
    try:
        await client.ping()
    except REDIS_ERRORS as exc:
        await client.aclose()
        raise RedisUnavailable(f"cannot reach Redis at {shown}: {exc}") from exc
    return RedisLink(client, shown)
