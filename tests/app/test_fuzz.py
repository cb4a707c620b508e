"""Property-based fuzzing of the whole API on a real server (decision 0113).

- The OpenAPI document, with schemathesis: every operation gets generated requests, valid for
  the document (positive) and not (negative), as a stranger, as a visitor with a real
  conversation, and as a signed-in agent with a real case. No response may be a 5xx, and every
  status must be one the document lists for that operation.
- Both WebSockets, with hypothesis (which schemathesis brings): frames of every known type with
  generated fields, arbitrary JSON and arbitrary text. The server must answer each bad frame
  with an error frame (never `server_error`), keep the connection open (a ping still gets its
  pong), and log no traceback.

The number of examples is bounded (FUZZ_EXAMPLES, default 12 per operation and mode) so that CI
stays within minutes; set it higher to fuzz for longer.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from websockets.sync.client import ClientConnection, connect

from tests.agents import AGENT_API, AGENT_WS, PASSWORD, Desk, add_agent
from tests.app.conftest import Serve
from tests.server import API, OPEN_HOURS, LiveServer, running_clock

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example database written into the repository
    derandomize=True,  # the same examples on every run: a failure in CI reproduces here
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# Changing the demo answer base's files is not for a fuzzer: the drafting routes write there.
WRITES_FILES = {
    ("POST", "/api/v1/agent/insights/gaps/assign"),
    ("POST", "/api/v1/agent/insights/gaps/draft"),
}
ENDS_SIGN_IN = {("POST", "/api/v1/agent/sign-out"), ("POST", "/api/v1/agent/sign-in")}


@pytest.fixture
def fuzzed(serve: Serve, caplog: pytest.LogCaptureFixture) -> Iterator[LiveServer]:
    """A server with an agent in the default team and a case in its queue; no traceback may
    be logged while the test runs."""
    live = serve(clock=running_clock(OPEN_HOURS), rate_limit_messages=100_000)
    add_agent(live, "kari", ["support"])
    with caplog.at_level(logging.ERROR):
        yield live
    logged = caplog.get_records("setup") + caplog.get_records("call")
    tracebacks = [r for r in logged if r.exc_info is not None or r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


def _case_and_conversation(live: LiveServer, kari: Desk) -> tuple[str, str, str]:
    """(visitor id, conversation id, case id): a visitor who asked for a person."""
    with live.visitor() as tab:
        tab.hello({"url": "https://shop.example/", "lang": "nb"})
        tab.send({"type": "human", "client_id": "h1"})
        tab.expect("status")
        visitor_id, conversation_id = str(tab.visitor_id), str(tab.conversation_id)
    queue = kari.http.get("/queue", params={"status": "open"}).json()
    return visitor_id, conversation_id, queue["cases"][0]["id"]


def _operations(live: LiveServer) -> list[Any]:
    with httpx.Client(base_url=live.url) as http:
        document = http.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(
    operation: Any,
    base_url: str,
    session: requests.Session,
    **fixed: Any,
) -> None:
    """Generated requests (valid and invalid) for one operation: no 5xx, no status the
    document does not list."""
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategy = operation.as_strategy(mode, **fixed)

        @FUZZ
        @given(case=strategy)
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=base_url,
                session=session,
                checks=[not_a_server_error, status_code_conformance],
                timeout=30,
            )

        try:
            run()
        except Unsatisfiable:  # an operation with nothing to get wrong (no parameters, no body)
            assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label


def test_the_openapi_document_holds_under_fuzzing(fuzzed: LiveServer) -> None:
    live = fuzzed
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        kari.online()
        visitor_id, conversation_id, case_id = _case_and_conversation(live, kari)
        stranger = requests.Session()
        visitor = requests.Session()
        visitor.headers["X-Samsvar-Visitor"] = visitor_id
        agent = requests.Session()
        agent.post(f"{live.url}{AGENT_API}/sign-in", json={"name": "kari", "password": PASSWORD})
        for operation in _operations(live):
            key = (operation.method.upper(), operation.path)
            if key in WRITES_FILES:
                continue
            _fuzz(operation, live.url, stranger)  # anything, signed in as nobody
            if operation.path.startswith(API):
                _fuzz(
                    operation,
                    live.url,
                    visitor,
                    headers={"X-Samsvar-Visitor": visitor_id},
                    path_parameters={"conversation_id": conversation_id},
                )
            elif key not in ENDS_SIGN_IN:
                _fuzz(operation, live.url, agent, path_parameters={"case_id": case_id})
    finally:
        kari.close()


# --- the WebSockets ---------------------------------------------------------------------------

_TEXT = st.text(max_size=80) | st.sampled_from(["", " ", "\u0000", "x" * 2001, "\ud83d"])
_SCALAR = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)
_VISITOR_TYPES = [
    "hello",
    "message",
    "choice",
    "human",
    "feedback",
    "page",
    "ping",
    "skip",
    "email",
    "rate",
    "typing",
    "nope",
]
_FIELDS = [
    "visitor_id",
    "conversation_id",
    "last_seq",
    "page",
    "lang",
    "client_id",
    "text",
    "answer_id",
    "message_id",
    "helpful",
    "email",
    "score",
    "comment",
    "on",
    "case_id",
]


def _frames(types: list[str]) -> st.SearchStrategy[str]:
    """A frame as text: a known type with generated fields, any JSON, or any text."""
    known = st.builds(
        lambda kind, fields: json.dumps({"type": kind, **fields}),
        st.sampled_from(types),
        st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=5),
    )
    return known | _JSON.map(json.dumps) | st.text(max_size=200)


def _alive(ws: ClientConnection, read: Callable[[], dict[str, Any]]) -> None:
    """The connection still works: a ping gets its pong."""
    ws.send(json.dumps({"type": "ping"}))
    while (frame := read())["type"] != "pong":
        assert frame.get("code") != "server_error", frame


def _reader(ws: ClientConnection) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(ws.recv(timeout=30))
        return frame

    return read


def test_both_websockets_hold_under_fuzzing(fuzzed: LiveServer) -> None:
    live = fuzzed
    kari = Desk(live, "kari")
    try:
        assert kari.sign_in().status_code == 200
        cookie = {"Cookie": f"samsvar_agent={kari.cookie}"}
        agent_url = live.url.replace("http://", "ws://") + AGENT_WS
        with (
            connect(live.ws_url, open_timeout=30) as visitor,
            connect(agent_url, additional_headers=cookie, open_timeout=30) as agent,
        ):
            read_visitor, read_agent = _reader(visitor), _reader(agent)
            assert read_agent()["type"] == "welcome"

            @settings(FUZZ, max_examples=EXAMPLES * 10)
            @given(frame=_frames(_VISITOR_TYPES))
            @example(frame='{"type": "hello", "last_seq": 9223372036854775808}')
            @example(frame='{"type": "hello"}')
            @example(frame='{"type": "message", "client_id": "\\ud83d", "text": "Hei \\ud83d"}')
            @example(frame='{"type": "message", "client_id": "e1", "text": " "}')
            def fuzz_visitor(frame: str) -> None:
                visitor.send(frame)
                _alive(visitor, read_visitor)

            @settings(FUZZ, max_examples=EXAMPLES * 5)
            @given(frame=_frames(["ping", "typing", "hello", "nope"]))
            @example(frame='{"type": "typing", "case_id": "\\ud800", "on": true}')
            @example(frame='{"type": "typing", "case_id": {"x": 1}}')
            def fuzz_agent(frame: str) -> None:
                agent.send(frame)
                _alive(agent, read_agent)

            fuzz_visitor()
            fuzz_agent()
            # Nested 30,000 deep: refused for its depth, whatever the interpreter's recursion
            # limit is at the moment (hypothesis raises it while it runs).
            deep = "[" * 30_000 + "]" * 30_000
            for ws, read in ((visitor, read_visitor), (agent, read_agent)):
                ws.send(deep)
                while "nests deeper" not in (frame := read()).get("error", ""):
                    assert frame.get("code") != "server_error", frame  # a late one, if any
                assert frame == {
                    "type": "error",
                    "ok": False,
                    "error": "the frame nests deeper than 32 levels",
                    "code": "bad_request",
                }
                _alive(ws, read)
    finally:
        kari.close()
