"""LLM replies streamed over the WebSocket: `delta` and `retract` frames before the stored
message, to every tab, across a reconnect; and what is stored with the inquiry.

A real server (uvicorn on loopback) whose engine is built from `CHAT_LLM_*` settings, pointing
at the real OpenAI-compatible test server in `tests/llm_server.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conversations.storage import Inquiry, get_inquiries, get_messages
from knowledge import AnswerBase, get_demo_dir, load_answer_base
from tests.llm_server import FakeLLM, Hang, Text
from tests.server import LiveServer, Visitor, llm_settings, start_server

if TYPE_CHECKING:
    from app.engine import Engine

pytestmark = pytest.mark.slow

PAGE = {"url": "http://127.0.0.1/checkout", "lang": "nb"}
QUESTION = "Hvorfor ble betalingen min avvist?"
TIMEOUT = 2.0  # CHAT_LLM_TIMEOUT of `llm_settings`
SENTENCES = [
    "Sjekk at kortnummer, utløpsdato og CVC er riktig [payment-declined].",
    " Kortet må være åpnet for netthandel [payment-declined].",
    " Du kan også prøve Vipps eller Klarna [payment-declined].",
]
SHOWN = "".join(SENTENCES).replace(" [payment-declined]", "")


@pytest.fixture(scope="module")
def llm_engine(demo_data_dir: Path, llm_server_session: FakeLLM) -> Engine:
    """The demo engine as `samsvar serve` opens it with an LLM configured."""
    from app.engine import open_engine

    engine = open_engine(llm_settings(demo_data_dir, llm_server_session.url), get_demo_dir())
    assert engine.bot.assistant is not None and engine.sync.embedded == 0
    return engine


@pytest.fixture
def llm_live(
    llm_engine: Engine, llm_server: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with the LLM, one bot thread without it and eight with it."""
    settings = llm_settings(
        tmp_path_factory.mktemp("llm-server"), llm_server.url, turn_workers=1, llm_turn_workers=8
    )
    with start_server(settings, engine=llm_engine) as live:
        yield live


def until_reply(tab: Visitor) -> list[dict[str, Any]]:
    """Every frame up to and including the bot's reply (the `delta`s among them)."""
    frames = []
    while True:
        frame = tab.recv()
        frames.append(frame)
        if frame["type"] == "message" and frame["message"]["role"] == "bot":
            return frames


def only_inquiry(live: LiveServer, conversation_id: str | None) -> Inquiry:
    (inquiry,) = live.run(get_inquiries(live.db, conversation_id or ""))
    return inquiry


def test_a_reply_streams_to_every_tab_in_checked_parts_before_the_stored_message(
    llm_live: LiveServer, llm_server: FakeLLM
) -> None:
    llm_server.script(Text("".join(SENTENCES), chunk_delay=0.02))
    with (
        llm_live.conversation(PAGE) as first,
        llm_live.visitor(
            visitor_id=first.visitor_id, conversation_id=first.conversation_id
        ) as second,
    ):
        first.hello(PAGE)
        second.hello(PAGE)
        first.message(QUESTION)
        ack = first.expect("ack")
        seen = {tab: until_reply(tab) for tab in (first, second)}
        for tab in (first, second):  # nothing streams after the stored message
            assert tab.recv() == {"type": "typing", "on": False}
    for frames in seen.values():
        streamed = [f for f in frames if f["type"] in ("typing", "delta")]
        assert streamed[0] == {"type": "typing", "on": True}
        deltas = streamed[1:]
        assert len(deltas) >= 3, "one part per cited sentence"
        assert {d["type"] for d in deltas} == {"delta"}
        assert {d["reply_to"] for d in deltas} == {ack["message_id"]}
        texts = [d["text"] for d in deltas]
        assert [d["offset"] for d in deltas] == [len("".join(texts[:n])) for n in range(len(texts))]
        assert texts[0] == "Sjekk at kortnummer, utløpsdato og CVC er riktig"
        final = frames[-1]["message"]
        assert "".join(texts) == final["text"] == SHOWN
        assert (final["reply_to"], final["answer_id"]) == (ack["message_id"], "payment-declined")
    [request] = llm_server.requests
    assert request.body["stream"] is True
    stored = llm_live.run(get_messages(llm_live.db, first.conversation_id or ""))
    assert [m.role for m in stored] == ["visitor", "bot"], "parts are not stored"
    assert stored[1].flags["by_llm"] is True
    assert stored[1].flags["citations"] == ["payment-declined"]
    inquiry = only_inquiry(llm_live, first.conversation_id)
    assert (inquiry.by_llm, inquiry.citations, inquiry.retracted) == (
        True,
        ["payment-declined"],
        False,
    )
    assert (inquiry.llm_fallback, inquiry.machine_translated) == (None, False)


def curated(answer_id: str) -> str:
    base: AnswerBase = load_answer_base(get_demo_dir())
    answer = base.get(answer_id)
    assert answer is not None
    return answer.answer["nb"]


def test_a_reply_that_fails_a_later_check_is_retracted_and_replaced_by_the_curated_answer(
    llm_live: LiveServer, llm_server: FakeLLM
) -> None:
    invented = " Et nytt kort koster 99 kr [payment-declined]."
    llm_server.script(Text(SENTENCES[0] + invented, chunk_delay=0.02))
    with llm_live.visitor() as tab:
        tab.hello(PAGE)
        tab.message(QUESTION)
        ack = tab.expect("ack")
        frames = until_reply(tab)
    streamed = [f for f in frames if f["type"] in ("delta", "retract")]
    assert streamed == [
        {
            "type": "delta",
            "reply_to": ack["message_id"],
            "offset": 0,
            "text": "Sjekk at kortnummer, utløpsdato og CVC er riktig",
        },
        {"type": "retract", "reply_to": ack["message_id"], "reason": "invented_fact"},
    ]
    final = frames[-1]["message"]
    assert final["text"] == curated("payment-declined"), "the curated answer word for word"
    assert "99" not in final["text"]
    inquiry = only_inquiry(llm_live, tab.conversation_id)
    assert (inquiry.by_llm, inquiry.llm_fallback, inquiry.retracted) == (
        False,
        "invented_fact",
        True,
    )


def test_a_reconnect_mid_stream_gets_the_text_so_far_then_the_rest_and_the_final_message(
    llm_live: LiveServer, llm_server: FakeLLM
) -> None:
    llm_server.script(Text("".join(SENTENCES), chunk_delay=0.2))
    with llm_live.visitor() as tab:
        tab.hello(PAGE)
        tab.message(QUESTION)
        tab.expect("ack")
        first = tab.expect("delta")
        tab.close()  # lost mid-stream; the widget reconnects with its last_seq
    with llm_live.visitor(visitor_id=tab.visitor_id, conversation_id=tab.conversation_id) as again:
        again.last_seq = tab.last_seq
        welcome = again.hello(PAGE)
        frames = until_reply(again)
    assert welcome["messages"] == [], "the reply is not stored yet"
    deltas = [f for f in frames if f["type"] == "delta"]
    assert deltas[0]["offset"] == 0 and deltas[0]["text"].startswith(first["text"])
    assert len(deltas) >= 2, "the rest streamed live after the text so far"
    final = frames[-1]["message"]
    assert "".join(d["text"] for d in deltas) == final["text"] == SHOWN
    with llm_live.visitor(visitor_id=tab.visitor_id, conversation_id=tab.conversation_id) as late:
        late.last_seq = tab.last_seq
        after = late.hello(PAGE)
        assert late.quiet(0.5) == []
    assert [m["text"] for m in after["messages"]] == [SHOWN], "stored once; parts never"


def test_a_slow_endpoint_falls_back_while_other_turns_go_on(
    llm_live: LiveServer, llm_server: FakeLLM
) -> None:
    """Three turns wait for a hanging endpoint (CHAT_LLM_TIMEOUT) and get the curated answer;
    a fourth visitor's turn, which needs no LLM, is answered meanwhile: with an LLM the bot
    has more threads (CHAT_LLM_TURN_WORKERS) than the one CHAT_TURN_WORKERS gives it."""
    llm_server.default = lambda request: Hang(TIMEOUT * 3)
    tabs = [llm_live.visitor() for _ in range(4)]
    arrived: dict[int, tuple[float, list[dict[str, Any]]]] = {}

    def wait(number: int) -> None:
        frames = until_reply(tabs[number])
        arrived[number] = (time.monotonic(), frames)

    for tab in tabs:
        tab.hello(PAGE)
    started = time.monotonic()
    for tab in tabs[:3]:
        tab.message(QUESTION)
    tabs[3].message("Hva er hovedstaden i Peru?")  # not in the answer base: no LLM call
    threads = [threading.Thread(target=wait, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for tab in tabs:
        tab.close()
    assert sorted(arrived) == [0, 1, 2, 3]
    abstained_at, frames = arrived[3]
    assert frames[-1]["message"]["decision"] == "abstain"
    for number in range(3):
        at, frames = arrived[number]
        assert abstained_at < at, "the turn without an LLM did not wait for the slow ones"
        assert TIMEOUT * 0.9 <= at - started < TIMEOUT * 3
        assert not [f for f in frames if f["type"] in ("delta", "retract")]
        assert frames[-1]["message"]["text"] == curated("payment-declined")
        inquiry = only_inquiry(llm_live, tabs[number].conversation_id)
        assert (inquiry.by_llm, inquiry.llm_fallback) == (False, "timeout")
    assert len(llm_server.requests) == 3
