"""Errors as clients see them: the one place where an error's `code` becomes an HTTP status.

Only `app/` renders errors for clients, always as ``{"ok": false, "error": "…", "code": "…"}``
(over HTTP with `status`, over the WebSocket as an `error` frame). The codes are stable and
listed in docs/api.md. The operations below `app` raise errors with codes and no status
(`conversations.errors`, `handoff.errors`, `insights.errors`, `channels.errors`);
`as_api_error` maps them.

Tree::

    AppError
    ├── ApiError                   a client's request cannot be done (`code`, `status`)
    │   ├── BadRequest             bad_request, 422: not JSON, a missing or mistyped field
    │   ├── UnknownFrame           unknown_frame: a WebSocket frame type we do not know
    │   ├── HelloRequired          hello_required: a WebSocket frame before `hello`
    │   ├── OriginNotAllowed       origin_not_allowed, 403: a site not in CHAT_ALLOWED_ORIGINS
    │   ├── RateLimited            rate_limited, 429 (`retry_after` seconds)
    │   └── NotFound               not_found 404 / method_not_allowed 405: no such route
    └── UnknownCandidate           `samsvar answers learn`: a number the last listing of
                                   candidates does not have (or no listing yet)

The channels' errors (`channels.errors`) map the same way (docs/channel-api.md).

`StorageUnavailable` (the database cannot be opened or migrated) and `RedisUnavailable`
(CHAT_REDIS_URL does not answer) are the conversations' own errors, re-exported here for the
commands that report them.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from channels import ChannelError
from conversations.errors import ConversationError, RedisUnavailable, StorageUnavailable
from conversations.errors import RateLimited as RateLimitedError
from handoff import HandoffError
from insights import InsightsError

__all__ = [
    "CLIENT_ERRORS",
    "STATUS",
    "ApiError",
    "AppError",
    "BadRequest",
    "HelloRequired",
    "NotFound",
    "OriginNotAllowed",
    "RateLimited",
    "RedisUnavailable",
    "StorageUnavailable",
    "UnknownCandidate",
    "UnknownFrame",
    "as_api_error",
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


class UnknownFrame(ApiError):
    code = "unknown_frame"
    status = 422


class HelloRequired(ApiError):
    code = "hello_required"
    status = 422


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


class UnknownCandidate(AppError):
    """A candidate number that the last listing of `samsvar answers learn` does not have."""


#: HTTP status of each error code raised below `app` (docs/api.md and docs/agent-api.md,
#: "Errors"); a hand-off code not listed is a conflict (409).
STATUS = {
    "empty_message": 422,
    "message_too_long": 413,
    "unknown_visitor": 404,
    "unknown_conversation": 404,
    "unknown_answer": 404,
    "unknown_message": 404,
    "not_collecting": 409,
    "no_case": 409,
    "bad_email": 422,
    "rate_limited": 429,
    "storage_unavailable": 503,
    "redis_unavailable": 503,
    "unknown_case": 404,
    "unknown_team": 404,
    "unknown_agent": 404,
    "agent_exists": 409,
    "wrong_password": 401,
    "totp_required": 401,
    "totp_invalid": 401,
    "identity_invalid": 403,
    "not_signed_in": 401,
    "sign_in_invalid": 401,
    "sign_in_expired": 401,
    "forbidden": 403,
    "bad_period": 422,
    "unknown_language": 422,
    "unknown_channel": 422,
    "unknown_gap": 404,
    "draft_exists": 409,
    # the channels (docs/channel-api.md, "Errors")
    "bad_customer": 422,
    "bad_channel": 422,
    "wrong_customer": 403,
    "bad_api_key": 401,
    "channel_not_allowed": 403,
    "bad_name": 422,
    "unknown_api_key": 404,
    "bad_webhook": 422,
    "unknown_webhook": 404,
    "unknown_customer": 404,
    "unknown_template": 404,
    "bad_registration": 422,
}


#: Every error a client may be told about, for `except` clauses.
CLIENT_ERRORS = (ApiError, ConversationError, HandoffError, InsightsError, ChannelError)


def as_api_error(
    exc: ConversationError | HandoffError | InsightsError | ChannelError | ApiError,
) -> ApiError:
    """The error as clients get it: its code, and the HTTP status that code has."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RateLimitedError):
        return RateLimited(exc.message, exc.retry_after)
    code = str(exc.code)
    return ApiError(str(exc), code=code, status=STATUS.get(code, 409))
