"""Choosing the answer and clarify thresholds from labelled outcomes.

In-scope questions and out-of-scope probes are reweighted so that off-topic messages make up
`OUT_OF_SCOPE_SHARE` of the traffic, whatever the sizes of the two samples, so a base with
thousands of phrasings and a few hundred probes does not learn to answer everything. A wrong
curated answer is worse than a handoff: each one costs half a correct answer on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Outcomes", "Thresholds", "choose_thresholds"]

WRONG_ANSWER_PENALTY = 0.5
OUT_OF_SCOPE_SHARE = 0.3
CLARIFY_GAIN = 0.5
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Thresholds:
    """Answer when confidence >= `answer`; else clarify when the top-3 confidence >= `clarify`."""

    answer: float
    clarify: float
    source: str = "auto"  # auto | calibrated | settings


@dataclass(frozen=True)
class Outcomes:
    """What retrieval gave each labelled query: the confidences and whether they were right."""

    confidence: FloatArray  # P(top-1 correct)
    top3_confidence: FloatArray  # P(correct answer among the first three)
    in_scope: BoolArray
    top1_correct: BoolArray
    top3_correct: BoolArray

    def weights(self) -> FloatArray:
        n_in = max(int(self.in_scope.sum()), 1)
        n_out = int((~self.in_scope).sum())
        if n_out == 0:
            return np.full(self.in_scope.shape, 1.0 / n_in, dtype=np.float32)
        share = OUT_OF_SCOPE_SHARE
        return np.where(self.in_scope, (1 - share) / n_in, share / n_out).astype(np.float32)


def _candidates(values: FloatArray) -> FloatArray:
    grid = np.unique(np.concatenate([values, np.linspace(0.0, 1.0, 101, dtype=np.float32)]))
    return grid.astype(np.float32)


def _answer_utility(o: Outcomes, w: FloatArray, t: float) -> float:
    answered = o.confidence >= t
    right = answered & o.in_scope & o.top1_correct
    wrong = answered & o.in_scope & ~o.top1_correct
    abstained_oos = ~answered & ~o.in_scope
    return float(w[right].sum() + w[abstained_oos].sum() - WRONG_ANSWER_PENALTY * w[wrong].sum())


def _clarify_utility(o: Outcomes, w: FloatArray, t_answer: float, t: float) -> float:
    asked = (o.confidence < t_answer) & (o.top3_confidence >= t)
    helpful = asked & o.in_scope & o.top3_correct
    unhelpful = asked & ~(o.in_scope & o.top3_correct)
    oos_asked = asked & ~o.in_scope
    # Clarifying an in-scope question gains part of an answer; asking an off-topic visitor to
    # choose among answers loses the abstention it should have been.
    return float(
        CLARIFY_GAIN * w[helpful].sum()
        - 0.25 * w[unhelpful & o.in_scope].sum()
        - w[oos_asked].sum()
    )


def choose_thresholds(outcomes: Outcomes, *, source: str = "auto") -> Thresholds:
    """The answer threshold with the best balanced utility, then the clarify threshold."""
    w = outcomes.weights()
    grid = _candidates(outcomes.confidence)
    scores = [_answer_utility(outcomes, w, float(t)) for t in grid]
    best = max(scores)
    # Among equally good thresholds prefer the middle one (less sensitive to noise).
    ties = [float(t) for t, s in zip(grid, scores, strict=True) if s >= best - 1e-9]
    t_answer = ties[len(ties) // 2]
    grid3 = _candidates(outcomes.top3_confidence)
    c_scores = [_clarify_utility(outcomes, w, t_answer, float(t)) for t in grid3]
    c_best = max(c_scores)
    c_ties = [float(t) for t, s in zip(grid3, c_scores, strict=True) if s >= c_best - 1e-9]
    t_clarify = c_ties[len(c_ties) // 2] if c_best > 0 else 1.01
    return Thresholds(answer=round(t_answer, 4), clarify=round(t_clarify, 4), source=source)
