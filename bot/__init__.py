"""A conversation with the bot: language, retrieval, and the decision what to say.

`Bot.turn` answers one visitor message given the turns so far; `Bot.choose`, `Bot.feedback`
and `Bot.escalate` handle the visitor's clicks; `Bot.greet` and `Bot.timers` decide on
proactive offers. Every call returns a value (`Outcome`); `bot` stores and sends nothing.
"""

from bot.conversation import (
    DECISIONS,
    OUTCOMES,
    EarlierConversation,
    Page,
    PastTurn,
    VisitorContext,
)
from bot.errors import BotError, InvalidChoice, InvalidMessage
from bot.language import Detection, detect_language, normalise_language_tag, page_language
from bot.replies import (
    ESCALATE_REASONS,
    Abstain,
    Acknowledge,
    Choice,
    Clarify,
    Escalate,
    Outcome,
    Proactive,
    Reply,
)
from bot.turn import MAX_MESSAGE_CHARS, Bot, check_message

__all__ = [
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
