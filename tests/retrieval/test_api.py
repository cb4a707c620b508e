"""The public face of `retrieval`: exactly its `__all__`, and the error tree."""

from __future__ import annotations

import pathlib

import retrieval
from knowledge import load_answer_base
from retrieval import (
    Entry,
    IndexBuildFailed,
    IndexUnavailable,
    RetrievalError,
    entries_from_base,
    get_probe_langs,
    get_probes,
)
from tests.builders import make_answer_dict, write_base


def test_all_is_exact() -> None:
    assert retrieval.__all__ == [
        "DEFAULT_MAX_WRONG",
        "AnswerIndex",
        "BatchingEncoder",
        "Candidate",
        "E5Embeddings",
        "Encoder",
        "Entry",
        "Expectation",
        "IndexBuildFailed",
        "IndexUnavailable",
        "Ranking",
        "RetrievalError",
        "Retriever",
        "SyncReport",
        "Thresholds",
        "describe_thresholds",
        "entries_from_base",
        "get_probe_langs",
        "get_probes",
        "open_chroma",
        "thresholds_json",
    ]
    for name in retrieval.__all__:
        assert getattr(retrieval, name) is not None


def test_every_error_is_a_retrieval_error() -> None:
    assert issubclass(IndexUnavailable, RetrievalError)
    assert issubclass(IndexBuildFailed, RetrievalError)
    assert issubclass(RetrievalError, Exception)


def test_entries_hold_published_answers_with_their_title_as_a_question(
    tmp_path: pathlib.Path,
) -> None:
    root = write_base(
        tmp_path,
        [
            make_answer_dict(
                id="returns",
                title="Retur",
                questions=["Hvordan returnerer jeg en vare?", "Retur"],
                answer={"sv": "Skicka tillbaka paketet.", "en": "Send the parcel back."},
            ),
            make_answer_dict(id="payment-declined"),
            make_answer_dict(id="draft-answer", title="Draft", status="draft"),
        ],
    )

    entries = entries_from_base(load_answer_base(root))

    assert entries == [
        Entry(
            "payment-declined",
            (
                "Why was my payment declined?",
                "Betalingen min gikk ikke gjennom",
                "Kortet mitt blir avvist i kassen",
                "Payment declined",
            ),
            (
                "If your card is declined, check that it is valid and has funds.",
                "Hvis kortet blir avvist, sjekk at kortet er gyldig og har dekning.",
            ),
        ),
        Entry(
            "returns",
            ("Hvordan returnerer jeg en vare?", "Retur"),
            ("Send the parcel back.", "Skicka tillbaka paketet."),
        ),
    ]


def test_the_shipped_probes_are_short_distinct_messages() -> None:
    probes = get_probes()

    assert len(probes) >= 200
    assert len(set(probes)) == len(probes)
    assert all(probe.strip() and len(probe) < 200 for probe in probes)
    assert "Hvordan blir været i Bergen i helgen?" in probes
    assert get_probes() == probes


def test_every_probe_has_one_of_the_six_languages() -> None:
    langs = get_probe_langs()

    assert len(langs) == len(get_probes())
    assert set(langs) == {"nb", "nn", "sv", "da", "fi", "en"}
