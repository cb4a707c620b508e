"""The e-mail channel (issue 14, decision 0121): mail in by SMTP/LMTP, stored before it is
accepted, read (`parse`), taken in once by `channels.do_inbound` and acknowledged at once,
then answered by the bot, from the operator's sender address through a durable outbox."""

from __future__ import annotations

from channels.email.intake import (
    EmailConfig,
    TakeOutcome,
    do_answer_mail,
    do_answer_mails,
    do_store_mail,
    do_store_mails,
    do_take_mail,
    do_take_mails,
    mail_subject,
)
from channels.email.outbox import do_send_mails, outgoing_message
from channels.email.parse import (
    ATTACHMENT_LIMIT,
    Attachment,
    ParsedMail,
    html_to_text,
    parse_mail,
    strip_quoted,
)
from channels.email.replies import do_mail_agent_replies
from channels.email.service import EmailChannel

__all__ = [
    "ATTACHMENT_LIMIT",
    "Attachment",
    "EmailChannel",
    "EmailConfig",
    "ParsedMail",
    "TakeOutcome",
    "do_answer_mail",
    "do_answer_mails",
    "do_mail_agent_replies",
    "do_send_mails",
    "do_store_mail",
    "do_store_mails",
    "do_take_mail",
    "do_take_mails",
    "html_to_text",
    "mail_subject",
    "outgoing_message",
    "parse_mail",
    "strip_quoted",
]
