"""An LLM reply on its way to the visitor: checked parts as `delta` frames, and `retract`.

The bot calls `ReplyStream.on_event` in its worker thread (`Bot.turn(on_event=…)`, decision
0041). Each event is handed to the event loop with `call_soon_threadsafe` and published on the
conversation's channel, in order, by one task; `finish()` waits until every part is out, so
the parts always come before the stored `message` that replaces them (docs/api.md,
"Streaming"). Parts are not stored. `shown` is the text published since the last retract: a
connection that says `hello` mid-stream gets it as one part (`catch_up`), and `DeltaFilter`
makes sure a connection never gets a piece of text twice or with a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot import Delta, StreamEvent
from conversations import frames
from conversations.frames import Frame
from conversations.hub import Hub

__all__ = ["DeltaFilter", "ReplyStream"]

Body = dict[str, Any]  # a frame's body, as its client receives it


class ReplyStream:
    """The parts of one reply (to the visitor message `reply_to`) in one conversation."""

    def __init__(self, hub: Hub, conversation_id: str, reply_to: str) -> None:
        self.hub, self.conversation_id, self.reply_to = hub, conversation_id, reply_to
        self.shown = ""
        self.parts = 0
        self._loop = asyncio.get_running_loop()
        self._events: asyncio.Queue[StreamEvent | None] = asyncio.Queue()
        self._task = self._loop.create_task(self._publish())

    def on_event(self, event: StreamEvent) -> None:
        """Called by the bot in its worker thread; never blocks it."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            self._loop.call_soon_threadsafe(self._events.put_nowait, event)

    async def finish(self) -> None:
        """Wait until every part the bot passed on has been published."""
        self._events.put_nowait(None)
        await self._task

    def catch_up(self) -> Frame | None:
        """The text shown so far as one part, for a connection that joins mid-stream."""
        if not self.shown:
            return None
        return frames.stream_part(self.conversation_id, self.reply_to, 0, self.shown)

    async def _publish(self) -> None:
        while (event := await self._events.get()) is not None:
            await self.hub.publish(self._frame(event))

    def _frame(self, event: StreamEvent) -> Frame:
        if isinstance(event, Delta):
            frame = frames.stream_part(
                self.conversation_id, self.reply_to, len(self.shown), event.text
            )
            self.shown += event.text
            self.parts += 1
            return frame
        self.shown = ""
        return frames.retract(self.conversation_id, self.reply_to, event.reason)


class DeltaFilter:
    """Per connection: which part of each streamed reply the client has, by `offset`.

    A part it has had is dropped, an overlapping one trimmed, and after a gap (parts
    published before the connection joined, on another server process) the rest of that
    reply is dropped: the client then simply shows the final message.
    """

    def __init__(self) -> None:
        self._have: dict[str, int] = {}  # reply_to -> characters sent; -1 after a gap

    def clear(self) -> None:
        self._have.clear()

    def done(self, reply_to: str | None) -> None:
        """The final message for `reply_to` has come."""
        if reply_to is not None:
            self._have.pop(reply_to, None)

    def admit(self, frame: Body) -> Body | None:
        """The frame to send for this connection (maybe trimmed), or None to send nothing."""
        reply_to = str(frame["reply_to"])
        have = self._have.get(reply_to, 0)
        if frame["type"] == "retract":
            self._have.pop(reply_to, None)
            return frame if have > 0 else None
        text, offset = str(frame["text"]), int(frame["offset"])
        end = offset + len(text)
        if have < 0 or end <= have:
            return None
        if offset > have:
            self._have[reply_to] = -1
            return None
        self._have[reply_to] = end
        if offset == have:
            return frame
        return {**frame, "offset": have, "text": text[have - offset :]}
