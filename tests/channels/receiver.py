"""A webhook receiver on 127.0.0.1 (the standard library's HTTP server in a thread): it checks
each request's signature with the webhook's secret, keeps what came, and answers with the
next of its scripted statuses (the last one again when the script runs out), or sleeps
`delay` seconds first (a target that times out)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    delivery: str
    event: str
    timestamp: str
    signed: bool
    body: dict[str, Any]


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            timestamp = self.headers.get("X-Samsvar-Timestamp", "")
            expected = hmac.new(
                receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            signature = self.headers.get("X-Samsvar-Signature", "")
            receiver.received.append(
                Received(
                    self.headers.get("X-Samsvar-Delivery", ""),
                    self.headers.get("X-Samsvar-Event", ""),
                    timestamp,
                    hmac.compare_digest(signature, "sha256=" + expected),
                    json.loads(body),
                )
            )
            receiver.arrived.set()
            if receiver.delay:
                threading.Event().wait(receiver.delay)
            status = receiver.answer()
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the sender gave up waiting
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_receiver(**options: Any) -> Iterator[Receiver]:
    receiver = Receiver(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
