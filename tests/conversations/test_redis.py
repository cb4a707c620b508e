"""The shared state of several processes over a real Redis on loopback: two `SharedState`s
opened on one server stand for two server processes (each has its own connection and id)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from conversations import frames
from conversations.errors import RateLimited, RedisUnavailable
from conversations.frames import Audience, Frame
from conversations.limits import UNLIMITED, RateLimiter
from conversations.redis_hub import RedisHub
from conversations.shared_state import SharedState, open_shared_state
from tests.redis_server import RedisServer, free_port

T = TypeVar("T")


class Inbox:
    """One connection's delivery callback: what it was given."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def __call__(self, frame: Frame) -> None:
        self.frames.append(frame)

    def types(self) -> list[str]:
        return [f.type for f in self.frames]

    async def wait_for(self, kind: str, timeout: float = 10) -> Frame:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for frame in self.frames:
                if frame.type == kind:
                    return frame
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {kind} frame within {timeout:g} s; got {self.types()}")


def with_two(url: str, scenario: Callable[[SharedState, SharedState], Awaitable[T]]) -> T:
    async def run() -> T:
        a, b = await open_shared_state(url), await open_shared_state(url)
        try:
            return await scenario(a, b)
        finally:
            await a.close()
            await b.close()

    return asyncio.run(run())


def test_a_frame_reaches_the_other_process_once_and_exclude_stays_local(
    redis_server: RedisServer,
) -> None:
    async def scenario(a: SharedState, b: SharedState) -> None:
        here, sender, there = Inbox(), Inbox(), Inbox()
        a.hub.subscribe("c1", here)
        a.hub.subscribe("c1", sender)
        b.hub.subscribe("c1", there)
        b.hub.subscribe("c2", Inbox())
        audience = Audience("support", "agent-1", None, False)
        frame = Frame("c1", {"type": "message", "text": "hei, æøå"}, audience)
        await a.hub.publish(frame, exclude=sender)
        got = await there.wait_for("message")
        await asyncio.sleep(0.2)  # nothing more comes (no echo back to a, no second copy)
        assert got == frame  # body and audience crossed whole
        assert (here.frames, sender.frames, there.frames) == ([frame], [], [frame])

    with_two(redis_server.url, scenario)


def test_frames_of_one_process_arrive_in_order(redis_server: RedisServer) -> None:
    async def scenario(a: SharedState, b: SharedState) -> None:
        there = Inbox()
        b.hub.subscribe("c1", there)
        for n in range(500):
            await a.hub.publish(Frame("c1", {"type": "message", "n": n}))
        deadline = time.monotonic() + 10
        while len(there.frames) < 500 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert [f.body["n"] for f in there.frames] == list(range(500))

    with_two(redis_server.url, scenario)


def test_one_rate_limit_over_both_processes(redis_server: RedisServer) -> None:
    async def scenario(a: SharedState, b: SharedState) -> None:
        on_a = RateLimiter(3, 60, name="messages", windows=a.windows)
        on_b = RateLimiter(3, 60, name="messages", windows=b.windows)
        await on_a.check("v1")
        await on_b.check("v1")
        await on_a.check("v1")
        with pytest.raises(RateLimited) as refused:
            await on_b.check("v1")
        assert 58 <= refused.value.retry_after <= 60
        await on_b.check("v2")  # another visitor has a window of their own
        pages = RateLimiter(1, 60, name="pages", windows=b.windows)
        await pages.check("v1")  # and another limit too
        # Looking without counting, then forgetting.
        assert await a.windows.hit("messages:v1", 3, 60, record=False) > 0
        await b.windows.clear("messages:v1")
        assert await a.windows.hit("messages:v1", 3, 60, record=False) == 0

    with_two(redis_server.url, scenario)


def test_one_sign_in_backoff_over_both_processes(redis_server: RedisServer) -> None:
    """Failures recorded on either process make the next try wait on both (Redis's clock)."""

    async def scenario(a: SharedState, b: SharedState) -> list[float]:
        waits = [await b.windows.backoff("sign-in:kari", 900, 2, 10, 60)]
        for windows in (a.windows, b.windows, a.windows):
            await windows.hit("sign-in:kari", UNLIMITED, 900)
        waits.append(await b.windows.backoff("sign-in:kari", 900, 2, 10, 60))  # 3 > 2: 10 s
        await b.windows.hit("sign-in:kari", UNLIMITED, 900)
        waits.append(await a.windows.backoff("sign-in:kari", 900, 2, 10, 60))  # 4: 20 s
        waits.append(await a.windows.backoff("sign-in:kari", 900, 2, 10, 15))  # capped
        waits.append(await a.windows.backoff("sign-in:ola", 900, 2, 10, 60))
        return waits

    waits = with_two(redis_server.url, scenario)
    assert waits[0] == 0 and waits[-1] == 0
    assert 9 <= waits[1] <= 10 and 19 <= waits[2] <= 20 and 14 <= waits[3] <= 15


def test_a_lock_is_held_by_one_process_at_a_time(redis_server: RedisServer) -> None:
    async def scenario(a: SharedState, b: SharedState) -> None:
        inside: list[str] = []
        overlaps = 0

        async def turn(state: SharedState, who: str) -> None:
            nonlocal overlaps
            async with state.locks.hold("conversation-1"):
                inside.append(who)
                overlaps += len(inside) > 1
                await asyncio.sleep(0.01)
                inside.remove(who)

        work = [turn(a if n % 2 else b, f"t{n}") for n in range(20)]
        await asyncio.gather(*work)
        assert overlaps == 0
        async with a.locks.hold("conversation-1"), b.locks.hold("conversation-2"):
            pass  # other names do not wait

    with_two(redis_server.url, scenario)


def test_redis_lost_and_back(redis_server: RedisServer) -> None:
    """Lost: each process carries on alone (its own subscribers, locks and limits). Back:
    the hub reconnects, its subscribers are told to resync, and frames cross again."""

    async def scenario(a: SharedState, b: SharedState) -> None:
        here, there = Inbox(), Inbox()
        a.hub.subscribe("c1", here)
        b.hub.subscribe("c1", there)
        redis_server.stop()
        await asyncio.sleep(0.3)
        await a.hub.publish(Frame("c1", {"type": "message", "n": 1}))
        assert here.types() == ["message"]  # its own connections still get it
        limiter = RateLimiter(1, 60, name="messages", windows=a.windows)
        await limiter.check("v1")  # counted in this process meanwhile
        with pytest.raises(RateLimited):
            await limiter.check("v1")
        async with a.locks.hold("c1"):
            pass
        assert a.link is not None and not a.link.up
        redis_server.start()
        for inbox in (here, there):
            await inbox.wait_for("resync", timeout=20)
        assert there.types() == ["resync"]  # frame 1 never crossed: the database has it
        assert isinstance(a.hub, RedisHub) and a.hub.dropped >= 1
        await asyncio.sleep(0.3)
        await a.hub.publish(Frame("c1", {"type": "message", "n": 2}))
        frame = await there.wait_for("message")
        assert frame.body["n"] == 2 and a.link.up

    with_two(redis_server.url, scenario)


def test_resync_frame_goes_to_the_channel_it_names() -> None:
    assert frames.resync("c1") == Frame("c1", {"type": "resync"})


def test_redis_that_does_not_answer_is_refused_with_the_password_hidden() -> None:
    url = f"redis://:hemmelig@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as refused:
        asyncio.run(open_shared_state(url))
    message = str(refused.value)
    assert message.startswith(f"cannot reach Redis at redis://:***@127.0.0.1:{url.split(':')[3]}")
    assert "hemmelig" not in message


def test_a_url_that_is_not_redis_is_refused() -> None:
    with pytest.raises(RedisUnavailable, match="is not a Redis URL"):
        asyncio.run(open_shared_state("http://127.0.0.1:6379"))
