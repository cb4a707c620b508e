"""The same index against a real Chroma server (`chroma run`) on loopback."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from knowledge import load_answer_base
from retrieval import AnswerIndex, Retriever, open_chroma
from tests.builders import write_base
from tests.retrieval.encoders import CachedE5, CountingEncoder

pytestmark = pytest.mark.slow


def open_index(tmp_path: pathlib.Path, encoder: Any, chroma_url: str) -> AnswerIndex:
    """A fresh client and index for the base in tmp_path/answers, as an app start makes them."""
    base = load_answer_base(tmp_path / "answers")
    client = open_chroma(tmp_path / "data", chroma_url)
    return AnswerIndex(client, base, encoder, tmp_path / "data" / "retrieval")


def first(retriever: Retriever, encoder: CachedE5, question: str) -> str:
    return retriever.rank(question, encoder.query(question)).candidates[0].id


def test_sync_load_rank_and_resync_on_a_chroma_server(
    tmp_path: pathlib.Path,
    shop_answers: list[dict[str, Any]],
    encoder: CachedE5,
    chroma_url: str,
) -> None:
    write_base(tmp_path, shop_answers)
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting, chroma_url)

    built = index.sync()
    retriever = index.load_retriever()

    assert built.changed
    assert built.embedded == len(counting.texts) > 250
    assert first(retriever, encoder, "Mitt kort fungerar inte när jag betalar") == (
        "payment-declined"
    )
    assert first(retriever, encoder, "Can I send back the shoes I bought?") == "returns"
    assert not (tmp_path / "data" / "chroma").exists()  # the vectors live on the server

    unchanged = CountingEncoder(encoder)
    again = open_index(tmp_path, unchanged, chroma_url).sync()
    assert (again.changed, again.embedded, again.collection) == (False, 0, built.collection)
    assert unchanged.texts == []

    shop_answers[3]["questions"][1] = "Selger dere gavekort?"  # opening-hours
    write_base(tmp_path, shop_answers)
    changed = CountingEncoder(encoder)
    index = open_index(tmp_path, changed, chroma_url)
    report = index.sync()
    retriever = index.load_retriever()

    assert report.changed
    assert report.embedded == 1
    assert changed.texts == ["Selger dere gavekort?"]
    assert first(retriever, encoder, "Selger dere gavekort?") == "opening-hours"
    assert first(retriever, encoder, "Hur snabbt levererar ni?") == "delivery-time"
    server = open_chroma(tmp_path, chroma_url)
    names = {c.name for c in server.list_collections()}
    assert report.collection == built.collection  # updated in place on the server too
    assert {f"{index.key}-manifest", report.collection} <= names
    documents = server.get_collection(report.collection).get(include=["documents"])["documents"]
    assert "Selger dere gavekort?" in documents
    assert len(documents) == report.embedded + report.reused


def test_a_second_base_on_the_same_server_keeps_its_own_index(
    tmp_path: pathlib.Path,
    shop_answers: list[dict[str, Any]],
    encoder: CachedE5,
    chroma_url: str,
) -> None:
    write_base(tmp_path / "a", shop_answers[:3])
    write_base(tmp_path / "b", shop_answers[2:])
    a = open_index(tmp_path / "a", encoder, chroma_url)
    b = open_index(tmp_path / "b", encoder, chroma_url)

    a_collection = a.sync().collection
    b_collection = b.sync().collection

    assert a.key != b.key
    assert a.active_collection() == a_collection
    assert b.active_collection() == b_collection
    assert first(a.load_retriever(), encoder, "Hvor er pakken min?") == "order-tracking"
    assert first(b.load_retriever(), encoder, "Hvor lang tid tar frakten?") == "delivery-time"
