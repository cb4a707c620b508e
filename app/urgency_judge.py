"""How urgent a suite's hand-off is, judged by the hand-off's own rules.

`eval` may not import `handoff` (ARCHITECTURE.md), so `samsvar eval` passes this function in.
It lives at module level so that `--jobs` worker processes can receive it.
"""

from __future__ import annotations

from collections.abc import Sequence

from handoff import Signals, get_urgency
from knowledge import AnswerBase

__all__ = ["judge_urgency"]


def judge_urgency(
    base: AnswerBase,
    texts: Sequence[str],
    failures: int,
    topic: str | None,
    page_url: str | None,
) -> str:
    """The level the server would give the case: the same rules and signals, without the
    visitor's attributes and the time in the queue, which a suite does not have."""
    signals = Signals(tuple(texts), failures, topic, page_url)
    return get_urgency(base.config.urgency, signals).level
