"""Who a visitor is, as agents see it (docs/decisions/0111), and what one client address may
do (0112), on a real server.

- Agents never receive the visitor's id (the visitor's credential): not in a case row, a
  case view, a response to an action, nor any frame on the agent WebSocket.
- A site's signed customer identity: verified, it makes every device the customer's one
  visitor and continues their conversation; a wrong signature is refused and links nothing;
  the customer's visitor is not continued without it.
- Limits per client address on new visitors, `hello` and `typing` frames.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from conversations.identity import customer_hmac, public_visitor_id
from conversations.storage import get_customer_visitor
from tests.agents import Clock, Desk, add_agent
from tests.app.conftest import Serve
from tests.app.test_handoff_flow import CHECKOUT, _hand_off, _say
from tests.server import API, LiveServer

pytestmark = pytest.mark.slow

OPEN = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SECRET = "en delt hemmelighet som er lang nok til testen"


@pytest.fixture
def live(serve: Serve) -> LiveServer:
    return serve(clock=Clock(OPEN), identity_secret=SECRET)


def _signed(customer: str, secret: str = SECRET) -> dict[str, str]:
    return {"customer_id": customer, "customer_hmac": customer_hmac(secret, customer)}


def test_no_agent_response_or_frame_carries_the_visitors_credential(live: LiveServer) -> None:
    add_agent(live, "kari", ["payments"])
    add_agent(live, "sjef", [], admin=True)
    bodies: list[str] = []

    def keep(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        bodies.append(response.text)
        found: dict[str, Any] = response.json()
        return found

    with Desk(live, "kari") as kari, Desk(live, "sjef") as boss:
        for desk in (kari, boss):
            assert desk.sign_in().status_code == 200
            assert desk.listen()["type"] == "welcome"
        with live.visitor() as tab:
            tab.hello(CHECKOUT, **_signed("kunde-42"))
            _hand_off(tab)
            credential = tab.visitor_id
            assert credential
            row = keep(kari.http.get("/queue"))["cases"][0]
            case_id = row["id"]
            keep(kari.http.get(f"/cases/{case_id}"))
            keep(kari.http.post(f"/cases/{case_id}/claim"))
            tab.expect("status")
            keep(kari.http.post(f"/cases/{case_id}/notes", json={"text": "ringer tilbake"}))
            reply = {"client_id": "k1", "text": "Hei!"}
            keep(kari.http.post(f"/cases/{case_id}/messages", json=reply))
            tab.message("Takk, her er mer")
            kari.expect("message", lambda f: f["message"]["role"] == "visitor")
            tab.send({"type": "typing", "on": True})
            kari.expect("typing")
            keep(kari.http.get(f"/cases/{case_id}/messages"))
            keep(kari.http.post(f"/cases/{case_id}/resolve"))
            keep(boss.http.get("/queue", params={"status": "resolved"}))
            keep(boss.http.get("/audit"))
            boss.quiet(0.5)
            kari.quiet(0.1)
        frames = [json.dumps(f) for f in kari.received + boss.received]
    assert len(frames) > 8
    leaked = [text for text in bodies + frames if credential in text]
    assert leaked == [], "an agent received the visitor's credential"
    assert "visitor_id" not in "".join(bodies + frames)
    assert row["visitor"] == public_visitor_id(credential) != credential
    assert row["customer_id"] == "kunde-42"


def test_a_verified_customer_goes_on_from_another_device(live: LiveServer) -> None:
    with live.visitor() as laptop:
        laptop.hello(CHECKOUT, **_signed("kunde-7"))
        _say(laptop, "Hvor er pakken min?")
        with live.visitor() as phone:  # no ids of its own: only the signed identity
            welcome = phone.hello(CHECKOUT, **_signed("kunde-7"))
        with live.visitor() as stranger:  # another customer: another visitor
            other = stranger.hello(CHECKOUT, **_signed("kunde-8"))
    assert welcome["visitor_id"] == laptop.visitor_id
    assert welcome["conversation_id"] == laptop.conversation_id
    assert "Hvor er pakken min?" in [m["text"] for m in welcome["messages"]]
    assert other["visitor_id"] != laptop.visitor_id and other["conversation_id"] is None


def test_a_wrong_signature_is_refused_and_links_nothing(live: LiveServer) -> None:
    with live.visitor() as tab:
        tab.connect()
        attempts = [
            _signed("kunde-9", secret="en annen hemmelighet"),
            {"customer_id": "kunde-9"},  # no signature at all
            {"customer_id": "kunde-9", "customer_hmac": "0" * 64},
        ]
        errors = []
        for identity in attempts:
            tab.send({"type": "hello", "visitor_id": None, "page": CHECKOUT, **identity})
            errors.append(tab.expect("error"))
        tab.send({"type": "message", "client_id": "m1", "text": "hei"})
        after = tab.expect("error")
    assert [e["code"] for e in errors] == ["identity_invalid"] * 3
    assert "customer_hmac" in errors[0]["error"] and "customer_id" in errors[1]["error"]
    assert after["code"] == "hello_required"  # no visitor was made
    assert live.run(get_customer_visitor(live.db, "kunde-9")) is None


def test_the_customers_visitor_is_not_continued_without_the_signature(
    live: LiveServer,
) -> None:
    with live.visitor() as tab:
        tab.hello(CHECKOUT, **_signed("kunde-3"))
        _say(tab, "Hvor er pakken min?")
        mine, conversation = tab.visitor_id, tab.conversation_id
    with live.visitor(visitor_id=mine, conversation_id=conversation) as after_sign_out:
        welcome = after_sign_out.hello(CHECKOUT)
    assert welcome["visitor_id"] != mine and welcome["conversation_id"] is None
    assert welcome["messages"] == []


def test_signed_identities_are_refused_when_the_server_has_no_secret(serve: Serve) -> None:
    live = serve()
    with live.visitor() as tab:
        tab.connect()
        tab.send({"type": "hello", "page": CHECKOUT, **_signed("kunde-1")})
        refused = tab.expect("error")
    assert refused["code"] == "identity_invalid"
    assert "CHAT_IDENTITY_SECRET" in refused["error"]


def test_one_address_is_limited_in_new_visitors_hellos_and_typing(serve: Serve) -> None:
    live = serve(rate_limit_new_visitors=3, rate_limit_hellos=6, rate_limit_typing=4)
    with live.visitor() as tab:
        tab.connect()
        answers = []
        for _ in range(4):  # every hello without a visitor id asks for a new visitor
            tab.send({"type": "hello", "visitor_id": None, "page": CHECKOUT})
            answers.append(tab.expect("welcome") if len(answers) < 3 else tab.expect("error"))
        visitor_id = answers[0]["visitor_id"]
        for _ in range(2):  # hellos as a known visitor: 6 in all, then no more
            tab.send({"type": "hello", "visitor_id": visitor_id, "page": CHECKOUT})
            answers.append(tab.expect("welcome"))
        tab.send({"type": "hello", "visitor_id": visitor_id, "page": CHECKOUT})
        too_many_hellos = tab.expect("error")
        for on in (True, False, True, False, True, False):
            tab.send({"type": "typing", "on": on})
        typing_refusals = [f for f in tab.quiet(1.0) if f["type"] == "error"]
    with live.http() as http:
        refused = http.post(f"{API}/visitors")
    welcomes = [a for a in answers if a["type"] == "welcome"]
    assert len(welcomes) == 5 and len({w["visitor_id"] for w in welcomes[:3]}) == 3
    assert answers[3]["code"] == "rate_limited" and "new visitors" in answers[3]["error"]
    assert too_many_hellos["code"] == "rate_limited" and "hello" in too_many_hellos["error"]
    assert [f["code"] for f in typing_refusals] == ["rate_limited"] * 2
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_one_connection_may_send_only_a_few_hellos(serve: Serve) -> None:
    from app.web.websocket import MAX_HELLOS

    live = serve()
    with live.visitor() as tab:
        tab.hello(CHECKOUT)
        for _ in range(MAX_HELLOS - 1):
            tab.send({"type": "hello", "visitor_id": tab.visitor_id, "page": CHECKOUT})
            tab.expect("welcome")
        tab.send({"type": "hello", "visitor_id": tab.visitor_id, "page": CHECKOUT})
        refused = tab.expect("error")
    assert refused["code"] == "rate_limited" and "one connection" in refused["error"]
