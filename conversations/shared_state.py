"""What the server processes of one deployment share: the hub, the locks, the rate limits.

One process (the default) keeps them in memory. Several processes behind a load balancer
share them through Redis (`CHAT_REDIS_URL`): frames over pub/sub, locks and windows in keys.
`open_shared_state(url)` builds either, and `close()` ends what it started.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.hub import Hub, LocalHub
from conversations.limits import LocalWindows, Windows
from conversations.locks import LocalLocks, Locks
from conversations.redis_hub import RedisHub
from conversations.redis_limits import RedisLocks, RedisWindows
from conversations.redis_link import RedisLink, open_redis_link

__all__ = ["SharedState", "check_redis", "open_shared_state"]


@dataclass(frozen=True)
class SharedState:
    hub: Hub
    locks: Locks
    windows: Windows
    link: RedisLink | None = field(default=None)  # None: this process's own

    async def close(self) -> None:
        if isinstance(self.hub, RedisHub):
            await self.hub.close()
        if self.link is not None:
            await self.link.close()


async def open_shared_state(redis_url: str | None) -> SharedState:
    """In memory without a URL, else through Redis; raises RedisUnavailable."""
    if not redis_url:
        return SharedState(LocalHub(), LocalLocks(), LocalWindows())
    link = await open_redis_link(redis_url)
    hub = RedisHub(link)
    try:
        await hub.start()
    except BaseException:
        await link.close()
        raise
    return SharedState(hub, RedisLocks(link), RedisWindows(link), link)


async def check_redis(redis_url: str) -> None:
    """Connect to Redis and let go again; raises RedisUnavailable."""
    link = await open_redis_link(redis_url)
    await link.close()
