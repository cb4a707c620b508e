"""The shipped cold-start prior and how a young base leans on it (decision 0077)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge import get_demo_dir, load_answer_base
from retrieval import Entry, Retriever, entries_from_base, get_probe_langs, get_probes
from retrieval.prior import load_prior, prior_digest
from tests.retrieval.encoders import CachedE5


def young_demo() -> tuple[list[Entry], list[tuple[str, str]]]:
    """The demo base cut to its first question per answer; the other questions as visitors."""
    entries, asked = [], []
    for entry in entries_from_base(load_answer_base(get_demo_dir())):
        entries.append(Entry(entry.id, entry.questions[:1], entry.texts))
        asked += [(question, entry.id) for question in entry.questions[1:]]
    return entries, asked


def test_the_shipped_prior_loads_for_these_features() -> None:
    prior = load_prior()

    assert prior is not None
    assert len(prior.scorer.weights) == len(prior.features)
    assert prior.rows.shape == (prior.right1.size, len(prior.top1.weights))
    assert 0.4 < float(prior.right1.mean()) < 0.9  # the reference questions are not trivial
    assert len(prior_digest()) == 16


def test_a_missing_or_foreign_prior_is_ignored(tmp_path: Path) -> None:
    assert load_prior(tmp_path / "none.json") is None
    foreign = tmp_path / "prior.json"
    foreign.write_text('{"version": 1, "features": ["other"]}', encoding="utf-8")
    assert load_prior(foreign) is None


@pytest.mark.slow  # embeds the demo base's questions (about 900 texts)
def test_a_base_with_one_question_per_answer_answers_within_the_policy(
    encoder: CachedE5,
) -> None:
    entries, asked = young_demo()
    probes = {"probes": get_probes(), "probe_langs": get_probe_langs()}
    questions = [q for q, _ in asked]
    vectors = encoder.query_vectors(questions)

    young = Retriever.fit(entries, encoder, **probes)

    # No answer has a second phrasing to hold out: the prior decides, and the base answers many
    # of the visitors' questions (asked in six languages), few of them wrongly.
    assert young.own_weight == 0.0
    expected = young.thresholds.expected
    assert expected is not None and expected.prior_share == 1.0
    assert expected.wrong_rate <= 0.03 + 1e-9
    rankings = young.rank_many(questions, vectors)
    answered = np.array([r.confidence >= young.thresholds.answer for r in rankings])
    pairs = zip(rankings, asked, strict=True)
    right = np.array([r.candidates[0].id == want for r, (_, want) in pairs])
    assert answered.mean() > 0.3
    assert (answered & ~right).mean() < 0.05


@pytest.mark.slow  # embeds the demo base's questions (about 900 texts)
def test_the_own_evidence_outweighs_the_prior_as_it_grows(encoder: CachedE5) -> None:
    full = entries_from_base(load_answer_base(get_demo_dir()))
    entries, _ = young_demo()
    probes = {"probes": get_probes(), "probe_langs": get_probe_langs()}

    mature = Retriever.fit(full, encoder, **probes)
    young = Retriever.fit(entries, encoder, **probes)

    assert young.own_weight == 0.0
    assert 0.3 < mature.own_weight < 1.0
    assert mature.state()["own_weight"] == mature.own_weight
