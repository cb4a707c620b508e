"""A conversation with the bot: language, retrieval, the decision what to say, optional LLM help.

`Bot.turn` answers one visitor message given the turns so far; `Bot.choose`, `Bot.feedback`
and `Bot.escalate` handle the visitor's clicks; `Bot.greet` and `Bot.timers` decide on
proactive offers. Every call returns a value (`Outcome`); `bot` stores and sends nothing.

The LLM parts (`Assistant`, `LLMClient`, `TokenCounter`) import langchain-openai and tiktoken
only when they are built, so importing `bot` loads neither.
"""

from bot._collect_texts import SKIP_LABEL
from bot._collecting import label_of as field_label
from bot._values import is_email_address
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
from bot.collect import (
    FIELD_STATUSES,
    MAX_FIELD_TRIES,
    CollectedField,
    FlowState,
    PendingHandoff,
)
from bot.continuation import says_not_solved
from bot.conversation import (
    DECISIONS,
    OUTCOMES,
    EarlierConversation,
    Page,
    PastTurn,
    VisitorContext,
    count_failures,
)
from bot.errors import (
    AssistError,
    BotError,
    InvalidChoice,
    InvalidMessage,
    LLMUnavailable,
    NotCollecting,
    UngroundedReply,
)
from bot.grounding import Grounds, ReplyGate, check_reply, check_translation
from bot.injection import detect_injection
from bot.language import Detection, detect_language, normalise_language_tag, page_language
from bot.llm import CircuitBreaker, FallbackCounter, LLMClient, LLMConfig, Message
from bot.privacy import Finding, Redactor, find_personal_data, mask_personal_data
from bot.replies import (
    ESCALATE_REASONS,
    Abstain,
    Acknowledge,
    Choice,
    Clarify,
    Collect,
    Escalate,
    Outcome,
    Proactive,
    Reply,
)
from bot.tokens import Budget, TokenCounter, fit_prompt, get_token_counter
from bot.turn import MAX_MESSAGE_CHARS, Bot, check_message

__all__ = [
    "DECISIONS",
    "ESCALATE_REASONS",
    "FIELD_STATUSES",
    "MAX_FIELD_TRIES",
    "MAX_MESSAGE_CHARS",
    "OUTCOMES",
    "REPLY_MODES",
    "SKIP_LABEL",
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
    "field_label",
    "find_personal_data",
    "fit_prompt",
    "get_token_counter",
    "is_email_address",
    "mask_personal_data",
    "normalise_language_tag",
    "page_language",
    "says_not_solved",
]
