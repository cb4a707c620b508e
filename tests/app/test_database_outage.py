"""PostgreSQL stopped or restarting under a running server: 503 storage_unavailable with
Retry-After (never a 500), an error frame on the WebSocket, and nothing half-written: once it
is back, the same request succeeds and is stored once."""

from __future__ import annotations

import asyncio

import pytest

from conversations.storage import get_messages
from tests.app.conftest import Serve
from tests.postgres import create_database, postgres_missing, restartable_postgres
from tests.server import API

pytestmark = pytest.mark.slow


def test_postgresql_down_then_back(serve: Serve) -> None:
    missing = postgres_missing()
    if missing is not None:
        pytest.skip(missing)
    with restartable_postgres() as postgres:
        url = asyncio.run(create_database(postgres.url, "samsvar_outage"))
        live = serve(database_url=url)
        with live.http() as http:
            visitor = http.post(f"{API}/visitors").json()["visitor_id"]
            headers = {"X-Samsvar-Visitor": visitor}
            started = http.post(f"{API}/conversations", json={}, headers=headers).json()
            path = f"{API}/conversations/{started['conversation_id']}/messages"
            body = {"client_id": "m1", "text": "Hvor er pakken min?"}
            postgres.stop()
            try:
                refused = http.post(path, json=body, headers=headers)
                with live.visitor(visitor_id=visitor) as tab:
                    tab.connect()
                    tab.send({"type": "hello", "visitor_id": visitor, "last_seq": 0})
                    frame = tab.expect("error")
            finally:
                postgres.start()
            answered = http.post(path, json=body, headers=headers)
            again = http.post(path, json=body, headers=headers)
        stored = live.run(get_messages(live.db, started["conversation_id"]))
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == "5"
    assert refused.json() == {
        "ok": False,
        "error": "the database is not available; try again",
        "code": "storage_unavailable",
    }
    assert frame["code"] == "storage_unavailable"
    assert answered.status_code == 200, answered.text
    assert again.json()["duplicate"] is True
    assert again.json()["replies"] == answered.json()["replies"]
    assert [(m.role, m.client_id) for m in stored] == [("visitor", "m1"), ("bot", None)]
