"""The figures of a period, computed on stored traffic (SQLite, in-process)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event

from app.migrate import do_upgrade
from conversations.storage import Database, get_database_url, open_database
from handoff import REGISTERED
from insights import (
    BadPeriod,
    Filters,
    Period,
    UnknownFilter,
    check_filters,
    check_period,
    get_figures,
    get_report,
    percentile,
)
from knowledge import load_answer_base
from tests.insights.conftest import MONDAY, Shop, shop_answers

T = TypeVar("T")
WEEK = Period(dt.date(2026, 12, 7), dt.date(2026, 12, 13), "Europe/Oslo")


def run(tmp_path: Path, work: Callable[[Database], Awaitable[T]], url: str | None = None) -> T:
    async def go() -> T:
        db = open_database(
            get_database_url(url or f"sqlite:///{tmp_path / 'samsvar.db'}", tmp_path)
        )
        try:
            await do_upgrade(db)
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


async def week_of_traffic(db: Database) -> None:
    """Five conversations in the week, one the week before, one after."""
    shop = Shop(db)
    # 1: answered, helpful: self-served
    one = await shop.visitor(MONDAY)
    bot = await shop.ask(one, "hvor er pakka mi", "answer", MONDAY, "order-tracking")
    await shop.feedback(one, bot, True, MONDAY + hours(0.01))
    # 2: answered but marked unhelpful, then a click on "talk to a person": not self-served
    two = await shop.visitor(MONDAY + hours(2))
    bot = await shop.ask(two, "kortet virker ikke", "answer", MONDAY + hours(2), "payment-declined")
    await shop.feedback(two, bot, False, MONDAY + hours(2.01))
    await shop.ask(two, "Snakk med et menneske", "handoff", MONDAY + hours(2.02), kind="human")
    await shop.case(
        two,
        MONDAY + hours(2.02),
        topic="payment-declined",
        reply_after=30,
        resolve_after=1800,
        rating=4,
    )
    # 3: clarified, the visitor chose: a click is not an inquiry; then answered
    three = await shop.visitor(MONDAY + dt.timedelta(days=1))
    await shop.ask(three, "retur av jakke", "clarify", MONDAY + dt.timedelta(days=1))
    await shop.ask(
        three,
        "Retur",
        "answer",
        MONDAY + dt.timedelta(days=1, seconds=20),
        "returns",
        kind="choice",
    )
    # 4: abstained, in Swedish on e-mail, then handed off with a slow reply and a reopening
    four = await shop.visitor(MONDAY + dt.timedelta(days=2), channel="email")
    await shop.ask(
        four,
        "kan jag byta adress",
        "abstain",
        MONDAY + dt.timedelta(days=2),
        lang="sv",
        channel="email",
    )
    await shop.ask(
        four,
        "jag vill byta adress nu",
        "handoff",
        MONDAY + dt.timedelta(days=2, minutes=1),
        lang="sv",
        channel="email",
    )
    await shop.case(
        four,
        MONDAY + dt.timedelta(days=2, minutes=1),
        lang="sv",
        reply_after=300,
        resolve_after=7200,
        rating=2,
        reopen_after=7300,
    )
    # 5: the same visitor as 1 comes back on Sunday evening, Oslo time (23:30 = 22:30 UTC)
    sunday = dt.datetime(2026, 12, 13, 22, 30, tzinfo=dt.UTC)
    again = (one[0], await shop.conversation(one[0], sunday))
    await shop.ask(again, "where is my parcel", "answer", sunday, "order-tracking", lang="en")
    # outside the week: the week before and the Monday after (00:30 Oslo)
    before = await shop.visitor(MONDAY - dt.timedelta(days=3))
    await shop.ask(
        before, "hvor er pakken", "answer", MONDAY - dt.timedelta(days=3), "order-tracking"
    )
    await shop.ask(
        before, "hvor er pakken nå", "answer", MONDAY - dt.timedelta(days=3), "order-tracking"
    )
    after = await shop.visitor(dt.datetime(2026, 12, 13, 23, 30, tzinfo=dt.UTC))
    await shop.ask(
        after, "retur", "answer", dt.datetime(2026, 12, 13, 23, 30, tzinfo=dt.UTC), "returns"
    )


def figures_of(
    tmp_path: Path,
    filters: Filters | None = None,
    period: Period = WEEK,
    url: str | None = None,
) -> dict[str, Any]:
    tmp_path.mkdir(exist_ok=True)
    base = load_answer_base(shop_answers(tmp_path))

    async def work(db: Database) -> dict[str, Any]:
        await week_of_traffic(db)
        return (
            await get_figures(db, base, period, check_filters(filters or Filters(), base))
        ).as_json()

    return run(tmp_path, work, url)


def test_every_question_of_the_week_is_counted_once_and_clicks_are_not(
    tmp_path: Path, database_url: str
) -> None:
    f = figures_of(tmp_path, url=database_url)
    assert f["period"] == {
        "from": "2026-12-07",
        "to": "2026-12-13",
        "days": 7,
        "timezone": "Europe/Oslo",
    }
    assert f["inquiries"] == 6
    assert (f["answered"], f["clarified"], f["abstained"], f["handed_off"]) == (3, 1, 1, 1)
    assert f["conversations"] == 5
    assert f["by_language"] == {"nb": 3, "sv": 2, "en": 1}
    assert f["by_channel"] == {"widget": 4, "email": 2}
    assert f["by_answer"] == [
        {"answer_id": "order-tracking", "count": 2},
        {"answer_id": "payment-declined", "count": 1},
    ]
    assert f["helpful"] == {"yes": 1, "no": 1}


def test_self_service_counts_answered_conversations_without_hand_off_or_unhelpful(
    tmp_path: Path,
) -> None:
    f = figures_of(tmp_path)
    # 1 and 5 are self-served; 2 was unhelpful and handed off; 3 only clarified (the chosen
    # answer was a click); 4 was handed off.
    assert f["self_service_rate"] == 0.4
    assert f["rates"]["handoff"] == 0.4
    assert f["rates"]["abstain"] == round(1 / 6, 4)


def test_days_and_hours_are_the_bases_local_ones(tmp_path: Path, database_url: str) -> None:
    f = figures_of(tmp_path, url=database_url)
    days = {d["date"]: (d["inquiries"], d["conversations"]) for d in f["by_day"]}
    assert len(days) == 7
    assert days["2026-12-07"] == (2, 2)
    assert days["2026-12-13"] == (1, 1)  # 22:30 UTC on Sunday is 23:30 in Oslo
    assert (f["by_hour"][9], f["by_hour"][11], f["by_hour"][23], sum(f["by_hour"])) == (4, 1, 1, 6)


def test_handoff_times_rating_reopening_and_targets(tmp_path: Path, database_url: str) -> None:
    h = figures_of(tmp_path, url=database_url)["handoffs"]
    assert h["count"] == 2 and h["answered"] == 2
    assert h["first_reply_p50_s"] == 165.0  # 30 s and 300 s
    # the case reopened after 7,300 s is open again: only the other one counts as resolved,
    # and the reopening took away its rating
    assert h["resolution_p50_s"] == pytest.approx(1800.0, abs=0.5)
    assert (h["resolved"], h["rated"], h["csat_mean"]) == (1, 1, 4.0)
    assert h["reopened"] == 1 and h["reopen_rate"] == 0.5
    assert h["by_team"] == {"payments": 2}
    widget = {t["measure"]: t for t in h["targets"] if t["channel"] == "widget"}
    assert widget["first_reply"]["target_s"] == 60.0
    assert (widget["first_reply"]["measured"], widget["first_reply"]["met"]) == (1, 1)
    assert widget["resolution"]["met"] == 1


def test_a_call_resolved_when_it_was_registered_is_no_waiting_case(tmp_path: Path) -> None:
    """An agent registers a call and answers it there and then: it is counted apart, and
    its 0 s do not make the cases' first reply and resolution look fast; a registered call
    left open for the team is a case like any other."""

    async def work(db: Database) -> dict[str, Any]:
        shop = Shop(db)
        handed = await shop.visitor(MONDAY)
        await shop.case(handed, MONDAY, reply_after=600, resolve_after=3600)
        at_once = await shop.visitor(MONDAY + hours(1), channel="phone")
        await shop.case(
            at_once, MONDAY + hours(1), reason=REGISTERED, reply_after=0, resolve_after=0
        )
        left_open = await shop.visitor(MONDAY + hours(2), channel="phone")
        await shop.case(left_open, MONDAY + hours(2), reason=REGISTERED, reply_after=1200)
        base = load_answer_base(shop_answers(tmp_path))
        figures = await get_figures(
            db, base, WEEK, Filters(), now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        )
        return figures.handoffs.as_json()

    h = run(tmp_path, work)
    assert (h["count"], h["resolved"], h["resolved_at_registration"]) == (2, 1, 1)
    assert h["first_reply_p50_s"] == 900.0  # 600 s and 1,200 s; not the call's 0 s
    assert h["resolution_p50_s"] == pytest.approx(3600.0, abs=0.5)


def test_returning_visitors(tmp_path: Path) -> None:
    f = figures_of(tmp_path)
    assert f["visitors"] == {"count": 4, "returning": 1}


def test_filters_narrow_every_figure(tmp_path: Path) -> None:
    f = figures_of(tmp_path / "sv", Filters(language="sv"))
    assert (f["inquiries"], f["conversations"], f["abstained"]) == (2, 1, 1)
    assert f["helpful"] == {"yes": 0, "no": 0}
    f = figures_of(tmp_path / "team", Filters(team="logistics"))
    assert f["by_answer"] == [{"answer_id": "order-tracking", "count": 2}]
    assert f["handoffs"]["count"] == 0
    f = figures_of(tmp_path / "answer", Filters(answer_id="payment-declined"))
    assert (f["inquiries"], f["helpful"]["no"], f["handoffs"]["count"]) == (1, 1, 1)
    f = figures_of(tmp_path / "email", Filters(channel="email"))
    assert (f["inquiries"], f["handoffs"]["count"]) == (2, 1)


def test_changes_since_the_previous_period(tmp_path: Path) -> None:
    changes = figures_of(tmp_path)["changes"]
    # order-tracking: 2 answers in each week and no feedback before: unchanged, not listed
    assert "order-tracking" not in {c["answer_id"] for c in changes}
    payment = next(c for c in changes if c["answer_id"] == "payment-declined")
    assert (payment["previous"], payment["change"]) == (0, 1)


def test_a_report_rolls_up_once_and_reads_each_period_once(tmp_path: Path) -> None:
    """The report's `changes` come from the previous period's figures, as `get_figures`
    finds them by reading that period again; the rollup is filled once, not per reader."""
    base = load_answer_base(shop_answers(tmp_path))
    now = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
    statements: list[str] = []

    def seen(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    async def work(db: Database) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        await week_of_traffic(db)
        alone = await get_figures(db, base, WEEK, Filters(), now=now)
        event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
        report = await get_report(db, base, WEEK, Filters(), now=now)
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
        return report, [dict(c) for c in alone.changes]

    report, changes = run(tmp_path, work)
    assert report["changes"] == changes and changes  # payment-declined changed
    marks = [s for s in statements if s.startswith("SELECT insight_rollup.through, insight")]
    clicks = [s for s in statements if s.startswith("SELECT feedback.answer_id")]
    assert (len(marks), len(clicks)) == (1, 2)  # one fill; this week's clicks, last week's


def test_an_empty_period_has_zeros_and_no_rates(tmp_path: Path) -> None:
    f = figures_of(tmp_path, period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 7), "Europe/Oslo"))
    assert f["inquiries"] == 0 and f["conversations"] == 0
    assert f["self_service_rate"] is None
    assert f["handoffs"]["first_reply_p50_s"] is None


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(BadPeriod, match=r"ends \(2026-12-01\) before it starts \(2026-12-07\)"):
        check_period(dt.date(2026, 12, 7), dt.date(2026, 12, 1))
    with pytest.raises(BadPeriod, match="unknown time zone"):
        check_period(dt.date(2026, 12, 1), dt.date(2026, 12, 7), "Mars/Olympus")


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        (Filters(answer_id="no-such-answer"), "unknown_answer"),
        (Filters(team="marketing"), "unknown_team"),
        (Filters(language="de"), "unknown_language"),
        (Filters(channel="Fax Machine"), "unknown_channel"),
    ],
)
def test_unknown_filters_are_refused_with_their_code(
    tmp_path: Path, filters: Filters, code: str
) -> None:
    base = load_answer_base(shop_answers(tmp_path))
    with pytest.raises(UnknownFilter) as caught:
        check_filters(filters, base)
    assert caught.value.code == code


def test_percentile() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
