"""Errors of the conversations package: each carries a stable `code`, never an HTTP status.

Only `app` decides how a code reaches a client (`app.errors`: HTTP status, WebSocket `error`
frame). The codes are listed in docs/api.md and docs/agent-api.md.

Tree::

    ConversationError
    ├── InvalidText            empty_message / message_too_long
    ├── UnknownVisitor         unknown_visitor
    ├── UnknownConversation    unknown_conversation
    ├── Forbidden              forbidden: another visitor's conversation
    ├── UnknownAnswer          unknown_answer: a choice the answer base does not have
    ├── UnknownMessage         unknown_message: feedback on no bot answer of ours
    ├── NotCollecting          not_collecting: "skip" while the bot asks for nothing
    ├── NoCase                 no_case: e-mail or rating in a conversation without a case
    ├── BadEmail               bad_email: not an e-mail address
    ├── InvalidIdentity        identity_invalid: a customer identity whose signature fails
    ├── RateLimited            rate_limited (`retry_after` seconds)
    ├── StorageUnavailable     storage_unavailable: the database cannot be opened or reached
    └── RedisUnavailable       redis_unavailable: CHAT_REDIS_URL cannot be reached on start
"""

from __future__ import annotations

import math
from typing import ClassVar

__all__ = [
    "BadEmail",
    "ConversationError",
    "Forbidden",
    "InvalidIdentity",
    "InvalidText",
    "NoCase",
    "NotCollecting",
    "RateLimited",
    "RedisUnavailable",
    "StorageUnavailable",
    "UnknownAnswer",
    "UnknownConversation",
    "UnknownMessage",
    "UnknownVisitor",
]


class ConversationError(Exception):
    """Something a visitor or agent asked for cannot be done; `code` says what."""

    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]


class InvalidText(ConversationError):
    """The bot's InvalidMessage: `empty_message` or `message_too_long`."""

    code = "empty_message"


class UnknownVisitor(ConversationError):
    code = "unknown_visitor"


class UnknownConversation(ConversationError):
    code = "unknown_conversation"


class Forbidden(ConversationError):
    code = "forbidden"


class UnknownAnswer(ConversationError):
    code = "unknown_answer"


class UnknownMessage(ConversationError):
    code = "unknown_message"


class NotCollecting(ConversationError):
    code = "not_collecting"


class NoCase(ConversationError):
    code = "no_case"


class BadEmail(ConversationError):
    code = "bad_email"


class InvalidIdentity(ConversationError):
    """A signed customer identity the server cannot verify (docs/widget.md)."""

    code = "identity_invalid"


class RateLimited(ConversationError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


class StorageUnavailable(ConversationError):
    """The database cannot be opened, reached or migrated."""

    code = "storage_unavailable"


class RedisUnavailable(ConversationError):
    """The Redis server that several processes share cannot be reached (or the URL is not
    one): a server does not start without it. Lost later, each process carries on alone."""

    code = "redis_unavailable"
