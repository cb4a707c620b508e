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

        model = LogisticRegression(C=1.0, max_iter=500)
        model.fit(rows, labels, sample_weight=weights)
        return cls(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))

    def to_json(self) -> dict[str, Any]:
        return {"weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Linear:
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))


def confidence_rows(probs: FloatArray, features: FloatArray) -> FloatArray:
    """Query-level features from the sorted candidate probabilities and the top candidate.

    `probs` is (queries × 3): the best three scorer outputs; `features` is (queries × F): the
    per-answer features of each query's best candidate.
    """
    p1, p2, p3 = probs[:, 0], probs[:, 1], probs[:, 2]
    logit = np.log(np.clip(p1, 1e-6, 1 - 1e-6) / np.clip(1 - p1, 1e-6, 1))
    return np.column_stack([p1, p1 - p2, p2 - p3, logit, features]).astype(np.float32)
