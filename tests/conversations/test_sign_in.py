"""Signing in under attack (docs/decisions/0112): growing waits per name that never lock the
right password out, a limit per client address for spraying names, a cap on the password
hashes run at once, the optional second factor, and the audit log of it all."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pyotp
import pytest

from conversations.desk import NAME_FIRST, NAME_FREE, NAME_MOST, Desk, HashTurns
from conversations.errors import RateLimited
from conversations.limits import UNLIMITED, LocalWindows
from conversations.services import Services
from handoff import (
    WrongPassword,
    do_add_agent,
    do_set_totp,
    get_audit,
    hash_password,
)
from tests.conversations.conftest import InServices

PASSWORD = "riktig passord for testen"
HASHED = hash_password(PASSWORD)


class Monotonic:
    """The windows' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _desk(services: Services, monotonic: Monotonic, **agents: bool) -> Desk:
    """A desk on its own windows (clock: `monotonic`) with agents `name=admin`."""
    async with services.db.writing() as session, session.begin():
        for name, admin in agents.items():
            await do_add_agent(
                session,
                name=name,
                display_name=name.title(),
                password_hash=HASHED,
                teams=["support"],
                now=services.clock(),
                admin=admin,
            )
    return Desk(services.handoffs, 8, windows=LocalWindows(monotonic))


async def _try(desk: Desk, name: str, password: str, address: str = "192.0.2.1", **kw: Any) -> str:
    """What one sign-in got: "ok", the error's code, or "wait N"."""
    try:
        await desk.do_sign_in(name, password, address=address, **kw)
    except RateLimited as exc:
        return f"wait {exc.retry_after}"
    except WrongPassword as exc:
        return exc.code
    return "ok"


def test_wrong_passwords_make_the_name_wait_longer_but_never_lock_it_out(
    in_services: InServices[Any],
) -> None:
    clock = Monotonic()

    async def scenario(services: Services) -> list[str]:
        desk = await _desk(services, clock, kari=False)
        seen = [await _try(desk, "kari", "feil") for _ in range(NAME_FREE + 1)]
        seen.append(await _try(desk, "kari", PASSWORD))  # the right one must wait too…
        seen.append(await _try(desk, "kari", PASSWORD, address="198.51.100.7"))  # anywhere
        clock.now += NAME_FIRST
        seen.append(await _try(desk, "kari", "feil"))  # …the next failure doubles the wait
        seen.append(await _try(desk, "kari", PASSWORD))
        clock.now += 2 * NAME_FIRST
        for _ in range(8):  # a patient attacker: the wait stops growing at NAME_MOST
            seen.append(await _try(desk, "kari", "feil"))
            clock.now += NAME_MOST
        seen.append(await _try(desk, "kari", PASSWORD))  # after the wait: in
        return seen

    seen = in_services(scenario)
    free = ["wrong_password"] * (NAME_FREE + 1)
    assert seen[: NAME_FREE + 3] == [*free, "wait 1", "wait 1"]
    assert seen[NAME_FREE + 3 : NAME_FREE + 5] == ["wrong_password", "wait 2"]
    assert seen[NAME_FREE + 5 : -1] == ["wrong_password"] * 8
    assert seen[-1] == "ok"


def test_a_success_forgets_the_names_failures(in_services: InServices[Any]) -> None:
    clock = Monotonic()

    async def scenario(services: Services) -> list[str]:
        desk = await _desk(services, clock, kari=False)
        for _ in range(NAME_FREE):
            await _try(desk, "kari", "feil")
        first = await _try(desk, "kari", PASSWORD)
        return [first, *[await _try(desk, "kari", "feil") for _ in range(NAME_FREE + 1)]]

    assert in_services(scenario) == ["ok"] + ["wrong_password"] * (NAME_FREE + 1)


def test_spraying_many_names_from_one_address_is_limited(in_services: InServices[Any]) -> None:
    clock = Monotonic()

    async def scenario(services: Services) -> list[str]:
        desk = await _desk(services, clock, kari=False)
        desk.address_failures = 4
        seen = [await _try(desk, f"navn{n}", "feil") for n in range(4)]
        seen.append(await _try(desk, "navn9", "feil"))  # a fresh name: the address is done
        seen.append(await _try(desk, "kari", PASSWORD))  # from there, even the right one waits
        seen.append(await _try(desk, "kari", PASSWORD, address="198.51.100.7"))
        return seen

    seen = in_services(scenario)
    assert seen[:4] == ["wrong_password"] * 4
    assert seen[4].startswith("wait ") and int(seen[4].split()[1]) > 800
    assert seen[5] == seen[4]
    assert seen[6] == "ok"


def test_failed_and_good_sign_ins_are_in_the_audit_log_without_unknown_names(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> list[Any]:
        desk = await _desk(services, Monotonic(), kari=False)
        await _try(desk, "kari", "feil")
        await _try(desk, "mitt hemmelige passord", "feil")  # typed in the wrong field
        await _try(desk, "kari", PASSWORD)
        async with services.db.reading() as session:
            return await get_audit(session)

    entries = in_services(scenario)
    seen = [(e.action, e.actor, e.address, e.detail) for e in reversed(entries)]
    assert seen == [
        ("sign_in_failed", "kari", "192.0.2.1", {"reason": "password"}),
        ("sign_in_failed", None, "192.0.2.1", {"reason": "unknown_name"}),
        ("sign_in", "kari", "192.0.2.1", {}),
    ]


def test_an_enrolled_agent_needs_a_fresh_code_from_the_authenticator(
    in_services: InServices[Any],
) -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)

    async def scenario(services: Services) -> list[str]:
        desk = await _desk(services, Monotonic(), kari=False)
        async with services.db.writing() as session, session.begin():
            kari = await _agent_id(services, "kari")
            await do_set_totp(session, kari, secret)
        now = services.clock()
        right = totp.at(now)
        previous = totp.at(now - dt.timedelta(seconds=30))
        stale = totp.at(now - dt.timedelta(minutes=5))
        return [
            await _try(desk, "kari", PASSWORD),
            await _try(desk, "kari", PASSWORD, code=stale),
            await _try(desk, "kari", "feil", code=right),
            await _try(desk, "kari", PASSWORD, code=right),
            await _try(desk, "kari", PASSWORD, code=right),  # used: not again
            await _try(desk, "kari", PASSWORD, code=previous),  # older than the used one
        ]

    assert in_services(scenario) == [
        "totp_required",
        "totp_invalid",
        "wrong_password",
        "ok",
        "totp_invalid",
        "totp_invalid",
    ]


async def _agent_id(services: Services, name: str) -> str:
    from handoff import get_agent_by_name

    async with services.db.reading() as session:
        found = await get_agent_by_name(session, name)
    assert found is not None
    return found.id


def test_a_flood_of_sign_ins_waits_for_a_few_hash_turns_and_the_rest_is_refused() -> None:
    async def scenario() -> tuple[int, list[str], int]:
        turns = HashTurns(at_once=2, waiting=1)
        release = asyncio.Event()
        inside: list[int] = []
        most = 0

        async def sign_in() -> str:
            nonlocal most
            try:
                async with turns.turn():
                    inside.append(1)
                    most = max(most, len(inside))
                    await release.wait()
                    inside.pop()
            except RateLimited as exc:
                return f"wait {exc.retry_after}"
            return "hashed"

        tasks = [asyncio.create_task(sign_in()) for _ in range(5)]
        await asyncio.sleep(0.01)
        waiting = turns.inside
        release.set()
        return waiting, list(await asyncio.gather(*tasks)), most

    waiting, answers, most = asyncio.run(scenario())
    assert waiting == 3 and most == 2
    assert sorted(answers) == ["hashed"] * 3 + ["wait 1"] * 2


def test_backoff_counts_from_the_latest_event_and_forgets_old_ones() -> None:
    windows = LocalWindows()
    for at in (0.0, 1.0, 2.0, 3.0, 4.0):
        windows.hit_now("k", UNLIMITED, 100, at)
    # 5 events, 2 free: the wait after the latest is 1 * 2 ** 2 = 4 s.
    assert windows.backoff_now("k", 100, 2, 1, 60, 5.0) == pytest.approx(3.0)
    assert windows.backoff_now("k", 100, 2, 1, 3, 5.0) == pytest.approx(2.0)  # capped
    assert windows.backoff_now("k", 100, 2, 1, 60, 8.0) == 0.0
    assert windows.backoff_now("k", 100, 2, 1, 60, 102.5) == 0.0  # 3 left in the window
    assert windows.backoff_now("other", 100, 2, 1, 60, 5.0) == 0.0


def test_signing_out_of_the_last_browser_takes_the_agent_offline(
    in_services: InServices[Any],
) -> None:
    """A signed-out agent must not be given new cases: the last sign-out sets the status to
    offline; while another browser is still signed in, the status stays."""

    async def scenario(services: Services) -> list[str]:
        desk = await _desk(services, Monotonic(), kari=False)
        first, agent, _ = await desk.do_sign_in("kari", PASSWORD)
        second, _, _ = await desk.do_sign_in("kari", PASSWORD)
        seen = [(await desk.do_status(agent, "online")).agent.status]
        await desk.do_sign_out(first)
        seen.append((await desk.signed_in(second))[0].agent.status)
        await desk.do_sign_out(second)
        async with services.db.reading() as session:
            from handoff import get_agent

            found = await get_agent(session, agent.id)
        assert found is not None
        return [*seen, found.agent.status]

    assert in_services(scenario) == ["online", "online", "offline"]
