"""One turn of a conversation: language, retrieval, the decision what to say, optional LLM help.

The LLM parts (`Assistant`, `LLMClient`, `TokenCounter`) import langchain-openai and tiktoken
only when they are built, so importing `bot` loads neither.
"""

from bot.assist import REPLY_MODES, Assistant
from bot.assisted import (
    URGENCIES,
    Assisted,
    AssistStats,
    Delta,
    HandoffNote,
    Retract,
    StreamEvent,
    TurnLike,
)
from bot.errors import AssistError, BotError, InvalidMessage, LLMUnavailable, UngroundedReply
from bot.grounding import Grounds, ReplyGate, check_reply, check_translation
from bot.injection import detect_injection
from bot.language import Detection, detect_language, normalise_language_tag, page_language
from bot.llm import CircuitBreaker, FallbackCounter, LLMClient, LLMConfig, Message
from bot.privacy import Finding, Redactor, find_personal_data
from bot.replies import Abstain, Choice, Clarify, Outcome, Reply
from bot.tokens import Budget, TokenCounter, fit_prompt, get_token_counter
from bot.turn import MAX_MESSAGE_CHARS, Bot, check_message

__all__ = [
    "MAX_MESSAGE_CHARS",
    "REPLY_MODES",
    "URGENCIES",
    "Abstain",
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
    "Delta",
    "Detection",
    "FallbackCounter",
    "Finding",
    "Grounds",
    "HandoffNote",
    "InvalidMessage",
    "LLMClient",
    "LLMConfig",
    "LLMUnavailable",
    "Message",
    "Outcome",
    "Redactor",
    "Reply",
    "ReplyGate",
    "Retract",
    "StreamEvent",
    "TokenCounter",
    "TurnLike",
    "UngroundedReply",
    "check_message",
    "check_reply",
    "check_translation",
    "detect_injection",
    "detect_language",
    "find_personal_data",
    "fit_prompt",
    "get_token_counter",
    "normalise_language_tag",
    "page_language",
]
