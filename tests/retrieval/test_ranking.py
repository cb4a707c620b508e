"""Ranking and calibrated confidence with the real embedder, on a tiny Nordic shop."""

from __future__ import annotations

import json

import pytest

from knowledge import load_answer_base
from retrieval import Entry, Ranking, Retriever, Thresholds, entries_from_base, get_probes
from tests.builders import write_base
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

OFF_TOPIC = "hva blir været i morgen?"
ON_TOPIC = "Hvor lang tid tar frakten?"


@pytest.fixture(scope="module")
def entries(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    root = write_base(tmp_path_factory.mktemp("shop"), shop_answer_dicts())
    return entries_from_base(load_answer_base(root))


@pytest.fixture(scope="module")
def retriever(entries: list[Entry], encoder: CachedE5) -> Retriever:
    return Retriever.fit(entries, encoder, probes=get_probes())


def rank(retriever: Retriever, encoder: CachedE5, text: str, k: int = 10) -> Ranking:
    return retriever.rank(text, encoder.query(text), k)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Jeg vil sende tilbake en jakke jeg kjøpte", "returns"),
        ("Kortet mitt fungerer ikke når jeg betaler", "payment-declined"),
        ("Hvor lang tid tar frakten?", "delivery-time"),
        ("Jag vill skicka tillbaka en tröja", "returns"),
        ("Mitt kort fungerar inte när jag betalar", "payment-declined"),
        ("Hur snabbt levererar ni?", "delivery-time"),
        ("Can I send back the shoes I bought?", "returns"),
        ("When is customer service open?", "opening-hours"),
        ("returetiket", "returns"),
    ],
)
def test_a_paraphrase_ranks_its_answer_first(
    retriever: Retriever, encoder: CachedE5, question: str, expected: str
) -> None:
    assert rank(retriever, encoder, question).candidates[0].id == expected


def test_an_off_topic_question_gets_less_confidence_than_an_on_topic_one(
    retriever: Retriever, encoder: CachedE5
) -> None:
    off_topic = rank(retriever, encoder, OFF_TOPIC)
    on_topic = rank(retriever, encoder, ON_TOPIC)

    assert off_topic.confidence < on_topic.confidence
    assert off_topic.top3 < on_topic.top3
    assert off_topic.confidence < retriever.thresholds.answer <= on_topic.confidence


def test_candidates_are_sorted_with_scores_between_zero_and_one(
    retriever: Retriever, encoder: CachedE5, entries: list[Entry]
) -> None:
    for question in (ON_TOPIC, OFF_TOPIC, "?", "Var är mitt paket?"):
        ranking = rank(retriever, encoder, question)
        scores = [c.score for c in ranking.candidates]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert 0.0 <= ranking.confidence <= 1.0
        assert 0.0 <= ranking.top3 <= 1.0
        assert sorted(c.id for c in ranking.candidates) == sorted(e.id for e in entries)


def test_k_limits_the_candidates(retriever: Retriever, encoder: CachedE5) -> None:
    full = rank(retriever, encoder, ON_TOPIC)
    first_two = rank(retriever, encoder, ON_TOPIC, k=2)

    assert first_two.candidates == full.candidates[:2]
    assert first_two.confidence == full.confidence


def test_rank_many_ranks_each_text(retriever: Retriever, encoder: CachedE5) -> None:
    texts = [ON_TOPIC, OFF_TOPIC]

    many = retriever.rank_many(texts, encoder.query_vectors(texts), k=3)

    assert many == [rank(retriever, encoder, text, k=3) for text in texts]


def test_state_round_trips_through_json_to_identical_rankings(
    retriever: Retriever, encoder: CachedE5, entries: list[Entry]
) -> None:
    state = json.loads(json.dumps(retriever.state()))

    restored = Retriever.from_state(entries, encoder, state)

    assert restored is not None
    assert restored.thresholds == retriever.thresholds
    for question in (ON_TOPIC, OFF_TOPIC, "Where is my order?", "returetiket"):
        assert rank(restored, encoder, question) == rank(retriever, encoder, question)


@pytest.mark.parametrize(
    "stale", [{"version": 0}, {"features": ["question_max"]}], ids=["version", "features"]
)
def test_state_from_another_version_is_not_used(
    retriever: Retriever, encoder: CachedE5, entries: list[Entry], stale: dict[str, object]
) -> None:
    state = retriever.state() | stale

    assert Retriever.from_state(entries, encoder, state) is None


def test_calibrate_returns_thresholds_within_range(retriever: Retriever, encoder: CachedE5) -> None:
    labelled: list[tuple[str, str | None]] = [
        ("Jeg vil sende tilbake en jakke jeg kjøpte", "returns"),
        ("Mitt kort fungerar inte när jag betalar", "payment-declined"),
        ("When is customer service open?", "opening-hours"),
        ("Hur spårar jag min beställning?", "order-tracking"),
        ("Hvor lang tid tar frakten?", "delivery-time"),
        (OFF_TOPIC, None),
        ("Hvem vant fotball-VM?", None),
        ("Kan du skrive et dikt om havet?", None),
    ]
    texts = [text for text, _ in labelled]

    thresholds = retriever.calibrate(
        texts, encoder.query_vectors(texts), [expected for _, expected in labelled]
    )

    assert isinstance(thresholds, Thresholds)
    assert thresholds.source == "calibrated"
    assert 0.0 <= thresholds.answer <= 1.01
    assert 0.0 <= thresholds.clarify <= 1.01
    assert 0.0 <= retriever.thresholds.answer <= 1.01
    assert 0.0 <= retriever.thresholds.clarify <= 1.01


def test_a_base_with_one_question_per_answer_fits_on_labelled_questions(
    encoder: CachedE5,
) -> None:
    entries = [
        Entry("returns", ("Hvordan returnerer jeg en vare?",)),
        Entry("order-tracking", ("Hvor er pakken min?",)),
        Entry("opening-hours", ("Når har kundeservice åpent?",)),
    ]
    labelled = [
        ("Jeg vil sende tilbake skoene", "returns"),
        ("Når kommer bestillingen min?", "order-tracking"),
        ("Har dere åpent på lørdag?", "opening-hours"),
        (OFF_TOPIC, None),
    ]

    retriever = Retriever.fit(entries, encoder, probes=get_probes()[:40], labelled=labelled)

    assert rank(retriever, encoder, "Kan jeg returnere en genser?").candidates[0].id == "returns"
    assert 0.0 <= retriever.thresholds.answer <= 1.01
