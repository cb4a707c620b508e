"""Ranking, out-of-scope and answer-or-abstain metrics.

Conventions used throughout:

* ``expected[i]`` is the right item id of query *i*, or ``None`` when it is out of scope.
* ``ranked[i]`` is the list of item ids returned for query *i*, best first.
* A query is *answered* when ``confidence >= threshold``; ``threshold=None`` answers everything.
* Answer-or-abstain accuracy counts a query as correct when it is in scope and answered with the
  right id, or out of scope and abstained. An in-scope query that is abstained is wrong, and so is
  any answer with the wrong id.
* Balanced accuracy is the mean of in-scope accuracy (answered with the right id) and
  out-of-scope recall (abstained): unlike answer-or-abstain accuracy it does not depend on the
  share of out-of-scope queries in the test set.
* The wrong-answer rate is the share of *all* queries answered with a wrong id (including every
  answered out-of-scope query): the answers given with confidence that should not have been.
* The answer rate is the share of all queries answered (right or wrong).
* The coverage at a wrong-answer budget *b* (``cov@1%`` for b = 0.01) is the largest answer rate
  reachable by some confidence threshold whose wrong-answer rate stays <= *b*. Thresholds are
  swept over the confidences of the queries scored (ties are answered or abstained together), so
  on test queries it is a diagnostic of the confidence's ranking, not an operating point.
* Where the test queries are named ``answered_right`` and ``oos_abstained``, those are in-scope
  accuracy and out-of-scope recall.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

__all__ = [
    "answer_or_abstain",
    "answer_rate",
    "answered_mask",
    "auroc",
    "balanced_accuracy",
    "balanced_threshold",
    "best_threshold",
    "coverage_at_wrong",
    "hit_at_1",
    "in_scope_accuracy",
    "mrr_at_10",
    "oos_recall",
    "wrong_answer_rate",
]

Ranked = Sequence[Sequence[str]]
Expected = Sequence[str | None]
EDGE = 1e-6  # margin past the highest/lowest confidence for "abstain all" / "answer all"


def _in_scope(expected: Expected) -> np.ndarray:
    return np.array([e is not None for e in expected], dtype=bool)


def _top1_correct(ranked: Ranked, expected: Expected) -> np.ndarray:
    return np.array(
        [e is not None and bool(r) and r[0] == e for r, e in zip(ranked, expected, strict=True)],
        dtype=bool,
    )


def _mean(values: Sequence[float] | np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def hit_at_1(ranked: Ranked, expected: Expected) -> float:
    """Share of in-scope queries whose first-ranked id is right."""
    return _mean(_top1_correct(ranked, expected)[_in_scope(expected)])


def mrr_at_10(ranked: Ranked, expected: Expected) -> float:
    """Mean reciprocal rank of the right id within the first 10 (0 beyond), in-scope only."""
    scores = [
        next((1.0 / (rank + 1) for rank, item in enumerate(r[:10]) if item == e), 0.0)
        for r, e in zip(ranked, expected, strict=True)
        if e is not None
    ]
    return _mean(scores)


def auroc(confidences: Sequence[float], expected: Expected) -> float | None:
    """AUROC of the confidence separating in scope (positive) from out of scope."""
    labels = _in_scope(expected)
    if labels.all() or not labels.any():
        return None
    return float(roc_auc_score(labels, np.asarray(confidences, dtype=float)))


def answered_mask(confidences: Sequence[float], threshold: float | None) -> np.ndarray:
    conf = np.asarray(confidences, dtype=float)
    return np.ones(conf.shape, dtype=bool) if threshold is None else conf >= threshold


def answer_or_abstain(
    ranked: Ranked, confidences: Sequence[float], expected: Expected, threshold: float | None
) -> float:
    answered = answered_mask(confidences, threshold)
    good = np.where(answered, _top1_correct(ranked, expected), ~_in_scope(expected))
    return _mean(good)


def wrong_answer_rate(
    ranked: Ranked, confidences: Sequence[float], expected: Expected, threshold: float | None
) -> float:
    answered = answered_mask(confidences, threshold)
    return _mean(answered & ~_top1_correct(ranked, expected))


def answer_rate(confidences: Sequence[float], threshold: float | None) -> float:
    """Share of all queries answered."""
    return _mean(answered_mask(confidences, threshold))


def coverage_at_wrong(
    ranked: Ranked, confidences: Sequence[float], expected: Expected, max_wrong: float
) -> float:
    """Largest answer rate at a confidence threshold whose wrong-answer rate is <= ``max_wrong``.

    Answering the k most confident queries, for every k that does not split tied confidences
    (k = 0, answering nothing, always qualifies); both rates are over all queries.
    """
    conf = np.asarray(confidences, dtype=float)
    n = conf.size
    if n == 0:
        return float("nan")
    order = np.argsort(-conf, kind="stable")
    wrong = np.concatenate([[0], np.cumsum(~_top1_correct(ranked, expected)[order])])
    valid = np.ones(n + 1, dtype=bool)
    valid[1:-1] = conf[order][:-1] > conf[order][1:]
    allowed = valid & (wrong <= max_wrong * n + 1e-9)
    return float(np.flatnonzero(allowed).max() / n)


def in_scope_accuracy(
    ranked: Ranked, confidences: Sequence[float], expected: Expected, threshold: float | None
) -> float:
    """Share of in-scope queries answered with the right id."""
    good = answered_mask(confidences, threshold) & _top1_correct(ranked, expected)
    return _mean(good[_in_scope(expected)])


def oos_recall(confidences: Sequence[float], expected: Expected, threshold: float | None) -> float:
    """Share of out-of-scope queries abstained (nan when there are none)."""
    return _mean(~answered_mask(confidences, threshold)[~_in_scope(expected)])


def balanced_accuracy(
    ranked: Ranked, confidences: Sequence[float], expected: Expected, threshold: float | None
) -> float:
    """Mean of in-scope accuracy and out-of-scope recall (in-scope accuracy alone without OOS)."""
    inside = in_scope_accuracy(ranked, confidences, expected, threshold)
    if _in_scope(expected).all():
        return inside
    return (inside + oos_recall(confidences, expected, threshold)) / 2


# --- threshold selection -----------------------------------------------------------------------


def _sweep(
    confidences: Sequence[float], gain_answered: np.ndarray, gain_abstained: np.ndarray
) -> float:
    """Threshold maximising the summed gain when the k most confident queries are answered.

    Only cuts between distinct confidence values are considered; the threshold returned is the
    midpoint between the lowest answered and the highest abstained confidence.
    """
    conf = np.asarray(confidences, dtype=float)
    if conf.size == 0:
        raise ValueError("cannot choose a threshold without calibration queries")
    order = np.argsort(-conf, kind="stable")
    conf = conf[order]
    answered_gain = np.concatenate([[0.0], np.cumsum(gain_answered[order])])
    abstained_gain = np.concatenate([[0.0], np.cumsum(gain_abstained[order])])
    total = answered_gain + gain_abstained.sum() - abstained_gain
    valid = np.ones(conf.size + 1, dtype=bool)
    valid[1:-1] = conf[:-1] > conf[1:]
    k = int(np.argmax(np.where(valid, total, -np.inf)))
    if k == 0:
        return float(conf[0] + EDGE)
    if k == conf.size:
        return float(conf[-1] - EDGE)
    return float((conf[k - 1] + conf[k]) / 2)


def best_threshold(
    confidences: Sequence[float], correct: Sequence[bool], in_scope: Sequence[bool]
) -> float:
    """Threshold maximising answer-or-abstain accuracy on calibration data.

    ``correct[i]``: query *i* is in scope and its top-1 id is right; ``in_scope[i]``: it has an
    expected id. Both are needed: abstaining is right only for out-of-scope queries.
    """
    correct_arr = np.asarray(correct, dtype=float)
    oos = 1.0 - np.asarray(in_scope, dtype=float)
    return _sweep(confidences, correct_arr, oos)


def balanced_threshold(
    confidences: Sequence[float], correct: Sequence[bool], in_scope: Sequence[bool]
) -> float:
    """Threshold maximising the mean of in-scope accuracy and out-of-scope recall.

    Falls back to :func:`best_threshold` when either class is missing.
    """
    scope = np.asarray(in_scope, dtype=bool)
    n_in, n_oos = int(scope.sum()), int((~scope).sum())
    if not n_in or not n_oos:
        return best_threshold(confidences, correct, in_scope)
    correct_arr = np.asarray(correct, dtype=float) / n_in
    return _sweep(confidences, correct_arr, (~scope).astype(float) / n_oos)
