"""Mail out, durably: every mail to send is a row of `mails_out` (unique by its cause), sent
by `do_send_mails` over SMTP (`conversations.mail`) and marked `sent`; a failure (the server
unreachable, a refusal) leaves it `pending` with the error and a next try after a backoff
(30 s, doubling, at most an hour), logged each time. A round sends its mails over a few
SMTP connections at once, each connection several mails in turn (a burst of acknowledgements
goes out at the speed of the server, not of a handshake per mail); each mail is marked sent
as soon as the server took it (the ones taken meanwhile together). A sender claims a row for
a lease, so two processes never send it both; a process that dies between the server's 250
and marking the mail sent sends it again when the lease runs out (the same Message-ID, so a
mail program shows it once): under a burst, the few mails of a round whose marks were still
waiting for the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import or_, select, update

from channels.email.tables import MailOut
from conversations.mail import MailNotSent, MailSettings, send_mails
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
    """Claim up to `limit` due mails in one transaction, acknowledgements first (their
    customers wait for them; decision 0124), then the oldest (on PostgreSQL the rows
    another sender is claiming are skipped)."""
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
                    .order_by(MailOut.cause.startswith("auto:").desc(), MailOut.next_try_at)
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


_Result = list[str] | MailNotSent


async def do_send_mails(
    db: Database,
    mail: MailSettings,
    now: dt.datetime,
    *,
    sender: str,
    name: str | None = None,
    limit: int = 40,
    connections: int = 4,
) -> tuple[int, int]:
    """One round: send up to `limit` due mails from `sender` over at most `connections`
    SMTP connections at once (each sends its share in turn); (sent, failed). Each mail is
    marked as soon as the server has answered it (the ones answered meanwhile in one
    transaction), so a process that dies sends again only what was not marked yet."""
    rows = await _claim(db, now, limit)
    if not rows:
        return 0, 0
    loop = asyncio.get_running_loop()
    outcomes: asyncio.Queue[tuple[MailOut, _Result]] = asyncio.Queue()

    def send(share: list[MailOut]) -> None:  # one connection, in a thread
        reported = 0

        def each(index: int, result: _Result) -> None:
            nonlocal reported
            reported = index + 1
            loop.call_soon_threadsafe(outcomes.put_nowait, (share[index], result))

        try:
            messages = [outgoing_message(row, sender, name) for row in share]
            send_mails(mail, messages, on_each=each)
        except Exception as exc:  # a mail that cannot even be written: kept for a retry
            for index in range(reported, len(share)):
                each(index, MailNotSent(f"the mail could not be sent: {exc}"))

    shares = [rows[i::connections] for i in range(min(connections, len(rows)))]
    sending = asyncio.gather(*(asyncio.to_thread(send, share) for share in shares))
    sent = failed = 0
    try:
        while sent + failed < len(rows):
            got = [await outcomes.get()]
            while not outcomes.empty():
                got.append(outcomes.get_nowait())
            ok, bad = await _mark(db, got, now)
            sent, failed = sent + ok, failed + bad
    finally:
        await asyncio.gather(sending, return_exceptions=True)
    return sent, failed


async def _mark(
    db: Database, got: list[tuple[MailOut, _Result]], now: dt.datetime
) -> tuple[int, int]:
    """Note what the server said of each mail, in one transaction: sent, or pending with
    the error and the next try after the backoff (logged)."""
    done = [row.id for row, result in got if not isinstance(result, MailNotSent)]
    async with db.writing() as session, session.begin():
        if done:
            await session.execute(
                update(MailOut)
                .where(MailOut.id.in_(done))
                .values(status="sent", error=None, sent_at=now, claimed_until=None)
            )
        for row, result in got:
            if not isinstance(result, MailNotSent):
                if result:
                    log.warning("mail %s was refused for %s", row.message_id, ", ".join(result))
                continue
            wait = min(BACKOFF * 2 ** max(0, row.attempts - 1), MAX_BACKOFF)
            await session.execute(
                update(MailOut)
                .where(MailOut.id == row.id)
                .values(status="pending", error=result.message, next_try_at=now + wait)
            )
            log.warning(
                "mail %s to %s not sent (try %d): %s; next try in %d s",
                row.message_id,
                row.to_addr,
                row.attempts,
                result.message,
                wait.total_seconds(),
            )
    return len(done), len(got) - len(done)
