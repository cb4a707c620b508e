"""`samsvar agents totp` and `samsvar audit` in-process on a fresh SQLite database: the
enrolment prints a URI whose codes the sign-in then takes, and the log shows what was done."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import urllib.parse
from pathlib import Path

import pyotp
import pytest
from typer.testing import CliRunner

from app.cli import app
from app.migrate import do_upgrade
from conversations.storage import get_database_url, open_database
from handoff import check_totp, get_agent_by_name
from tests.app.traffic import shop_base

PASSWORD = "et langt passord for kommandoen"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, Path]:
    root = shop_base(tmp_path / "base")
    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("CHAT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CHAT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHAT_ANSWERS_DIR", str(root))
    return CliRunner(), data_dir


def _secret_of(data_dir: Path, name: str) -> tuple[str | None, int | None]:
    async def read() -> tuple[str | None, int | None]:
        db = open_database(get_database_url(None, data_dir))
        try:
            await do_upgrade(db)
            async with db.reading() as session:
                agent = await get_agent_by_name(session, name)
                assert agent is not None
                return agent.totp_secret, agent.totp_last_step
        finally:
            await db.close()

    return asyncio.run(read())


def test_totp_enrolment_prints_a_uri_for_the_agents_app_and_is_audited(
    cli: tuple[CliRunner, Path],
) -> None:
    runner, data_dir = cli
    added = runner.invoke(
        app, ["agents", "add", "kari", "--team", "support", "--password-stdin"], PASSWORD + "\n"
    )
    assert added.exit_code == 0, added.output
    enrolled = runner.invoke(app, ["agents", "totp", "kari"])
    unknown = runner.invoke(app, ["agents", "totp", "nobody"])
    uri = enrolled.output.strip().splitlines()[-1]
    assert enrolled.exit_code == 0 and uri.startswith("otpauth://totp/Samsvar:kari?")
    assert unknown.exit_code == 2 and "'nobody'" in unknown.output
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    assert _secret_of(data_dir, "kari") == (secret, None)
    # The app's code at a fixed time is the one the sign-in takes.
    at = dt.datetime(2026, 12, 1, 9, 0, 10, tzinfo=dt.UTC)
    code = pyotp.parse_uri(uri).at(at)
    assert check_totp(secret, code, at, None) == int(at.timestamp()) // 30
    assert check_totp(secret, code, at + dt.timedelta(minutes=2), None) is None

    removed = runner.invoke(app, ["agents", "totp", "kari", "--remove"])
    assert removed.exit_code == 0 and _secret_of(data_dir, "kari") == (None, None)
    log = runner.invoke(app, ["audit", "--json"])
    entries = [json.loads(line) for line in log.output.splitlines()]
    assert [e["action"] for e in entries] == ["totp_removed", "totp_enrolled", "agent_added"]
    assert {e["actor"] for e in entries} == {"cli"}
    assert secret not in log.output
    plain = runner.invoke(app, ["audit", "--action", "agent_added"])
    assert plain.exit_code == 0 and len(plain.output.splitlines()) == 1
    assert "\tagent_added\tcli\t-\t" in plain.output
