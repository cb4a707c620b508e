"""Errors of the app package: what clients are told, and storage that cannot be used.

Only `app/` renders errors for clients, always as ``{"ok": false, "error": "…", "code": "…"}``
(over HTTP with `status`, over the WebSocket as an `error` frame). The codes are stable and
listed in docs/api.md.

Tree::

    AppError
    ├── ApiError                   a client's request cannot be done (`code`, `status`)
    │   ├── BadRequest             bad_request, 422: not JSON, a missing or mistyped field
    │   ├── InvalidText            empty_message 422 / message_too_long 413
    │   ├── UnknownFrame           unknown_frame: a WebSocket frame type we do not know
    │   ├── HelloRequired          hello_required: a WebSocket frame before `hello`
    │   ├── UnknownVisitor         unknown_visitor, 404
    │   ├── UnknownConversation    unknown_conversation, 404
    │   ├── Forbidden              forbidden, 403: another visitor's conversation
    │   ├── UnknownAnswer          unknown_answer, 404: a choice the answer base does not have
    │   ├── UnknownMessage         unknown_message, 404: feedback on no bot answer of ours
    │   ├── OriginNotAllowed       origin_not_allowed, 403: a site not in CHAT_ALLOWED_ORIGINS
    │   ├── RateLimited            rate_limited, 429 (`retry_after` seconds)
    │   └── NotFound               not_found 404 / method_not_allowed 405: no such route
    ├── StorageUnavailable         the database cannot be opened or migrated
    └── UnknownCandidate           `samsvar answers learn`: a number the last listing of
                                   candidates does not have (or no listing yet)
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

__all__ = [
    "HANDOFF_STATUS",
    "ApiError",
    "AppError",
    "BadRequest",
    "Forbidden",
    "HelloRequired",
    "InvalidText",
    "NotFound",
    "OriginNotAllowed",
    "RateLimited",
    "StorageUnavailable",
    "UnknownAnswer",
    "UnknownCandidate",
    "UnknownConversation",
    "UnknownFrame",
    "UnknownMessage",
    "UnknownVisitor",
    "from_handoff",
]


class AppError(Exception):
    """Base class of every error of the app package."""


class ApiError(AppError):
    """A request that cannot be done; rendered for the client with a stable `code`."""

    code: ClassVar[str] = "bad_request"
    status: ClassVar[int] = 422

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        if status is not None:
            self.status = status  # type: ignore[misc]

    def body(self) -> dict[str, Any]:
        """The error as clients see it."""
        return {"ok": False, "error": self.message, "code": self.code}


class BadRequest(ApiError):
    code = "bad_request"
    status = 422


class InvalidText(ApiError):
    """The bot's InvalidMessage, for a client: empty (422) or too long (413)."""

    code = "empty_message"
    status = 422

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code, status=413 if code == "message_too_long" else 422)


class UnknownFrame(ApiError):
    code = "unknown_frame"
    status = 422


class HelloRequired(ApiError):
    code = "hello_required"
    status = 422


class UnknownVisitor(ApiError):
    code = "unknown_visitor"
    status = 404


class UnknownConversation(ApiError):
    code = "unknown_conversation"
    status = 404


class Forbidden(ApiError):
    code = "forbidden"
    status = 403


class UnknownAnswer(ApiError):
    code = "unknown_answer"
    status = 404


class UnknownMessage(ApiError):
    code = "unknown_message"
    status = 404


class OriginNotAllowed(ApiError):
    code = "origin_not_allowed"
    status = 403


class NotFound(ApiError):
    code = "not_found"
    status = 404


class RateLimited(ApiError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))

    def body(self) -> dict[str, Any]:
        return super().body() | {"retry_after": self.retry_after}


class StorageUnavailable(AppError):
    """The database cannot be opened, reached or migrated."""


class UnknownCandidate(AppError):
    """A candidate number that the last listing of `samsvar answers learn` does not have."""


#: HTTP status of each hand-off error code (docs/agent-api.md, "Errors").
HANDOFF_STATUS = {
    "unknown_case": 404,
    "unknown_team": 404,
    "unknown_agent": 404,
    "agent_exists": 409,
    "wrong_password": 401,
    "not_signed_in": 401,
    "sign_in_invalid": 401,
    "sign_in_expired": 401,
    "forbidden": 403,
}


def from_handoff(exc: Exception) -> ApiError:
    """A handoff error (its `code`) as the API error clients get; conflicts are 409."""
    code = str(getattr(exc, "code", "server_error"))
    return ApiError(str(exc), code=code, status=HANDOFF_STATUS.get(code, 409))
