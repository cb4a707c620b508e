"""The public face of the bot package."""

from __future__ import annotations

import datetime

import pytest

import bot
from bot import (
    AssistError,
    BotError,
    EarlierConversation,
    InvalidMessage,
    LLMUnavailable,
    PastTurn,
    UngroundedReply,
)

EXPECTED_ALL = [
    "DECISIONS",
    "ESCALATE_REASONS",
    "FIELD_STATUSES",
    "MAX_FIELD_TRIES",
    "MAX_MESSAGE_CHARS",
    "OUTCOMES",
    "REPLY_MODES",
    "URGENCIES",
    "Abstain",
    "Acknowledge",
    "AssistError",
    "AssistStats",
    "Assistant",
    "Assisted",
    "Bot",
    "BotError",
    "Budget",
    "Choice",
    "CircuitBreaker",
    "Clarify",
    "Collect",
    "CollectedField",
    "Delta",
    "Detection",
    "EarlierConversation",
    "Escalate",
    "FallbackCounter",
    "Finding",
    "FlowState",
    "Grounds",
    "HandoffNote",
    "InvalidChoice",
    "InvalidMessage",
    "LLMClient",
    "LLMConfig",
    "LLMUnavailable",
    "Message",
    "NotCollecting",
    "Outcome",
    "Page",
    "PastTurn",
    "PendingHandoff",
    "Proactive",
    "Redactor",
    "Reply",
    "ReplyGate",
    "Retract",
    "SKIP_LABEL",
    "StreamEvent",
    "TokenCounter",
    "TurnLike",
    "UngroundedReply",
    "VisitorContext",
    "check_message",
    "check_reply",
    "check_translation",
    "count_failures",
    "detect_injection",
    "detect_language",
    "find_personal_data",
    "field_label",
    "fit_prompt",
    "get_token_counter",
    "is_email_address",
    "mask_personal_data",
    "normalise_language_tag",
    "page_language",
    "says_not_solved",
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


def test_assist_errors_are_bot_errors_with_a_code() -> None:
    for kind in (AssistError, LLMUnavailable, UngroundedReply):
        error = kind("the endpoint timed out", "timeout")
        assert isinstance(error, BotError)
        assert isinstance(error, AssistError)
        assert error.code == "timeout"


def test_conversation_values_refuse_what_app_cannot_mean() -> None:
    with pytest.raises(ValueError, match="unknown decision 'answered'"):
        PastTurn("Hvor er pakken?", "nb", "answered")
    when = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    with pytest.raises(ValueError, match="unknown outcome 'closed'"):
        EarlierConversation("c1", "closed", None, (), when)
    with pytest.raises(ValueError, match="timezone-aware"):
        EarlierConversation("c1", "resolved", None, (), when.replace(tzinfo=None))
    assert PastTurn("x", "nb", "clarify", offered=["a", "b"]).offered == ("a", "b")  # type: ignore[arg-type]
