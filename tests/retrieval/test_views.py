"""Views of a fitted retriever that evaluation uses: without some phrasings, and how alike the
answers are. Real e5 vectors, a tiny shop plus a near-copy of one of its answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from knowledge import load_answer_base
from retrieval import Retriever, entries_from_base, get_probe_langs, get_probes
from tests.builders import make_answer_dict, write_base
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

NEAR_COPY = make_answer_dict(
    id="send-back",
    title="Sende tilbake en vare",
    questions=[
        "Hvordan sender jeg tilbake en vare?",
        "Hvor er returetiketten?",
        "Hur skickar jag tillbaka en vara?",
        "How do I send an item back?",
    ],
    answer={
        "nb": "Skriv ut returetiketten under Mine ordre og lever pakken på posten.",
        "en": "Print the return label under My orders and hand the parcel in at the post office.",
    },
)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, encoder: CachedE5) -> Retriever:
    answers: list[dict[str, Any]] = [*shop_answer_dicts(), NEAR_COPY]
    base = load_answer_base(write_base(tmp_path_factory.mktemp("shop"), answers))
    return Retriever.fit(
        entries_from_base(base), encoder, probes=get_probes(), probe_langs=get_probe_langs()
    )


def test_without_questions_removes_only_those_phrasings(
    retriever: Retriever, encoder: CachedE5
) -> None:
    question = "How do I return an item?"
    variant = retriever.without_questions({question, "not a phrasing of this base"})
    assert retriever.without_questions(set()) is retriever
    assert question not in {q for e in variant.entries for q in e.questions}
    kept = [len(e.questions) for e in variant.entries]
    assert kept == [len(e.questions) - (question in e.questions) for e in retriever.entries]
    assert variant.thresholds == retriever.thresholds
    full, held = (
        retriever.rank(question, encoder.query(question)),
        variant.rank(question, encoder.query(question)),
    )

    def score(ranking: Any) -> float:
        return next(c.score for c in ranking.candidates if c.id == "returns")

    assert full.candidates[0].id == "returns"
    assert score(held) < score(full)  # its own phrasing no longer counts for it
    assert [
        c.id
        for c in retriever.rank(
            "Var är mitt paket?", encoder.query("Var är mitt paket?")
        ).candidates
    ] == [
        c.id
        for c in variant.rank("Var är mitt paket?", encoder.query("Var är mitt paket?")).candidates
    ]


def test_similarities_single_out_the_near_copy(retriever: Retriever) -> None:
    ids, questions, texts = retriever.similarities()
    assert list(ids) == [e.id for e in retriever.entries]
    assert questions.shape == texts.shape == (len(ids), len(ids))
    assert np.allclose(np.diag(questions), 1.0) and np.allclose(questions, questions.T, atol=1e-5)
    i, j = ids.index("returns"), ids.index("send-back")
    pairs = {
        (a, b): float(questions[x, y])
        for x, a in enumerate(ids)
        for y, b in enumerate(ids)
        if x < y
    }
    closest = max(pairs, key=lambda pair: pairs[pair])
    assert set(closest) == {"returns", "send-back"}
    assert questions[i, j] >= 0.85 and texts[i, j] >= 0.85
    others = [v for pair, v in pairs.items() if "send-back" not in pair]
    assert max(others) < 0.85
