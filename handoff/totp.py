"""The agents' optional second factor: time-based one-time codes (RFC 6238) through pyotp.

An agent enrolled with `samsvar agents totp NAME` has a base32 secret in `agents.totp_secret`;
the operator puts the printed `otpauth://` URI into the agent's authenticator app. Sign-in
then asks for the 6-digit code as well. A code is accepted one 30-second step either side of
the server's clock (phones drift), and each step once: a code seen by someone looking over
the agent's shoulder cannot be used again (`totp_last_step`).
"""

from __future__ import annotations

import datetime as dt

import pyotp

__all__ = ["TOTP_ISSUER", "check_totp", "new_totp_secret", "totp_uri"]

TOTP_ISSUER = "Samsvar"
_STEP = 30
_DRIFT = 1  # steps either side


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, name: str, issuer: str = TOTP_ISSUER) -> str:
    """The `otpauth://totp/…` URI an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)


def check_totp(secret: str, code: str, at: dt.datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to (within one step of `at`, and later than `last_step`),
    or None: a wrong, stale or reused code."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=_STEP)
    now_step = int(at.timestamp()) // _STEP
    for step in range(now_step - _DRIFT, now_step + _DRIFT + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
