"""The retention policy on a schedule inside the running server."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from conversations.storage import Database
from privacy.data import Erasure, do_retention

__all__ = ["RETENTION_EVERY", "keep_retention"]

log = logging.getLogger(__name__)

RETENTION_EVERY = 3600.0  # seconds between rounds: a conversation is erased within the hour


async def keep_retention(
    db: Database,
    days: int,
    clock: Callable[[], dt.datetime],
    *,
    audit_days: int = 0,
    vector_dir: Path | None = None,
    every: float = RETENTION_EVERY,
    vacuum_full: bool = False,
    on_round: Callable[[Erasure], None] | None = None,
) -> None:
    """Apply the retention policy now and every `every` seconds; runs until cancelled. Each
    round is logged with its counts (`privacy.data`), and in the audit log when it removed
    something; `days` or `audit_days` 0 keeps conversations or audit entries. A failed round
    is logged and tried again at the next."""
    while True:
        try:
            done = await do_retention(
                db,
                days,
                clock(),
                by=None,
                audit_days=audit_days,
                vector_dir=vector_dir,
                vacuum_full=vacuum_full,
            )
            if on_round is not None:
                on_round(done)
        except Exception:  # the schedule must outlive one failed round
            log.exception("the retention round failed; trying again in %.0f s", every)
        await asyncio.sleep(every)
