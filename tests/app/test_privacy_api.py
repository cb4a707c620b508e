"""The privacy API (`/api/v1/agent/privacy/*`): admins export and erase a visitor's data over
a real server on loopback, by visitor, site customer or case number, each recorded in the
audit log without the subject itself; other agents get 403, a malformed subject 422."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from conversations.identity import customer_hmac
from handoff.tables import Case
from tests.agents import Clock, Desk, add_agent
from tests.insights.conftest import shop_answers
from tests.server import LiveServer, make_settings, start_server

pytestmark = pytest.mark.slow
CARD = "4111 1111 1111 1111"
SECRET = "en delt hemmelighet for personverntestene"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("privacy-api")
    settings = make_settings(
        folder / "var", answers_dir=shop_answers(folder), identity_secret=SECRET
    )
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
        log = anne.http.get("/audit", params={"limit": 3})
    entries = [e for e in log.json()["entries"] if e["action"].startswith("privacy_")]
    assert [(e["action"], e["actor"], e["address"]) for e in entries] == [
        ("privacy_export", "anne", "127.0.0.1"),
        ("privacy_erase", "anne", "127.0.0.1"),
        ("privacy_export", "anne", "127.0.0.1"),
    ]
    assert entries[1]["detail"]["subject"] == "visitor" and entries[1]["detail"]["messages"] == 2
    assert entries[0]["detail"] == {
        "subject": "visitor",
        "visitors": 0,
        "conversations": 0,
        "messages": 0,
        "cases": 0,
    }
    assert str(visitor.visitor_id) not in log.text  # the audit log keeps no copy of the subject


def _case_of(live: LiveServer, conversation_id: str | None) -> Case:
    async def read() -> Case | None:
        async with live.db.reading() as session:
            found: Case | None = await session.scalar(
                select(Case).where(Case.conversation_id == conversation_id)
            )
            return found

    case = live.run(read())
    assert case is not None
    return case


def test_an_admin_erases_a_signed_in_customer_and_the_visitor_of_a_case(live: LiveServer) -> None:
    signed = {"customer_id": "kunde-7", "customer_hmac": customer_hmac(SECRET, "kunde-7")}
    tabs = []
    for identity in (signed, {}):
        with live.visitor() as tab:
            tab.hello(**identity)
            tab.send({"type": "human", "client_id": "h1"})
            tab.expect("ack")
            tab.expect("status")
        tabs.append(tab)
    customer_case = _case_of(live, tabs[0].conversation_id)
    other_case = _case_of(live, tabs[1].conversation_id)
    assert customer_case.customer_id == "kunde-7"
    with _desk(live, "anne") as anne:
        both = anne.http.get("/privacy/export", params={"customer": "kunde-7", "case": "S-1"})
        assert both.status_code == 422 and both.json()["code"] == "bad_subject"
        exported = anne.http.get("/privacy/export", params={"customer": "kunde-7"}).json()
        (visitor,) = exported["visitors"]
        assert visitor["id"] == tabs[0].visitor_id and visitor["customer_id"] == "kunde-7"
        assert visitor["conversations"][0]["cases"][0]["customer_id"] == "kunde-7"
        by_case = anne.http.post("/privacy/erase", json={"case": other_case.number}).json()
        assert (by_case["erased"]["visitors"], by_case["erased"]["cases"]) == (1, 1)
        by_customer = anne.http.post("/privacy/erase", json={"customer": "kunde-7"}).json()
        assert (by_customer["erased"]["visitors"], by_customer["erased"]["cases"]) == (1, 1)
        log = anne.http.get("/audit", params={"action": "privacy_erase", "limit": 2})
    assert [e["detail"]["subject"] for e in log.json()["entries"]] == ["customer", "case"]
    for secret in ("kunde-7", other_case.number, str(tabs[0].visitor_id), str(tabs[1].visitor_id)):
        assert secret not in log.text


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
        deadline = time.monotonic() + 20  # a time-out, not a date: the monotonic clock
        while up.run(get_conversation(up.db, old)) is not None:
            assert time.monotonic() < deadline, "the retention round did not run"
            up.run(asyncio.sleep(0.1))
        assert up.run(get_conversation(up.db, recent)) is not None
