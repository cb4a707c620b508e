"""Proactive help over the API: offers on arrival and navigation, timers, returning visitors."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from conversations.storage import Conversation, get_messages
from tests.server import API, LiveServer, Visitor

pytestmark = pytest.mark.slow

HOST = "http://127.0.0.1"
PAYMENT_FAILED = {
    "url": f"{HOST}/checkout/payment-failed",
    "title": "Betalingen feilet",
    "lang": "nb",
}
PAYMENT_FAILED_EN = {"url": f"{HOST}/en/checkout/payment-failed", "lang": "en"}
HOME = {"url": f"{HOST}/", "lang": "nb"}


def _offer(tab: Visitor) -> dict[str, object]:
    message: dict[str, object] = tab.expect("message")["message"]
    assert message["role"] == "bot"
    return message


@pytest.mark.parametrize(
    ("page", "lang"), [(PAYMENT_FAILED, "nb"), (PAYMENT_FAILED_EN, "en")], ids=["nb", "en"]
)
def test_landing_on_payment_failed_offers_the_payment_declined_answer(
    live_server: LiveServer, page: dict[str, str], lang: str
) -> None:
    with live_server.visitor() as tab:
        welcome = tab.hello(page)
        offer = _offer(tab)
        tab.send({"type": "choice", "client_id": "take", "answer_id": "payment-declined"})
        tab.expect("ack")
        answer = tab.reply()
    assert welcome["messages"] == []
    assert (offer["decision"], offer["proactive"], offer["lang"]) == ("proactive", True, lang)
    assert [c["answer_id"] for c in offer["choices"]] == ["payment-declined"]  # type: ignore[attr-defined]
    assert offer["seq"] == 1
    assert (answer["answer_id"], answer["lang"]) == ("payment-declined", lang)


def test_an_offer_is_made_once_per_conversation(live_server: LiveServer) -> None:
    with live_server.visitor() as tab:
        tab.hello(PAYMENT_FAILED)
        _offer(tab)
    with live_server.visitor(
        visitor_id=tab.visitor_id, conversation_id=tab.conversation_id
    ) as again:
        again.last_seq = tab.last_seq
        welcome = again.hello(PAYMENT_FAILED)  # a reload of the same page
        later = again.quiet(0.8)
    assert welcome["messages"] == []
    assert [f for f in later if f["type"] == "message"] == []
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    assert [m.decision for m in stored] == ["proactive"]
    assert stored[0].flags["rule_id"] == "pages:payment-declined"


def test_navigating_reports_the_page_and_gets_offers_and_timers(live_server: LiveServer) -> None:
    checkout = {"url": f"{HOST}/checkout", "lang": "nb"}
    with live_server.visitor() as tab:
        welcome = tab.hello(checkout)
        assert welcome["timers"] == [30]
        assert [f for f in tab.quiet(0.5) if f["type"] == "message"] == []
        tab.send({"type": "page", "page": checkout | {"seconds_on_page": 31}})
        timed = _offer(tab)
        assert tab.expect("timers")["timers"] == []
        tab.send({"type": "page", "page": PAYMENT_FAILED})
        navigated = _offer(tab)
        assert tab.expect("timers") == {"type": "timers", "timers": []}
        tab.send({"type": "page", "page": {"title": "no url"}})
        bad = tab.expect("error")
    assert timed["choices"][0]["answer_id"] == "payment-methods"  # type: ignore[index]
    assert (
        live_server.run(get_messages(live_server.db, tab.conversation_id or ""))[0].flags["rule_id"]
        == "checkout-help"
    )
    assert navigated["choices"][0]["answer_id"] == "payment-declined"  # type: ignore[index]
    assert bad["code"] == "bad_request"


def test_a_visitor_whose_last_conversation_was_unresolved_is_welcomed_back(
    live_server: LiveServer,
) -> None:
    with live_server.visitor() as first:
        first.hello(HOME)
        first.message("Hvem vant fotball-VM i 1998?")
        assert first.reply()["decision"] == "abstain"
    with live_server.visitor(visitor_id=first.visitor_id) as later:
        welcome = later.hello(HOME)  # a new conversation: the widget forgot the old one
        offer = _offer(later)
    assert welcome["conversation_id"] != first.conversation_id
    assert offer["decision"] == "proactive"
    stored = live_server.run(get_messages(live_server.db, later.conversation_id or ""))
    assert stored[0].flags["rule_id"] == "welcome-back"


def test_an_idle_conversation_is_not_resumed(live_server: LiveServer) -> None:
    with live_server.visitor() as tab:
        tab.hello(HOME)
        tab.message("Hvor er pakken min?")
        tab.reply()

    async def age() -> None:
        async with live_server.db.writing() as session, session.begin():
            long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
            await session.execute(
                update(Conversation)
                .where(Conversation.id == tab.conversation_id)
                .values(updated_at=long_ago)
            )

    live_server.run(age())
    with live_server.visitor(
        visitor_id=tab.visitor_id, conversation_id=tab.conversation_id
    ) as back:
        welcome = back.hello(HOME)
    assert welcome["conversation_id"] != tab.conversation_id
    assert welcome["messages"] == []


def test_http_pages_and_conversations_make_offers(live_server: LiveServer) -> None:
    with live_server.http() as http:
        http.headers["X-Samsvar-Visitor"] = http.post(f"{API}/visitors").json()["visitor_id"]
        nothing = http.post(f"{API}/pages", json={"page": HOME}).json()
        started = http.post(f"{API}/pages", json={"page": PAYMENT_FAILED}).json()
        again = http.post(
            f"{API}/pages",
            json={"conversation_id": started["conversation_id"], "page": PAYMENT_FAILED},
        ).json()
        timers = http.post(f"{API}/pages", json={"page": {"url": f"{HOST}/checkout"}}).json()
        created = http.post(f"{API}/conversations", json={"page": PAYMENT_FAILED_EN}).json()
        foreign = http.post(f"{API}/pages", json={"conversation_id": "nope", "page": HOME})
    assert (nothing["conversation_id"], nothing["offer"], nothing["timers"]) == (None, None, [])
    assert started["offer"]["choices"][0]["answer_id"] == "payment-declined"
    assert started["conversation_id"]
    assert again["offer"] is None, "not offered twice in one conversation"
    assert timers["timers"] == [30]
    assert [m["decision"] for m in created["messages"]] == ["proactive"]
    assert created["messages"][0]["lang"] == "en"
    assert (foreign.status_code, foreign.json()["code"]) == (404, "unknown_conversation")
