"""Keys of the channel API: shown once, stored as a hash, checked in constant time, limited to
their channels, revoked for good, and every change in the audit log; the `samsvar apikeys`
commands in-process on a fresh SQLite database."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import app
from app.migrate import do_upgrade
from channels import (
    BadApiKey,
    BadChannel,
    BadName,
    ChannelNotAllowed,
    UnknownApiKey,
    Who,
    do_check_api_key,
    do_create_api_key,
    do_revoke_api_key,
    get_api_keys,
)
from channels.tables import ApiKey
from conversations.services import Services
from conversations.storage import get_database_url, open_database
from handoff import get_audit
from tests.conversations.conftest import InServices

ADMIN = Who("ada", agent_id="a1", address="127.0.0.1")


def test_a_key_is_shown_once_and_only_its_hash_is_stored(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> tuple[Any, str, list[ApiKey], list[Any]]:
        info, secret = await do_create_api_key(
            services.db, "phone platform", ["sms", "phone", "sms"], services.clock(), by=ADMIN
        )
        async with services.db.reading() as session:
            rows = list(await session.scalars(select(ApiKey)))
            audit = await get_audit(session)
        return info, secret, rows, audit

    info, secret, rows, audit = in_services(scenario)
    prefix, key_id, random_part = secret.split("_", 2)
    assert (prefix, key_id) == ("sk", info.id) and len(random_part) >= 40
    assert info.channels == ("phone", "sms")
    [row] = rows
    assert row.secret_hash == hashlib.sha256(random_part.encode()).hexdigest()
    assert random_part not in json.dumps([row.id, row.name, row.channels, row.secret_hash])
    [entry] = audit
    assert (entry.action, entry.actor, entry.target) == ("api_key_created", "ada", info.id)
    assert secret not in json.dumps(entry.detail) and random_part not in json.dumps(entry.detail)


def test_a_wrong_malformed_unknown_or_revoked_key_is_refused(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> dict[str, Any]:
        db, now = services.db, services.clock()
        info, secret = await do_create_api_key(db, "sms gateway", ["sms"], now, by=ADMIN)
        _, other = await do_create_api_key(db, "everything", [], now, by=ADMIN)
        wrong_secret = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
        unknown_id = "sk_000000000000_" + secret.split("_", 2)[2]
        outcomes: dict[str, Any] = {}
        for label, token in {
            "missing": None,
            "malformed": "Bearer sk_x",
            "wrong secret": wrong_secret,
            "unknown id": unknown_id,
        }.items():
            with pytest.raises(BadApiKey) as refused:
                await do_check_api_key(db, token, now)
            outcomes[label] = refused.value.message
        outcomes["ok"] = await do_check_api_key(db, secret, now, channel="sms")
        with pytest.raises(ChannelNotAllowed) as not_here:
            await do_check_api_key(db, secret, now, channel="email")
        outcomes["not allowed"] = not_here.value.code
        outcomes["all channels"] = await do_check_api_key(db, other, now, channel="email")
        await do_revoke_api_key(db, info.id, now, by=ADMIN)
        await do_revoke_api_key(db, info.id, now + dt.timedelta(hours=1), by=ADMIN)  # no-op
        with pytest.raises(BadApiKey) as revoked:
            await do_check_api_key(db, secret, now, channel="sms")
        outcomes["revoked"] = revoked.value.message
        with pytest.raises(UnknownApiKey):
            await do_revoke_api_key(db, "nope", now, by=ADMIN)
        async with db.reading() as session:
            outcomes["audit"] = [e.action for e in await get_audit(session)]
        outcomes["keys"] = await get_api_keys(db)
        return outcomes

    outcomes = in_services(scenario)
    assert "Authorization: Bearer" in outcomes["missing"]
    assert "malformed" in outcomes["malformed"]
    assert outcomes["wrong secret"] == outcomes["unknown id"] == "the API key is not known here"
    assert outcomes["ok"].name == "sms gateway"
    assert outcomes["not allowed"] == "channel_not_allowed"
    assert outcomes["all channels"].channels == ()
    assert outcomes["revoked"] == "the API key was revoked"
    assert outcomes["audit"] == ["api_key_revoked", "api_key_created", "api_key_created"]
    revoked = next(k for k in outcomes["keys"] if k.name == "sms gateway")
    assert revoked.revoked_at == outcomes["ok"].created_at  # the first revocation stays


def test_bad_names_and_channels_are_refused(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> list[str]:
        codes = []
        for name, channels in (("", []), ("x" * 65, []), ("ok", ["SMS"]), ("ok", ["widget"])):
            with pytest.raises((BadName, BadChannel)) as refused:
                await do_create_api_key(services.db, name, channels, services.clock(), by=ADMIN)
            codes.append(refused.value.code)
        assert await get_api_keys(services.db) == []
        return codes

    assert in_services(scenario) == ["bad_name", "bad_name", "bad_channel", "bad_channel"]


def test_the_last_use_is_written_at_most_once_a_minute(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> list[dt.datetime | None]:
        now = services.clock()
        _info, secret = await do_create_api_key(services.db, "k", [], now, by=ADMIN)
        seen = []
        for seconds in (0, 30, 61):
            await do_check_api_key(services.db, secret, now + dt.timedelta(seconds=seconds))
            [key] = await get_api_keys(services.db)
            seen.append(key.last_used_at)
        return seen

    first, second, third = in_services(scenario)
    assert first == second and third is not None and first is not None
    assert third - first == dt.timedelta(seconds=61)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, Path]:
    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("CHAT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CHAT_DATA_DIR", str(data_dir))
    return CliRunner(), data_dir


def _check(data_dir: Path, token: str) -> str:
    async def check() -> str:
        db = open_database(get_database_url(None, data_dir))
        try:
            await do_upgrade(db)
            try:
                return (await do_check_api_key(db, token, dt.datetime.now(dt.UTC))).name
            except BadApiKey as exc:
                return exc.message
        finally:
            await db.close()

    return asyncio.run(check())


def test_the_commands_create_list_and_revoke_keys(cli: tuple[CliRunner, Path]) -> None:
    runner, data_dir = cli
    created = runner.invoke(app, ["apikeys", "create", "SMS gateway", "--channel", "sms"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("sk_") and _check(data_dir, secret) == "SMS gateway"
    key_id = secret.split("_")[1]
    listed = runner.invoke(app, ["apikeys", "list"])
    assert listed.exit_code == 0
    assert listed.output.startswith(f"{key_id}\tSMS gateway\tsms\tlast used ")
    assert "\tactive" in listed.output and secret.split("_", 2)[2] not in listed.output

    revoked = runner.invoke(app, ["apikeys", "revoke", key_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert _check(data_dir, secret) == "the API key was revoked"
    assert "\trevoked " in runner.invoke(app, ["apikeys", "list"]).output
    unknown = runner.invoke(app, ["apikeys", "revoke", "nope"])
    assert unknown.exit_code == 2 and "no API key 'nope'" in unknown.output
    bad = runner.invoke(app, ["apikeys", "create", "x", "--channel", "Not a channel"])
    assert bad.exit_code == 2 and "channel" in bad.output
    log = runner.invoke(app, ["audit", "--json"])
    actions = [json.loads(line)["action"] for line in log.output.splitlines()]
    assert actions == ["api_key_revoked", "api_key_created"]
