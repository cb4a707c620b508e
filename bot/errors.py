"""Errors raised by the bot package.

Tree::

    BotError
    ├── InvalidMessage        the visitor's message cannot be handled as it is (has a `code`)
    ├── InvalidChoice         a choice names an answer visitors cannot get (`unknown_answer`)
    ├── NotCollecting         a "skip" while the bot asks for no field (`not_collecting`)
    └── AssistError           the LLM could not help; the curated answer is used (has a `code`)
        ├── LLMUnavailable    the endpoint timed out, failed or sent something malformed, or
        │                     the circuit breaker is open (code: timeout, connection_error,
        │                     http_error, rate_limited, malformed_response, circuit_open)
        └── UngroundedReply   the LLM's text failed a check against the curated answers (code:
                              no_citation, unknown_citation, invented_fact, dropped_fact,
                              personal_data, unsupported_commitment, prompt_leak,
                              wrong_language, empty_reply, model_declined)
"""

from __future__ import annotations

__all__ = [
    "AssistError",
    "BotError",
    "InvalidChoice",
    "InvalidMessage",
    "LLMUnavailable",
    "NotCollecting",
    "UngroundedReply",
]


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


class NotCollecting(BotError):
    """The visitor skipped a field, but the bot is not asking for one."""

    code = "not_collecting"


class AssistError(BotError):
    """The LLM could not help with this turn; `code` names why (the fallback reason)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class LLMUnavailable(AssistError):
    """The endpoint did not give a usable completion in time, or the breaker refused the call."""


class UngroundedReply(AssistError):
    """The LLM's text is not grounded in the curated answers it was given."""
