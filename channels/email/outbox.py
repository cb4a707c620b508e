"""Mail out, durably: every mail to send is a row of `mails_out` (unique by its cause), sent
by `do_send_mails` over SMTP (`conversations.mail`) and marked `sent`; a failure (the server
unreachable, a refusal) leaves it `pending` with the error and a next try after a backoff
(30 s, doubling, at most an hour), logged each time. A sender claims a row for a lease, so
two processes never send it both; a process that dies between the server's 250 and marking
it sent sends it again when the lease runs out (the same Message-ID, so a mail program shows
it once)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import or_, select, update

from channels.email.tables import MailOut
from conversations.mail import MailNotSent, MailSettings, send_mail
from conversations.storage import Database

__all__ = ["BACKOFF", "do_send_mails", "outgoing_message"]

log = logging.getLogger(__name__)

BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)
SEND_LEASE = dt.timedelta(seconds=60)


def outgoing_message(row: MailOut, sender: str, name: str | None = None) -> EmailMessage:
    """The mail of an outbox row: from `sender`, threaded (Message-ID, In-Reply-To,
    References) and marked `Auto-Submitted: auto-replied` when it is an automatic one."""
    message = EmailMessage()
    message["From"] = formataddr((name, sender)) if name else sender
    message["To"] = row.to_addr
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
    if row.references:
        message["References"] = row.references
    if row.automatic:
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-responder answers it
    message.set_content(row.body)
    message["Content-Language"] = row.lang  # (after the content: set_content drops Content-*)
    return message


async def _claim(db: Database, now: dt.datetime, limit: int) -> list[MailOut]:
    """Claim up to `limit` due mails in one transaction (on PostgreSQL the rows another
    sender is claiming are skipped)."""
    due = or_(
        (MailOut.status == "pending") & (MailOut.next_try_at <= now),
        (MailOut.status == "sending") & (MailOut.claimed_until <= now),
    )
    async with db.writing() as session, session.begin():
        rows = list(
            (
                await session.scalars(
                    select(MailOut)
                    .where(due)
                    .order_by(MailOut.next_try_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        for row in rows:
            row.status = "sending"
            row.claimed_until = now + SEND_LEASE
            row.attempts += 1
    return rows


async def do_send_mails(
    db: Database,
    mail: MailSettings,
    now: dt.datetime,
    *,
    sender: str,
    name: str | None = None,
    limit: int = 20,
) -> tuple[int, int]:
    """One round: send up to `limit` due mails from `sender`; (sent, failed)."""
    rows = await _claim(db, now, limit)
    sent = failed = 0
    for row in rows:
        message = outgoing_message(row, sender, name)
        try:
            refused = await asyncio.to_thread(send_mail, mail, message)
        except MailNotSent as exc:
            failed += 1
            wait = min(BACKOFF * 2 ** max(0, row.attempts - 1), MAX_BACKOFF)
            await _set(db, row.id, status="pending", error=exc.message, next_try_at=now + wait)
            log.warning(
                "mail %s to %s not sent (try %d): %s; next try in %d s",
                row.message_id,
                row.to_addr,
                row.attempts,
                exc.message,
                wait.total_seconds(),
            )
            continue
        sent += 1
        await _set(db, row.id, status="sent", error=None, sent_at=now, claimed_until=None)
        if refused:
            log.warning("mail %s was refused for %s", row.message_id, ", ".join(refused))
    return sent, failed


async def _set(db: Database, mail_id: str, **values: object) -> None:
    async with db.writing() as session, session.begin():
        await session.execute(update(MailOut).where(MailOut.id == mail_id).values(**values))
