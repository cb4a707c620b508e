"""Mails for the e-mail channel's tests, and a look at its tables."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from sqlalchemy import select

from channels.email.intake import EmailConfig, TakeOutcome, do_answer_mails, do_take_mails
from channels.email.tables import MailAttachment, MailIn, MailOut
from conversations.services import Services

__all__ = ["CONFIG", "SUPPORT", "attachments", "mail", "mails_in", "mails_out", "take_all"]

SUPPORT = "kundeservice@butikk.no"
CONFIG = EmailConfig(address=SUPPORT, per_sender_hour=3)


def mail(
    body: str = "Hvor er pakken min?",
    message_id: str | None = "<m1@example.no>",
    *,
    sender: str = "Kari Nord <kari@example.no>",
    subject: str = "Pakke",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id
    message.set_content(body)
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message.as_bytes()


async def take_all(services: Services, config: EmailConfig = CONFIG) -> list[TakeOutcome]:
    """Both steps, round after round, until no mail waits for either: every outcome."""
    outcomes: list[TakeOutcome] = []
    while found := await do_take_mails(services, config) + await do_answer_mails(services, config):
        outcomes += found
    return outcomes


async def mails_in(services: Services) -> list[MailIn]:
    async with services.db.reading() as session:
        return list((await session.scalars(select(MailIn).order_by(MailIn.received_at))).all())


async def mails_out(services: Services) -> list[MailOut]:
    async with services.db.reading() as session:
        return list((await session.scalars(select(MailOut).order_by(MailOut.created_at))).all())


async def attachments(services: Services) -> list[MailAttachment]:
    async with services.db.reading() as session:
        return list(
            (await session.scalars(select(MailAttachment).order_by(MailAttachment.id))).all()
        )


def summary(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ("status", "reason")}
