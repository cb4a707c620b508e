"""Rate limits: sliding windows of events per key, counted in this process or in Redis.

`Windows` is where the events are counted: `LocalWindows` in this process (one machine), or
`conversations.redis_limits.RedisWindows` when several processes serve the same visitors and
agents, so that a visitor whose messages go to two processes still meets one limit. A
`RateLimiter` is one named limit over such a store (visitors' messages, page reports, what one
client address may do); the desk counts failed sign-ins in the same store and makes each
further try wait longer (`Windows.backoff`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from conversations.errors import RateLimited

__all__ = ["UNLIMITED", "LocalWindows", "RateLimiter", "Windows", "backoff_wait"]

UNLIMITED = 2**31 - 1  # `hit(..., UNLIMITED, ...)` records an event without refusing it


class Windows(Protocol):
    """Sliding windows of events, one per key."""

    async def hit(self, key: str, limit: int, seconds: float, *, record: bool = True) -> float:
        """With fewer than `limit` events for `key` in the last `seconds`: record one (unless
        `record` is false) and return 0. Otherwise record nothing and return the seconds until
        the oldest of them leaves the window (> 0)."""
        ...

    async def backoff(
        self, key: str, seconds: float, free: int, first: float, most: float
    ) -> float:
        """A growing wait after events recorded by `hit(key, UNLIMITED, seconds)`: with n
        events of `key` in the last `seconds` and n > `free`, the next may come
        min(`first` * 2 ** (n - free - 1), `most`) seconds after the latest. Returns what is
        left of that wait (0: go ahead); records nothing."""
        ...

    async def clear(self, key: str) -> None:
        """Forget every event of `key`."""
        ...


def backoff_wait(count: int, free: int, first: float, most: float) -> float:
    """The wait after the latest of `count` events (`Windows.backoff`)."""
    if count <= free:
        return 0.0
    return float(min(first * 2 ** min(count - free - 1, 30), most))


class LocalWindows:
    """The windows of this process, on the monotonic clock (`monotonic`, for tests)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._events: dict[str, deque[float]] = {}
        self._hits = 0
        self._longest = 0.0  # the longest window asked for: older events can go

    async def hit(self, key: str, limit: int, seconds: float, *, record: bool = True) -> float:
        return self.hit_now(key, limit, seconds, self.monotonic(), record=record)

    def hit_now(
        self, key: str, limit: int, seconds: float, now: float, *, record: bool = True
    ) -> float:
        """`hit` at `now` (monotonic seconds)."""
        self._longest = max(self._longest, seconds)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - seconds:
            events.popleft()
        if len(events) >= limit:
            return max(events[0] + seconds - now, 1e-3)
        if record:
            events.append(now)
        elif not events:
            del self._events[key]
        self._hits += 1
        if self._hits % 1024 == 0:
            self._sweep(now)
        return 0.0

    async def backoff(
        self, key: str, seconds: float, free: int, first: float, most: float
    ) -> float:
        return self.backoff_now(key, seconds, free, first, most, self.monotonic())

    def backoff_now(
        self, key: str, seconds: float, free: int, first: float, most: float, now: float
    ) -> float:
        """`backoff` at `now` (monotonic seconds)."""
        events = self._events.get(key)
        if not events:
            return 0.0
        while events and events[0] <= now - seconds:
            events.popleft()
        if not events:
            del self._events[key]
            return 0.0
        wait = backoff_wait(len(events), free, first, most)
        return max(0.0, events[-1] + wait - now)

    async def clear(self, key: str) -> None:
        self._events.pop(key, None)

    def _sweep(self, now: float) -> None:
        old = now - self._longest
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= old]
        for key in stale:
            del self._events[key]


class RateLimiter:
    """At most `limit` events per `seconds` for each key; `name` keeps limits apart in a
    shared store (e.g. `messages`, `pages`); `what` names the events in the refusal (default
    `name`: "too many messages")."""

    def __init__(
        self,
        limit: int,
        seconds: float,
        *,
        name: str,
        windows: Windows | None = None,
        what: str | None = None,
    ) -> None:
        self.limit, self.seconds, self.name = limit, seconds, name
        self.what = what or name
        self.windows: Windows = windows if windows is not None else LocalWindows()

    async def check(self, key: str, *, record: bool = True) -> None:
        """Count one event for `key` (with `record`; without, only look); raises RateLimited
        (and counts nothing) over the limit."""
        retry_after = await self.windows.hit(
            f"{self.name}:{key}", self.limit, self.seconds, record=record
        )
        if retry_after > 0:
            raise RateLimited(
                f"too many {self.what}: at most {self.limit} in {self.seconds:g} seconds; "
                f"try again in {max(1, round(retry_after))} s",
                retry_after,
            )

    async def record(self, key: str) -> None:
        """Count one event for `key` that was let through by `check(key, record=False)`."""
        await self.windows.hit(f"{self.name}:{key}", UNLIMITED, self.seconds)
