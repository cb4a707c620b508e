"""Reading the turns of a conversation: what was asked, what was given, what stayed unresolved.

A turn is *unresolved* when the bot abstained, when it offered choices and the visitor took
none of them, or when it answered and the visitor said the answer did not help. Feedback and
proactive turns are not the visitor's questions, so they neither count nor break a run. A
hand-off or a collect turn ends a run (a person took over, or the bot was gathering details).
See docs/decisions/0008-unresolved-turns.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation import PastTurn

QUESTION_DECISIONS = frozenset({"answer", "clarify", "abstain"})
NEUTRAL_DECISIONS = frozenset({"feedback", "proactive"})


def _counted(turns: Sequence[PastTurn]) -> list[PastTurn]:
    return [turn for turn in turns if turn.decision not in NEUTRAL_DECISIONS]


def _took_choice(clarify: PastTurn, following: PastTurn | None) -> bool:
    return (
        following is not None
        and following.decision == "answer"
        and following.answer_id in clarify.offered
    )


def _unresolved_flags(turns: Sequence[PastTurn]) -> list[bool | None]:
    """Per counted turn: True unresolved, False resolved, None a clarify that a choice resolved."""
    counted = _counted(turns)
    flags: list[bool | None] = []
    for index, turn in enumerate(counted):
        following = counted[index + 1] if index + 1 < len(counted) else None
        if turn.decision == "abstain":
            flags.append(True)
        elif turn.decision == "clarify":
            flags.append(None if _took_choice(turn, following) else True)
        elif turn.decision == "answer":
            flags.append(turn.helpful is False)
        else:
            flags.append(False)
    return flags


def unresolved_run(turns: Sequence[PastTurn]) -> int:
    """How many unresolved turns the conversation ends with (a trailing clarify counts)."""
    run = 0
    for flag in reversed(_unresolved_flags(turns)):
        if flag is None:
            continue
        if not flag:
            break
        run += 1
    return run


def previous_question(turns: Sequence[PastTurn]) -> PastTurn | None:
    """The visitor's last question, if the last counted turn was one."""
    counted = _counted(turns)
    if counted and counted[-1].decision in QUESTION_DECISIONS and counted[-1].text.strip():
        return counted[-1]
    return None


def last_unresolved_question(turns: Sequence[PastTurn]) -> str | None:
    """The visitor's own words for what is still unresolved; else their last question.

    A choice the visitor clicked carries its label, so for an answer reached through a clarify
    the clarify's text (what the visitor wrote) is taken instead.
    """
    counted = _counted(turns)
    flags = _unresolved_flags(turns)
    asked = [i for i, turn in enumerate(counted) if turn.decision in QUESTION_DECISIONS]
    unresolved = [i for i in asked if flags[i]]
    for pool in (unresolved, asked):
        if pool:
            return _own_words(counted, pool[-1])
    return None


def _own_words(counted: list[PastTurn], index: int) -> str:
    turn = counted[index]
    before = counted[index - 1] if index > 0 else None
    if (
        turn.decision == "answer"
        and before is not None
        and before.decision == "clarify"
        and _took_choice(before, turn)
    ):
        return before.text
    return turn.text


def answers_given(turns: Sequence[PastTurn]) -> tuple[str, ...]:
    """The answers the visitor was given, oldest first, each once."""
    given: dict[str, None] = {}
    for turn in turns:
        if turn.decision == "answer" and turn.answer_id:
            given.setdefault(turn.answer_id, None)
    return tuple(given)


def last_topic(turns: Sequence[PastTurn]) -> str | None:
    """The answer most recently given, or the best ranked one offered as a choice."""
    for turn in reversed(turns):
        if turn.decision == "answer" and turn.answer_id:
            return turn.answer_id
        if turn.decision == "clarify" and turn.offered:
            return turn.offered[0]
    return None
