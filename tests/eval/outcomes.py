"""Builders of bot outcomes and case results, for metric tests with hand-checked values.

They build the bot's own public value types (`Reply`, `Clarify`, `Abstain`), as a turn
would return them.
"""

from __future__ import annotations

from typing import Any

from bot import Abstain, Choice, Clarify, Reply
from eval import CaseResult, Expect, Turn, TurnResult
from eval._checks import failures_of
from eval.suite import Case
from retrieval import Candidate


def ranked(*ids: str) -> tuple[Candidate, ...]:
    """Candidates best first, with falling scores."""
    return tuple(Candidate(answer_id, round(0.9 - 0.1 * i, 2)) for i, answer_id in enumerate(ids))


def reply(
    answer_id: str, *rest: str, confidence: float = 0.9, lang: str = "nb", **kw: Any
) -> Reply:
    fields: dict[str, Any] = {
        "lang": lang,
        "confidence": confidence,
        "ranked": ranked(answer_id, *rest),
        "ms": 10.0,
        "answer_id": answer_id,
        "text": f"Svar om {answer_id}.",
        "reply_lang": lang,
        "fallback": False,
        "links": (),
    }
    return Reply(**(fields | kw))


def abstain(*ids: str, confidence: float = 0.1, lang: str = "nb", ms: float = 10.0) -> Abstain:
    return Abstain(lang=lang, confidence=confidence, ranked=ranked(*ids), ms=ms, text="Beklager.")


def clarify(*ids: str, confidence: float = 0.3, lang: str = "nb") -> Clarify:
    choices = tuple(Choice(answer_id, answer_id) for answer_id in ids[:3])
    return Clarify(
        lang=lang,
        confidence=confidence,
        ranked=ranked(*ids),
        ms=10.0,
        text="Mener du?",
        choices=choices,
    )


def result(
    case_id: str, expect: str, outcome: Any, *, ask: str = "spørsmål", **expect_kw: Any
) -> CaseResult:
    """A single-turn case result, with its failures worked out as a run would."""
    wanted = Expect(expect, **expect_kw)
    turn = Turn(ask, wanted)
    case = Case(case_id, (turn,))
    return CaseResult(case, (TurnResult(turn, outcome, failures_of(wanted, outcome)),))
