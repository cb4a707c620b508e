"""BatchingEncoder: concurrent questions share one encoder call, each caller gets its own rows,
a failure reaches every caller of that call, and a lone question is embedded at once."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from retrieval import BatchingEncoder
from retrieval.embeddings import Vectors


def _row(text: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    row = rng.normal(size=384).astype(np.float32)
    return row / np.linalg.norm(row)


class SlowEncoder:
    """Rows from the text alone; the first call waits until `release` is set."""

    model_name = "fake"
    model_version = "1"

    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(10)
        if self.fail_on in texts:
            raise RuntimeError("the model failed")
        return np.stack([_row(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(["passage", *texts])
        return np.stack([_row(t) for t in texts])


def _wait_for_waiting(encoder: BatchingEncoder, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(encoder._pending) < count:
        assert time.monotonic() < deadline, "the callers never queued"
        time.sleep(0.005)


def test_questions_that_arrive_while_the_model_is_busy_share_the_next_call() -> None:
    inner = SlowEncoder()
    encoder = BatchingEncoder(inner, max_batch=16)
    texts = [f"spørsmål {n}" for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(encoder.query_vectors, [texts[0]])
        assert inner.entered.wait(10)
        rest = [pool.submit(encoder.query_vectors, [t]) for t in texts[1:]]
        _wait_for_waiting(encoder, 5)
        inner.release.set()
        results = [first.result(10)] + [f.result(10) for f in rest]
    assert inner.calls == [[texts[0]], texts[1:]]
    for text, rows in zip(texts, results, strict=True):
        assert rows.shape == (1, 384)
        np.testing.assert_array_equal(rows[0], _row(text))
    assert (encoder.batches, encoder.texts) == (2, 6)


def test_a_batch_holds_at_most_max_batch_texts_and_keeps_each_callers_texts_together() -> None:
    inner = SlowEncoder()
    encoder = BatchingEncoder(inner, max_batch=3)
    asks = [["a"], ["b", "c"], ["d"], ["e", "f"], ["g"]]
    with ThreadPoolExecutor(max_workers=5) as pool:
        first = pool.submit(encoder.query_vectors, asks[0])
        assert inner.entered.wait(10)
        rest = []
        for ask in asks[1:]:  # in this order, so the batches are predictable
            rest.append(pool.submit(encoder.query_vectors, ask))
            _wait_for_waiting(encoder, len(rest))
        inner.release.set()
        results = [first.result(10)] + [f.result(10) for f in rest]
    assert inner.calls == [["a"], ["b", "c", "d"], ["e", "f", "g"]]
    for ask, rows in zip(asks, results, strict=True):
        np.testing.assert_array_equal(rows, np.stack([_row(t) for t in ask]))


def test_a_failed_call_reaches_every_caller_in_it_and_the_next_call_works() -> None:
    inner = SlowEncoder(fail_on="boom")
    encoder = BatchingEncoder(inner)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(encoder.query_vectors, ["fine"])
        assert inner.entered.wait(10)
        doomed = [pool.submit(encoder.query_vectors, [t]) for t in ("boom", "also here")]
        _wait_for_waiting(encoder, 2)
        inner.release.set()
        assert first.result(10).shape == (1, 384)
        for future in doomed:
            with pytest.raises(RuntimeError, match="the model failed"):
                future.result(10)
    np.testing.assert_array_equal(encoder.query_vectors(["later"])[0], _row("later"))
    assert not encoder._busy and not encoder._pending


def test_a_lone_question_and_passages_go_straight_to_the_model() -> None:
    inner = SlowEncoder()
    inner.release.set()
    encoder = BatchingEncoder(inner)
    assert encoder.query_vectors(["alone"]).shape == (1, 384)
    assert encoder.passage_vectors(["svar"]).shape == (1, 384)
    assert encoder.query_vectors([]).shape == (0, 384)
    assert inner.calls == [["alone"], ["passage", "svar"], []]
    assert (encoder.model_name, encoder.model_version) == ("fake", "1")


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BatchingEncoder(SlowEncoder(), max_batch=0)
