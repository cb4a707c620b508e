"""Confusions and gaps: on hand-made results, and on the demo base's own answers."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from eval import confusions, gaps, near_duplicates, points_of
from tests.eval.outcomes import abstain, clarify, reply, result

if TYPE_CHECKING:
    from app.engine import Engine

RESULTS = [
    result("a", "returns", reply("return-label", "returns")),
    result("b", "returns", clarify("return-label", "returns")),
    result("c", "returns", reply("returns")),
    result("d", "order-tracking", abstain("missing-package", "order-tracking")),
    result("e", "abstain", reply("warranty")),  # out of scope: no confusion between answers
]


def test_confusions_are_directed_pairs_most_frequent_first() -> None:
    assert confusions(points_of(RESULTS)) == [
        {
            "expected": "returns",
            "ranked_first": "return-label",
            "count": 2,
            "answered": 1,
            "cases": ["a", "b"],
        },
        {
            "expected": "order-tracking",
            "ranked_first": "missing-package",
            "count": 1,
            "answered": 0,
            "cases": ["d"],
        },
    ]


def test_gaps_of_the_demo_base(demo_engine: Engine) -> None:
    bot = demo_engine.bot
    found = gaps(bot.base, bot.retriever, points_of(RESULTS), datetime.date(2026, 12, 1))
    published = {a.id for a in bot.base.published()}
    assert found["failing"] == ["order-tracking"]  # returns passed once (c)
    assert set(found["untested"]) == published - {"returns", "order-tracking"}
    assert found["review_overdue"] == [
        {"id": "student-discount", "review_by": "2025-01-01", "owner": "content@shop.example"}
    ]
    assert found["review_soon"] == []
    assert found["near_duplicates"] == near_duplicates(bot.retriever) == []
    assert found["shared_questions"] == []
    closest = found["most_similar"][0]
    assert sorted(closest["answers"]) == ["missed-delivery", "missing-package"]
    assert 0.7 < closest["questions"] < 0.85
    later = gaps(bot.base, bot.retriever, [], datetime.date(2027, 5, 15))
    assert {r["id"] for r in later["review_soon"]} >= {"order-tracking", "returns"}
    assert all(r["review_by"] == "2027-06-01" for r in later["review_soon"])
