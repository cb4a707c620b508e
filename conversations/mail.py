"""Sending e-mail over SMTP (STARTTLS and login), the one transport below every package that
mails: insights' weekly report and the e-mail channel's outbox. Blocking: call `send_mail`
in a thread."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import ClassVar

__all__ = ["MailNotSent", "MailSettings", "send_mail"]


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
    where = f"{mail.host}:{mail.port}"
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
            if mail.starttls:
                smtp.starttls(context=mail.tls_context or ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailNotSent(
            f"the SMTP server {where} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused_all = ", ".join(
            f"{who} ({code} {_text(why)})" for who, (code, why) in exc.recipients.items()
        )
        raise MailNotSent(
            f"the SMTP server {where} refused every recipient: {refused_all}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailNotSent(
            f"the SMTP server {where} refused {what}: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPException as exc:
        raise MailNotSent(f"the SMTP server {where} failed: {exc}") from exc
    except (OSError, ssl.SSLError) as exc:
        raise MailNotSent(f"cannot reach the SMTP server {where}: {exc.strerror or exc}") from exc
    return sorted(refused)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
