"""The public face of the bot package."""

from __future__ import annotations

import bot
from bot import BotError, InvalidMessage

EXPECTED_ALL = [
    "DECISIONS",
    "ESCALATE_REASONS",
    "MAX_MESSAGE_CHARS",
    "OUTCOMES",
    "Abstain",
    "Acknowledge",
    "Bot",
    "BotError",
    "Choice",
    "Clarify",
    "Detection",
    "EarlierConversation",
    "Escalate",
    "InvalidChoice",
    "InvalidMessage",
    "Outcome",
    "Page",
    "PastTurn",
    "Proactive",
    "Reply",
    "VisitorContext",
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
