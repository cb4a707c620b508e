"""Locks and rate-limit windows that several server processes share through Redis.

`RedisLocks` holds a name in this process first (an asyncio lock: waiters of one process
queue without polling Redis), then in Redis: `SET key token NX PX` with a time-to-live that a
background task renews while the block runs, and a release that deletes the key only while it
still holds our token. A process that dies holding a lock frees it when the time-to-live ends.

`RedisWindows` keeps each window in a sorted set (score: the time of the event on Redis's own
clock, so the processes' clocks need not agree), changed by one Lua script, so counting and
recording are one step for every process.

While Redis is lost (`RedisLink.up` false, or a command fails), both fall back to this
process's own locks and windows: serving on with limits per process is better than refusing
every visitor. The hub's listener reconnects and marks the link up again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from conversations.limits import LocalWindows, backoff_wait
from conversations.locks import LocalLocks
from conversations.redis_link import REDIS_ERRORS, RedisLink

__all__ = ["RedisLocks", "RedisWindows"]

log = logging.getLogger(__name__)

LOCK_SECONDS = 6.0  # a lock's time-to-live in Redis; renewed every third of it
LOCK_POLL_FIRST, LOCK_POLL_MOST = 0.005, 0.1  # pauses while another process holds it

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# KEYS[1]: the window; ARGV: window in ms, limit, record ('1'/'0'), a unique member.
# Returns 0 (counted, or would be) or the ms until the oldest event leaves the window.
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
end
return 0
"""
# KEYS[1]: the window; ARGV: window in ms. Returns the events in it and the latest's age in
# ms (the wait is computed in Python, `backoff_wait`).
_LATEST = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {0, 0} end
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {n, now - tonumber(latest[2])}
"""


class RedisLocks:
    """`Locks` held across processes (`samsvar:lock:<name>`)."""

    def __init__(self, link: RedisLink, *, prefix: str = "samsvar:lock:") -> None:
        self.link, self.prefix = link, prefix
        self.local = LocalLocks()
        self._release = link.client.register_script(_RELEASE)
        self._renew = link.client.register_script(_RENEW)

    @contextlib.asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        async with self.local.hold(name):
            key = self.prefix + name
            token = await self._acquire(key)
            if token is None:  # Redis is lost: this process's lock alone
                yield
                return
            renewing = asyncio.create_task(self._keep(key, token))
            try:
                yield
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
                await self._give_back(key, token)

    async def _acquire(self, key: str) -> str | None:
        token, pause = uuid.uuid4().hex, LOCK_POLL_FIRST
        ttl = int(LOCK_SECONDS * 1000)
        while self.link.up:
            try:
                if await self.link.client.set(key, token, nx=True, px=ttl):
                    return token
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, LOCK_POLL_MOST)
        return None

    async def _keep(self, key: str, token: str) -> None:
        ttl = int(LOCK_SECONDS * 1000)
        while True:
            await asyncio.sleep(LOCK_SECONDS / 3)
            try:
                if not await self._renew(keys=[key], args=[token, ttl]):
                    log.warning("the lock %s expired while held (was Redis lost?)", key)
                    return
            except REDIS_ERRORS as exc:
                self.link.lost(exc)

    async def _give_back(self, key: str, token: str) -> None:
        try:
            await self._release(keys=[key], args=[token])
        except REDIS_ERRORS as exc:  # it expires on its own
            self.link.lost(exc)


class RedisWindows:
    """`Windows` counted in Redis (`samsvar:window:<key>`), for every process at once."""

    def __init__(self, link: RedisLink, *, prefix: str = "samsvar:window:") -> None:
        self.link, self.prefix = link, prefix
        self.local = LocalWindows()  # while Redis is lost
        self._hit = link.client.register_script(_HIT)
        self._latest = link.client.register_script(_LATEST)

    async def hit(self, key: str, limit: int, seconds: float, *, record: bool = True) -> float:
        if self.link.up:
            args = [int(seconds * 1000), limit, "1" if record else "0", uuid.uuid4().hex]
            try:
                wait_ms = await self._hit(keys=[self.prefix + key], args=args)
                return int(wait_ms) / 1000
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
        return await self.local.hit(key, limit, seconds, record=record)

    async def backoff(
        self, key: str, seconds: float, free: int, first: float, most: float
    ) -> float:
        if self.link.up:
            try:
                count, age_ms = await self._latest(
                    keys=[self.prefix + key], args=[int(seconds * 1000)]
                )
                wait = backoff_wait(int(count), free, first, most)
                return max(0.0, wait - int(age_ms) / 1000) if count else 0.0
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
        return await self.local.backoff(key, seconds, free, first, most)

    async def clear(self, key: str) -> None:
        await self.local.clear(key)
        if self.link.up:
            try:
                await self.link.client.delete(self.prefix + key)
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
