"""Query vectors with a small memory: a follow-up needs the previous question's vector, which
the previous turn has just computed.

The cache maps a text to its query vector (least recently used out first). It only saves work:
a text that is not in it is embedded, so several processes or a restart change nothing but time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from retrieval import Encoder

Vector = npt.NDArray[np.float32]

CACHE_SIZE = 2048  # about 3 MB of 384-dimensional vectors


class QueryVectors:
    """`encoder.query_vectors` for a few texts at a time, remembering the last `size`."""

    def __init__(self, encoder: Encoder, size: int = CACHE_SIZE) -> None:
        self._encoder = encoder
        self._size = size
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()  # the server runs turns in worker threads

    def get(self, texts: Sequence[str]) -> list[Vector]:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh: list[Vector] = list(self._encoder.query_vectors(missing)) if missing else []
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._cache[text] = vector
            found = {t: self._cache[t] for t in texts if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return [found[t] for t in texts]

    def peek(self, text: str) -> Vector | None:
        """The vector of `text` when it was computed lately; never embeds."""
        with self._lock:
            return self._cache.get(text)
