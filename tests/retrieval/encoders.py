"""Encoders for the retrieval tests: the real e5 model behind a cache, counted or failing.

The index takes any `retrieval.Encoder`; these wrap the real `E5Embeddings` so the tests see
real vectors while counting what the index asks to embed (or failing on purpose, as the outside
model might).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval import E5Embeddings, Encoder
from retrieval.embeddings import Vectors


class CachedE5:
    """The real e5 model, each (mode, text) embedded once per test session."""

    def __init__(self, model: E5Embeddings) -> None:
        self.model = model
        self._cache: dict[tuple[str, str], Vectors] = {}

    @property
    def model_name(self) -> str:
        return self.model.model_name

    @property
    def model_version(self) -> str:
        return self.model.model_version

    def _vectors(self, mode: str, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if (mode, t) not in self._cache))
        if missing:
            embed = self.model.query_vectors if mode == "query" else self.model.passage_vectors
            for text, row in zip(missing, embed(missing), strict=True):
                self._cache[(mode, text)] = row
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[(mode, t)] for t in texts])

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        return self._vectors("query", texts)

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        return self._vectors("passage", texts)

    def query(self, text: str) -> Vectors:
        """One query's vector, as `Retriever.rank` takes it."""
        return self.query_vectors([text])[0]


class CountingEncoder:
    """Delegates to an encoder and records every text it is asked to embed.

    `model_version` overrides the delegate's (an index built "with another model");
    `fail_after` makes `passage_vectors` raise once it has delegated that many passages, as a
    model that crashes part-way through a build would.
    """

    def __init__(
        self,
        delegate: Encoder,
        *,
        model_version: str | None = None,
        fail_after: int | None = None,
    ) -> None:
        self._delegate = delegate
        self._model_version = model_version
        self._fail_after = fail_after
        self.queries: list[str] = []
        self.passages: list[str] = []

    @property
    def model_name(self) -> str:
        return self._delegate.model_name

    @property
    def model_version(self) -> str:
        return self._model_version or self._delegate.model_version

    @property
    def texts(self) -> list[str]:
        return self.queries + self.passages

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        self.queries.extend(texts)
        return self._delegate.query_vectors(texts)

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        room = len(texts) if self._fail_after is None else self._fail_after - len(self.passages)
        vectors = self._delegate.passage_vectors(texts[: max(room, 0)])
        self.passages.extend(texts[: max(room, 0)])
        if room < len(texts):
            raise RuntimeError("the embedding model crashed")
        return vectors
