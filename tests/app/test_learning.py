"""Learning from real questions (`conversations.storage.learning`): the candidates read from stored
conversations (SQLite and PostgreSQL), the decisions on them, and the labelled traffic."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from app.engine import labelled_traffic
from app.settings import Settings
from conversations.storage import (
    Database,
    QuestionChoice,
    do_decide_questions,
    get_labelled_traffic,
    get_learning_candidates,
)
from knowledge import QuestionsNotAdded, load_answer_base
from tests.app.traffic import NOW, shop_base, traffic, with_database


def test_candidates_come_from_feedback_and_agents_grouped_and_counted(
    database_url: str, tmp_path: Path
) -> None:
    base = load_answer_base(shop_base(tmp_path))

    async def work(db: Database) -> tuple[list[Any], list[tuple[str, str]]]:
        await traffic(db)
        return await get_learning_candidates(db, base), await get_labelled_traffic(db, base)

    candidates, pairs = with_database(database_url, work)

    listed = [(c.question, c.answer_id, c.count, dict(c.sources), c.language) for c in candidates]
    assert listed == [
        ("Hvor er pakka mi nå", "order-tracking", 2, {"helpful": 2}, "nb"),
        ("får jeg pengene tilbake for returen", "returns", 1, {"agent": 1}, "nb"),
        ("kortet mitt virker ikke i kassa", "payment-declined", 1, {"agent": 1}, "nb"),
        ("kan jeg sende tilbake en jakke", "returns", 1, {"helpful": 1}, "nb"),
    ]
    assert pairs == [
        ("får jeg pengene tilbake for returen", "returns"),
        ("kortet mitt virker ikke i kassa", "payment-declined"),
        ("kan jeg sende tilbake en jakke", "returns"),
        ("Hvor er pakka mi nå", "order-tracking"),  # the latest spelling, once
    ]


def test_decided_candidates_are_not_listed_again_nor_learnt_from(
    database_url: str, tmp_path: Path
) -> None:
    root = shop_base(tmp_path)
    base = load_answer_base(root)

    async def work(db: Database) -> tuple[list[Any], list[Any], list[tuple[str, str]]]:
        await traffic(db)
        listed = await get_learning_candidates(db, base)
        places = await do_decide_questions(
            db,
            root,
            NOW,
            accept=[QuestionChoice(listed[0].question, listed[0].answer_id, ("helpful",))],
            reject=[QuestionChoice(listed[1].question, listed[1].answer_id, ("agent",))],
        )
        after = load_answer_base(root)
        return (
            places,
            await get_learning_candidates(db, after),
            await get_labelled_traffic(db, after),
        )

    places, candidates, pairs = with_database(database_url, work)

    assert [(p.question, p.answer_id, p.added) for p in places] == [
        ("Hvor er pakka mi nå", "order-tracking", True)
    ]
    text = (root / "order-tracking.yaml").read_text("utf-8")
    assert "- Where is my parcel?\n- Hvor er pakka mi nå\nanswer:" in text
    assert [c.question for c in candidates] == [
        "kortet mitt virker ikke i kassa",
        "kan jeg sende tilbake en jakke",
    ]
    assert pairs == [
        ("kortet mitt virker ikke i kassa", "payment-declined"),
        ("kan jeg sende tilbake en jakke", "returns"),
    ]


def test_a_refused_acceptance_records_nothing(database_url: str, tmp_path: Path) -> None:
    root = shop_base(tmp_path)
    base = load_answer_base(root)

    async def work(db: Database) -> list[Any]:
        await traffic(db)
        taken = QuestionChoice("where is my parcel", "returns")
        rejected = QuestionChoice("kan jeg sende tilbake en jakke", "returns")
        with pytest.raises(QuestionsNotAdded, match="already belongs to the answer"):
            await do_decide_questions(db, root, NOW, accept=[taken], reject=[rejected])
        return await get_learning_candidates(db, base)

    candidates = with_database(database_url, work)
    assert len(candidates) == 4  # the rejection in the same call was not recorded either


def test_the_engine_reads_traffic_only_from_a_database_that_exists(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = load_answer_base(shop_base(tmp_path))
    data_dir = tmp_path / "data"
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=None)  # type: ignore[call-arg]

    assert labelled_traffic(settings, base) == []
    assert not data_dir.exists()  # no database is created for it

    with_database(f"sqlite:///{data_dir / 'samsvar.db'}", traffic)
    assert labelled_traffic(settings, base)[:2] == [
        ("får jeg pengene tilbake for returen", "returns"),
        ("kortet mitt virker ikke i kassa", "payment-declined"),
    ]

    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    unreadable = Settings(_env_file=None, data_dir=data_dir, database_url=f"sqlite:///{broken}")  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="app.engine"):
        assert labelled_traffic(unreadable, base) == []
    assert "cannot read labelled traffic" in caplog.text
