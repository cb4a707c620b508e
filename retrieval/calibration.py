"""Choosing the answer and clarify thresholds from labelled outcomes.

In-scope questions and out-of-scope probes are reweighted so that off-topic messages make up
`OUT_OF_SCOPE_SHARE` of the traffic, whatever the sizes of the two samples, so a base with
thousands of phrasings and a few hundred probes does not learn to answer everything.

The answer threshold honours the operator's answering policy: the largest share of all
questions that may get a wrong curated answer (`max_wrong`, `DEFAULT_MAX_WRONG` unless the base
says otherwise). It is the lowest threshold at which the estimated wrong share, and the wrong
share of every higher threshold, stays within the policy: as many questions answered as the
policy allows. The clarify threshold is then chosen for its utility (a helpful choice gains part
of an answer, choices offered to an off-topic message lose the abstention). `Expectation` says
what the chosen threshold should give, with a bootstrap interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_MAX_WRONG",
    "PROBE_SHARE",
    "Expectation",
    "Outcomes",
    "Thresholds",
    "choose_thresholds",
    "describe_thresholds",
    "thresholds_from_json",
    "thresholds_json",
]

DEFAULT_MAX_WRONG = 0.03
OUT_OF_SCOPE_SHARE = 0.3
# The probes' part of the off-topic share when near-domain evidence (left-out answers) exists
# beside them: for a young base, living on the prior, and for one with evidence of its own
# (own weight of at least MATURE_WEIGHT). A young base's left-out answers are the only off-topic
# evidence that knows its domain; in a base with several phrasings per answer they often have a
# close neighbour left that is a fair answer, so they weigh less.
PROBE_SHARE = (0.5, 0.8)
MATURE_WEIGHT = 0.5
CLARIFY_GAIN = 0.5
BOOTSTRAP = 200
INTERVAL = 0.9
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Expectation:
    """What a threshold should give on traffic like the evidence (shares of all questions).

    `*_range` is a 90 % bootstrap interval; `evidence` counts the held-out questions (in scope,
    out of scope) behind it, and `prior_share` says how much of the in-scope evidence came from
    the shipped cold-start prior rather than the base itself (0 = all the base's own).
    """

    answer_rate: float
    wrong_rate: float
    answer_rate_range: tuple[float, float]
    wrong_rate_range: tuple[float, float]
    evidence: tuple[int, int]
    prior_share: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "answer_rate": self.answer_rate,
            "wrong_rate": self.wrong_rate,
            "answer_rate_range": list(self.answer_rate_range),
            "wrong_rate_range": list(self.wrong_rate_range),
            "evidence": list(self.evidence),
            "prior_share": self.prior_share,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Expectation:
        low, high = data["answer_rate_range"]
        w_low, w_high = data["wrong_rate_range"]
        in_scope, out_of_scope = data["evidence"]
        return cls(
            float(data["answer_rate"]),
            float(data["wrong_rate"]),
            (float(low), float(high)),
            (float(w_low), float(w_high)),
            (int(in_scope), int(out_of_scope)),
            float(data.get("prior_share", 0.0)),
        )


@dataclass(frozen=True)
class Thresholds:
    """Answer when confidence >= `answer`; else clarify when the top-3 confidence >= `clarify`.

    `max_wrong` is the policy the answer threshold was chosen for, and `expected` what it should
    give (None for thresholds set by the operator).
    """

    answer: float
    clarify: float
    source: str = "auto"  # auto | calibrated | settings
    max_wrong: float | None = None
    expected: Expectation | None = None


@dataclass(frozen=True)
class Outcomes:
    """What retrieval gave each labelled query: the confidences and whether they were right."""

    confidence: FloatArray  # P(top-1 correct)
    top3_confidence: FloatArray  # P(correct answer among the first three)
    in_scope: BoolArray
    top1_correct: BoolArray
    top3_correct: BoolArray
    # Relative weight of each example within its side's share (None: all equal): in scope,
    # the base's own evidence blended with the shipped prior's; out of scope, the far-off
    # probes against the near-domain evidence (left-out answers, labelled traffic).
    relative_weight: FloatArray | None = None

    def weights(self) -> FloatArray:
        if self.relative_weight is not None:
            inside = np.where(self.in_scope, self.relative_weight, 0.0)
            outside = np.where(self.in_scope, 0.0, self.relative_weight)
            inside = inside / max(float(inside.sum()), 1e-12)
            if float(outside.sum()) <= 0.0:
                return inside.astype(np.float32)
            outside = outside / float(outside.sum())
            share = OUT_OF_SCOPE_SHARE if self.in_scope.any() else 1.0
            return ((1 - share) * inside + share * outside).astype(np.float32)
        n_in = max(int(self.in_scope.sum()), 1)
        n_out = int((~self.in_scope).sum())
        if n_out == 0:
            return np.full(self.in_scope.shape, 1.0 / n_in, dtype=np.float32)
        share = OUT_OF_SCOPE_SHARE
        return np.where(self.in_scope, (1 - share) / n_in, share / n_out).astype(np.float32)


def thresholds_json(thresholds: Thresholds) -> dict[str, Any]:
    """The thresholds, their policy and what they should give, as JSON-able data."""
    t = thresholds
    return {
        "answer": t.answer,
        "clarify": t.clarify,
        "source": t.source,
        "max_wrong": t.max_wrong,
        "expected": t.expected.to_json() if t.expected is not None else None,
    }


def thresholds_from_json(data: dict[str, Any]) -> Thresholds:
    expected, max_wrong = data.get("expected"), data.get("max_wrong")
    return Thresholds(
        float(data["answer"]),
        float(data["clarify"]),
        str(data.get("source", "auto")),
        None if max_wrong is None else float(max_wrong),
        None if expected is None else Expectation.from_json(expected),
    )


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def describe_thresholds(data: dict[str, Any]) -> list[str]:
    """Lines for people about `thresholds_json` data: policy, thresholds, expected rates."""
    lines = []
    if data.get("max_wrong") is not None:
        lines.append(
            f"answering policy: at most {_percent(data['max_wrong'])} of all questions answered "
            "wrongly (base.yaml answering.max_wrong)"
        )
    lines.append(
        f"thresholds ({data['source']}): answer {data['answer']:.3f}, clarify {data['clarify']:.3f}"
    )
    if data["source"] == "settings":
        lines.append(
            "  set by CHAT_ANSWER_THRESHOLD / CHAT_CLARIFY_THRESHOLD: they win over the policy"
        )
    e = data.get("expected")
    if e and data["source"] != "settings":
        answer_low, answer_high = e["answer_rate_range"]
        wrong_low, wrong_high = e["wrong_rate_range"]
        in_scope, out_of_scope = e["evidence"]
        own = 1.0 - e.get("prior_share", 0.0)
        lines.append(
            f"expected: answers {_percent(e['answer_rate'])} of questions "
            f"({_percent(answer_low)}–{_percent(answer_high)}), wrong "
            f"{_percent(e['wrong_rate'])} ({_percent(wrong_low)}–{_percent(wrong_high)}), "
            f"90 % intervals"
        )
        lines.append(
            f"  on {in_scope:,} in-scope and {out_of_scope:,} off-topic held-out questions, "
            f"{100 * OUT_OF_SCOPE_SHARE:.0f} % of traffic taken as off-topic; the base's own "
            f"evidence weighs {100 * own:.0f} %, the shipped cold-start prior the rest"
        )
    return lines


def _candidates(values: FloatArray) -> FloatArray:
    grid = np.unique(np.concatenate([values, np.linspace(0.0, 1.0, 101, dtype=np.float32)]))
    return grid.astype(np.float32)


def _wrong_and_answered(
    o: Outcomes, w: FloatArray, grid: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """For each threshold of `grid`: the weighted share answered wrongly, and answered at all."""
    order = np.argsort(o.confidence)
    conf = o.confidence[order]
    wrong_w = np.where(o.in_scope & o.top1_correct, 0.0, w)[order]
    # Answered at threshold t: confidence >= t; suffix sums over the sorted confidences.
    wrong_suffix = np.concatenate([np.cumsum(wrong_w[::-1])[::-1], [0.0]])
    all_suffix = np.concatenate([np.cumsum(w[order][::-1])[::-1], [0.0]])
    at = np.searchsorted(conf, grid, side="left")
    return wrong_suffix[at].astype(np.float32), all_suffix[at].astype(np.float32)


def _policy_threshold(o: Outcomes, w: FloatArray, max_wrong: float) -> float:
    """The lowest threshold whose wrong share, and every higher one's, is within `max_wrong`."""
    grid = _candidates(o.confidence)
    wrong, _ = _wrong_and_answered(o, w, grid)
    within = wrong <= max_wrong + 1e-9
    # Walk down from the top: the threshold may fall as long as it stays within the policy.
    suffix_ok = np.flip(np.cumprod(np.flip(within))).astype(bool)
    if not suffix_ok.any():
        return 1.01
    return float(grid[int(np.argmax(suffix_ok))])


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


def expect(outcomes: Outcomes, threshold: float, *, prior_share: float = 0.0) -> Expectation:
    """What `threshold` gives on the outcomes, with a 90 % bootstrap interval.

    In-scope and out-of-scope examples are resampled separately (their shares are fixed by
    the reweighting), 200 times with a fixed seed, so the figure is reproducible.
    """
    w = outcomes.weights()
    t = np.asarray([threshold], dtype=np.float32)
    wrong, answered = (float(v[0]) for v in _wrong_and_answered(outcomes, w, t))
    rng = np.random.default_rng(0)
    inside = np.flatnonzero(outcomes.in_scope)
    outside = np.flatnonzero(~outcomes.in_scope)
    rates: list[tuple[float, float]] = []
    for _ in range(BOOTSTRAP):
        picked = np.concatenate(
            [rng.choice(part, part.size) for part in (inside, outside) if part.size]
        )
        sample = Outcomes(
            outcomes.confidence[picked],
            outcomes.top3_confidence[picked],
            outcomes.in_scope[picked],
            outcomes.top1_correct[picked],
            outcomes.top3_correct[picked],
            None if outcomes.relative_weight is None else outcomes.relative_weight[picked],
        )
        got = _wrong_and_answered(sample, sample.weights(), t)
        rates.append((float(got[1][0]), float(got[0][0])))
    tail = (1 - INTERVAL) / 2
    answer_q = np.quantile([a for a, _ in rates], [tail, 1 - tail])
    wrong_q = np.quantile([x for _, x in rates], [tail, 1 - tail])
    return Expectation(
        answer_rate=round(answered, 4),
        wrong_rate=round(wrong, 4),
        answer_rate_range=(round(float(answer_q[0]), 4), round(float(answer_q[1]), 4)),
        wrong_rate_range=(round(float(wrong_q[0]), 4), round(float(wrong_q[1]), 4)),
        evidence=(int(inside.size), int(outside.size)),
        prior_share=round(prior_share, 4),
    )


def choose_thresholds(
    outcomes: Outcomes,
    *,
    source: str = "auto",
    max_wrong: float = DEFAULT_MAX_WRONG,
    prior_share: float = 0.0,
) -> Thresholds:
    """The answer threshold the policy allows, then the clarify threshold with the best utility."""
    w = outcomes.weights()
    t_answer = _policy_threshold(outcomes, w, max_wrong)
    grid3 = _candidates(outcomes.top3_confidence)
    c_scores = [_clarify_utility(outcomes, w, t_answer, float(t)) for t in grid3]
    c_best = max(c_scores)
    c_ties = [float(t) for t, s in zip(grid3, c_scores, strict=True) if s >= c_best - 1e-9]
    t_clarify = c_ties[len(c_ties) // 2] if c_best > 0 else 1.01
    return Thresholds(
        answer=math.ceil(t_answer * 1e4) / 1e4,  # never below the chosen one
        clarify=round(t_clarify, 4),
        source=source,
        max_wrong=max_wrong,
        expected=expect(outcomes, t_answer, prior_share=prior_share),
    )
