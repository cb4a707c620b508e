"""A cache of question vectors on disk, so that each unanswered question is embedded once, not
on every report (embedding is the slow part of finding the gaps)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from retrieval import Encoder

__all__ = ["MAX_CACHED", "VectorCache", "forget_vectors"]

MAX_CACHED = 200_000  # vectors kept (float16: about 150 MB); the oldest are dropped
BATCH = 256

Vectors = npt.NDArray[np.float32]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Query vectors of texts for one encoder version, in `folder/vectors-<version>.npz`.
    Not shared between processes: a lost write only means embedding again."""

    def __init__(self, folder: Path, encoder: Encoder) -> None:
        version = "".join(c if c.isalnum() or c in "-._" else "_" for c in encoder.model_version)
        self.path = folder / f"vectors-{version}.npz"
        self.encoder = encoder
        self._keys: list[str] = []
        self._rows: npt.NDArray[np.float16] = np.zeros((0, 384), dtype=np.float16)
        self._index: dict[str, int] = {}
        self._loaded = False
        self._stamp: float | None = None

    def _changed(self) -> bool:
        """Whether another cache (an erasure: `forget_vectors`) rewrote the file."""
        try:
            return self.path.stat().st_mtime_ns != self._stamp
        except OSError:
            return self._stamp is not None

    def _load(self) -> None:
        self._loaded = True
        self._keys, self._index = [], {}
        self._rows = np.zeros((0, 384), dtype=np.float16)
        try:
            self._stamp = self.path.stat().st_mtime_ns
        except OSError:
            self._stamp = None
        try:
            with np.load(self.path) as stored:
                keys, rows = [str(k) for k in stored["keys"]], stored["rows"]
        except (OSError, KeyError, ValueError):
            return  # none yet, or unreadable: start afresh
        if len(keys) == len(rows):
            self._keys, self._rows = keys, rows
            self._index = {key: n for n, key in enumerate(keys)}

    def vectors(self, texts: Sequence[str]) -> tuple[Vectors, int]:
        """The texts' query vectors (L2-normalised), and how many had to be embedded."""
        if not self._loaded or self._changed():
            self._load()
        keys = [_key(t) for t in texts]
        missing = list(
            dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._index)
        )
        if missing:
            self._add(missing)
        if not texts:
            return np.zeros((0, self._rows.shape[1]), dtype=np.float32), 0
        rows = self._rows[[self._index[k] for k in keys]].astype(np.float32)
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
        return rows, len(missing)

    def _add(self, texts: list[str]) -> None:
        parts = [
            self.encoder.query_vectors(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)
        ]
        new = np.concatenate(parts).astype(np.float16)
        if self._rows.shape[1] != new.shape[1]:
            self._rows = np.zeros((0, new.shape[1]), dtype=np.float16)
        keys = self._keys + [_key(t) for t in texts]
        rows = np.concatenate([self._rows, new])
        if len(keys) > MAX_CACHED:
            keys, rows = keys[-MAX_CACHED:], rows[-MAX_CACHED:]
        self._keys, self._rows = keys, rows
        self._index = {key: n for n, key in enumerate(keys)}
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.stem}.tmp.npz")
        np.savez(temporary, keys=np.array(self._keys), rows=self._rows)
        os.replace(temporary, self.path)
        self._stamp = self.path.stat().st_mtime_ns


def forget_vectors(folder: Path, texts: Sequence[str]) -> int:
    """Drop the vectors of `texts` from every cache file in `folder` (an erasure: the cache is
    keyed by a hash of the text, so a kept vector would tell that the text was asked);
    returns how many were dropped. Caches open in this process reload the file."""
    gone = {_key(t) for t in texts}
    dropped = 0
    for path in sorted(folder.glob("vectors-*.npz")) if folder.is_dir() else []:
        try:
            with np.load(path) as stored:
                keys, rows = [str(k) for k in stored["keys"]], stored["rows"]
        except (OSError, KeyError, ValueError):
            continue
        kept = [n for n, key in enumerate(keys) if key not in gone]
        if len(kept) == len(keys):
            continue
        dropped += len(keys) - len(kept)
        temporary = path.with_name(f".{path.stem}.tmp.npz")
        np.savez(temporary, keys=np.array([keys[n] for n in kept]), rows=rows[kept])
        os.replace(temporary, path)
    return dropped
