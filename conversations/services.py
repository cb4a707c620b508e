"""The conversation services, built once when a server starts and never changed after.

`build_services` wires the operations in their one order (hand-offs, then the chat that opens
cases through them, then visits and the desk), so no object is handed another after it was
made. `app` keeps the result on the application and reads its parts in the routes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from conversations.chat import Chat
from conversations.desk import Attachments, Desk
from conversations.handoffs import Handoffs, Timing
from conversations.hub import Hub
from conversations.limits import LocalWindows, RateLimiter, Windows
from conversations.locks import LocalLocks, Locks
from conversations.storage import Database
from conversations.turns import BotRunner
from conversations.visits import AddressLimits, Visits

__all__ = ["Limits", "Services", "build_services"]

PAGE_REPORTS_PER_MESSAGE = 3  # page reports (navigation, timers) may come more often


ADDRESS_SECONDS = 600.0  # the window of the limits per client address on visitors and hellos
TYPING_SECONDS = 60.0  # … and on typing frames


@dataclass(frozen=True)
class Limits:
    """The visitors' rate limit (`messages` in `seconds`), how long a quiet conversation stays
    open, how long an agent's sign-in lasts, and what one client address may do: create
    `new_visitors` and send `hellos` in ADDRESS_SECONDS, `typing` frames in TYPING_SECONDS."""

    messages: int
    seconds: float
    idle_after: dt.timedelta
    sign_in_hours: float
    new_visitors: int = 60
    hellos: int = 600
    typing: int = 120


@dataclass(frozen=True)
class Services:
    db: Database
    runner: BotRunner
    hub: Hub
    handoffs: Handoffs
    chat: Chat
    visits: Visits
    desk: Desk
    clock: Callable[[], dt.datetime]


def build_services(
    db: Database,
    runner: BotRunner,
    hub: Hub,
    *,
    timing: Timing,
    limits: Limits,
    clock: Callable[[], dt.datetime],
    locks: Locks | None = None,
    windows: Windows | None = None,
    identity_secret: str | None = None,
    attachments: Attachments | None = None,
) -> Services:
    """The services of one process. `hub`, `locks` and `windows` (rate limits, sign-in
    throttling) are this process's own by default; with several processes, pass the shared
    ones (`conversations.shared_state`). `identity_secret`: the secret sites sign their
    customers' ids with (None: no signed identities). `attachments`: the files of a
    conversation's mails for the case view (the e-mail channel's, given by `app`)."""
    locks = locks if locks is not None else LocalLocks()
    windows = windows if windows is not None else LocalWindows()
    handoffs = Handoffs(db, hub, runner, timing, clock)
    limiter = RateLimiter(limits.messages, limits.seconds, name="messages", windows=windows)
    chat = Chat(db, runner, hub, limiter, handoffs, clock=clock, locks=locks)
    pages = RateLimiter(
        limits.messages * PAGE_REPORTS_PER_MESSAGE, limits.seconds, name="pages", windows=windows
    )
    per_address = AddressLimits(
        RateLimiter(
            limits.new_visitors,
            ADDRESS_SECONDS,
            name="address-visitors",
            windows=windows,
            what="new visitors from this address",
        ),
        RateLimiter(
            limits.hellos,
            ADDRESS_SECONDS,
            name="address-hellos",
            windows=windows,
            what="hello frames from this address",
        ),
        RateLimiter(
            limits.typing,
            TYPING_SECONDS,
            name="address-typing",
            windows=windows,
            what="typing frames from this address",
        ),
    )
    visits = Visits(
        chat,
        idle_after=limits.idle_after,
        page_limiter=pages,
        per_address=per_address,
        identity_secret=identity_secret,
    )
    desk = Desk(handoffs, limits.sign_in_hours, windows=windows, attachments=attachments)
    return Services(db, runner, hub, handoffs, chat, visits, desk, clock)
