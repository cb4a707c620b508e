"""A real OpenAI-compatible chat-completions server on loopback, scriptable to misbehave.

It speaks `POST /v1/chat/completions`, streaming (server-sent events) and not, on uvicorn at
127.0.0.1 with a free port, and records every request it receives (body and headers), so a
test can assert on what left Samsvar. What it answers is decided per request:

- `server.script(*behaviours)` queues behaviours, used one per request in order;
- otherwise `server.default(request)` decides (by default: a well-behaved model that repeats
  the first curated answer it was given, in the language asked for, with its citation).

A behaviour is a `Text` (content, with a delay before the first byte and between chunks),
a `Status` (an HTTP error), a `Malformed` body, or a `Hang` (never answers in time).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

__all__ = ["FakeLLM", "Hang", "Malformed", "Received", "Status", "Text", "first_answer"]

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Text:
    """A completion: `content`, split into `chunks` when streamed (default: words)."""

    content: str
    delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between streamed chunks
    chunks: tuple[str, ...] | None = None

    def pieces(self) -> tuple[str, ...]:
        if self.chunks is not None:
            return self.chunks
        return tuple(re.findall(r"\S+\s*|\s+", self.content)) or ("",)


@dataclass(frozen=True)
class Status:
    code: int = 500
    message: str = "internal error"


@dataclass(frozen=True)
class Malformed:
    """HTTP 200 with a body that is not valid JSON (or, streamed, a broken event)."""


@dataclass(frozen=True)
class Hang:
    seconds: float = 30.0


Behaviour = Text | Status | Malformed | Hang


@dataclass(frozen=True)
class Received:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """Everything the request carried, as one string (for "never sent" assertions)."""
        return json.dumps(self.body, ensure_ascii=False)

    @property
    def system(self) -> str:
        return next((m["content"] for m in self.messages if m["role"] == "system"), "")

    @property
    def user(self) -> str:
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "user"), "")


_ANSWER = re.compile(r'<answer id="([a-z0-9-]+)"[^>]*>\n(.*?)\n</answer>', re.S)


def first_answer(request: Received) -> Behaviour:
    """A well-behaved model: the first curated answer in the prompt, cited; else echo the user."""
    found = _ANSWER.search(request.system)
    if not found:
        return Text("OK")
    cite = f" [{found.group(1)}]"
    sentences = re.findall(r"[^.!?]+[.!?]*", found.group(2).strip())
    return Text("".join(_cited(sentence, cite) for sentence in sentences).strip())


def _cited(sentence: str, cite: str) -> str:
    """The sentence with the citation before its final punctuation (after every sentence)."""
    body = sentence.rstrip()
    end = len(body.rstrip(".!?"))
    return body[:end] + cite + body[end:] + sentence[len(body) :]


@dataclass
class FakeLLM:
    latency: float = 0.0  # added before every response
    default: Callable[[Received], Behaviour] = first_answer
    requests: list[Received] = field(default_factory=list)
    _queue: deque[Behaviour] = field(default_factory=deque)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        self._queue.extend(behaviours)

    def reset(self) -> None:
        self._queue.clear()
        self.requests.clear()
        self.latency = 0.0
        self.default = first_answer

    def start(self) -> FakeLLM:
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
            ws="none",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def _next(self, request: Received) -> Behaviour:
        return self._queue.popleft() if self._queue else self.default(request)

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        if scope["path"] != "/v1/chat/completions" or scope["method"] != "POST":
            await _json(send, 404, {"error": {"message": "not found"}})
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = Received(json.loads(body), headers)
        self.requests.append(request)
        behaviour = self._next(request)
        if self.latency:
            await asyncio.sleep(self.latency)
        await _respond(send, behaviour, request)


async def _json(send: Send, status: int, data: Any) -> None:
    await _raw(send, status, json.dumps(data).encode(), "application/json")


async def _raw(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _completion(request: Received, content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.body.get("model", "test"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _chunk(request: Received, delta: dict[str, Any], finish: str | None) -> bytes:
    data = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.body.get("model", "test"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


async def _respond(send: Send, behaviour: Behaviour, request: Received) -> None:
    if isinstance(behaviour, Hang):
        await asyncio.sleep(behaviour.seconds)
        await _json(send, 504, {"error": {"message": "hung"}})
    elif isinstance(behaviour, Status):
        await _json(send, behaviour.code, {"error": {"message": behaviour.message}})
    elif isinstance(behaviour, Malformed):
        if request.body.get("stream"):
            await _sse(send, [b'data: {"choices": [{"delta": {"content": "Hei\n\n'], 0)
        else:
            await _raw(send, 200, b'{"id": "x", "choices": [{"message": ', "application/json")
    else:
        await asyncio.sleep(behaviour.delay)
        if request.body.get("stream"):
            events = [_chunk(request, {"role": "assistant", "content": ""}, None)]
            events += [_chunk(request, {"content": piece}, None) for piece in behaviour.pieces()]
            events += [_chunk(request, {}, "stop"), b"data: [DONE]\n\n"]
            await _sse(send, events, behaviour.chunk_delay)
        else:
            await _json(send, 200, _completion(request, behaviour.content))


async def _sse(send: Send, events: list[bytes], gap: float) -> None:
    headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for index, event in enumerate(events):
        if gap and 1 < index < len(events) - 1:
            await asyncio.sleep(gap)
        await send({"type": "http.response.body", "body": event, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _main() -> None:
    """Run the server on its own (for benchmarks): prints the base URL, serves until killed.

    The default model answers every request with the first curated answer it was given,
    cited, after `--latency` seconds; streamed in words `--chunk-delay` seconds apart.
    """
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=_main.__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    args = parser.parse_args()

    def respond(request: Received) -> Behaviour:
        found = first_answer(request)
        if isinstance(found, Text):
            return Text(found.content, chunk_delay=args.chunk_delay)
        return found

    server = FakeLLM(latency=args.latency, default=respond).start()
    print(server.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()


if __name__ == "__main__":
    _main()
