"""The public face of the bot package."""

from __future__ import annotations

import bot
from bot import BotError, InvalidMessage

EXPECTED_ALL = [
    "MAX_MESSAGE_CHARS",
    "Abstain",
    "Bot",
    "BotError",
    "Choice",
    "Clarify",
    "Detection",
    "InvalidMessage",
    "Outcome",
    "Reply",
    "check_message",
    "detect_language",
    "normalise_language_tag",
    "page_language",
]


def test_all_is_exact() -> None:
    assert sorted(bot.__all__) == sorted(EXPECTED_ALL)
    assert len(bot.__all__) == len(set(bot.__all__))
    for name in bot.__all__:
        assert hasattr(bot, name), name


def test_invalid_message_is_a_bot_error_with_a_code() -> None:
    error = InvalidMessage("the message is empty", "empty_message")
    assert isinstance(error, BotError)
    assert error.code == "empty_message"
    assert str(error) == "the message is empty"
