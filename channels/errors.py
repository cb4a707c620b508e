"""Errors of the channels package: each carries a stable `code`, never an HTTP status.

Only `app` decides how a code reaches a client. Tree::

    ChannelError
    ├── BadCustomer        bad_customer: a customer reference that is no e-mail address,
    │                      phone number or id
    ├── BadChannel         bad_channel: a channel name that is not 1–16 of a-z, 0-9, - and _
    ├── UnknownCustomer    unknown_customer: a reference that leads to no customer yet
    ├── WrongCustomer      wrong_customer: a conversation that belongs to another customer
    ├── BadApiKey          bad_api_key: an API key that is missing, malformed, unknown or
    │                      revoked (one code for all: a caller learns nothing of which)
    ├── ChannelNotAllowed  channel_not_allowed: a key used on a channel it was not given
    ├── BadName            bad_name: an API key's name that is not 1–64 printable characters
    ├── UnknownApiKey      unknown_api_key: an admin names a key that does not exist
    ├── BadWebhook         bad_webhook: a webhook URL that is not http(s)://host/…
    ├── UnknownWebhook     unknown_webhook: an admin names a webhook that does not exist
    ├── UnknownTemplate    unknown_template: a registration names no template of the base
    └── BadRegistration    bad_registration: a registration's field value, language, key or
                           note is not valid
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BadApiKey",
    "BadChannel",
    "BadCustomer",
    "BadName",
    "BadRegistration",
    "BadWebhook",
    "ChannelError",
    "ChannelNotAllowed",
    "UnknownApiKey",
    "UnknownCustomer",
    "UnknownTemplate",
    "UnknownWebhook",
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


class BadApiKey(ChannelError):
    code = "bad_api_key"


class ChannelNotAllowed(ChannelError):
    code = "channel_not_allowed"


class BadName(ChannelError):
    code = "bad_name"


class UnknownApiKey(ChannelError):
    code = "unknown_api_key"


class BadWebhook(ChannelError):
    code = "bad_webhook"


class UnknownWebhook(ChannelError):
    code = "unknown_webhook"


class UnknownCustomer(ChannelError):
    code = "unknown_customer"


class UnknownTemplate(ChannelError):
    code = "unknown_template"


class BadRegistration(ChannelError):
    code = "bad_registration"
