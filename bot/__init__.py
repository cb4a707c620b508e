"""One turn of a conversation: language, retrieval, and the decision what to say."""

from bot.errors import BotError, InvalidMessage
from bot.language import Detection, detect_language, normalise_language_tag, page_language
from bot.replies import Abstain, Choice, Clarify, Outcome, Reply
from bot.turn import MAX_MESSAGE_CHARS, Bot, check_message

__all__ = [
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
