"""`samsvar serve` and `samsvar db upgrade` as commands: start, serve, migrate, stop, refuse."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from app.migrate import get_head_revision
from tests.conftest import SAMSVAR, RunSamsvar, samsvar_env
from tests.server import API, WS_PATH, samsvar_serve

pytestmark = pytest.mark.slow


def test_serve_prints_its_url_migrates_and_serves_until_sigterm(
    demo_data_dir: Path, tmp_path: Path
) -> None:
    database = tmp_path / "state" / "chat.db"
    env = samsvar_env(demo_data_dir, {"CHAT_DATABASE_URL": f"sqlite:///{database}"})
    with samsvar_serve(str(SAMSVAR), env, tmp_path) as served:
        assert served.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=served.url, timeout=30) as http:
            visitor = http.post(f"{API}/visitors").json()["visitor_id"]
            assert http.get("/api/v1/openapi.json").json()["info"]["title"]
        ws_url = served.url.replace("http://", "ws://") + WS_PATH
        with connect(ws_url, open_timeout=30) as ws:
            ws.send(json.dumps({"type": "hello", "visitor_id": visitor, "page": {"url": "/"}}))
            assert json.loads(ws.recv(timeout=30))["type"] == "welcome"
            ws.send(json.dumps({"type": "message", "client_id": "1", "text": "Hvor er pakken?"}))
            frames = [json.loads(ws.recv(timeout=30)) for _ in range(4)]
        assert [f["type"] for f in frames] == ["conversation", "ack", "typing", "message"]
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(30) == 0
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type='table'")}
        messages = db.execute("select role from messages order by seq").fetchall()
    assert {"visitors", "conversations", "messages", "inquiries", "page_views"} <= tables
    assert messages == [("visitor",), ("bot",)]


def test_db_upgrade_creates_then_finds_the_database_current(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    data_dir = tmp_path / "data"
    first = run_samsvar("db", "upgrade", data_dir=data_dir)
    second = run_samsvar("db", "upgrade", data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    head = get_head_revision()  # the newest migration in app/migrations/versions
    assert f"migrated from empty to revision {head}" in first.stdout
    assert (second.returncode, second.stdout.strip()) == (
        0,
        f"database is up to date (revision {head})",
    )
    assert (data_dir / "samsvar.db").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@localhost/db", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@127.0.0.1/db", "is not async"),
        ("not a url", "is not a database URL"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open or migrate the database"),
    ],
)
def test_db_upgrade_names_a_bad_database_url(
    tmp_path: Path, run_samsvar: RunSamsvar, url: str, message: str
) -> None:
    done = run_samsvar("db", "upgrade", data_dir=tmp_path, env={"CHAT_DATABASE_URL": url})
    assert done.returncode == 1
    assert message in done.stderr
    assert "nobody:" not in done.stderr


def test_serve_refuses_a_port_in_use(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_samsvar("serve", "--port", str(port), data_dir=tmp_path, timeout=120)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
