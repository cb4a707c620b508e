"""Keys of the channel API: an admin creates one with a name and the channels it may post on,
sees its secret once, and may revoke it; a platform sends it as `Authorization: Bearer …`.

A key reads `sk_<id>_<secret>`: `id` (12 hex digits) finds the row and is safe to show and
log; `secret` (32 random bytes, URL-safe base64) is known only to the holder. The server keeps
the SHA-256 of the secret, compared in constant time. A slow password hash would add nothing:
the secret has 256 bits of entropy, so no guessing attack runs against its hash, and every API
call checks it (decision 0122).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.errors import BadApiKey, BadName, ChannelNotAllowed, UnknownApiKey
from channels.inbound import check_channel
from channels.tables import ApiKey
from conversations.storage import Database
from handoff import record_audit

__all__ = [
    "KEY_PREFIX",
    "ApiKeyInfo",
    "Who",
    "do_check_api_key",
    "do_create_api_key",
    "do_revoke_api_key",
    "get_api_keys",
]

KEY_PREFIX = "sk_"
_KEY = re.compile(r"sk_([0-9a-f]{12})_([A-Za-z0-9_\-]{20,100})")
#: How stale `last_used_at` may be before a call writes it again (one write per minute per
#: key, not one per call).
LAST_USED_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Who:
    """Who did an admin action, as the audit log names them: an agent (id, name, address)
    or the command line (`cli`)."""

    actor: str
    agent_id: str | None = None
    address: str | None = None

    async def record(
        self,
        session: AsyncSession,
        action: str,
        now: dt.datetime,
        target: str,
        detail: dict[str, Any],
    ) -> None:
        """Write `action` on `target` to the audit log as done by this actor."""
        await record_audit(
            session,
            action,
            now,
            agent_id=self.agent_id,
            actor=self.actor,
            address=self.address,
            target=target,
            detail=detail,
        )


@dataclass(frozen=True)
class ApiKeyInfo:
    """A key as admins see it (never its secret or hash). `channels` empty: every channel."""

    id: str
    name: str
    channels: tuple[str, ...]
    created_at: dt.datetime
    created_by: str | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def allows(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    def as_json(self) -> dict[str, Any]:
        def when(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "name": self.name,
            "channels": list(self.channels) or None,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "last_used_at": when(self.last_used_at),
            "revoked_at": when(self.revoked_at),
        }


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        row.id,
        row.name,
        tuple(row.channels or ()),
        row.created_at,
        row.created_by,
        row.last_used_at,
        row.revoked_at,
    )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 64 or not name.isprintable():
        raise BadName("an API key's name is 1–64 printable characters")
    return name


async def do_create_api_key(
    db: Database, name: str, channels: Sequence[str], now: dt.datetime, *, by: Who
) -> tuple[ApiKeyInfo, str]:
    """A new key allowed on `channels` (none: every channel): its info and the whole key,
    `sk_<id>_<secret>`, which is not stored and cannot be shown again. Recorded in the
    audit log (`api_key_created`). Raises ChannelError (a bad name), BadChannel."""
    name = _check_name(name)
    allowed = sorted({check_channel(c.strip()) for c in channels})
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    row = ApiKey(
        id=key_id,
        name=name,
        secret_hash=_hash(secret),
        channels=allowed,
        created_at=now,
        created_by=by.actor[:64],
        last_used_at=None,
        revoked_at=None,
    )
    async with db.writing() as session, session.begin():
        session.add(row)
        await by.record(
            session, "api_key_created", now, key_id, {"name": name, "channels": allowed or "all"}
        )
    return _info(row), f"{KEY_PREFIX}{key_id}_{secret}"


async def get_api_keys(db: Database) -> list[ApiKeyInfo]:
    """Every key, the newest first (revoked ones too)."""
    async with db.reading() as session:
        rows = await session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))
        return [_info(row) for row in rows]


async def do_revoke_api_key(db: Database, key_id: str, now: dt.datetime, *, by: Who) -> ApiKeyInfo:
    """Revoke a key (from its next call on it gets 401); revoking it again changes nothing.
    Recorded in the audit log (`api_key_revoked`). Raises UnknownApiKey."""
    async with db.writing() as session, session.begin():
        row = await session.get(ApiKey, key_id.strip())
        if row is None:
            raise UnknownApiKey(f"there is no API key {key_id[:40]!r} (samsvar apikeys list)")
        if row.revoked_at is None:
            row.revoked_at = now
            await by.record(session, "api_key_revoked", now, row.id, {"name": row.name})
        return _info(row)


async def do_check_api_key(
    db: Database, token: str | None, now: dt.datetime, *, channel: str | None = None
) -> ApiKeyInfo:
    """The key `token` is (the bearer token of a call), allowed on `channel` when given;
    notes when it was last used. Raises BadApiKey (missing, malformed, unknown, wrong secret
    or revoked: the caller is told which in words, one code) or ChannelNotAllowed."""
    if not token:
        raise BadApiKey("send the API key as `Authorization: Bearer sk_…`")
    found = _KEY.fullmatch(token.strip())
    if found is None:
        raise BadApiKey("the API key is malformed: a key reads sk_<12 hex digits>_<secret>")
    key_id, secret = found.groups()
    async with db.reading() as session:
        row = await session.get(ApiKey, key_id)
    # compared in constant time, against a hash of nothing when the id is unknown
    expected = row.secret_hash if row is not None else _hash("")
    if not hmac.compare_digest(_hash(secret), expected) or row is None:
        raise BadApiKey("the API key is not known here")
    if row.revoked_at is not None:
        raise BadApiKey("the API key was revoked")
    info = _info(row)
    if channel is not None and not info.allows(channel):
        allowed = ", ".join(info.channels)
        raise ChannelNotAllowed(
            f"this API key may post on the channel(s) {allowed}, not on {channel[:40]!r}"
        )
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        async with db.writing() as session, session.begin():
            await session.execute(
                update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
            )
    return info
