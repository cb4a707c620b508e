"""Errors raised by the bot package.

Tree::

    BotError
    └── InvalidMessage        the visitor's message cannot be handled as it is (has a `code`)
"""

from __future__ import annotations

__all__ = ["BotError", "InvalidMessage"]


class BotError(Exception):
    """Base class of every error of the bot package."""


class InvalidMessage(BotError):
    """A message that is empty or too long; `code` is stable for clients."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
