"""Multi-turn conversations over the WebSocket: follow-ups, quick replies, hand-off to a person,
"did this help?", and what is stored for each."""

from __future__ import annotations

import pytest

from conversations.storage import get_conversation, get_inquiries, get_messages
from tests.server import API, LiveServer, Visitor

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/", "title": "Nordlys Hjem", "lang": "nb"}


def _open(live: LiveServer) -> Visitor:
    tab = live.visitor()
    tab.hello(PAGE)
    tab.quiet(0.3)  # no proactive offer on the home page of a new visitor
    return tab


def _ask(tab: Visitor, text: str) -> dict[str, object]:
    tab.message(text)
    tab.expect("ack")
    return tab.reply()


def test_a_follow_up_is_read_with_the_previous_question(live_server: LiveServer) -> None:
    with _open(live_server) as tab:
        assert _ask(tab, "Kan jeg endre bestillingen?")["answer_id"] == "change-order"
        follow_up = _ask(tab, "og avbestille den?")
    assert follow_up["answer_id"] == "cancel-order"
    inquiries = live_server.run(get_inquiries(live_server.db, tab.conversation_id or ""))
    assert [i.answer_id for i in inquiries] == ["change-order", "cancel-order"]


def test_a_clarify_offers_quick_replies_and_a_click_answers(live_server: LiveServer) -> None:
    with _open(live_server) as tab:
        clarify = _ask(tab, "levering")
        assert clarify["decision"] == "clarify"
        choices = clarify["choices"]
        assert isinstance(choices, list) and len(choices) >= 2
        picked = choices[1]
        tab.send({"type": "choice", "client_id": "pick-1", "answer_id": picked["answer_id"]})
        ack = tab.expect("ack")
        answer = tab.reply()
        tab.send({"type": "choice", "client_id": "pick-2", "answer_id": "no-such-answer"})
        unknown = tab.expect("error")
    assert ack["client_id"] == "pick-1"
    assert (answer["decision"], answer["answer_id"]) == ("answer", picked["answer_id"])
    assert answer["ask_feedback"] is True
    assert (unknown["code"], unknown["client_id"]) == ("unknown_answer", "pick-2")
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    clicked = [m for m in stored if m.client_id == "pick-1"]
    assert [(m.role, m.kind, m.text) for m in clicked] == [("visitor", "choice", picked["label"])]
    assert "pick-2" not in {m.client_id for m in stored}
    inquiries = live_server.run(get_inquiries(live_server.db, tab.conversation_id or ""))
    assert [(i.decision, i.answer_id) for i in inquiries] == [
        ("clarify", None),
        ("answer", picked["answer_id"]),
    ]
    assert inquiries[1].confidence == 1.0


def test_asking_for_a_person_hands_off_and_the_bot_then_stays_silent(
    live_server: LiveServer,
) -> None:
    with _open(live_server) as tab:
        handoff = _ask(tab, "Kan jeg snakke med et menneske?")
        status = tab.expect("status")
        notice = _ask(tab, "Hallo? Ordren min er 12345")
        tab.message("Er det noen der?")
        tab.expect("ack")
        silence = tab.quiet(1.0)
    assert handoff["decision"] == "handoff"
    assert handoff["lang"] == "nb"
    assert status["status"] == "waiting_human"
    assert (status["case"]["state"], status["case"]["place"]) == ("queued", 1)
    assert notice["decision"] == "handoff"
    assert "svarer" in str(notice["text"])
    assert [f for f in silence if f["type"] == "message"] == []
    conversation = live_server.run(get_conversation(live_server.db, tab.conversation_id or ""))
    assert conversation is not None and conversation.status == "waiting_human"
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    assert [m.role for m in stored] == ["visitor", "bot", "system", "visitor", "bot", "visitor"]
    assert stored[1].flags["reason"] == "asked_for_human"
    assert stored[2].flags["case_number"] == status["case"]["number"], "the acknowledgement"
    inquiries = live_server.run(get_inquiries(live_server.db, tab.conversation_id or ""))
    assert [i.decision for i in inquiries] == ["handoff"]
    with live_server.http() as http:
        read = http.get(
            f"{API}/conversations/{tab.conversation_id}",
            headers={"X-Samsvar-Visitor": tab.visitor_id or ""},
        )
    assert read.json()["status"] == "waiting_human"


def test_two_unresolved_turns_hand_off(live_server: LiveServer) -> None:
    with _open(live_server) as tab:
        first = _ask(tab, "Hvem vant fotball-VM i 1998?")
        second = _ask(tab, "Hva er hovedstaden i Peru?")
        assert tab.expect("status")["status"] == "waiting_human"
    assert (first["decision"], first["offer_human"]) == ("abstain", True)
    assert second["decision"] == "handoff"
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    (handed,) = [m for m in stored if m.role == "bot" and m.decision == "handoff"]
    assert handed.flags["reason"] == "unresolved"
    assert stored[-1].role == "system", "the acknowledgement comes last"


def test_the_talk_to_a_person_button_after_an_offer(live_server: LiveServer) -> None:
    with _open(live_server) as tab:
        assert _ask(tab, "qwerty asdf zxcv")["offer_human"] is True
        tab.send({"type": "human", "client_id": "button"})
        ack = tab.expect("ack")
        handoff = tab.reply()
        status = tab.expect("status")
    assert ack["client_id"] == "button"
    assert handoff["decision"] == "handoff"
    assert status["status"] == "waiting_human"
    stored = live_server.run(get_messages(live_server.db, tab.conversation_id or ""))
    button = next(m for m in stored if m.client_id == "button")
    assert (button.kind, button.text) == ("human", "Jeg vil gjerne snakke med en person.")
    (handed,) = [m for m in stored if m.role == "bot" and m.decision == "handoff"]
    assert handed.flags["reason"] == "accepted_offer"


def test_feedback_on_an_answer(live_server: LiveServer) -> None:
    with _open(live_server) as tab:
        helped = _ask(tab, "Hvor er pakken min?")
        tab.send({"type": "feedback", "message_id": helped["id"], "helpful": True})
        thanks = tab.reply()
        tab.send({"type": "feedback", "message_id": helped["id"], "helpful": False})
        again = tab.quiet(0.8)
        tab.send({"type": "feedback", "message_id": "m_nope", "helpful": True})
        unknown = tab.expect("error")
        not_helped = _ask(tab, "Kortet mitt ble avvist")
        tab.send({"type": "feedback", "message_id": not_helped["id"], "helpful": False})
        sorry = tab.reply()
    assert (thanks["decision"], thanks["lang"]) == ("feedback", "nb")
    assert [f for f in again if f["type"] == "message"] == [], "the first click counts"
    assert unknown["code"] == "unknown_message"
    assert sorry["decision"] == "feedback"
    assert sorry["offer_human"] is True


def test_http_choices_human_and_feedback(live_server: LiveServer) -> None:
    with live_server.http() as http:
        http.headers["X-Samsvar-Visitor"] = http.post(f"{API}/visitors").json()["visitor_id"]
        conversation_id = http.post(f"{API}/conversations", json={"page": PAGE}).json()[
            "conversation_id"
        ]
        base = f"{API}/conversations/{conversation_id}"
        clarify = http.post(f"{base}/messages", json={"client_id": "1", "text": "levering"})
        offered = clarify.json()["replies"][0]["choices"][0]["answer_id"]
        chosen = http.post(f"{base}/choices", json={"client_id": "2", "answer_id": offered})
        answer = chosen.json()["replies"][0]
        feedback = http.post(f"{base}/feedback", json={"message_id": answer["id"], "helpful": True})
        unknown = http.post(f"{base}/choices", json={"client_id": "3", "answer_id": "nope"})
        wrong = http.post(f"{base}/feedback", json={"message_id": "m_x", "helpful": True})
        human = http.post(f"{base}/human", json={"client_id": "4"})
        status = http.get(base).json()["status"]
    assert chosen.status_code == 200
    assert chosen.json()["message"]["text"] == clarify.json()["replies"][0]["choices"][0]["label"]
    assert answer["answer_id"] == offered
    assert feedback.json()["replies"][0]["decision"] == "feedback"
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_answer")
    assert (wrong.status_code, wrong.json()["code"]) == (404, "unknown_message")
    assert human.json()["replies"][0]["decision"] == "handoff"
    assert status == "waiting_human"
