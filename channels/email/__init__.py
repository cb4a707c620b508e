"""The e-mail channel (issue 14, decision 0121): mail in by SMTP/LMTP, stored before it is
accepted, read (`parse`), taken in once by `channels.do_inbound`, and answered once from the
operator's sender address through a durable outbox."""

from __future__ import annotations

from channels.email.parse import (
    ATTACHMENT_LIMIT,
    Attachment,
    ParsedMail,
    html_to_text,
    parse_mail,
    strip_quoted,
)

__all__ = [
    "ATTACHMENT_LIMIT",
    "Attachment",
    "ParsedMail",
    "html_to_text",
    "parse_mail",
    "strip_quoted",
]
