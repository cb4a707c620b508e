"""The LLM client against a real OpenAI-compatible server on loopback: streaming and not,
retries, the deadline, malformed responses and the circuit breaker."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot import CircuitBreaker, LLMClient, LLMConfig, LLMUnavailable, Message
from tests.llm_server import FakeLLM, Hang, Malformed, Status, Text

pytestmark = pytest.mark.timeout(60)

PROMPT = [Message("system", "You are helpful."), Message("user", "Hei")]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(server: FakeLLM, **overrides: Any) -> LLMClient:
    options: dict[str, Any] = {"timeout": 2.0, "retries": 1, "backoff": 0.01}
    options.update(overrides)
    return LLMClient(LLMConfig(base_url=server.url, model="test-model", **options))


def code_of(call: Any) -> str:
    with pytest.raises(LLMUnavailable) as caught:
        call()
    return caught.value.code


def test_a_completion_and_what_the_server_received(llm_server: FakeLLM) -> None:
    llm_server.script(Text("Hei på deg [x]"))
    llm = client(llm_server, api_key="sk-test", temperature=0.1, max_reply_tokens=123)
    assert llm.complete(PROMPT) == "Hei på deg [x]"
    [received] = llm_server.requests
    assert received.headers["authorization"] == "Bearer sk-test"
    assert received.body["model"] == "test-model"
    assert received.body["messages"] == [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hei"},
    ]
    assert received.body["temperature"] == 0.1
    assert received.body["max_completion_tokens"] == 123
    assert not received.body["stream"]


def test_a_streamed_completion_arrives_in_pieces(llm_server: FakeLLM) -> None:
    llm_server.script(Text("Hei på deg", chunks=("Hei", " på", " deg")))
    assert list(client(llm_server).stream(PROMPT)) == ["Hei", " på", " deg"]
    assert llm_server.requests[0].body["stream"] is True


def test_a_server_error_is_retried_and_then_succeeds(llm_server: FakeLLM) -> None:
    llm_server.script(Status(500), Text("OK"))
    assert client(llm_server).complete(PROMPT) == "OK"
    assert len(llm_server.requests) == 2


@pytest.mark.parametrize(
    ("behaviour", "code", "requests"),
    [
        (Status(500), "http_error", 2),
        (Status(503), "http_error", 2),
        (Status(429), "rate_limited", 2),
        (Status(400), "http_error", 1),  # not retried: it would fail again
        (Status(401), "http_error", 1),
        (Malformed(), "malformed_response", 1),
    ],
)
@pytest.mark.parametrize("streamed", [False, True])
def test_failures_end_in_llm_unavailable_with_a_code(
    llm_server: FakeLLM, behaviour: Any, code: str, requests: int, streamed: bool
) -> None:
    llm_server.script(behaviour, behaviour)
    llm = client(llm_server)
    call = (lambda: list(llm.stream(PROMPT))) if streamed else (lambda: llm.complete(PROMPT))
    assert code_of(call) == code
    assert len(llm_server.requests) == requests


@pytest.mark.parametrize("streamed", [False, True])
def test_a_hanging_server_times_out_within_the_deadline(
    llm_server: FakeLLM, streamed: bool
) -> None:
    llm_server.script(Hang(10), Hang(10))
    llm = client(llm_server, timeout=0.5)
    started = time.perf_counter()
    call = (lambda: list(llm.stream(PROMPT))) if streamed else (lambda: llm.complete(PROMPT))
    assert code_of(call) == "timeout"
    assert time.perf_counter() - started < 1.5  # the retry shares the one deadline


def test_a_stream_that_breaks_off_is_unavailable(llm_server: FakeLLM) -> None:
    llm_server.script(Text("a b c", chunk_delay=0.6))
    llm = client(llm_server, timeout=0.3)
    pieces: list[str] = []
    with pytest.raises(LLMUnavailable) as caught:
        pieces.extend(llm.stream(PROMPT))
    assert caught.value.code == "timeout"
    assert pieces == ["a "]


def test_the_breaker_opens_after_failures_and_then_calls_never_leave(llm_server: FakeLLM) -> None:
    clock = Clock()
    llm = LLMClient(
        LLMConfig(base_url=llm_server.url, model="m", retries=0, breaker_failures=3),
        breaker=CircuitBreaker(3, reset_after=30, clock=clock),
    )
    llm_server.default = lambda request: Status(500)
    for _ in range(3):
        assert code_of(lambda: llm.complete(PROMPT)) == "http_error"
    assert llm.breaker.state == "open"
    started = time.perf_counter()
    assert code_of(lambda: llm.complete(PROMPT)) == "circuit_open"
    assert code_of(lambda: list(llm.stream(PROMPT))) == "circuit_open"
    assert time.perf_counter() - started < 0.1
    assert len(llm_server.requests) == 3


def test_half_open_lets_one_trial_through_and_its_result_decides(llm_server: FakeLLM) -> None:
    clock = Clock()
    breaker = CircuitBreaker(2, reset_after=30, clock=clock)
    llm = LLMClient(LLMConfig(base_url=llm_server.url, model="m", retries=0), breaker=breaker)
    llm_server.script(Status(500), Status(500), Status(500), Text("back"))
    for _ in range(2):
        code_of(lambda: llm.complete(PROMPT))
    clock.now += 31
    assert breaker.state == "half_open"
    assert code_of(lambda: llm.complete(PROMPT)) == "http_error"  # the trial fails
    assert breaker.state == "open"
    assert code_of(lambda: llm.complete(PROMPT)) == "circuit_open"
    clock.now += 31
    assert llm.complete(PROMPT) == "back"
    assert breaker.state == "closed"
    assert len(llm_server.requests) == 4


def test_half_open_allows_only_one_call_at_a_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, reset_after=5, clock=clock)
    breaker.record_failure()
    assert not breaker.allow()
    clock.now += 5
    assert breaker.allow()
    assert not breaker.allow()  # the trial is still out
    breaker.record_success()
    assert breaker.allow() and breaker.allow()


def test_slow_successes_count_as_failures(llm_server: FakeLLM) -> None:
    llm_server.default = lambda request: Text("slow", delay=0.3)
    llm = client(llm_server, slow_call=0.1, breaker_failures=2, retries=0)
    assert llm.complete(PROMPT) == "slow"  # the answer is still used
    assert llm.complete(PROMPT) == "slow"
    assert llm.breaker.state == "open"


def test_a_stream_the_reader_stops_early_does_not_count_as_a_failure(llm_server: FakeLLM) -> None:
    llm_server.default = lambda request: Text("one two three four")
    llm = client(llm_server, breaker_failures=1)
    for _ in range(3):
        pieces = llm.stream(PROMPT)
        assert next(pieces) == "one "
        pieces.close()
    assert llm.breaker.state == "closed"
