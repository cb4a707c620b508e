"""The gaps: unanswered questions read from stored traffic, grouped by meaning in any of the
six languages, with their nearest answers; and the two actions on a gap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from conversations.storage import Database
from insights import (
    DraftExists,
    VectorCache,
    cluster,
    do_assign_questions,
    do_write_draft,
    find_gaps,
    gap_json,
    get_gap_questions,
)
from knowledge import QuestionsNotAdded, load_answer_base
from retrieval import Retriever
from tests.insights.conftest import MONDAY, Shop, shop_answers
from tests.insights.test_figures import WEEK, run
from tests.retrieval.encoders import CachedE5

GIFT_CARDS = [
    ("Kan jeg kjøpe gavekort hos dere?", "nb"),
    ("Säljer ni presentkort?", "sv"),
    ("Sælger I gavekort?", "da"),
    ("Myyttekö lahjakortteja?", "fi"),
    ("Do you sell gift cards?", "en"),
]
OPENING = [("Når åpner butikken på lørdag?", "nb"), ("What time do you open on Saturday?", "en")]


async def unanswered_week(db: Database) -> None:
    shop = Shop(db)
    at = MONDAY
    for n, (text, lang) in enumerate(GIFT_CARDS * 2):
        who = await shop.visitor(at + dt.timedelta(minutes=n))
        await shop.ask(who, text, "abstain", at + dt.timedelta(minutes=n), lang=lang)
    for n, (text, lang) in enumerate(OPENING):
        who = await shop.visitor(at + dt.timedelta(hours=1, minutes=n))
        await shop.ask(who, text, "handoff", at + dt.timedelta(hours=1, minutes=n), lang=lang)
    # clarified and not chosen: a gap; clarified and chosen: not one
    left = await shop.visitor(at + dt.timedelta(hours=2))
    await shop.ask(left, "jakke retur bytte", "clarify", at + dt.timedelta(hours=2))
    took = await shop.visitor(at + dt.timedelta(hours=3))
    await shop.ask(took, "pakke retur", "clarify", at + dt.timedelta(hours=3))
    await shop.ask(
        took, "Retur", "answer", at + dt.timedelta(hours=3, seconds=9), "returns", kind="choice"
    )
    # answered and marked unhelpful: a gap; answered and helpful: not one
    bad = await shop.visitor(at + dt.timedelta(hours=4))
    bot = await shop.ask(
        bad,
        "kortet blir avvist hver gang",
        "answer",
        at + dt.timedelta(hours=4),
        "payment-declined",
    )
    await shop.feedback(bad, bot, False, at + dt.timedelta(hours=4, seconds=5))
    good = await shop.visitor(at + dt.timedelta(hours=5))
    bot = await shop.ask(
        good, "hvor er pakken", "answer", at + dt.timedelta(hours=5), "order-tracking"
    )
    await shop.feedback(good, bot, True, at + dt.timedelta(hours=5, seconds=5))


def test_unanswered_questions_and_why(tmp_path: Path) -> None:
    base = load_answer_base(shop_answers(tmp_path))
    questions = run(tmp_path, lambda db: _questions(db, base))
    found = {q.text: (q.count, q.language, dict(q.reasons)) for q in questions}
    assert found["Do you sell gift cards?"] == (2, "en", {"abstain": 2})
    assert found["What time do you open on Saturday?"] == (1, "en", {"handoff": 1})
    assert found["jakke retur bytte"] == (1, "nb", {"clarify": 1})
    assert found["kortet blir avvist hver gang"] == (1, "nb", {"unhelpful": 1})
    assert "pakke retur" not in found and "hvor er pakken" not in found and "Retur" not in found
    assert questions[0].count == 2  # the most asked first


async def _questions(db: Database, base: object) -> list:  # type: ignore[type-arg]
    await unanswered_week(db)
    return await get_gap_questions(db, base, WEEK)  # type: ignore[arg-type]


def test_the_same_question_in_five_languages_is_one_gap(
    tmp_path: Path, shop_encoder: CachedE5, gap_retriever: Retriever
) -> None:
    base = load_answer_base(shop_answers(tmp_path))
    questions = run(tmp_path, lambda db: _questions(db, base))
    gaps = find_gaps(questions, VectorCache(tmp_path / "vectors", shop_encoder), gap_retriever)
    first = gap_json(gaps[0], questions=True)
    assert first["size"] == 10
    assert set(first["languages"]) == {"nb", "sv", "da", "fi", "en"}
    assert {q["text"] for q in first["questions"]} == {text for text, _ in GIFT_CARDS}
    assert len(first["nearest"]) == 3
    assert sum(g.size for g in gaps) == 14  # every unanswered inquiry is in one gap
    unhelpful = next(g for g in gaps if "kortet blir avvist hver gang" in g.examples)
    assert unhelpful.nearest[0] == "payment-declined"
    assert [g.size for g in gaps] == sorted((g.size for g in gaps), reverse=True)


def test_vectors_are_embedded_once(tmp_path: Path, shop_encoder: CachedE5) -> None:
    cache = VectorCache(tmp_path, shop_encoder)
    first, embedded = cache.vectors(["hei", "hallo", "hei"])
    assert embedded == 2 and first.shape == (3, 384)
    again, embedded = VectorCache(tmp_path, shop_encoder).vectors(["hallo", "hei"])  # from disk
    assert embedded == 0
    assert np.allclose(again[1], first[0], atol=1e-3)


def test_clustering_joins_alike_rows_and_keeps_others_apart() -> None:
    rows = np.array([[1, 0, 0], [0.95, 0.31, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    labels = cluster(rows, np.ones(4), 0.9)
    assert labels[0] == labels[1] and len({labels[0], labels[2], labels[3]}) == 3


def test_assigning_a_gaps_questions_writes_them_into_the_answer(tmp_path: Path) -> None:
    root = shop_answers(tmp_path)

    async def work(db: Database) -> tuple[list, list]:  # type: ignore[type-arg]
        await unanswered_week(db)
        places = await do_assign_questions(
            db,
            root,
            ["Når åpner butikken på lørdag?", "What time do you open on Saturday?"],
            "order-tracking",
            MONDAY,
        )
        after = await get_gap_questions(db, load_answer_base(root), WEEK)
        return places, after

    places, after = run(tmp_path, work)
    assert [p.added for p in places] == [True, True]
    answer = load_answer_base(root).get("order-tracking")
    assert answer is not None and "What time do you open on Saturday?" in answer.questions
    assert "What time do you open on Saturday?" not in {q.text for q in after}

    async def unknown(db: Database) -> None:
        await do_assign_questions(db, root, ["Do you sell gift cards?"], "no-such-answer", MONDAY)

    with pytest.raises(QuestionsNotAdded):
        run(tmp_path, unknown)


def test_a_draft_answer_is_written_to_the_drafts_folder(tmp_path: Path) -> None:
    root = shop_answers(tmp_path)
    base = load_answer_base(root)
    path = do_write_draft(root, base, [text for text, _ in GIFT_CARDS], title="Gavekort")
    assert path == root / "drafts" / "kan-jeg-kjope-gavekort-hos-dere.yaml"
    document = yaml.safe_load(path.read_text("utf-8"))
    assert document["status"] == "draft" and document["title"] == "Gavekort"
    assert document["questions"][1] == "Säljer ni presentkort?"
    reloaded = load_answer_base(root)
    draft = reloaded.get("kan-jeg-kjope-gavekort-hos-dere")
    assert draft is not None and draft.status == "draft"
    assert draft not in reloaded.published()
    with pytest.raises(DraftExists):
        do_write_draft(
            root, reloaded, ["Selger dere gavekort?"], answer_id="kan-jeg-kjope-gavekort-hos-dere"
        )
    with pytest.raises(ValueError, match="not an answer id"):
        do_write_draft(root, reloaded, ["x"], answer_id="Gift Cards")


class _Counting:
    """An encoder that counts the texts it embeds."""

    def __init__(self, inner: CachedE5, version: str | None = None) -> None:
        self.inner = inner
        self.model_version = version or inner.model_version
        self.embedded = 0

    def query_vectors(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        self.embedded += len(texts)
        return self.inner.query_vectors(texts)


def test_the_gaps_use_the_vectors_stored_with_the_questions(
    tmp_path: Path, shop_encoder: CachedE5
) -> None:
    """The bot's query vectors, stored with the inquiries (`inquiry_vectors`), are used before
    embedding; a vector of another model version is not; a click stores none."""
    from sqlalchemy import select

    from conversations.storage import InquiryVector, NewInquiry, do_store_replies
    from insights import get_stored_vectors, question_vectors

    base = load_answer_base(shop_answers(tmp_path))
    at = MONDAY + dt.timedelta(days=1)

    async def work(db: Database) -> tuple[dict[str, bytes], dict[str, bytes], int]:
        shop = Shop(db)
        asked = [text for text, _ in GIFT_CARDS] + ["Når åpner butikken på lørdag?"]
        vectors = shop_encoder.query_vectors(asked)
        for n, text in enumerate(asked):
            _, conversation = await shop.visitor(at)
            model = shop_encoder.model_version if n < len(GIFT_CARDS) else "another-model"
            for kind in ("text", "choice"):
                await do_store_replies(
                    db,
                    conversation,
                    [],
                    at + dt.timedelta(minutes=n),
                    inquiry=NewInquiry(
                        text,
                        "nb",
                        "abstain",
                        None,
                        0.2,
                        3.0,
                        None,
                        kind=kind,
                        query_vector=vectors[n].astype(np.float16).tobytes(),
                        vector_model=model,
                    ),
                )
        async with db.reading() as session:
            rows = len((await session.execute(select(InquiryVector.inquiry_id))).all())
        mine = await get_stored_vectors(db, base, WEEK, None, shop_encoder.model_version)
        other = await get_stored_vectors(db, base, WEEK, None, "another-model")
        return mine, other, rows

    mine, other, rows = run(tmp_path, work)
    assert rows == len(GIFT_CARDS) + 1  # the typed questions, not the clicks
    assert len(mine) == len(GIFT_CARDS) and len(other) == 1
    base_questions = run(tmp_path, lambda db: get_gap_questions(db, base, WEEK))
    counting = _Counting(shop_encoder)
    got, from_store = question_vectors(base_questions, VectorCache(tmp_path / "v", counting), mine)
    assert from_store == len(GIFT_CARDS)
    assert counting.embedded == len(base_questions) - len(GIFT_CARDS)  # only the rest embedded
    expected = shop_encoder.query_vectors([q.text for q in base_questions])
    assert np.allclose(got, expected, atol=5e-3)
