"""The errors of `privacy`, each with a code that `app` maps to an HTTP status."""

from __future__ import annotations

__all__ = ["BadSubject", "PrivacyError"]


class PrivacyError(Exception):
    """A privacy request that cannot be done; `code` names why."""

    code = "privacy_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadSubject(PrivacyError):
    """Neither a visitor id nor an e-mail address, or both, or one that is malformed."""

    code = "bad_subject"
