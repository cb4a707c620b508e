"""Ranking curated answers for a question, with a calibrated confidence.

`Retriever.fit` builds the feature space (dense similarities to each answer's questions, its
centroid and its answer texts, plus character n-gram BM25 gated by n-gram overlap), then fits
on the base's own questions held out fold by fold:

1. a candidate scorer (is this answer the right one for this question?), and
2. two confidences: P(the best candidate is right) and P(the right one is among the first three),
   with the shipped off-topic probes as negatives,

and chooses the thresholds from those held-out outcomes (see `retrieval.calibration`).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval._features import FEATURE_NAMES, FeatureSpace, FloatArray, centre_vectors
from retrieval._models import CONFIDENCE_HEAD, Linear, ranked_row
from retrieval.calibration import (
    DEFAULT_MAX_WRONG,
    MATURE_WEIGHT,
    PROBE_SHARE,
    Outcomes,
    Thresholds,
    choose_thresholds,
    thresholds_from_json,
    thresholds_json,
)
from retrieval.embeddings import Encoder, Vectors
from retrieval.prior import (
    PRIOR_STRENGTH,
    SCORER_PRIOR_STRENGTH,
    Episode,
    Prior,
    load_prior,
)

__all__ = ["Candidate", "Entry", "Ranking", "Retriever", "fit_prior"]

FOLDS = 5
MAX_HELD_OUT = 3000
MAX_DROPPED_QUESTIONS = 1500
MIN_DROPPED_QUESTIONS = 250
MIN_ANSWERS_TO_DROP = 10
DROPPED_SHARE = 0.3  # left-out answers' questions, as a share of the in-scope held-out ones
HARD_NEGATIVES = 20
SHORTLIST = 60  # candidate rows kept per held-out query while fitting
SHORTLIST_BY = ("question_max", "centroid", "text_max", "lexical", "ridge")
SHORTLIST_FEATURES = tuple(FEATURE_NAMES.index(name) for name in SHORTLIST_BY)
MIN_LABELLED = 20  # of each kind, for the labelled queries to choose the thresholds
STATE_VERSION = 4


@dataclass(frozen=True, slots=True)
class Entry:
    """What retrieval knows of one answer: its id, its questions and its answer texts."""

    id: str
    questions: tuple[str, ...]
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    score: float


@dataclass(frozen=True, slots=True)
class Ranking:
    """Candidates best first; `confidence` = P(the first is right), `top3` = P(right in top 3)."""

    candidates: tuple[Candidate, ...]
    confidence: float
    top3: float


@dataclass
class _Models:
    scorer: Linear
    top1: Linear
    top3: Linear


@dataclass
class _HeldOut:
    """Held-out queries: each one's shortlist of candidate rows and the right row (-1: none).

    Only a shortlist of each query's candidates is kept (see `_shortlist`), so fitting a base
    of thousands of answers holds a few megabytes of features instead of hundreds.
    """

    features: list[FloatArray] = field(default_factory=list)
    truth: list[int] = field(default_factory=list)  # row in the shortlist, -1 = out of scope
    # In scope and asked against a base that still held another phrasing of its answer: the
    # evidence that looks like a visitor's question (one matched only against the answer's
    # text is harder than any real question to a phrased answer).
    phrased: list[bool] = field(default_factory=list)
    # Out of scope and one of the shipped far-off probes (not a near-domain question).
    probe: list[bool] = field(default_factory=list)

    def add(
        self, features: FloatArray, truth: int, *, phrased: bool = True, probe: bool = False
    ) -> None:
        rows, local = _shortlist(features, truth)
        self.features.append(rows)
        self.truth.append(local)
        self.phrased.append(truth >= 0 and phrased)
        self.probe.append(truth < 0 and probe)

    def extend(self, other: _HeldOut) -> None:
        self.features.extend(other.features)
        self.truth.extend(other.truth)
        self.phrased.extend(other.phrased)
        self.probe.extend(other.probe)


def _shortlist(features: FloatArray, truth: int) -> tuple[FloatArray, int]:
    """The rows any model could rank first: the best few by each main feature, and the truth.

    The scorer is a monotone combination of these features, so its first candidates always lie
    among the leaders of at least one of them.
    """
    if features.shape[0] <= SHORTLIST:
        return features, truth
    per_feature = SHORTLIST // len(SHORTLIST_FEATURES)
    picked = {int(i) for c in SHORTLIST_FEATURES for i in np.argsort(-features[:, c])[:per_feature]}
    picked.update(int(i) for i in np.argsort(-features[:, 0])[: HARD_NEGATIVES + 1])
    if truth >= 0:
        picked.add(truth)
    rows = np.asarray(sorted(picked), dtype=np.int64)
    local = int(np.searchsorted(rows, truth)) if truth >= 0 else -1
    return np.ascontiguousarray(features[rows]), local


def _space(
    entries: Sequence[Entry],
    q_vectors: Vectors,
    t_vectors: Vectors,
    keep: npt.NDArray[np.bool_] | None = None,
    centres: Vectors | None = None,
) -> FeatureSpace:
    """The feature space of `entries`; `keep` masks which questions take part."""
    questions = [(i, q) for i, e in enumerate(entries) for q in e.questions]
    texts = [(i, t) for i, e in enumerate(entries) for t in e.texts]
    if keep is not None:
        questions = [q for q, k in zip(questions, keep, strict=True) if k]
        q_vectors = q_vectors[keep]
    return FeatureSpace.build(len(entries), questions, q_vectors, texts, t_vectors, centres)


def _without(
    entries: Sequence[Entry],
    q_vectors: Vectors,
    t_vectors: Vectors,
    keep_questions: npt.NDArray[np.bool_],
    dropped: npt.NDArray[np.bool_],
    centres: Vectors | None = None,
) -> tuple[FeatureSpace, npt.NDArray[np.int64]]:
    """A space without the `dropped` answers (and without masked questions).

    Returns the space and the new index of every old answer (-1 for a dropped one).
    """
    remap = np.full(len(entries), -1, dtype=np.int64)
    remap[~dropped] = np.arange(int((~dropped).sum()))
    q_owner = np.array([i for i, e in enumerate(entries) for _ in e.questions], dtype=np.int64)
    t_owner = np.array([i for i, e in enumerate(entries) for _ in e.texts], dtype=np.int64)
    q_texts = [q for e in entries for q in e.questions]
    t_texts = [t for e in entries for t in e.texts]
    q_keep = keep_questions & ~dropped[q_owner] if q_owner.size else keep_questions
    t_keep = ~dropped[t_owner] if t_owner.size else np.zeros(0, dtype=bool)
    questions = [(int(remap[o]), q) for o, q, k in zip(q_owner, q_texts, q_keep, strict=True) if k]
    texts = [(int(remap[o]), t) for o, t, k in zip(t_owner, t_texts, t_keep, strict=True) if k]
    space = FeatureSpace.build(
        int((~dropped).sum()), questions, q_vectors[q_keep], texts, t_vectors[t_keep], centres
    )
    return space, remap


def _folds(entries: Sequence[Entry], seed: int) -> npt.NDArray[np.int64]:
    """A fold number per question; -1 where it must stay (its answer's only evidence)."""
    rng = random.Random(seed)
    folds: list[int] = []
    eligible: list[int] = []
    for e in entries:
        can_leave = len(e.questions) >= 2 or bool(e.texts)
        for _ in e.questions:
            if can_leave:
                eligible.append(len(folds))
            folds.append(-1)
    rng.shuffle(eligible)
    for n, index in enumerate(eligible[:MAX_HELD_OUT]):
        folds[index] = n % FOLDS
    return np.asarray(folds, dtype=np.int64)


class Retriever:
    """Ranks the answers of one base; build it with `fit` or `from_state`."""

    def __init__(
        self,
        entries: Sequence[Entry],
        space: FeatureSpace,
        models: _Models,
        thresholds: Thresholds,
        *,
        own_weight: float = 1.0,
    ) -> None:
        self.entries = tuple(entries)
        self._ids = [e.id for e in entries]
        self._space = space
        self._models = models
        self.thresholds = thresholds
        self.own_weight = own_weight  # the base's own share of the models (1 = all its own)

    # -- building -------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        entries: Sequence[Entry],
        encoder: Encoder,
        *,
        probes: Sequence[str] = (),
        probe_langs: Sequence[str] = (),
        labelled: Sequence[tuple[str, str | None]] = (),
        seed: int = 0,
        max_wrong: float = DEFAULT_MAX_WRONG,
        prior: Prior | bool | None = True,
    ) -> Retriever:
        """Fit the scorer and confidences on held-out questions and off-topic `probes`.

        `labelled` adds (question, expected answer id or None) pairs, e.g. a suite's cases or
        the visitors' questions whose right answer is known; in-scope ones also serve as
        out-of-scope examples in the fold that leaves their answer out. When `labelled` holds
        at least `MIN_LABELLED` queries of each kind (in scope and out of scope), it is a sample
        of real traffic, and the thresholds are chosen on it alone rather than on held-out
        phrasings (which are easier than real questions). With `probe_langs` (the language of
        each probe) the probes also give each language's mean vector, which is removed from the
        question and query vectors before they are compared (cross-lingual matching).

        The base's own models are blended with the shipped cold-start prior (`retrieval.prior`)
        by how much phrased in-scope evidence the base has; `prior=False` fits on the base's
        own evidence alone, and a `Prior` replaces the shipped one. The answer threshold is the
        lowest whose estimated wrong share of all questions stays within `max_wrong`.
        """
        chosen = load_prior() if prior is True else (prior or None)
        held, traffic, space = _evidence(entries, encoder, probes, probe_langs, labelled, seed)
        phrased = int(sum(held.phrased))
        weight = phrased / (phrased + PRIOR_STRENGTH) if chosen is not None else 1.0
        own = _fit_models(held) if weight > 0 else None
        ranking = phrased / (phrased + SCORER_PRIOR_STRENGTH) if chosen is not None else 1.0
        models = _blend(own, chosen, weight, ranking)
        retriever = cls(entries, space, models, Thresholds(1.01, 1.01), own_weight=weight)
        if _is_traffic_sample(traffic):
            retriever.thresholds = choose_thresholds(
                retriever._outcomes(traffic), source="calibrated", max_wrong=max_wrong
            )
        else:
            outcomes = retriever._blended_outcomes(held, chosen, weight)
            retriever.thresholds = choose_thresholds(
                outcomes, max_wrong=max_wrong, prior_share=round(1.0 - weight, 4)
            )
        return retriever

    def state(self) -> dict[str, Any]:
        """The fitted models and thresholds as JSON-able data (vectors are stored elsewhere)."""
        return {
            "version": STATE_VERSION,
            "features": list(FEATURE_NAMES),
            "scorer": self._models.scorer.to_json(),
            "top1": self._models.top1.to_json(),
            "top3": self._models.top3.to_json(),
            "thresholds": thresholds_json(self.thresholds),
            "centres": self._space.centres.tolist(),
            "own_weight": self.own_weight,
        }

    @classmethod
    def from_state(
        cls, entries: Sequence[Entry], encoder: Encoder, state: dict[str, Any]
    ) -> Retriever | None:
        """Rebuild from `state()`; None when the state was made by another version."""
        if state.get("version") != STATE_VERSION or state.get("features") != list(FEATURE_NAMES):
            return None
        widths = (len(state["scorer"]["weights"]), len(state["top1"]["weights"]))
        if widths != (len(FEATURE_NAMES), CONFIDENCE_HEAD + len(FEATURE_NAMES)):
            return None
        q_vectors = encoder.query_vectors([q for e in entries for q in e.questions])
        t_vectors = encoder.passage_vectors([t for e in entries for t in e.texts])
        models = _Models(
            Linear.from_json(state["scorer"]),
            Linear.from_json(state["top1"]),
            Linear.from_json(state["top3"]),
        )
        thresholds = thresholds_from_json(state["thresholds"])
        centres = np.asarray(state.get("centres", []), dtype=np.float32).reshape(-1, 384)
        space = _space(entries, q_vectors, t_vectors, centres=centres)
        weight = float(state.get("own_weight", 1.0))
        return cls(entries, space, models, thresholds, own_weight=weight)

    # -- views for evaluation -------------------------------------------------------------
    def without_questions(self, questions: Collection[str]) -> Retriever:
        """This retriever as if these phrasings had never been indexed (in any answer).

        The fitted models and thresholds are kept and nothing is embedded again: the feature
        space is rebuilt from the vectors already held (about half a second for a thousand
        phrasings). Evaluation uses it to ask a base's own question as a new one.
        """
        drop = set(questions)
        keep = np.array([q not in drop for e in self.entries for q in e.questions], dtype=bool)
        if keep.all():
            return self
        # The question vectors held are language-centred already: build without centring them
        # again, then restore the centres that each query is centred with.
        space = _space(
            self.entries, self._space.question_vectors, self._space.text_vectors, keep=keep
        )
        space = dataclasses.replace(space, centres=self._space.centres)
        entries = [
            Entry(e.id, tuple(q for q in e.questions if q not in drop), e.texts)
            for e in self.entries
        ]
        return Retriever(entries, space, self._models, self.thresholds, own_weight=self.own_weight)

    def similarities(self) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
        """How alike the answers are: (ids, question similarity, text similarity).

        Each matrix holds the cosine between two answers' centroids: of their questions in the
        language-centred space the ranking uses, and of their answer texts after removing the
        mean off-topic direction. Without centring, e5 puts almost every pair of short texts
        near 0.9. The diagonal is 1; an answer without texts
        gets 0 text similarity to every other.
        """
        space = self._space
        offset = (
            space.centres.mean(axis=0)
            if space.centres.size
            else np.zeros(space.text_vectors.shape[-1], dtype=np.float32)
        )
        # Question vectors are held language-centred already; texts are raw passages.
        questions = _unit_centroids(space.answers, space.question_owner, space.question_vectors)
        texts = _unit_centroids(space.answers, space.text_owner, space.text_vectors - offset)
        q_sims: FloatArray = (questions @ questions.T).astype(np.float32)
        t_sims: FloatArray = (texts @ texts.T).astype(np.float32)
        np.fill_diagonal(q_sims, 1.0)
        np.fill_diagonal(t_sims, 1.0)
        return tuple(self._ids), q_sims, t_sims

    def centred(self, vectors: Vectors) -> Vectors:
        """Query vectors in the language-centred space the ranking compares questions in:
        each minus its nearest language's mean vector, renormalised, so that the same question
        in two languages lands close (insights groups unanswered questions in it)."""
        return centre_vectors(vectors, self._space.centres)

    # -- ranking --------------------------------------------------------------------------
    def rank(self, text: str, vector: Vectors, k: int = 10) -> Ranking:
        features = self._space.features(text, vector)
        return self._rank_features(features, k)

    def rank_many(self, texts: Sequence[str], vectors: Vectors, k: int = 10) -> list[Ranking]:
        return [self.rank(t, v, k) for t, v in zip(texts, vectors, strict=True)]

    def calibrate(
        self, texts: Sequence[str], vectors: Vectors, expected: Sequence[str | None]
    ) -> Thresholds:
        """Thresholds chosen on labelled queries (expected None = out of scope)."""
        held = _HeldOut()
        index = {answer_id: i for i, answer_id in enumerate(self._ids)}
        for text, vec, exp in zip(texts, vectors, expected, strict=True):
            held.add(self._space.features(text, vec), -1 if exp is None else index[exp])
        return choose_thresholds(self._outcomes(held), source="calibrated")

    def _rank_features(self, features: FloatArray, k: int) -> Ranking:
        scores = self._models.scorer(features)
        order, row = ranked_row(scores, features)
        rows = row[np.newaxis, :]
        candidates = tuple(Candidate(self._ids[i], round(float(scores[i]), 4)) for i in order[:k])
        return Ranking(
            candidates=candidates,
            confidence=round(float(self._models.top1(rows)[0]), 4),
            top3=round(float(self._models.top3(rows)[0]), 4),
        )

    def _blended_outcomes(self, held: _HeldOut, prior: Prior | None, weight: float) -> Outcomes:
        """The base's own held-out outcomes, its in-scope side blended with the prior's sample.

        Off-topic evidence is always the base's own (probes and left-out answers know its
        domain). In scope, the phrased held-out questions weigh `weight` and the prior's
        reference questions the rest; questions matched only against an answer text count only
        when there is nothing else.
        """
        own = self._outcomes(held)
        probe = np.asarray(held.probe, dtype=bool)
        near = ~own.in_scope & ~probe
        # Off topic: the probes and the near-domain questions split the share as PROBE_SHARE
        # says for the base's age (real off-topic traffic to a domain's bot is near its domain).
        out_weight = np.zeros(probe.size, dtype=np.float64)
        if probe.any() and near.any():
            young, mature = PROBE_SHARE
            probe_share = young + (mature - young) * min(1.0, weight / MATURE_WEIGHT)
            out_weight[probe] = probe_share / int(probe.sum())
            out_weight[near] = (1 - probe_share) / int(near.sum())
        else:
            out_weight[~own.in_scope] = 1.0 / max(int((~own.in_scope).sum()), 1)
        if prior is None or weight >= 1.0:
            inside = np.where(own.in_scope, 1.0 / max(int(own.in_scope.sum()), 1), 0.0)
            return dataclasses.replace(
                own, relative_weight=(inside + out_weight).astype(np.float32)
            )
        phrased = np.asarray(held.phrased, dtype=bool)
        rows = prior.rows
        n_ref = rows.shape[0]
        ref_weight = (1.0 - weight) / max(n_ref, 1)
        own_weight = np.where(phrased, weight / max(int(phrased.sum()), 1), 0.0) + out_weight
        return Outcomes(
            np.concatenate([own.confidence, self._models.top1(rows)]).astype(np.float32),
            np.concatenate([own.top3_confidence, self._models.top3(rows)]).astype(np.float32),
            np.concatenate([own.in_scope, np.ones(n_ref, dtype=bool)]),
            np.concatenate([own.top1_correct, prior.right1]),
            np.concatenate([own.top3_correct, prior.right3]),
            np.concatenate([own_weight, np.full(n_ref, ref_weight)]).astype(np.float32),
        )

    def _outcomes(self, held: _HeldOut) -> Outcomes:
        conf, conf3, in_scope, right1, right3 = [], [], [], [], []
        for features, truth in zip(held.features, held.truth, strict=True):
            order, row = ranked_row(self._models.scorer(features), features)
            rows = row[np.newaxis, :]
            conf.append(float(self._models.top1(rows)[0]))
            conf3.append(float(self._models.top3(rows)[0]))
            in_scope.append(truth >= 0)
            right1.append(truth >= 0 and order.size > 0 and int(order[0]) == truth)
            right3.append(truth >= 0 and truth in order[:3])
        return Outcomes(
            np.asarray(conf, dtype=np.float32),
            np.asarray(conf3, dtype=np.float32),
            np.asarray(in_scope, dtype=bool),
            np.asarray(right1, dtype=bool),
            np.asarray(right3, dtype=bool),
        )


def _unit_centroids(answers: int, owners: npt.NDArray[np.int64], vectors: FloatArray) -> FloatArray:
    """The mean of each answer's rows, L2-normalised; zero for an answer without rows."""
    dim = vectors.shape[1] if vectors.ndim == 2 else 384
    sums = np.zeros((answers, dim), dtype=np.float32)
    if owners.size:
        np.add.at(sums, owners, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    unit: FloatArray = np.where(norms > 1e-9, sums / np.maximum(norms, 1e-9), 0.0).astype(
        np.float32
    )
    return unit


def _is_traffic_sample(labelled: _HeldOut) -> bool:
    """Enough labelled queries of both kinds to choose the thresholds on them alone."""
    out_of_scope = sum(truth < 0 for truth in labelled.truth)
    in_scope = len(labelled.truth) - out_of_scope
    return in_scope >= MIN_LABELLED and out_of_scope >= MIN_LABELLED


def _language_centres(vectors: Vectors, langs: Sequence[str]) -> Vectors:
    """The mean probe vector of each language with enough probes (none without languages)."""
    if not langs:
        return np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 384), dtype=np.float32)
    names = sorted(set(langs))
    owner = np.array([names.index(lang) for lang in langs])
    rows = [vectors[owner == i].mean(axis=0) for i in range(len(names)) if (owner == i).sum() >= 5]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)


def _answer_folds(entries: Sequence[Entry], seed: int) -> npt.NDArray[np.int64]:
    """A fold per answer in which it is left out entirely; -1 for small bases (too few)."""
    folds = np.full(len(entries), -1, dtype=np.int64)
    if len(entries) < MIN_ANSWERS_TO_DROP:
        return folds
    order = list(range(len(entries)))
    random.Random(seed + 1).shuffle(order)
    for n, index in enumerate(order):
        folds[index] = n % FOLDS
    return folds


def _held_out(
    entries: Sequence[Entry],
    questions: Sequence[str],
    q_vectors: Vectors,
    t_vectors: Vectors,
    seed: int,
    labelled: Sequence[tuple[str, Vectors, int]] = (),
    centres: Vectors | None = None,
) -> _HeldOut:
    """Held-out outcomes, fold by fold.

    In each fold some questions are held out (in scope: their answer stays) and a fifth of the
    answers is left out entirely: their questions then stand for visitors asking about a topic
    the base does not cover, close to its domain, which far-off probes cannot teach.
    """
    folds = _folds(entries, seed)
    dropped_in = _answer_folds(entries, seed)
    owner = np.array([i for i, e in enumerate(entries) for _ in e.questions], dtype=np.int64)
    rng = np.random.default_rng(seed)
    in_scope = int((folds >= 0).sum())
    # A young base holds few questions out, yet its left-out answers are its best near-domain
    # off-topic evidence: never fewer than MIN_DROPPED_QUESTIONS of them (as far as it has).
    wanted = max(int(DROPPED_SHARE * in_scope), MIN_DROPPED_QUESTIONS)
    per_fold_oos = min(MAX_DROPPED_QUESTIONS, wanted) // FOLDS
    held = _HeldOut()
    for fold in range(FOLDS):
        dropped = dropped_in == fold
        space, remap = _without(entries, q_vectors, t_vectors, folds != fold, dropped, centres)
        inside = np.flatnonzero((folds == fold) & ~dropped[owner]) if owner.size else owner
        outside = np.flatnonzero(dropped[owner]) if owner.size else owner
        if outside.size > per_fold_oos:
            outside = rng.choice(outside, per_fold_oos, replace=False)
        for j in inside:
            phrased = len(entries[int(owner[j])].questions) >= 2
            features = space.features(questions[int(j)], q_vectors[j])
            held.add(features, int(remap[owner[j]]), phrased=phrased)
        for j in outside:
            held.add(space.features(questions[int(j)], q_vectors[j]), -1)
        for text, vec, truth in labelled:
            if truth >= 0 and dropped[truth]:
                held.add(space.features(text, vec), -1)
    return held


def _evidence(
    entries: Sequence[Entry],
    encoder: Encoder,
    probes: Sequence[str],
    probe_langs: Sequence[str],
    labelled: Sequence[tuple[str, str | None]],
    seed: int,
) -> tuple[_HeldOut, _HeldOut, FeatureSpace]:
    """The held-out evidence of a base: (everything, the labelled queries alone, its space)."""
    all_questions = [q for e in entries for q in e.questions]
    q_vectors = encoder.query_vectors(all_questions)
    t_vectors = encoder.passage_vectors([t for e in entries for t in e.texts])
    index = {e.id: i for i, e in enumerate(entries)}
    extra = [(text, -1) for text in probes]
    extra += [(text, -1 if exp is None else index[exp]) for text, exp in labelled]
    vectors = encoder.query_vectors([text for text, _ in extra])
    centres = _language_centres(vectors[: len(probes)], probe_langs)
    space = _space(entries, q_vectors, t_vectors, centres=centres)
    known = [(text, vec, truth) for (text, truth), vec in zip(extra, vectors, strict=True)]
    held = _held_out(entries, all_questions, q_vectors, t_vectors, seed, known, centres)
    traffic = _HeldOut()  # the labelled queries alone: a sample of real traffic
    for n, (text, vec, truth) in enumerate(known):
        features = space.features(text, vec)
        held.add(features, truth, probe=n < len(probes))
        if n >= len(probes):
            traffic.add(features, truth)
    return held, traffic, space


def _blend(own: _Models | None, prior: Prior | None, weight: float, ranking: float) -> _Models:
    """Coefficients interpolated between the base's own models and the prior's: the scorer by
    `ranking`, the confidences by `weight` (a ranking is learnt from fewer examples)."""
    if prior is None:
        assert own is not None
        return own
    if own is None or weight <= 0.0:
        return _Models(prior.scorer, prior.top1, prior.top3)

    def mix(a: Linear, b: Linear, share: float) -> Linear:
        pairs = zip(a.weights, b.weights, strict=True)
        return Linear(
            tuple(share * x + (1 - share) * y for x, y in pairs),
            share * a.bias + (1 - share) * b.bias,
        )

    return _Models(
        mix(own.scorer, prior.scorer, ranking),
        mix(own.top1, prior.top1, weight),
        mix(own.top3, prior.top3, weight),
    )


def fit_prior(
    episodes: Sequence[Episode],
    encoder: Encoder,
    *,
    probes: Sequence[str] = (),
    probe_langs: Sequence[str] = (),
    reference: int = 400,
    seed: int = 0,
) -> Prior:
    """Fit the cold-start prior on young bases cut from public training data (`Episode`s).

    Each episode contributes what `Retriever.fit` would see on that base (held-out phrasings,
    left-out answers, the probes) plus its labelled visitor questions, all held out against the
    base. The reference sample keeps up to `reference` in-scope visitor questions per episode.
    """
    held = _HeldOut()
    visitors: list[tuple[int, int]] = []  # (episode, row in held) of in-scope visitor questions
    for number, episode in enumerate(episodes):
        got, traffic, _ = _evidence(
            episode.entries, encoder, probes, probe_langs, episode.queries, seed
        )
        start = len(held.truth) + len(got.truth) - len(traffic.truth)
        held.extend(got)
        visitors += [(number, start + i) for i, truth in enumerate(traffic.truth) if truth >= 0]
    models = _fit_models(held)
    rng = random.Random(seed)
    picked: list[int] = []
    for number in range(len(episodes)):
        rows = [row for episode, row in visitors if episode == number]
        picked += sorted(rng.sample(rows, min(reference, len(rows))))
    conf_rows, right1, right3 = [], [], []
    for row in picked:
        features, truth = held.features[row], held.truth[row]
        order, conf_row = ranked_row(models.scorer(features), features)
        conf_rows.append(conf_row)
        right1.append(int(order[0]) == truth)
        right3.append(truth in order[:3])
    return Prior(
        models.scorer,
        models.top1,
        models.top3,
        np.asarray(conf_rows, dtype=np.float32),
        np.asarray(right1, dtype=bool),
        np.asarray(right3, dtype=bool),
        FEATURE_NAMES,
        {
            "episodes": {e.name: len(e.queries) for e in episodes},
            "held_out": len(held.truth),
            "reference": len(picked),
        },
    )


def _fit_models(held: _HeldOut) -> _Models:
    rows, labels = [], []
    for features, truth in zip(held.features, held.truth, strict=True):
        if truth < 0:
            continue
        hard = np.argsort(-features[:, 0])[: HARD_NEGATIVES + 1]
        picked = np.union1d(hard, [truth])
        rows.append(features[picked])
        labels.append(picked == truth)
    if not rows:
        neutral = Linear((1.0,) + (0.0,) * (len(FEATURE_NAMES) - 1), 0.0)
        return _Models(
            neutral, Linear.fit(*_constant_rows(held)), Linear.fit(*_constant_rows(held))
        )
    scorer = Linear.fit(np.concatenate(rows), np.concatenate(labels))
    conf_rows, right1, right3 = [], [], []
    for features, truth in zip(held.features, held.truth, strict=True):
        order, row = ranked_row(scorer(features), features)
        conf_rows.append(row)
        right1.append(truth >= 0 and order[0] == truth)
        right3.append(truth >= 0 and truth in order[:3])
    x = np.asarray(conf_rows, dtype=np.float32)
    return _Models(
        scorer,
        Linear.fit(x, np.asarray(right1, dtype=bool)),
        Linear.fit(x, np.asarray(right3, dtype=bool)),
    )


def _constant_rows(held: _HeldOut) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    n = max(len(held.truth), 1)
    width = CONFIDENCE_HEAD + len(FEATURE_NAMES)
    return np.zeros((n, width), dtype=np.float32), np.zeros(n, dtype=bool)
