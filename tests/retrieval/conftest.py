"""Fixtures for the retrieval tests: the real e5 model, a tiny Nordic shop and a Chroma server."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings

from retrieval import E5Embeddings
from tests.builders import make_answer_dict
from tests.retrieval.encoders import CachedE5

CHROMA = pathlib.Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="session")
def e5() -> E5Embeddings:
    """The real embedding model, loaded once per session."""
    return E5Embeddings()


@pytest.fixture(scope="session")
def encoder(e5: E5Embeddings) -> CachedE5:
    """The real model behind a session cache: every fresh index re-reads the shipped probes."""
    return CachedE5(e5)


def shop_answer_dicts() -> list[dict[str, Any]]:
    """Five answers of a web shop, each asked in bokmål, Swedish and English."""
    return [
        make_answer_dict(
            id="returns",
            title="Retur av varer",
            questions=[
                "Hvordan returnerer jeg en vare?",
                "Hvor finner jeg returetiketten?",
                "Hur returnerar jag en vara?",
                "How do I return an item?",
            ],
            answer={
                "nb": "Skriv ut returetiketten fra Mine ordre og lever pakken på posten.",
                "sv": "Skriv ut returetiketten från Mina ordrar och lämna paketet hos ombudet.",
                "en": "Print the return label in My orders and post the parcel.",
            },
        ),
        make_answer_dict(
            id="order-tracking",
            title="Sporing av pakke",
            questions=[
                "Hvor er pakken min?",
                "Hvordan sporer jeg bestillingen min?",
                "Var är mitt paket?",
                "Where is my order?",
            ],
            answer={
                "nb": "Du finner sporingslenken i ordrebekreftelsen på e-post.",
                "en": "The tracking link is in your order confirmation email.",
            },
        ),
        make_answer_dict(
            id="payment-declined",
            title="Betaling avvist",
            questions=[
                "Hvorfor ble betalingen min avvist?",
                "Kortet mitt blir avvist i kassen",
                "Varför nekades min betalning?",
                "Why was my payment declined?",
            ],
        ),
        make_answer_dict(
            id="opening-hours",
            title="Åpningstider",
            questions=[
                "Når har kundeservice åpent?",
                "Hvilke åpningstider har butikken?",
                "När har ni öppet?",
                "What are your opening hours?",
            ],
            answer={
                "nb": "Kundeservice har åpent hverdager 08–16.",
                "en": "Customer service is open on weekdays 8–16.",
            },
        ),
        make_answer_dict(
            id="delivery-time",
            title="Leveringstid",
            questions=[
                "Hvor lang er leveringstiden?",
                "Hur lång är leveranstiden?",
                "How long does delivery take?",
            ],
            answer={
                "nb": "Vi leverer på 2–4 virkedager.",
                "sv": "Vi levererar inom 2–4 arbetsdagar.",
                "en": "We deliver within 2–4 working days.",
            },
        ),
    ]


@pytest.fixture
def shop_answers() -> list[dict[str, Any]]:
    """A fresh copy of the shop's answers, to change per test."""
    return shop_answer_dicts()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_chroma(server: subprocess.Popen[bytes], port: int, timeout: float = 30.0) -> None:
    settings = Settings(anonymized_telemetry=False)
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"chroma run exited with {server.returncode}")
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port, settings=settings).heartbeat()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on loopback for the session, stopped with SIGTERM."""
    path = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    env = os.environ | {"ANONYMIZED_TELEMETRY": "False"}
    with (path.parent / "chroma-server.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _wait_for_chroma(server, port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
