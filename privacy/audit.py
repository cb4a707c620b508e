"""The privacy operations in the audit log, and the audit log's own retention.

Each export, erasure and retention round adds one entry (`privacy_export`, `privacy_erase`,
`privacy_retention`) in the transaction that does the work, naming who asked (an admin agent
with their client address, or the operator on the command line) and, as detail, only the kind
of subject and the counts: never the visitor id, e-mail address, customer id or case number,
so the audit log does not become a copy of what was erased. The audit log holds client
addresses itself, so a retention round also deletes its entries older than
CHAT_AUDIT_RETENTION_DAYS (decision 0110).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import AuditEntry, record_audit

__all__ = ["CLI", "SCHEDULE", "Actor"]


@dataclass(frozen=True)
class Actor:
    """Who asked for a privacy operation: an admin agent (id, name and client address), the
    operator on the command line (`CLI`) or the server's retention schedule (`SCHEDULE`)."""

    name: str
    agent_id: str | None = None
    address: str | None = None


CLI = Actor("cli")
SCHEDULE = Actor("schedule")


async def record(
    session: AsyncSession, action: str, at: dt.datetime, by: Actor, detail: Mapping[str, Any]
) -> None:
    await record_audit(
        session,
        action,
        at,
        agent_id=by.agent_id,
        actor=by.name,
        address=by.address,
        detail=detail,
    )


async def forget_audit(session: AsyncSession, cutoff: dt.datetime, *, dry_run: bool) -> int:
    """Delete (or with `dry_run` count) the audit entries from before `cutoff`."""
    if dry_run:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff)
        return int((await session.execute(query)).scalar_one())
    gone = await session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    return int(getattr(gone, "rowcount", 0) or 0)
