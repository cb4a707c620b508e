"""Errors of the channels package: each carries a stable `code`, never an HTTP status.

Only `app` decides how a code reaches a client. Tree::

    ChannelError
    ├── BadCustomer        bad_customer: a customer reference that is no e-mail address,
    │                      phone number or id
    ├── BadChannel         bad_channel: a channel name that is not 1–16 of a-z, 0-9, - and _
    ├── WrongCustomer      wrong_customer: a conversation that belongs to another customer
    ├── UnknownTemplate    unknown_template: a registration names no template of the base
    └── BadRegistration    bad_registration: a registration's field value, language, key or
                           note is not valid
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadChannel",
    "BadCustomer",
    "BadRegistration",
    "ChannelError",
    "UnknownTemplate",
    "WrongCustomer",
]


class ChannelError(Exception):
    """What a channel asked for cannot be done; `code` says what."""

    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadCustomer(ChannelError):
    code = "bad_customer"


class BadChannel(ChannelError):
    code = "bad_channel"


class WrongCustomer(ChannelError):
    code = "wrong_customer"


class UnknownTemplate(ChannelError):
    code = "unknown_template"


class BadRegistration(ChannelError):
    code = "bad_registration"
