"""An OpenAI-compatible chat completions server on loopback, written for the tests.

It answers the three structured prompts ragas sends (in instructor's JSON mode) the way a
careful, literal model would, so the scores it leads to can be worked out by hand:

* statements (`StatementGeneratorOutput`): one statement per sentence of the answer;
* verdicts (`NLIStatementOutput`): 1 when the statement, without its final stop, occurs in the
  context (case-insensitive), else 0;
* a question for a response (`AnswerRelevanceOutput`): its first sentence with a question mark,
  committal.

Any other prompt (the bot's own, when it has the LLM too) gets HTTP 400, and the bot falls back
to its curated answer. Every request is recorded. `fail_with` makes it answer every request
with that HTTP status.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SENTENCE = re.compile(r"(?<=[.!?])\s+")
INPUT = re.compile(r"input:\s*(\{.*\})\s*Output:\s*$", re.S)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text.strip()) if s.strip()]


def _answer(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    if schema == "StatementGeneratorOutput":
        return {"statements": sentences(data["answer"])}
    if schema == "NLIStatementOutput":
        context = data["context"].casefold()
        return {
            "statements": [
                {
                    "statement": s,
                    "reason": "literal match" if s.rstrip(".").casefold() in context else "absent",
                    "verdict": int(s.rstrip(".").casefold() in context),
                }
                for s in data["statements"]
            ]
        }
    if schema == "AnswerRelevanceOutput":
        return {"question": sentences(data["response"])[0].rstrip(".") + "?", "noncommittal": 0}
    raise ValueError(f"unexpected schema {schema}")


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None
        self.url = ""

    def reply(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The completion for a ragas prompt; None for any other prompt."""
        system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
        schema = re.search(r'"title":\s*"(\w+Output)"', str(system))
        data = INPUT.search(str(user))
        if not (schema and data):
            return None
        content = json.dumps(_answer(schema.group(1), json.loads(data.group(1))))
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }


def _handler(llm: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            llm.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if llm.fail_with is not None:
                status, payload = llm.fail_with, {"error": {"message": "overloaded"}}
            elif self.path != "/v1/chat/completions":
                status, payload = 404, {"error": {"message": "no such route"}}
            else:
                answer = llm.reply(body)
                status = 200 if answer is not None else 400
                payload = answer or {"error": {"message": "this server only answers ragas"}}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_llm() -> Iterator[FakeLLM]:
    llm = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(llm))
    llm.url = f"http://127.0.0.1:{server.server_port}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield llm
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
