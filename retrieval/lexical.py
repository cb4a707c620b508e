"""A lexical index over character n-grams (BM25 via `bm25s`).

Character 4-grams inside word boundaries cope with typos, inflection and Nordic compound words
("returetikett" shares most of its grams with "retur" and "etikett").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence

import bm25s
import numpy as np
import numpy.typing as npt

__all__ = ["LexicalIndex", "char_ngrams"]

# bm25s sets its own logger to DEBUG on import, which floods every CLI command.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_WORD = re.compile(r"\w+", re.UNICODE)
N = 4


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def char_ngrams(text: str, n: int = N) -> list[str]:
    """The character n-grams of each word, with '_' marking word edges; short words whole."""
    grams: list[str] = []
    for word in _WORD.findall(_normalise(text)):
        padded = f"_{word}_"
        if len(padded) <= n:
            grams.append(padded)
            continue
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


class LexicalIndex:
    """BM25 over the n-grams of a list of documents; `scores` returns one float per document."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._size = len(documents)
        self._grams = [set(char_ngrams(doc)) for doc in documents]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if documents:
            tokens = [char_ngrams(doc) or ["_"] for doc in documents]
            self._bm25.index(tokens, show_progress=False)
        self._vocab = set(getattr(self._bm25, "vocab_dict", {}) or ())

    def __len__(self) -> int:
        return self._size

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        grams = [g for g in char_ngrams(query) if g in self._vocab]
        if not grams or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(grams), dtype=np.float32)

    def overlap(self, query: str, doc_index: int) -> float:
        """The share of the query's distinct n-grams that also occur in the document."""
        grams = set(char_ngrams(query))
        if not grams:
            return 0.0
        return len(grams & self._grams[doc_index]) / len(grams)
