"""The cold-start prior: ranking and confidence models fitted on public data shaped like a young
answer base, shipped with the package (`retrieval/data/prior.json`).

A base with one or two phrasings per answer gives its own held-out fit almost nothing to learn
from: a question whose answer has no other phrasing is never held out, so the confidences see
off-topic probes and hardly any right answers. The prior was fitted once, by
`python -m benchmarks.fit_prior`, on the *training* splits of public datasets cut into young
bases (one to three phrasings per answer, in English, Danish, Norwegian and Swedish, with
cross-language traffic) and their other phrasings as visitors' questions. It holds:

- the three models (`scorer`, `top1`, `top3`) as plain coefficients over the same features, and
- a reference sample of in-scope outcomes: the confidence rows of held-out visitor questions and
  whether the first (first three) answers were right. The thresholds of a young base are chosen
  on that sample for the in-scope side and on the base's own off-topic evidence (probes and
  left-out answers, which know the base's domain) for the other side.

`Retriever.fit` blends the prior with the base's own evidence as it grows: the weight of the
base's own confidences and outcomes is n / (n + `PRIOR_STRENGTH`), n being its in-scope
held-out questions that had another phrasing of their answer to meet; its own scorer weighs
n / (n + `SCORER_PRIOR_STRENGTH`), since a ranking is learnt from fewer examples.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval._models import Linear

__all__ = [
    "PRIOR_FILE",
    "PRIOR_STRENGTH",
    "SCORER_PRIOR_STRENGTH",
    "Episode",
    "Prior",
    "load_prior",
    "prior_digest",
]

PRIOR_FILE = Path(__file__).parent / "data" / "prior.json"
PRIOR_VERSION = 1
PRIOR_STRENGTH = 300
SCORER_PRIOR_STRENGTH = 50  # the scorer ranks; it is learnt from fewer examples than confidence

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Episode:
    """One young answer base and labelled visitor questions to it (None = out of scope)."""

    name: str
    entries: tuple[Any, ...]  # retrieval.Entry
    queries: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Prior:
    scorer: Linear
    top1: Linear
    top3: Linear
    rows: FloatArray  # confidence rows (see `_models.ranked_row`) of in-scope reference questions
    right1: BoolArray
    right3: BoolArray
    features: tuple[str, ...]
    about: dict[str, Any] = field(default_factory=dict)  # what it was fitted on

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PRIOR_VERSION,
            "features": list(self.features),
            "scorer": self.scorer.to_json(),
            "top1": self.top1.to_json(),
            "top3": self.top3.to_json(),
            "reference": {
                "rows": [[round(float(v), 5) for v in row] for row in self.rows],
                "right1": [bool(v) for v in self.right1],
                "right3": [bool(v) for v in self.right3],
            },
            "about": self.about,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Prior:
        reference = data["reference"]
        return cls(
            Linear.from_json(data["scorer"]),
            Linear.from_json(data["top1"]),
            Linear.from_json(data["top3"]),
            np.asarray(reference["rows"], dtype=np.float32),
            np.asarray(reference["right1"], dtype=bool),
            np.asarray(reference["right3"], dtype=bool),
            tuple(data["features"]),
            dict(data.get("about", {})),
        )


@cache
def prior_digest(path: Path = PRIOR_FILE) -> str:
    """A short hash of the shipped prior's file ("" without one): fitted states record it."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


@cache
def load_prior(path: Path = PRIOR_FILE) -> Prior | None:
    """The shipped prior, or None when it is missing or made for other features."""
    from retrieval._features import FEATURE_NAMES

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("version") != PRIOR_VERSION or tuple(data.get("features", ())) != FEATURE_NAMES:
        return None
    return Prior.from_json(data)
