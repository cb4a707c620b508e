"""Errors of the handoff package. Each has a stable `code`; `app` renders them for clients.

Tree::

    HandoffError
    ├── UnknownCase          unknown_case: no case with this id
    ├── UnknownTeam          unknown_team: a team base.yaml does not list
    ├── UnknownAgent         unknown_agent: no agent with this id or name
    ├── AgentExists          agent_exists: an agent with this name already exists
    ├── WrongPassword        wrong_password: unknown name or wrong password;
    │                        totp_required / totp_invalid: the second factor's code
    ├── NotSignedIn          not_signed_in / sign_in_invalid / sign_in_expired
    ├── NotAllowed           forbidden: a case of a team the agent is not in
    └── CaseConflict         the case is not in a state that allows this (409):
                             already_claimed, not_assigned, case_resolved,
                             agent_unavailable, bad_transfer, no_case, not_resolved,
                             already_rated
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AgentExists",
    "CaseConflict",
    "HandoffError",
    "NotAllowed",
    "NotSignedIn",
    "UnknownAgent",
    "UnknownCase",
    "UnknownTeam",
    "WrongPassword",
]


class HandoffError(Exception):
    """Base class of every error of the handoff package; `code` is stable for clients."""

    code: ClassVar[str] = "handoff_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]


class UnknownCase(HandoffError):
    code = "unknown_case"


class UnknownTeam(HandoffError):
    code = "unknown_team"


class UnknownAgent(HandoffError):
    code = "unknown_agent"


class AgentExists(HandoffError):
    code = "agent_exists"


class WrongPassword(HandoffError):
    code = "wrong_password"


class NotSignedIn(HandoffError):
    """No sign-in (`not_signed_in`), an unknown token (`sign_in_invalid`) or an expired one
    (`sign_in_expired`)."""

    code = "not_signed_in"


class NotAllowed(HandoffError):
    code = "forbidden"


class CaseConflict(HandoffError):
    """The case's state does not allow this; `code` says which conflict."""

    code = "already_claimed"
