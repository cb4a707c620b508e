"""Webhooks: another system hears when a case of its channel gets an agent's reply, is
resolved, or is reopened (decision 0122).

Durable, at least once, never again after a 2xx:

- **Finding events** (`do_find_events`) reads them from the database, never from memory: the
  agents' messages and the cases' `resolved`/`reopened` events of conversations on the
  webhook's channel since its high-water mark (`webhooks.scanned_to`, read again `GRACE`
  behind it for transactions that committed late). Each becomes one `webhook_deliveries` row,
  unique per (webhook, event), so reading an event twice (another process, a restart) makes
  nothing new.
- **Delivering** (`do_deliver_due`): a process leases a due delivery with a conditional
  UPDATE (two processes never try the same one at once), POSTs its body signed with the
  webhook's secret, and logs the try (`webhook_tries`: status code, error, duration). A 2xx
  marks it delivered for good; a time-out, a connection error, 408, 429 or 5xx is tried again
  after BACKOFF (8 tries over about 7¾ hours); any other answer ends it as failed.
- **The worker** (`WebhookWorker`) runs both in a background task of the server, with a
  short time-out per try, so a slow target never holds up a request.

Signature: `X-Samsvar-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
with `X-Samsvar-Timestamp: <unix seconds of the try>`, and `X-Samsvar-Delivery: <id>` that
stays the same across the tries of one delivery (docs/channel-api.md shows the check).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from channels.api_keys import Who
from channels.errors import BadWebhook, UnknownWebhook
from channels.inbound import check_channel
from channels.tables import Webhook, WebhookDelivery, WebhookTry
from conversations.storage import Conversation, Database, Message
from handoff.tables import Case, CaseEvent

__all__ = [
    "BACKOFF",
    "EVENT_KINDS",
    "GRACE",
    "MAX_TRIES",
    "WebhookInfo",
    "WebhookWorker",
    "do_add_webhook",
    "do_deliver_due",
    "do_find_events",
    "do_remove_webhook",
    "get_deliveries",
    "get_webhooks",
    "sign",
]

log = logging.getLogger(__name__)

EVENT_KINDS = ("agent_reply", "resolved", "reopened")
#: The wait after each failed try: 8 tries in all, the last about 7 h 42 min after the first.
BACKOFF = tuple(dt.timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600, 7200, 14400))
MAX_TRIES = len(BACKOFF) + 1
#: How far behind its high-water mark a webhook's events are read again.
GRACE = dt.timedelta(minutes=5)
#: How long a process holds a delivery it is trying (then another may take it up).
LEASE = dt.timedelta(minutes=2)
RETRY_STATUSES = frozenset({408, 429})
USER_AGENT = "Samsvar-Webhook/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


@dataclass(frozen=True)
class WebhookInfo:
    """A webhook as admins see it (the secret only once, when it is made)."""

    id: str
    channel: str
    url: str
    created_at: dt.datetime
    created_by: str | None
    removed_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
        }


def _info(row: Webhook) -> WebhookInfo:
    return WebhookInfo(row.id, row.channel, row.url, row.created_at, row.created_by, row.removed_at)


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2048:
        raise BadWebhook(
            f"a webhook URL is http(s)://host/path, at most 2048 characters: {url[:80]!r}"
        )
    if parts.username or parts.password:
        raise BadWebhook("a webhook URL must not carry a user name or password")
    return url


async def do_add_webhook(
    db: Database, channel: str, url: str, now: dt.datetime, *, by: Who
) -> tuple[WebhookInfo, str]:
    """Send the events of `channel`'s cases from now on to `url`: the webhook and its signing
    secret (`whsec_…`, shown to the admin now; the server keeps it to sign). Recorded in the
    audit log (`webhook_added`). Raises BadChannel, BadWebhook."""
    channel, url = check_channel(channel.strip()), _check_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = Webhook(
        id=secrets.token_hex(6),
        channel=channel,
        url=url,
        secret=secret,
        created_at=now,
        created_by=by.actor[:64],
        scanned_to=now,
        removed_at=None,
    )
    async with db.writing() as session, session.begin():
        session.add(row)
        await by.record(
            session, "webhook_added", now, row.id, {"channel": channel, "url": url[:200]}
        )
    return _info(row), secret


async def get_webhooks(db: Database) -> list[WebhookInfo]:
    """Every webhook, the newest first (removed ones too: their deliveries stay listed)."""
    async with db.reading() as session:
        rows = await session.scalars(select(Webhook).order_by(Webhook.created_at.desc()))
        return [_info(row) for row in rows]


async def do_remove_webhook(
    db: Database, webhook_id: str, now: dt.datetime, *, by: Who
) -> WebhookInfo:
    """Stop a webhook: nothing more is found or sent for it (its log stays). Recorded in the
    audit log (`webhook_removed`). Raises UnknownWebhook."""
    async with db.writing() as session, session.begin():
        row = await session.get(Webhook, webhook_id.strip())
        if row is None:
            raise UnknownWebhook(f"there is no webhook {webhook_id[:40]!r}")
        if row.removed_at is None:
            row.removed_at = now
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.webhook_id == row.id, WebhookDelivery.status == "pending")
                .values(status="cancelled")
            )
            await by.record(session, "webhook_removed", now, row.id, {"channel": row.channel})
        return _info(row)


async def get_deliveries(
    db: Database,
    *,
    webhook_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The newest deliveries first, each with its tries (admins' log)."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    if webhook_id is not None:
        query = query.where(WebhookDelivery.webhook_id == webhook_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    async with db.reading() as session:
        deliveries = list(await session.scalars(query.limit(limit)))
        tries = list(
            await session.scalars(
                select(WebhookTry)
                .where(WebhookTry.delivery_id.in_([d.id for d in deliveries]))
                .order_by(WebhookTry.id)
            )
        )
    by_delivery: dict[str, list[dict[str, Any]]] = {}
    for t in tries:
        by_delivery.setdefault(t.delivery_id, []).append(
            {
                "at": t.at.isoformat(),
                "status_code": t.status_code,
                "error": t.error,
                "duration_ms": t.duration_ms,
            }
        )
    return [
        {
            "id": d.id,
            "webhook_id": d.webhook_id,
            "event": d.kind,
            "conversation_id": d.conversation_id,
            "status": d.status,
            "tries": by_delivery.get(d.id, []),
            "next_at": d.next_at.isoformat() if d.status == "pending" else None,
            "created_at": d.created_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
        }
        for d in deliveries
    ]


# --- finding events ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    key: str
    kind: str
    conversation_id: str
    at: dt.datetime
    case: Case | None
    message: Message | None


async def _events(
    db: Database, channel: str, since: dt.datetime, until: dt.datetime
) -> list[_Event]:
    async with db.reading() as session:
        replies = (
            (
                await session.execute(
                    select(Message)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(
                        Conversation.channel == channel,
                        Message.role == "agent",
                        Message.created_at >= since,
                        Message.created_at <= until,
                    )
                    .order_by(Message.created_at, Message.seq)
                )
            )
            .scalars()
            .all()
        )
        changes = (
            await session.execute(
                select(CaseEvent, Case)
                .join(Case, Case.id == CaseEvent.case_id)
                .join(Conversation, Conversation.id == Case.conversation_id)
                .where(
                    Conversation.channel == channel,
                    CaseEvent.kind.in_(("resolved", "reopened")),
                    CaseEvent.created_at >= since,
                    CaseEvent.created_at <= until,
                )
                .order_by(CaseEvent.id)
            )
        ).all()
        cases: dict[str, Case | None] = {}
        for message in replies:
            if message.conversation_id not in cases:
                cases[message.conversation_id] = await session.scalar(
                    select(Case)
                    .where(Case.conversation_id == message.conversation_id)
                    .order_by(Case.created_at.desc())
                    .limit(1)
                )
    found = [
        _Event(
            f"message:{m.id}",
            "agent_reply",
            m.conversation_id,
            m.created_at,
            cases.get(m.conversation_id),
            m,
        )
        for m in replies
    ]
    found += [
        _Event(f"case_event:{e.id}", e.kind, c.conversation_id, e.created_at, c, None)
        for e, c in changes
    ]
    return found


def _body(delivery_id: str, channel: str, event: _Event) -> str:
    case = event.case
    # the status the event left the case in (GET /cases/{number} has the current one)
    status = "waiting_on_visitor" if event.kind == "agent_reply" else event.kind
    body: dict[str, Any] = {
        "id": delivery_id,
        "type": event.kind,
        "created_at": event.at.isoformat(),
        "channel": channel,
        "conversation_id": event.conversation_id,
        "case": {"number": case.number, "status": status} if case is not None else None,
    }
    if event.message is not None:
        flags = event.message.flags or {}
        body["message"] = {
            "id": event.message.id,
            "text": event.message.text,
            "lang": event.message.lang,
            "agent_name": flags.get("agent_name"),
            "created_at": event.message.created_at.isoformat(),
        }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def do_find_events(db: Database, now: dt.datetime) -> int:
    """Make the deliveries of the events since each live webhook's high-water mark; how
    many were new. Safe to run in several processes at once (a unique row per event)."""
    async with db.reading() as session:
        hooks = list(await session.scalars(select(Webhook).where(Webhook.removed_at.is_(None))))
    made = 0
    for hook in hooks:
        since = max(hook.created_at, hook.scanned_to - GRACE)
        events = await _events(db, hook.channel, since, now)
        new = 0
        try:
            async with db.writing() as session, session.begin():
                known = (
                    set(
                        await session.scalars(
                            select(WebhookDelivery.event).where(
                                WebhookDelivery.webhook_id == hook.id,
                                WebhookDelivery.event.in_([e.key for e in events]),
                            )
                        )
                    )
                    if events
                    else set()
                )
                for event in events:
                    if event.key in known:
                        continue
                    delivery_id = uuid.uuid4().hex
                    session.add(
                        WebhookDelivery(
                            id=delivery_id,
                            webhook_id=hook.id,
                            event=event.key,
                            kind=event.kind,
                            conversation_id=event.conversation_id,
                            body=_body(delivery_id, hook.channel, event),
                            status="pending",
                            tries=0,
                            next_at=now,
                            leased_until=None,
                            created_at=now,
                            delivered_at=None,
                        )
                    )
                    new += 1
                # the mark only moves on: another process's later round is kept
                await session.execute(
                    update(Webhook)
                    .where(Webhook.id == hook.id, Webhook.scanned_to < now)
                    .values(scanned_to=now)
                )
        except IntegrityError:  # another process made them a moment ago: its round counts
            continue
        made += new
    return made


# --- delivering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Due:
    id: str
    url: str
    secret: str
    body: str
    kind: str
    tries: int


async def _lease(db: Database, now: dt.datetime, limit: int) -> list[_Due]:
    async with db.reading() as session:
        rows = (
            await session.execute(
                select(WebhookDelivery, Webhook)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_at <= now,
                    or_(
                        WebhookDelivery.leased_until.is_(None),
                        WebhookDelivery.leased_until < now,
                    ),
                    Webhook.removed_at.is_(None),
                )
                .order_by(WebhookDelivery.next_at)
                .limit(limit)
            )
        ).all()
    leased = []
    for delivery, hook in rows:
        async with db.writing() as session, session.begin():
            taken = await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery.id,
                    WebhookDelivery.status == "pending",
                    or_(
                        WebhookDelivery.leased_until.is_(None),
                        WebhookDelivery.leased_until < now,
                    ),
                )
                .values(leased_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
        if getattr(taken, "rowcount", 0):
            leased.append(
                _Due(
                    delivery.id, hook.url, hook.secret, delivery.body, delivery.kind, delivery.tries
                )
            )
    return leased


async def _try(
    db: Database, client: httpx.AsyncClient, due: _Due, clock: Callable[[], dt.datetime]
) -> str:
    at = clock()
    timestamp = str(int(at.timestamp()))
    body = due.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Samsvar-Delivery": due.id,
        "X-Samsvar-Event": due.kind,
        "X-Samsvar-Timestamp": timestamp,
        "X-Samsvar-Signature": sign(due.secret, timestamp, body),
    }
    status_code: int | None = None
    error: str | None = None
    started = time.monotonic()
    try:
        answer = await client.post(due.url, content=body, headers=headers)
        status_code = answer.status_code
    except httpx.TimeoutException as exc:
        error = f"timed out ({type(exc).__name__})"
    except httpx.HTTPError as exc:
        error = f"could not connect: {type(exc).__name__}: {exc}"[:200]
    duration_ms = round((time.monotonic() - started) * 1000)
    tries = due.tries + 1
    retryable = status_code is None or status_code >= 500 or status_code in RETRY_STATUSES
    if status_code is not None and 200 <= status_code < 300:
        status = "delivered"
    elif retryable and tries < MAX_TRIES:
        status = "pending"
    elif retryable:
        status = "failed"
        error = f"{error or f'the target answered {status_code}'}; gave up after {tries} tries"
    else:
        status = "failed"
        error = f"the target answered {status_code}: not tried again"
    done = clock()
    values: dict[str, Any] = {"status": status, "tries": tries, "leased_until": None}
    if status == "pending":
        values["next_at"] = done + BACKOFF[tries - 1]
    if status == "delivered":
        values["delivered_at"] = done
    async with db.writing() as session, session.begin():
        session.add(
            WebhookTry(
                delivery_id=due.id,
                at=at,
                status_code=status_code,
                error=error,
                duration_ms=duration_ms,
            )
        )
        await session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == due.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    if status != "delivered":
        log.warning(
            "webhook delivery %s try %d: %s (%s)",
            due.id,
            tries,
            error or f"status {status_code}",
            "will retry" if status == "pending" else "given up",
        )
    return status


async def do_deliver_due(
    db: Database,
    client: httpx.AsyncClient,
    clock: Callable[[], dt.datetime],
    *,
    limit: int = 20,
) -> dict[str, str]:
    """Try the deliveries that are due now (at most `limit`, at the same time): each one's
    id and what became of it (`delivered`, `pending` to retry, `failed`)."""
    leased = await _lease(db, clock(), limit)
    outcomes = await asyncio.gather(*(_try(db, client, due, clock) for due in leased))
    return {due.id: outcome for due, outcome in zip(leased, outcomes, strict=True)}


class WebhookWorker:
    """The background task that finds events and delivers them every `poll_seconds`, each
    try limited to `timeout` seconds. `start()` in the server's start, `await stop()` in its
    end: the round under way finishes (a time-out at most), then the task ends."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        *,
        poll_seconds: float = 2.0,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.db, self.clock = db, clock
        self.poll_seconds, self.timeout = poll_seconds, timeout
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
        )
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> dict[str, str]:
        """One round: find new events, try what is due."""
        await do_find_events(self.db, self.clock())
        return await do_deliver_due(self.db, self.client, self.clock)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self.timeout + 5)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        await self.client.aclose()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception:  # the loop must outlive one failed round
                log.exception("the webhook round failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_seconds)
