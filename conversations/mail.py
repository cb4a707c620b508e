"""Sending e-mail over SMTP (STARTTLS and login), the one transport below every package that
mails: insights' weekly report and the e-mail channel's outbox. Blocking: call `send_mail`
(or `send_mails`, several over one connection) in a thread."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import ClassVar

__all__ = ["MailNotSent", "MailSettings", "send_mail", "send_mails"]


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server: STARTTLS before login unless `starttls` is off;
    `tls_context` (default: the system's trusted certificates) checks the server."""

    host: str
    port: int = 587
    sender: str = "samsvar@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None


class MailNotSent(Exception):
    """The mail was not sent; `message` says what failed (the connection, STARTTLS, the
    login, or the server's refusal) and `refused` lists recipients refused one by one
    when others got it."""

    code: ClassVar[str] = "mail_not_sent"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def send_mail(mail: MailSettings, message: EmailMessage, what: str = "the mail") -> list[str]:
    """Send `message` (its From, To and the rest set by the caller); the recipients the
    server refused while accepting others come back. Raises MailNotSent."""
    [result] = send_mails(mail, [message], what)
    if isinstance(result, MailNotSent):
        raise result
    return result


def send_mails(
    mail: MailSettings,
    messages: Sequence[EmailMessage],
    what: str = "the mail",
    *,
    on_each: Callable[[int, list[str] | MailNotSent], None] | None = None,
) -> list[list[str] | MailNotSent]:
    """Send `messages` over one connection, in order: for each, the recipients refused
    while others got it, or MailNotSent. A refusal of one mail leaves the connection to
    the next; a failed connection (or STARTTLS, or login) fails every mail not yet sent.
    `on_each(index, result)` is called as soon as each one's outcome is known (so that
    the caller can note a mail sent before the next goes)."""
    where = f"{mail.host}:{mail.port}"
    results: list[list[str] | MailNotSent] = []

    def done(result: list[str] | MailNotSent) -> None:
        results.append(result)
        if on_each is not None:
            on_each(len(results) - 1, result)

    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
            if mail.starttls:
                smtp.starttls(context=mail.tls_context or ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password or "")
            for message in messages:
                try:
                    done(sorted(smtp.send_message(message)))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                    done(_not_sent(exc, where, what))  # refused: the next may go
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        failed = _not_sent(exc, where, what)
        while len(results) < len(messages):
            done(failed)
    return results


def _not_sent(exc: Exception, where: str, what: str) -> MailNotSent:
    """What failed, said for the log and the outbox row."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailNotSent(
            f"the SMTP server {where} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused_all = ", ".join(
            f"{who} ({code} {_text(why)})" for who, (code, why) in exc.recipients.items()
        )
        return MailNotSent(f"the SMTP server {where} refused every recipient: {refused_all}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailNotSent(
            f"the SMTP server {where} refused {what}: {exc.smtp_code} {_text(exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPException):
        return MailNotSent(f"the SMTP server {where} failed: {exc}")
    strerror = getattr(exc, "strerror", None)
    return MailNotSent(f"cannot reach the SMTP server {where}: {strerror or exc}")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
