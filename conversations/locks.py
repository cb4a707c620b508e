"""Locks by name: one holder at a time for a conversation's turns (or a visitor's start).

`Locks.hold(name)` is an async context manager. `LocalLocks` serves one process (an
asyncio.Lock per name, forgotten when nobody holds or waits for it); with several processes,
`conversations.redis_limits.RedisLocks` holds the same name in Redis as well.
"""

from __future__ import annotations

import asyncio
import weakref
from contextlib import AbstractAsyncContextManager
from typing import Protocol

__all__ = ["LocalLocks", "Locks"]


class Locks(Protocol):
    def hold(self, name: str) -> AbstractAsyncContextManager[None]:
        """Wait until nobody else holds `name`, then hold it for the `async with` block."""
        ...


class LocalLocks:
    """The locks of this process."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def hold(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[name] = lock
        return lock
