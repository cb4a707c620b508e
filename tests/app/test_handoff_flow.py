"""The hand-off end to end: real uvicorn, a visitor's WebSocket and agents' WebSockets and
HTTP clients (docs/api.md "Hand-off", docs/agent-api.md). The server's clock is the test's
(`create_app(clock=…)`), so business hours, time-outs and reopening are tested as they are."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from conversations.storage import get_conversation, get_messages
from tests.agents import Clock, Desk, add_agent
from tests.app.conftest import Serve
from tests.server import LiveServer, Visitor

pytestmark = pytest.mark.slow

# Tuesday 1 December 2026, 10:00 in Oslo (09:00 UTC): open 08:00-20:00.
OPEN = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
# Sunday 6 December 2026, 12:00 in Oslo: closed; opens Monday 7 December at 08:00 (07:00 UTC).
CLOSED = dt.datetime(2026, 12, 6, 11, 0, tzinfo=dt.UTC)
CHECKOUT = {"url": "https://shop.example/checkout/payment", "title": "Kasse", "lang": "nb"}
PAYMENT = "Betalingen min ble avvist i kassen, jeg vil snakke med et menneske"


@pytest.fixture
def clock() -> Clock:
    return Clock(OPEN)


@pytest.fixture
def live(serve: Serve, clock: Clock) -> LiveServer:
    return serve(clock=clock, handoff_sweep_seconds=0.2, handoff_answer_timeout_seconds=120)


@pytest.fixture
def desks(live: LiveServer) -> Iterator[dict[str, Desk]]:
    """Kari and Ola (payments), Siri (returns), Admin (an admin in no team), signed in."""
    add_agent(live, "kari", ["payments"])
    add_agent(live, "ola", ["payments"])
    add_agent(live, "siri", ["returns"])
    add_agent(live, "admin", [], admin=True)
    made = {name: Desk(live, name) for name in ("kari", "ola", "siri", "admin")}
    try:
        for desk in made.values():
            assert desk.sign_in().status_code == 200
        yield made
    finally:
        for desk in made.values():
            desk.close()


def _visitor(live: LiveServer, page: dict[str, Any] = CHECKOUT) -> Visitor:
    tab = live.visitor()
    tab.hello(page)
    return tab


def _say(tab: Visitor, text: str) -> dict[str, Any]:
    """Send a message; the bot's reply to it (a proactive offer of the page is passed over)."""
    tab.message(text)
    tab.expect("ack")
    while (reply := tab.reply())["decision"] == "proactive":
        pass
    return reply


def _status(tab: Visitor, fits: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The next `status` frame that fits."""
    while not fits(frame := tab.expect("status")):
        pass
    return frame


def _handed_off_and_resolved(tab: Visitor, desk: Desk) -> dict[str, Any]:
    """Hand off (`_hand_off`); the agent of `desk`, assigned, resolves the case at once and the
    visitor sees it resolved. The case as the agent saw it assigned."""
    _hand_off(tab)
    case: dict[str, Any] = desk.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
    assert desk.http.post(f"/cases/{case['id']}/resolve").status_code == 200
    _status(tab, lambda f: f["status"] == "resolved")
    return case


def _hand_off(tab: Visitor) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Ask for a person about a declined payment and give the order number when asked:
    the bot's hand-off message, the acknowledgement and the status frame."""
    asked = _say(tab, PAYMENT)
    assert asked["decision"] == "collect", asked
    assert asked["collect"]["field"] == "order_number"
    handoff = _say(tab, "1234567")
    ack = tab.expect("message")["message"]
    status = tab.expect("status")
    return handoff, ack, status


def test_collect_then_the_agent_gets_the_case_and_the_visitor_gets_the_agent(
    live: LiveServer, desks: dict[str, Desk]
) -> None:
    kari = desks["kari"]
    kari.online()
    assert kari.listen()["type"] == "welcome"
    with _visitor(live) as tab:
        asked = _say(tab, PAYMENT)
        wrong = _say(tab, "12345678")
        handoff = _say(tab, "1234567")
        ack = tab.expect("message")["message"]
        status = tab.expect("status")
        created = kari.expect("case_created")["case"]
        assigned = kari.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
        view = kari.http.get(f"/cases/{created['id']}").json()
        reply = kari.http.post(
            f"/cases/{created['id']}/messages",
            json={"client_id": "r1", "text": "Hei! Jeg ser på det."},
        )
        from_agent = next(
            m for m in iter(lambda: tab.expect("message")["message"], None) if m["role"] == "agent"
        )
        tab.message("Takk, når kommer pengene tilbake?")
        tab.expect("ack")
        after = tab.quiet(1.5)
        passed_on = kari.expect("message", lambda f: f["message"]["role"] == "visitor")
    assert asked["collect"]["problem"] is None
    assert (wrong["decision"], wrong["collect"]["attempt"]) == ("collect", 2)
    assert "8" in wrong["collect"]["problem"] and "7" in wrong["collect"]["problem"]
    assert handoff["decision"] == "handoff"
    number = created["number"]
    assert number.startswith("S-2026-") and len(number) == len("S-2026-000001")
    assert (ack["role"], number in ack["text"], "Kari" in ack["text"]) == ("system", True, True)
    assert status["status"] == "with_agent"
    assert (status["case"]["number"], status["case"]["agent_name"]) == (number, "Kari")
    assert (created["team"], created["urgency"], created["question"]) == (
        "payments",
        "high",
        PAYMENT,
    )
    assert {"payment-topics", "payment-pages"} <= set(created["urgency_rules"])
    assert assigned["agent"]["display_name"] == "Kari"
    case = view["case"]
    assert case["fields"] == [
        {"name": "order_number", "label": "ordrenummer", "value": "1234567", "status": "given"}
    ]
    assert {r["rule"] for r in case["urgency_reasons"]} == set(created["urgency_rules"])
    assert all(r["level"] == "high" and r["detail"] for r in case["urgency_reasons"])
    assert case["page_url"] == CHECKOUT["url"]
    assert [m["role"] for m in view["transcript"]][:2] == ["visitor", "bot"]
    assert reply.status_code == 200 and reply.json()["message"]["role"] == "agent"
    assert (from_agent["text"], from_agent["agent_name"]) == ("Hei! Jeg ser på det.", "Kari")
    said = [f["message"] for f in after if f["type"] == "message"]
    assert [m for m in said if m["role"] == "bot"] == [], "the bot stays silent"
    assert passed_on["message"]["text"] == "Takk, når kommer pengene tilbake?"
    assert passed_on["case_id"] == created["id"]
    stored = live.run(get_messages(live.db, tab.conversation_id or ""))
    assert [m.role for m in stored][-2:] == ["agent", "visitor"]


def test_in_business_hours_with_nobody_online_the_case_waits_in_the_queue(
    live: LiveServer, desks: dict[str, Desk]
) -> None:
    with _visitor(live) as first, _visitor(live) as second:
        _, _, one = _hand_off(first)
        _, ack, two = _hand_off(second)
    assert (one["status"], one["case"]["state"], one["case"]["place"]) == (
        "waiting_human",
        "queued",
        1,
    )
    case = two["case"]
    assert (case["place"], case["open_now"], case["opens_at"], case["ask_email"]) == (
        2,
        True,
        None,
        False,
    )
    assert case["expected_wait_seconds"] == 2 * 6 * 60  # handoff_handle_minutes, nobody online
    assert "nummer 2 i køen" in ack["text"] and case["number"] in ack["text"]
    queue = desks["ola"].http.get("/queue").json()
    assert [c["number"] for c in queue["cases"]] == [one["case"]["number"], case["number"]]
    assert queue["total"] == 2 and all(not c["off_hours"] for c in queue["cases"])


def test_outside_business_hours_the_visitor_learns_when_and_may_leave_an_email(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    clock.now = CLOSED
    assert desks["kari"].sign_in().status_code == 200  # the fixture's sign-in was days ago
    with _visitor(live) as tab:
        _, ack, status = _hand_off(tab)
        tab.send({"type": "email", "email": "kari.nordmann@example"})
        bad = tab.expect("error")
        tab.send({"type": "email", "email": "kari.nordmann@example.no"})
        saved = tab.expect("status")
    case = status["case"]
    assert (case["open_now"], case["opens_at"], case["ask_email"]) == (
        False,
        "2026-12-07T07:00:00.000Z",
        True,
    )
    assert case["expected_wait_seconds"] is None
    assert "mandag 7.12. kl. 08:00" in ack["text"] and "e-post" in ack["text"]
    assert bad["code"] == "bad_email"
    assert (saved["case"]["email_given"], saved["case"]["ask_email"]) == (True, False)
    (row,) = desks["kari"].http.get("/queue").json()["cases"]
    view = desks["kari"].http.get(f"/cases/{row['id']}").json()["case"]
    assert (row["off_hours"], view["contact_email"]) == (True, "kari.nordmann@example.no")
    assert "email" in [e["kind"] for e in view["events"]]


def test_an_unanswered_case_goes_to_another_agent_after_the_time_out(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari, ola = desks["kari"], desks["ola"]
    kari.online()
    kari.listen()
    with _visitor(live) as tab:
        _hand_off(tab)
        first = kari.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
        ola.online()
        ola.listen()
        clock.advance(seconds=121)
        requeued = ola.expect("case_updated", lambda f: f["change"] == "requeued")["case"]
        again = ola.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
        joined = _status(tab, _agent_is("Ola"))
    assert first["agent"]["display_name"] == "Kari"
    assert requeued["id"] == first["id"]
    assert again["agent"]["id"] == ola.agent["id"]
    assert again["waiting_since"] == first["waiting_since"], "it keeps its place by age"
    assert joined["case"]["agent_name"] == "Ola"
    view = ola.http.get(f"/cases/{first['id']}").json()["case"]
    kinds = [e["kind"] for e in view["events"]]
    assert kinds[:4] == ["created", "assigned", "requeued", "assigned"]
    assert view["events"][2]["detail"]["why"] == "timeout"


def _agent_is(name: str) -> Any:
    def fits(frame: dict[str, Any]) -> bool:
        return bool(frame.get("case")) and frame["case"]["agent_name"] == name

    return fits


def test_a_visitor_who_writes_within_7_days_reopens_the_case(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari = desks["kari"]
    kari.online()
    kari.listen()
    with _visitor(live) as tab:
        _hand_off(tab)
        case = kari.expect("case_updated", lambda f: f["change"] == "assigned")["case"]
        kari.http.post(f"/cases/{case['id']}/messages", json={"client_id": "a", "text": "Fikset!"})
        resolved = kari.http.post(f"/cases/{case['id']}/resolve")
        asked = _status(tab, lambda f: f["status"] == "resolved")
        tab.send({"type": "rate", "score": 5, "comment": "Rask hjelp"})
        rated = _status(tab, lambda f: f["case"]["rating"] == 5)
        clock.advance(days=3)
        # Her sign-in of three days ago has ended and closed her console: she signs in again.
        assert kari.sign_in().status_code == 200
        assert kari.listen()["type"] == "welcome"
        tab.message("Pengene er fortsatt ikke tilbake")
        tab.expect("ack")
        reopened = kari.expect("case_updated", lambda f: f["change"] == "reopened")["case"]
        back = _status(tab, lambda f: f["case"]["state"] != "resolved")
        silence = [f for f in tab.quiet(1.0) if f["type"] == "message"]
    assert resolved.status_code == 200 and resolved.json()["case"]["status"] == "resolved"
    assert asked["case"]["ask_rating"] is True
    assert (rated["case"]["ask_rating"], rated["case"]["rating"]) == (False, 5)
    assert (reopened["id"], reopened["number"], reopened["reopened"]) == (
        case["id"],
        case["number"],
        True,
    )
    assert back["case"]["number"] == case["number"]
    assert reopened["question"] == "Pengene er fortsatt ikke tilbake", "the new question"
    assert [m for m in silence if m["message"]["role"] == "bot"] == []
    view = kari.http.get(f"/cases/{case['id']}").json()["case"]
    kinds = [e["kind"] for e in view["events"]]
    assert kinds.index("resolved") < kinds.index("rated") < kinds.index("reopened")
    assert view["rating"] is None, "a reopened case is rated afresh when resolved again"
    assert (view["status"], view["resolved_at"]) == ("assigned", None)


REFUND = "Hvor lang tid tar det å få pengene tilbake etter en retur?"


def test_the_case_question_is_the_question_asked_before_the_request_for_a_person(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    """The request "Jeg vil snakke med et menneske, det haster!" is not the question: the one
    before it is. A message within the reopen window reopens the case with that message as its new
    question, and the agents are told it was reopened (not created)."""
    kari = desks["kari"]
    kari.online()
    kari.listen()
    with _visitor(live) as tab:
        _say(tab, "Betalingen min ble avvist i kassen")
        asked = _say(tab, "Jeg vil snakke med et menneske, det haster!")
        assert asked["decision"] == "collect", asked
        _say(tab, "1234567")
        created = kari.expect("case_created")["case"]
        kari.expect("case_updated", lambda f: f["change"] == "assigned")
        assert kari.http.post(f"/cases/{created['id']}/resolve").status_code == 200
        _status(tab, lambda f: f["status"] == "resolved")
        clock.advance(minutes=9)
        tab.message(REFUND)
        tab.expect("ack")
        reopened = kari.expect("case_updated", lambda f: f["change"] == "reopened")["case"]
        later = [f for f in kari.quiet(1.0) if f["type"] == "case_created"]
    assert created["question"] == "Betalingen min ble avvist i kassen"
    assert (reopened["id"], reopened["question"], reopened["reopened"]) == (
        created["id"],
        REFUND,
        True,
    )
    assert later == [], "a reopened case is not announced as a new one"
    view = kari.http.get(f"/cases/{created['id']}").json()["case"]
    event = next(e for e in view["events"] if e["kind"] == "reopened")
    assert event["detail"]["previous_question"] == "Betalingen min ble avvist i kassen"


def test_a_new_question_after_the_reopen_window_is_answered_by_the_bot(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari = desks["kari"]
    kari.online()
    kari.listen()
    with _visitor(live) as tab:
        case = _handed_off_and_resolved(tab, kari)
        clock.advance(minutes=11)  # past CHAT_HANDOFF_REOPEN_WINDOW_SECONDS (600)
        answer = _say(tab, REFUND)
        reopened = [f for f in kari.quiet(1.0) if f.get("change") == "reopened"]
    assert answer["decision"] == "answer", answer
    assert reopened == []
    view = kari.http.get(f"/cases/{case['id']}").json()["case"]
    assert (view["status"], view["question"]) == ("resolved", PAYMENT)
    conversation = live.run(get_conversation(live.db, tab.conversation_id or ""))
    assert conversation is not None and conversation.status == "bot"


def test_the_reopen_window_is_a_setting(serve: Serve, clock: Clock) -> None:
    live = serve(clock=clock, handoff_reopen_window_seconds=60)
    add_agent(live, "kari", ["payments"])
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        kari.online()
        kari.listen()
        with _visitor(live) as tab:
            _handed_off_and_resolved(tab, kari)
            clock.advance(minutes=2)
            answer = _say(tab, REFUND)
    finally:
        kari.close()
    assert answer["decision"] == "answer", answer


def test_after_7_days_the_bot_takes_the_conversation_back(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari = desks["kari"]
    kari.online()
    kari.listen()
    with _visitor(live) as tab:
        case = _handed_off_and_resolved(tab, kari)
        clock.advance(days=8)
        answer = _say(tab, "Hvor er pakken min?")
    assert (answer["decision"], answer["answer_id"]) == ("answer", "order-tracking")
    assert kari.sign_in().status_code == 200  # eight days later
    view = kari.http.get(f"/cases/{case['id']}").json()["case"]
    assert view["status"] == "resolved"
    conversation = live.run(get_conversation(live.db, tab.conversation_id or ""))
    assert conversation is not None and conversation.status == "bot"


def test_an_agent_of_another_team_gets_403_and_no_events(
    live: LiveServer, desks: dict[str, Desk]
) -> None:
    siri, admin = desks["siri"], desks["admin"]
    siri.listen()
    admin.listen()
    with _visitor(live) as tab:
        _hand_off(tab)
        seen = admin.expect("case_created")["case"]
        hidden = [f for f in siri.quiet(1.0) if f["type"].startswith("case")]
    for answer in (
        siri.http.get(f"/cases/{seen['id']}"),
        siri.http.post(f"/cases/{seen['id']}/claim"),
        siri.http.post(f"/cases/{seen['id']}/messages", json={"client_id": "x", "text": "hei"}),
        siri.http.get("/queue", params={"team": "payments"}),
    ):
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert hidden == []
    assert siri.http.get("/queue").json()["cases"] == []
    assert admin.http.get(f"/cases/{seen['id']}").status_code == 200


def test_sign_in_errors_have_stable_codes(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari = desks["kari"]
    with Desk(live, "kari") as wrong, Desk(live, "nobody") as unknown, Desk(live, "x") as forged:
        bad = wrong.sign_in("not the password")
        nobody = unknown.sign_in()
        none = unknown.http.get("/me")
        forged.http.cookies.set("samsvar_agent", "forged-token", path="/api/v1/agent")
        fake = forged.http.get("/me")
        socket = forged.listen("forged-token")
        assert forged.ws is not None
        with pytest.raises(ConnectionClosed) as closed:
            forged.ws.recv(timeout=10)
    assert (bad.status_code, bad.json()["code"]) == (401, "wrong_password")
    assert (nobody.status_code, nobody.json()["code"]) == (401, "wrong_password")
    assert bad.json()["error"] == nobody.json()["error"], "names cannot be guessed"
    assert (none.status_code, none.json()["code"]) == (401, "not_signed_in")
    assert (fake.status_code, fake.json()["code"]) == (401, "sign_in_invalid")
    assert (socket["type"], socket["code"]) == ("error", "sign_in_invalid")
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert kari.http.get("/me").status_code == 200
    clock.advance(hours=12, seconds=1)
    expired = kari.http.get("/me")
    assert (expired.status_code, expired.json()["code"]) == (401, "sign_in_expired")


def test_an_open_console_is_closed_at_sign_out_and_when_its_sign_in_ends(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    kari, ola = desks["kari"], desks["ola"]
    assert ola.listen()["type"] == "welcome"
    assert ola.http.post("/sign-out").status_code == 200
    with pytest.raises(ConnectionClosed) as out:
        ola.expect("nothing but the close", timeout=10)
    assert out.value.rcvd is not None and out.value.rcvd.code == 4401

    assert kari.listen()["type"] == "welcome"
    assert kari.ws is not None
    # While the sign-in holds, the checks (every 0.2 s here) leave the socket open.
    kari.quiet(0.6)
    kari.ws.send('{"type": "ping"}')
    assert kari.expect("pong", timeout=10)["type"] == "pong"
    clock.advance(hours=12, seconds=1)
    expired = kari.expect("error", timeout=10)
    assert (expired["code"], expired["ok"]) == ("sign_in_expired", False)
    with pytest.raises(ConnectionClosed) as closed:
        kari.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_claims_transfers_and_a_field_that_never_validates(
    live: LiveServer, desks: dict[str, Desk]
) -> None:
    kari, ola = desks["kari"], desks["ola"]
    with _visitor(live) as tab:
        _say(tab, PAYMENT)
        for wrong in ("12", "abc", "99999999"):
            last = _say(tab, wrong)
        tab.expect("status")
    (row,) = kari.http.get("/queue").json()["cases"]
    claimed = kari.http.post(f"/cases/{row['id']}/claim")
    again = kari.http.post(f"/cases/{row['id']}/claim")
    taken = ola.http.post(f"/cases/{row['id']}/claim")
    unknown = kari.http.post(f"/cases/{row['id']}/transfer", json={"team": "nowhere"})
    neither = kari.http.post(f"/cases/{row['id']}/transfer", json={})
    missing = kari.http.post("/cases/c_nope/claim")
    assert last["decision"] == "handoff"
    fields = claimed.json()["case"]["fields"]
    assert fields == [
        {"name": "order_number", "label": "ordrenummer", "value": None, "status": "not_given"}
    ]
    assert claimed.status_code == 200 and claimed.json()["case"]["agent"]["display_name"] == "Kari"
    assert again.status_code == 200, "claiming your own case again is fine"
    assert (taken.status_code, taken.json()["code"]) == (409, "already_claimed")
    assert "Kari" in taken.json()["error"]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_team")
    assert "nowhere" in unknown.json()["error"]
    assert (neither.status_code, neither.json()["code"]) == (422, "bad_transfer")
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_case")
    view = kari.http.get(f"/cases/{row['id']}").json()["case"]
    assert (view["team"], view["agent"]["display_name"]) == ("payments", "Kari")


def test_a_case_that_waits_long_rises_in_urgency(
    live: LiveServer, clock: Clock, desks: dict[str, Desk]
) -> None:
    admin = desks["admin"]
    admin.listen()
    with _visitor(live, {"url": "https://shop.example/", "lang": "nb"}) as tab:
        _say(tab, "Kan jeg snakke med et menneske?")
        created = admin.expect("case_created")["case"]
        clock.advance(minutes=21)
        raised = admin.expect("case_updated", lambda f: f["change"] == "urgency")["case"]
    assert (created["urgency"], created["urgency_rules"]) == ("normal", [])
    assert (raised["id"], raised["urgency"], raised["urgency_rules"]) == (
        created["id"],
        "high",
        ["long-wait"],
    )
    view = admin.http.get(f"/cases/{created['id']}").json()["case"]
    (event,) = [e for e in view["events"] if e["kind"] == "urgency"]
    assert event["detail"] == {"from": "normal", "to": "high", "rules": ["long-wait"]}


def test_repeated_wrong_passwords_make_the_name_wait_and_the_right_one_gets_in_after(
    live: LiveServer,
) -> None:
    add_agent(live, "per", ["support"])
    with Desk(live, "per") as per:
        wrong = [per.sign_in("not the password").status_code for _ in range(4)]
        limited = per.sign_in()  # the right password: told to wait, not locked out
        time.sleep(int(limited.headers["Retry-After"]))
        after = per.sign_in()
    assert wrong == [401] * 4
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert limited.json()["retry_after"] == 1 and "per" in limited.json()["error"]
    assert after.status_code == 200


def test_only_admins_read_the_audit_log(live: LiveServer, desks: dict[str, Desk]) -> None:
    add_agent(live, "sjef", [], admin=True)
    kari = desks["kari"]
    with _visitor(live) as tab:
        _hand_off(tab)
        case_id = kari.http.get("/queue").json()["cases"][0]["id"]
        assert kari.http.post(f"/cases/{case_id}/claim").status_code == 200
        assert kari.http.post(f"/cases/{case_id}/resolve").status_code == 200
    refused = kari.http.get("/audit")
    with Desk(live, "sjef") as boss:
        assert boss.sign_in().status_code == 200
        entries = boss.http.get("/audit", params={"limit": 50}).json()["entries"]
        claims = boss.http.get("/audit", params={"action": "claim"}).json()["entries"]
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    mine = [(e["action"], e["target"]) for e in entries if e["actor"] == "kari"]
    assert ("claim", case_id) in mine and ("resolve", case_id) in mine
    assert ("sign_in", None) in mine
    assert entries[0]["action"] == "sign_in" and entries[0]["actor"] == "sjef"
    assert entries[0]["address"] == "127.0.0.1"
    assert [e["action"] for e in claims] == ["claim"]


def test_concurrent_claims_over_http_have_one_winner_each(
    live: LiveServer, desks: dict[str, Desk]
) -> None:
    names = [f"agent{n}" for n in range(8)]
    for name in names:
        add_agent(live, name, ["payments"], max_chats=10)
    claimers = [Desk(live, name) for name in names]
    tabs: list[Visitor] = []
    try:
        for desk in claimers:
            assert desk.sign_in().status_code == 200
        for _ in range(4):
            tabs.append(_visitor(live))
            _hand_off(tabs[-1])
        cases = desks["kari"].http.get("/queue").json()["cases"]
        assert len(cases) == 4
        barrier = threading.Barrier(len(claimers))

        def claim_all(desk: Desk) -> list[tuple[str, int, str | None]]:
            barrier.wait()
            results = []
            for case in cases:
                answer = desk.http.post(f"/cases/{case['id']}/claim")
                results.append((case["id"], answer.status_code, answer.json().get("code")))
            return results

        with concurrent.futures.ThreadPoolExecutor(len(claimers)) as pool:
            outcomes = [r for rs in pool.map(claim_all, claimers) for r in rs]
    finally:
        for desk in claimers:
            desk.close()
        for tab in tabs:
            tab.close()
    for case in cases:
        codes = sorted(status for case_id, status, _ in outcomes if case_id == case["id"])
        assert codes == [200] + [409] * (len(claimers) - 1), codes
    assert {code for _, status, code in outcomes if status == 409} == {"already_claimed"}
    open_cases = desks["kari"].http.get("/queue", params={"status": "open"}).json()["cases"]
    assert sorted(c["id"] for c in open_cases) == sorted(c["id"] for c in cases)
    assert all(c["status"] == "assigned" and c["agent"] for c in open_cases)
    for case in cases:
        view = desks["kari"].http.get(f"/cases/{case['id']}").json()["case"]
        assert [e["kind"] for e in view["events"]].count("claimed") == 1
