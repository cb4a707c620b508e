"""The hub of several server processes: frames cross processes over Redis pub/sub.

A `RedisHub` keeps the process's own subscribers in a `LocalHub` and delivers its own frames
to them at once (so `exclude`, a connection of this process, keeps its meaning). Every frame
also goes, in publishing order, through one background task to Redis, on the channel
`samsvar:<hub channel>`, as `<process id> <Frame.to_json()>`; one pattern subscription per
process receives the other processes' frames and delivers them to its own subscribers.

Redis lost while running: the process keeps serving its own connections (its frames still
reach them) and reconnects with growing pauses. Frames that crossed nothing meanwhile are
caught up from the database: once subscribed again, the hub sends every local subscriber a
`resync` frame (`frames.resync`), and, if it could not send its own frames, asks the other
processes to do the same. Typing and streamed parts are not stored and are not caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from typing import Any

from redis.asyncio.client import PubSub

from conversations import frames
from conversations.errors import RedisUnavailable
from conversations.frames import Frame
from conversations.hub import Deliver, LocalHub, Subscription
from conversations.redis_link import REDIS_ERRORS, RedisLink

__all__ = ["RedisHub"]

log = logging.getLogger(__name__)

PREFIX = "samsvar:"
RESYNC = "!resync"  # the control channel and message (no hub channel starts with "!")
OUTBOX = 50_000  # frames waiting for Redis; beyond that they are dropped and caught up later
BATCH = 256  # frames sent to Redis in one round trip
PING_SECONDS = 2.0  # the listener pings this often
DEAD_AFTER = 6.0  # nothing heard for this long (not even a pong): the connection is dead
RETRY_FIRST, RETRY_MOST = 0.1, 5.0  # pauses between reconnection attempts (doubling, jittered)
RESYNC_AFTER = 0.2  # resync requests within this long are one resync
RESYNC_CHUNK = 200  # subscribers told to resync before the event loop gets a turn


class RedisHub:
    """The `Hub` of one process among several; `start()` before use, `close()` at the end."""

    def __init__(self, link: RedisLink, *, prefix: str = PREFIX) -> None:
        self.link, self.prefix = link, prefix
        self.local = LocalHub()
        self.origin = uuid.uuid4().hex  # this process, in what it publishes
        self.dropped = 0  # frames that never reached Redis
        self.resyncs = 0  # times the local subscribers were told to catch up
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(OUTBOX)
        self._owed = False  # frames of ours never reached Redis: the others must catch up
        self._tasks: list[asyncio.Task[Any]] = []
        self._resync: asyncio.Task[None] | None = None
        self._resync_again = False

    # The Hub protocol.

    def subscribe(self, channel: str, deliver: Deliver) -> Subscription:
        return self.local.subscribe(channel, deliver)

    async def publish(self, frame: Frame, *, exclude: Deliver | None = None) -> None:
        await self.local.publish(frame, exclude=exclude)
        self._send(self.prefix + frame.channel, f"{self.origin} {frame.to_json()}")

    # Running.

    async def start(self) -> None:
        """Subscribe, then listen and publish in the background; raises RedisUnavailable."""
        try:
            pubsub = await self._subscribe()
        except REDIS_ERRORS as exc:
            shown = self.link.shown
            raise RedisUnavailable(f"cannot subscribe on Redis at {shown}: {exc}") from exc
        self._tasks = [
            asyncio.create_task(self._listen_forever(pubsub)),
            asyncio.create_task(self._publish_forever()),
        ]

    async def close(self) -> None:
        tasks = [*self._tasks, *([self._resync] if self._resync is not None else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, *REDIS_ERRORS):
                await task

    # Sending.

    def _send(self, channel: str, payload: str) -> None:
        if not self.link.up:
            self._drop(1)
            return
        try:
            self._outbox.put_nowait((channel, payload))
        except asyncio.QueueFull:
            self._drop(1)

    def _drop(self, count: int) -> None:
        self._owed = True
        self.dropped += count

    async def _publish_forever(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            if not self.link.up:
                self._drop(len(batch))
                continue
            try:
                async with self.link.client.pipeline(transaction=False) as pipe:
                    for channel, payload in batch:
                        pipe.publish(channel, payload)
                    await pipe.execute()
            except REDIS_ERRORS as exc:
                self._drop(len(batch))
                self.link.lost(exc)

    # Receiving.

    async def _subscribe(self) -> PubSub:
        pubsub = self.link.client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(self.prefix + "*")
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            raise
        return pubsub

    async def _listen_forever(self, pubsub: PubSub) -> None:
        while True:
            try:
                await self._listen(pubsub)
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
            finally:
                with contextlib.suppress(*REDIS_ERRORS):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            pubsub = await self._reconnect()
            self.link.found()
            if self._owed:  # the others missed frames of ours
                self._owed = False
                self._send(self.prefix + RESYNC, f"{self.origin} {RESYNC}")
            self._request_resync()  # and we may have missed theirs

    async def _reconnect(self) -> PubSub:
        pause = RETRY_FIRST
        while True:
            await asyncio.sleep(pause * random.uniform(0.5, 1.0))
            try:
                return await self._subscribe()
            except REDIS_ERRORS:
                pause = min(pause * 2, RETRY_MOST)

    async def _listen(self, pubsub: PubSub) -> None:
        """Deliver what the other processes publish, until the connection (or, as a failed
        command has seen, Redis) is lost."""
        loop = asyncio.get_running_loop()
        heard = next_ping = loop.time()
        while self.link.up:
            message = await pubsub.get_message(timeout=1.0)
            now = loop.time()
            if message is not None:
                heard = now
                if message["type"] == "pmessage":
                    await self._received(message["data"])
            if now - heard > DEAD_AFTER:
                raise ConnectionError(f"Redis did not answer for {DEAD_AFTER:g} s")
            if now >= next_ping:
                await pubsub.ping()
                next_ping = now + PING_SECONDS

    async def _received(self, data: str) -> None:
        origin, _, body = data.partition(" ")
        if origin == self.origin:
            return
        if body == RESYNC:
            self._request_resync()
            return
        try:
            frame = Frame.from_json(body)
        except (ValueError, KeyError, TypeError):
            # its length only: a frame may carry a message's text (docs/privacy.md, "Logs")
            log.warning("ignored a frame from Redis that is not one (%d bytes)", len(data))
            return
        await self.local.publish(frame)

    # Catching up.

    def _request_resync(self) -> None:
        if self._resync is None or self._resync.done():
            self._resync = asyncio.create_task(self._resync_soon())
        else:
            self._resync_again = True

    async def _resync_soon(self) -> None:
        """Tell every local subscriber it may have missed frames (requests that come together
        make one resync; one that comes during a resync makes one more after it)."""
        again = True
        while again:
            await asyncio.sleep(RESYNC_AFTER)
            self._resync_again = False
            self.resyncs += 1
            for n, channel in enumerate(self.local.channels(), start=1):
                await self.local.publish(frames.resync(channel))
                if n % RESYNC_CHUNK == 0:
                    await asyncio.sleep(0)
            again = self._resync_again
