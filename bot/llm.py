"""The client of an OpenAI-compatible chat endpoint: time-outs, retries, a circuit breaker.

LangChain's `ChatOpenAI` talks to the endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM,
llama.cpp's server, …). Around it:

- **One deadline per call.** `LLMConfig.timeout` bounds a whole non-streamed call, retries
  included, and a streamed call until its first token and between tokens. The openai SDK's own
  retries are off (it would honour a `Retry-After` of up to a minute, too long for a chat turn).
- **Retries with backoff** for what may pass (time-outs, connection errors, HTTP 408, 409, 429
  and 5xx): exponential with full jitter, and only while the deadline leaves room.
- **A circuit breaker.** After `breaker_failures` failed or slow calls in a row it opens: calls
  are refused at once (`circuit_open`) for `breaker_reset` seconds, then one trial call is let
  through (half-open); its success closes the breaker, its failure opens it again.

Every failure is raised as `LLMUnavailable` with a stable code. langchain-openai is imported
only when a client is built, so nothing LLM-related loads unless an endpoint is configured.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import LLMUnavailable

__all__ = ["CircuitBreaker", "FallbackCounter", "LLMClient", "LLMConfig", "Message"]

logger = logging.getLogger("samsvar.llm")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
_TRANSIENT = frozenset({"timeout", "connection_error", "rate_limited", "server_error"})


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Where the endpoint is and how patient to be with it."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 15.0
    retries: int = 1
    backoff: float = 0.25  # seconds before the first retry; doubles each time
    breaker_failures: int = 5
    breaker_reset: float = 30.0
    slow_call: float = 10.0  # a successful call slower than this counts as a failure
    temperature: float = 0.2
    max_reply_tokens: int = 400
    context_tokens: int = 8192
    tokenizer: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # system | user | assistant
    content: str


class CircuitBreaker:
    """closed → (failures in a row) → open → (reset time) → half-open → closed or open."""

    def __init__(
        self, failures: int, reset_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = max(1, failures)
        self.reset_after = reset_after
        self.clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._in_a_row = 0
        self._opened_at = 0.0
        self._trial = False

    @property
    def state(self) -> str:
        with self._lock:
            self._advance()
            return self._state

    def _advance(self) -> None:
        if self._state == OPEN and self.clock() - self._opened_at >= self.reset_after:
            self._state, self._trial = HALF_OPEN, False

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial call at a time."""
        with self._lock:
            self._advance()
            if self._state == CLOSED:
                return True
            if self._state == HALF_OPEN and not self._trial:
                self._trial = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            if self._state != CLOSED:
                logger.info("LLM circuit breaker closed")
            self._state, self._in_a_row, self._trial = CLOSED, 0, False

    def record_failure(self) -> None:
        with self._lock:
            self._in_a_row += 1
            if self._state == HALF_OPEN or self._in_a_row >= self.failures:
                if self._state != OPEN:
                    logger.warning("LLM circuit breaker opened after %d failures", self._in_a_row)
                self._state, self._opened_at, self._trial = OPEN, self.clock(), False


class FallbackCounter:
    """How often each task fell back to the curated answer, by reason (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, task: str, reason: str) -> None:
        with self._lock:
            self._counts[(task, reason)] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        """{task: {reason: count}}, e.g. {"reply": {"timeout": 2, "invented_fact": 1}}."""
        with self._lock:
            result: dict[str, dict[str, int]] = {}
            for (task, reason), count in sorted(self._counts.items()):
                result.setdefault(task, {})[reason] = count
            return result

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


def _classify(exc: BaseException) -> str:
    import httpx2
    import openai

    if isinstance(exc, openai.APITimeoutError | TimeoutError | httpx2.TimeoutException):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return "connection_error"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limited"
    if isinstance(exc, openai.APIStatusError):
        return (
            "server_error"
            if exc.status_code >= 500 or exc.status_code in (408, 409)
            else ("http_error")
        )
    return "malformed_response"


def _code(kind: str) -> str:
    return "http_error" if kind == "server_error" else kind


def _errors() -> tuple[type[BaseException], ...]:
    """What a call may raise that means "no usable completion": the SDK's errors, the HTTP
    client's errors while a stream is read, decoding errors of a malformed body, and
    LangChain's checks of the response's shape."""
    import json

    import httpx2
    import openai

    return (
        openai.OpenAIError,
        httpx2.HTTPError,
        httpx2.StreamError,
        json.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
    )


class LLMClient:
    """Chat completions from one endpoint, streamed or not, behind the breaker."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.config = config
        self.breaker = breaker or CircuitBreaker(config.breaker_failures, config.breaker_reset)
        self._sleep, self._clock = sleep, clock
        self._chat = ChatOpenAI(
            model=config.model,
            base_url=config.base_url,
            api_key=config.api_key or "not-needed",  # type: ignore[arg-type]
            timeout=config.timeout,
            max_retries=0,
            temperature=config.temperature,
            max_tokens=config.max_reply_tokens,  # type: ignore[call-arg]
            stream_usage=False,
        )
        self._errors = _errors()

    def _messages(self, messages: Sequence[Message]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    def complete(self, messages: Sequence[Message]) -> str:
        """The whole completion of one non-streamed request."""
        prompt = self._messages(messages)
        return str(self._with_retries(lambda timeout: self._invoke(prompt, timeout)))

    def _invoke(self, prompt: list[Any], timeout: float) -> str:
        reply = self._chat.invoke(prompt, timeout=timeout)
        content = reply.content
        if not isinstance(content, str):
            raise TypeError("the completion's content is not text")
        return content

    def stream(self, messages: Sequence[Message]) -> Generator[str, None, None]:
        """The completion's text pieces as they arrive (retried only before the first one)."""
        prompt = self._messages(messages)

        def first(timeout: float) -> tuple[Iterator[Any], str]:
            chunks = iter(self._chat.stream(prompt, timeout=timeout))
            for chunk in chunks:
                if chunk.text:
                    return chunks, str(chunk.text)
            return iter(()), ""

        started = self._clock()
        chunks, head = self._with_retries(first, record=False)
        try:
            yield head
            for chunk in chunks:
                if chunk.text:
                    yield str(chunk.text)
        except self._errors as exc:
            self.breaker.record_failure()
            raise LLMUnavailable(f"the stream broke off: {exc}", _code(_classify(exc))) from exc
        except GeneratorExit:  # the reader stopped early (a failed check): the endpoint was fine
            self.breaker.record_success()
            raise
        self._record_success(self._clock() - started)

    def _record_success(self, seconds: float) -> None:
        if seconds > self.config.slow_call:
            logger.warning("slow LLM call: %.1f s", seconds)
            self.breaker.record_failure()
        else:
            self.breaker.record_success()

    def _with_retries(self, call: Callable[[float], Any], *, record: bool = True) -> Any:
        deadline = self._clock() + self.config.timeout
        for attempt in range(self.config.retries + 1):
            if not self.breaker.allow():
                raise LLMUnavailable("the circuit breaker is open", "circuit_open")
            started = self._clock()
            remaining = deadline - started
            if remaining <= 0:
                raise LLMUnavailable("no time left for another attempt", "timeout")
            try:
                result = call(remaining)
            except self._errors as exc:
                self.breaker.record_failure()
                kind = _classify(exc)
                pause = self.config.backoff * (2**attempt) * random.random()
                last = attempt == self.config.retries or kind not in _TRANSIENT
                if last or deadline - self._clock() <= pause:
                    raise LLMUnavailable(f"the LLM endpoint failed: {exc}", _code(kind)) from exc
                logger.info("LLM call failed (%s); retrying in %.2f s", kind, pause)
                self._sleep(pause)
                continue
            if record:
                self._record_success(self._clock() - started)
            return result
        raise AssertionError("unreachable")  # pragma: no cover
