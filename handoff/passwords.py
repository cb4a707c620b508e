"""Agents' passwords: argon2id through argon2-cffi, with its default (RFC 9106) costs."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["check_password_strength", "hash_password", "needs_rehash", "verify_password"]

MIN_PASSWORD = 10
_HASHER = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Verified when the name is unknown, so a wrong name takes as long as a wrong password.
    Made on first use: hashing costs about 0.7 s, which every command paid at import."""
    return _HASHER.hash("samsvar-no-such-agent")


def check_password_strength(password: str) -> None:
    """Raises ValueError for a password too short to be safe."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD}"
        )


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (False for a None `stored`)."""
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
