"""Bots for the bot tests: the demo base's (real index), and a small shop base for rules that
need a base of their own (page patterns, operator rules, drafts).

The small bases share one retriever fitted on the shop's five published answers: what differs
between them (pages, base.yaml, a draft answer) is not what retrieval reads, and each test
checks that the entries really are the same.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from bot import Bot, PastTurn
from knowledge import load_answer_base
from retrieval import E5Embeddings, Retriever, entries_from_base, get_probes
from tests.builders import write_base
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

if TYPE_CHECKING:
    from app.engine import Engine

MakeBot = Callable[..., Bot]


@pytest.fixture(scope="session")
def demo_bot(demo_engine: Engine) -> Bot:
    return demo_engine.bot


@pytest.fixture(scope="session")
def shop_encoder() -> CachedE5:
    return CachedE5(E5Embeddings())


@pytest.fixture(scope="session")
def shop_retriever(shop_encoder: CachedE5, tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    root = write_base(tmp_path_factory.mktemp("shop"), shop_answer_dicts())
    entries = entries_from_base(load_answer_base(root))
    return Retriever.fit(entries, shop_encoder, probes=get_probes()[:60])


@pytest.fixture
def make_shop_bot(
    tmp_path: pathlib.Path, shop_retriever: Retriever, shop_encoder: CachedE5
) -> MakeBot:
    """A bot over the shop's answers with `pages` per answer id, `extra` answers (not
    published, so retrieval is unchanged) and `base` as base.yaml."""

    def make(
        *,
        pages: dict[str, list[str]] | None = None,
        base: dict[str, Any] | None = None,
        extra: list[dict[str, Any]] | None = None,
    ) -> Bot:
        answers = shop_answer_dicts()
        for answer in answers:
            answer["pages"] = (pages or {}).get(answer["id"], [])
            if not answer["pages"]:
                del answer["pages"]
        root = write_base(tmp_path, answers + (extra or []), base=base)
        loaded = load_answer_base(root)
        assert entries_from_base(loaded) == list(shop_retriever.entries)
        return Bot(loaded, shop_retriever, shop_encoder)

    return make


def past(text: str, outcome: Any) -> PastTurn:
    """The turn as `app` would store it after the bot's `outcome`."""
    answer_id = getattr(outcome, "answer_id", None) if outcome.decision == "answer" else None
    offered = tuple(choice.answer_id for choice in getattr(outcome, "choices", ()))
    return PastTurn(text, outcome.lang, outcome.decision, answer_id, offered)


def handed_off(bot: Bot, outcome: Any) -> Any:
    """The hand-off an outcome leads to: an Escalate as it is; a Collect (the bot asks for a
    field first) skipped through to its Escalate, which has the same team, topic, question
    and what was tried."""
    from bot import Collect

    while isinstance(outcome, Collect):
        turn = PastTurn("", outcome.lang, "collect", pending=outcome.pending)
        outcome = bot.skip(turns=[turn])
    return outcome
