"""Errors raised by the bot package.

Tree::

    BotError
    ├── InvalidMessage        the visitor's message cannot be handled as it is (has a `code`)
    └── InvalidChoice         a choice names an answer visitors cannot get (`unknown_answer`)
"""

from __future__ import annotations

__all__ = ["BotError", "InvalidChoice", "InvalidMessage"]


class BotError(Exception):
    """Base class of every error of the bot package."""


class InvalidMessage(BotError):
    """A message that is empty or too long; `code` is stable for clients."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidChoice(BotError):
    """A quick reply naming an answer id the base does not have, or one not published."""

    code = "unknown_answer"

    def __init__(self, answer_id: str, detail: str) -> None:
        super().__init__(f'no published answer "{answer_id}": {detail}')
        self.answer_id = answer_id
