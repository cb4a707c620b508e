"""The per-visitor message rate limit: a sliding window over the last N seconds."""

from __future__ import annotations

from collections import deque

from conversations.errors import RateLimited

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most `limit` events per `seconds` for each key (in this process)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._events: dict[str, deque[float]] = {}
        self._checks = 0

    def check(self, key: str, now: float) -> None:
        """Count one event for `key` at `now` (monotonic seconds); raises RateLimited."""
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            retry_after = events[0] + self.seconds - now
            raise RateLimited(
                f"too many messages: at most {self.limit} in {self.seconds:g} seconds; "
                f"try again in {max(1, round(retry_after))} s",
                retry_after,
            )
        events.append(now)
        self._checks += 1
        if self._checks % 1024 == 0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.seconds]
        for key in stale:
            del self._events[key]
