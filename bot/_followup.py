"""Reading a short follow-up together with the visitor's previous question.

The message is ranked twice: alone, and *with the previous question*. Reading it with the
previous question means ranking it with a query vector that is the message's vector plus half
the previous question's (normalised), while the lexical features still see only the message's
own words. Gluing the two texts together instead lets the previous question's words win: the
combination then mostly finds the previous answer again, even for "thanks" or "tell me a joke".

The reading with the previous question is taken only when all of these hold
(docs/decisions/0006-follow-ups.md has the measurements behind each one):

1. the message is short (at most `MAX_WORDS` words): a longer one says what it is about;
2. the reading reaches the answer threshold and is at least `MARGIN` more confident than the
   message alone;
3. its best answer is not the answer the visitor was just given: repeating an answer is not
   reading a follow-up.

A new question carries its own words, so its reading alone is already confident, and a message
that is no question at all ("thanks", "tell me a joke") stays unconfident either way: neither
is glued to the previous question.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from bot.conversation import PastTurn
from retrieval import Ranking

MAX_WORDS = 8
MARGIN = 0.2
PREVIOUS_WEIGHT = 0.5

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def may_follow(text: str, previous: PastTurn | None) -> bool:
    """Whether `text` is worth reading together with the previous question."""
    return previous is not None and 0 < len(_WORD.findall(text)) <= MAX_WORDS


def with_previous(
    vector: npt.NDArray[np.float32], previous: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """The message's query vector leaning towards the previous question's, unit length."""
    blended = vector + PREVIOUS_WEIGHT * previous
    norm = float(np.linalg.norm(blended))
    return (blended / norm).astype(np.float32) if norm > 0 else vector


def prefer_combined(
    alone: Ranking, combined: Ranking, previous: PastTurn, answer_threshold: float
) -> bool:
    """True when the reading with the previous question is clearly better and finds
    something new."""
    if not combined.candidates:
        return False
    best = combined.candidates[0].id
    if previous.decision == "answer" and best == previous.answer_id:
        return False
    return (
        combined.confidence >= answer_threshold and combined.confidence >= alone.confidence + MARGIN
    )
