"""Live fan-out of frames to every connection watching a channel.

One interface, `Hub`; `LocalHub` delivers within this process. With several server processes
behind a load balancer, `conversations.redis_hub.RedisHub` implements the same two methods over
Redis pub/sub. The frames, their
channels and their audiences are built in `conversations.frames`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from conversations.frames import Frame

__all__ = ["Deliver", "Hub", "LocalHub", "Subscription"]

Deliver = Callable[[Frame], None]  # must not block: it queues the frame for its connection


class Subscription(Protocol):
    def close(self) -> None: ...


class Hub(Protocol):
    def subscribe(self, channel: str, deliver: Deliver) -> Subscription:
        """Deliver every frame published on `channel` until the subscription is closed."""
        ...

    async def publish(self, frame: Frame, *, exclude: Deliver | None = None) -> None:
        """Send `frame` to every subscriber of its channel (except `exclude`)."""
        ...


class _LocalSubscription:
    def __init__(self, hub: LocalHub, channel: str, deliver: Deliver) -> None:
        self._hub, self._channel, self._deliver = hub, channel, deliver

    def close(self) -> None:
        self._hub._drop(self._channel, self._deliver)


class LocalHub:
    """The in-process hub: a dict of channels to the connections' delivery callbacks."""

    def __init__(self) -> None:
        self._channels: dict[str, list[Deliver]] = {}

    def subscribe(self, channel: str, deliver: Deliver) -> Subscription:
        self._channels.setdefault(channel, []).append(deliver)
        return _LocalSubscription(self, channel, deliver)

    async def publish(self, frame: Frame, *, exclude: Deliver | None = None) -> None:
        for deliver in list(self._channels.get(frame.channel, ())):
            if exclude is None or deliver != exclude:  # bound methods compare by ==
                deliver(frame)

    def channels(self) -> list[str]:
        """The channels that have subscribers now."""
        return list(self._channels)

    def subscribers(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    def _drop(self, channel: str, deliver: Deliver) -> None:
        listeners = self._channels.get(channel)
        if listeners is None:
            return
        if deliver in listeners:
            listeners.remove(deliver)
        if not listeners:
            del self._channels[channel]
