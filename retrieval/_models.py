"""The light models fitted on an answer base's own phrasings: a candidate scorer and two
calibrated confidences, each a logistic regression stored as plain coefficients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Linear:
    """sigmoid(x · weights + bias), vectorised over rows."""

    weights: tuple[float, ...]
    bias: float

    def __call__(self, rows: FloatArray) -> FloatArray:
        z = rows @ np.asarray(self.weights, dtype=np.float32) + np.float32(self.bias)
        out: FloatArray = (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)
        return out

    @classmethod
    def fit(
        cls, rows: FloatArray, labels: npt.NDArray[np.bool_], weights: FloatArray | None = None
    ) -> Linear:
        if labels.all() or not labels.any():
            # One class only: a constant model that says what was seen.
            return cls(tuple(0.0 for _ in range(rows.shape[1])), 6.0 if labels.all() else -6.0)
        from sklearn.linear_model import LogisticRegression  # only needed when fitting

        # Fit on standardised columns, then fold the scaling back into plain coefficients.
        mean = rows.mean(axis=0)
        std = np.maximum(rows.std(axis=0), 1e-6)
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit((rows - mean) / std, labels, sample_weight=weights)
        coef = model.coef_[0] / std
        bias = float(model.intercept_[0]) - float(np.dot(coef, mean))
        return cls(tuple(float(w) for w in coef), bias)

    def to_json(self) -> dict[str, Any]:
        return {"weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))


TOP = 10
CONFIDENCE_HEAD = 5  # the query-level columns before the best candidate's features


def ranked_row(scores: FloatArray, features: FloatArray) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """The answers in score order, and the query-level row the confidences read.

    The row holds the best scores' shape (the best, its margins, the mass of the top ten: a
    question that fits many answers a little is as doubtful as one that fits none) and the
    per-answer features of the best candidate.
    """
    order = np.argsort(-scores, kind="stable")
    top = np.zeros(TOP, dtype=np.float32)
    top[: min(TOP, order.size)] = scores[order[:TOP]]
    p1, p2, p3 = float(top[0]), float(top[1]), float(top[2])
    logit = float(np.log(np.clip(p1, 1e-6, 1 - 1e-6) / np.clip(1 - p1, 1e-6, 1)))
    head = np.array([p1, p1 - p2, p2 - p3, logit, float(top.sum())], dtype=np.float32)
    best = features[order[0]] if order.size else np.zeros(features.shape[1], dtype=np.float32)
    return order, np.concatenate([head, best]).astype(np.float32)
