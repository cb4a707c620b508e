"""The audit log: what agents and admins did (sign-ins, failed sign-ins, claims, transfers,
resolutions, registered phone and desk inquiries, and the operator's exports and erasures),
for admins to read.

`record_audit` adds one entry in the session it is given, so an action and its entry are
committed together; `get_audit` reads the newest first. An entry names the agent by id and
name, the client address, what the action was done to (`target`) and a small `detail`; it never
holds a password, a code or a visitor's credential. A failed sign-in with a name no agent has
keeps no name (a mistyped password in the name field must not end up in the log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.tables import AuditEntry

__all__ = ["AUDIT_ACTIONS", "get_audit", "record_audit"]

#: The actions the server and the commands record (docs/agent-api.md, "AuditEntry").
AUDIT_ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "claim",
    "transfer",
    "resolve",
    "register",
    "agent_added",
    "totp_enrolled",
    "totp_removed",
    "privacy_export",
    "privacy_erase",
    "privacy_retention",
    "api_key_created",
    "api_key_revoked",
    "webhook_added",
    "webhook_removed",
)

_MAX_TEXT = 64


def _short(value: str | None) -> str | None:
    return value[:_MAX_TEXT] if value is not None else None


async def record_audit(
    session: AsyncSession,
    action: str,
    at: dt.datetime,
    *,
    agent_id: str | None = None,
    actor: str | None = None,
    address: str | None = None,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the audit log in `session` (the caller commits it)."""
    if not action or len(action) > 32:
        raise ValueError(f"an audit action is 1 to 32 characters, not {action!r}")
    entry = AuditEntry(
        at=at,
        action=action,
        agent_id=agent_id,
        actor=_short(actor),
        address=_short(address),
        target=_short(target),
        detail=dict(detail or {}),
    )
    session.add(entry)
    await session.flush()
    return entry


async def get_audit(
    session: AsyncSession,
    *,
    limit: int = 100,
    before: int | None = None,
    action: str | None = None,
    agent_id: str | None = None,
) -> list[AuditEntry]:
    """The newest entries first (ids below `before`, when given), at most `limit`."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if agent_id is not None:
        query = query.where(AuditEntry.agent_id == agent_id)
    return list((await session.execute(query)).scalars())
