"""The privacy API (`/api/v1/agent/privacy/*`): admins export and erase a visitor's data over
a real server on loopback; other agents get 403, a malformed subject 422."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import Clock, Desk, add_agent
from tests.insights.conftest import shop_answers
from tests.server import LiveServer, make_settings, start_server

pytestmark = pytest.mark.slow
CARD = "4111 1111 1111 1111"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("privacy-api")
    settings = make_settings(folder / "var", answers_dir=shop_answers(folder))
    with start_server(settings, clock=Clock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))) as up:
        add_agent(up, "anne", ["payments"], admin=True)
        add_agent(up, "per", ["payments"])
        yield up


def _desk(live: LiveServer, name: str) -> Desk:
    desk = Desk(live, name)
    assert desk.sign_in().status_code == 200
    return desk


def test_an_admin_exports_and_erases_a_visitor_and_others_may_not(
    live: LiveServer, tmp_path: Path
) -> None:
    with live.visitor() as visitor:
        visitor.hello()
        visitor.message(f"Kortet mitt {CARD} ble avvist")
        assert visitor.reply()["role"] == "bot"  # the bot still answers
    subject = {"visitor": visitor.visitor_id}
    with _desk(live, "per") as per:
        assert per.http.get("/privacy/export", params=subject).status_code == 403
        refused = per.http.post("/privacy/erase", json=subject)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    with _desk(live, "anne") as anne:
        bad = anne.http.post("/privacy/erase", json={"visitor": "a", "email": "a@b.no"})
        assert bad.status_code == 422 and bad.json()["code"] == "bad_subject"
        exported = anne.http.get("/privacy/export", params=subject).json()
        (conversation,) = exported["visitors"][0]["conversations"]
        assert conversation["messages"][0]["text"] == "Kortet mitt •••• •••• •••• 1111 ble avvist"
        assert CARD not in str(exported)
        erased = anne.http.post("/privacy/erase", json=subject).json()
        assert erased["ok"] is True
        assert erased["erased"]["visitors"] == 1 and erased["erased"]["conversations"] == 1
        again = anne.http.get("/privacy/export", params=subject).json()
        assert again["visitors"] == []


def test_the_server_applies_the_retention_policy_on_its_clock(tmp_path: Path) -> None:
    import asyncio

    from app.migrate import do_upgrade
    from conversations.storage import (
        do_create_conversation,
        do_create_visitor,
        get_conversation,
        get_database_url,
        open_database,
    )

    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    settings = make_settings(
        tmp_path / "var", answers_dir=shop_answers(tmp_path), retention_days=30
    )

    async def old_and_new() -> tuple[str, str]:
        db = open_database(get_database_url(None, settings.data_dir))
        try:
            await do_upgrade(db)
            ids = []
            for when in (now - dt.timedelta(days=31), now - dt.timedelta(days=29)):
                visitor = await do_create_visitor(db, when)
                ids.append((await do_create_conversation(db, visitor.id, when)).id)
            return ids[0], ids[1]
        finally:
            await db.close()

    old, recent = asyncio.run(old_and_new())
    with start_server(settings, clock=Clock(now)) as up:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
        while up.run(get_conversation(up.db, old)) is not None:
            assert dt.datetime.now(dt.UTC) < deadline, "the retention round did not run"
            up.run(asyncio.sleep(0.1))
        assert up.run(get_conversation(up.db, recent)) is not None
