"""The cold-start and learning settings' helpers and the plain-cosine system, on toy data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pytest

from benchmarks.cache import DIM, CachedEncoder
from benchmarks.datasets import Item, Query, add_phrasings, k_shot
from benchmarks.systems import CosineSystem

PAIRS = [(f"{label} {n}", label) for label in ("b", "a", "c") for n in range(6)] + [("c x", "c")]


def test_k_shot_is_deterministic_sorted_and_draws_k_per_label() -> None:
    items = k_shot(PAIRS, 3)
    assert [item.id for item in items] == ["a", "b", "c"]
    assert all(len(item.questions) == 3 and not item.texts for item in items)
    assert all(q.startswith(item.id) for item in items for q in item.questions)
    assert k_shot(PAIRS, 3) == items
    assert [i.questions for i in k_shot(PAIRS, 3, seed=1)] != [i.questions for i in items]


def test_k_shot_takes_all_of_a_small_label() -> None:
    items = k_shot([("only", "x"), ("one", "y"), ("two", "y")], 5)
    assert [sorted(item.questions) for item in items] == [["only"], ["one", "two"]]
    with pytest.raises(ValueError):
        k_shot(PAIRS, 0)


def test_add_phrasings_appends_in_scope_traffic_once() -> None:
    items = (Item("a", ("hi",), ()), Item("b", (), ("an answer",)))
    traffic = [Query("hello", "a", "en"), Query("hi", "a", "en"), Query("q", "b", "en")]
    traffic.append(Query("off topic", None, "en"))
    grown = add_phrasings(items, traffic)
    assert grown == (Item("a", ("hi", "hello"), ()), Item("b", ("q",), ("an answer",)))
    with pytest.raises(KeyError):
        add_phrasings(items, [Query("x", "z", "en")])


class _Encoder:
    """Unit vectors from a fixed table; records which texts went in which mode."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table
        self.seen: dict[str, list[str]] = {"query": [], "passage": []}

    def _vectors(self, mode: str, texts: Sequence[str]) -> np.ndarray:
        self.seen[mode] += list(texts)
        if not texts:
            return np.empty((0, DIM), dtype=np.float32)
        return np.stack([self.table[text] for text in texts]).astype(np.float32)

    def query_vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("query", texts)

    def passage_vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("passage", texts)


def _unit(*values: float) -> np.ndarray:
    vector = np.zeros(DIM)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def test_cosine_scores_questions_with_texts_as_the_mean_of_two_cosines() -> None:
    table = {
        "q1": _unit(1, 0, 0),
        "q1 text": _unit(0, 1, 0),
        "q2": _unit(0, 0, 1),
        "q2 text": _unit(0, 0, 1),
        "plain": _unit(1, 1, 0),
        "passage": _unit(0, 1, 1),
        "query": _unit(1, 0, 0),
    }
    items = [
        Item("with-text", ("q1", "q2"), ("text",)),
        Item("plain", ("plain",), ()),
        Item("text-only", (), ("passage",)),
    ]
    encoder = _Encoder(table)
    system = CosineSystem()
    system.fit(items, cast(CachedEncoder, encoder))
    assert encoder.seen["passage"] == ["passage"]
    assert sorted(encoder.seen["query"]) == ["plain", "q1", "q1 text", "q2", "q2 text"]
    system.calibrate([Query("query", "plain", "en")], cast(CachedEncoder, encoder))
    assert system.thresholds == {"always": None}

    (result,) = system.rank(["query"], cast(CachedEncoder, encoder))
    scores = dict(result.ranked)
    # with-text: max(mean(1, 0), mean(0, 0)); plain: cos 45°; text-only: orthogonal-ish.
    assert scores["with-text"] == pytest.approx(0.5)
    assert scores["plain"] == pytest.approx(2**-0.5)
    assert scores["text-only"] == pytest.approx(0.0)
    assert result.ids[0] == "plain"
    assert result.confidence == pytest.approx(2**-0.5)
    assert result.answered
