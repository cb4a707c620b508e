"""Reading a short follow-up together with the visitor's previous question.

The message is ranked twice, alone and as "previous question + this message". The combined
reading is taken only when all of these hold (docs/decisions/0006-follow-ups.md has the
measurements behind each one):

1. the message is short (at most `MAX_WORDS` words);
2. after an answer, the message looks like a follow-up: it starts with a continuation word
   ("og", "and", "och", "entä", "hva med", "what about") or refers back ("det", "it", "sitä").
   After a clarify or an abstain the bot asked for more, so any short message may continue;
3. the combined reading reaches the answer threshold and is at least `MARGIN` more confident
   than the message alone;
4. its best answer is not the answer the visitor was just given: gluing a new message to the
   previous question mostly finds the previous question again, and repeating an answer is not
   reading a follow-up.
"""

from __future__ import annotations

import re

from bot.conversation import PastTurn
from retrieval import Ranking

MAX_WORDS = 6
MARGIN = 0.2

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


_STARTS = _words(
    "og men enn da så også òg hvis viss dersom",  # nb, nn, da
    "and but also then so if",  # en
    "och än då också om",  # sv
    "entä ja mutta myös sitten jos",  # fi
)
_STARTS_TWO = frozenset(
    {
        ("hva", "med"),
        ("kva", "med"),
        ("hvad", "med"),
        ("hvordan", "med"),
        ("korleis", "med"),
        ("what", "about"),
        ("how", "about"),
        ("vad", "sägs"),
        ("hur", "är"),
        ("hur", "blir"),
        ("mitä", "jos"),
    }
)
_BACK_REFERENCES = _words(
    "det den dem de dei dette denne disse desse der dit",  # nb, nn, da
    "detta denna dessa där",  # sv
    "it its they them that this those these there",  # en
    "se sen sitä siitä siihen ne niitä niistä sinne siellä tämä tätä",  # fi
)


def words_of(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def _looks_like_follow_up(words: list[str]) -> bool:
    if not words:
        return False
    if words[0] in _STARTS or tuple(words[:2]) in _STARTS_TWO:
        return True
    return any(word in _BACK_REFERENCES for word in words)


def may_follow(text: str, previous: PastTurn | None) -> bool:
    """Whether `text` is worth reading together with the previous question."""
    words = words_of(text)
    if previous is None or not words or len(words) > MAX_WORDS:
        return False
    return previous.decision != "answer" or _looks_like_follow_up(words)


def combined_text(previous: PastTurn, text: str) -> str:
    return f"{previous.text.strip()} {text}"


def prefer_combined(
    alone: Ranking, combined: Ranking, previous: PastTurn, answer_threshold: float
) -> bool:
    """True when the combined reading is clearly better and finds something new."""
    if not combined.candidates:
        return False
    best = combined.candidates[0].id
    if previous.decision == "answer" and best == previous.answer_id:
        return False
    return (
        combined.confidence >= answer_threshold and combined.confidence >= alone.confidence + MARGIN
    )
