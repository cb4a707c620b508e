"""`samsvar privacy export | erase | retention` as an operator runs them, on a SQLite database
written beforehand (one old conversation, one recent)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

from app.migrate import do_upgrade
from conversations.storage import (
    NewMessage,
    do_add_message,
    do_create_conversation,
    do_create_visitor,
    get_database_url,
    open_database,
)
from handoff import AuditEntry
from tests.conftest import RunSamsvar

CARD = "4111 1111 1111 1111"


def _populate(data_dir: Path) -> tuple[str, str]:
    """An old visitor (400 days ago) and a recent one, a site's verified customer, each with
    one message; and an audit entry as old as the old visitor."""
    now = dt.datetime.now(dt.UTC)

    async def run() -> tuple[str, str]:
        db = open_database(get_database_url(None, data_dir))
        try:
            await do_upgrade(db)
            ids = []
            for days, text in ((400, f"Gammelt kort {CARD}"), (1, "Hvor er pakken?")):
                when = now - dt.timedelta(days=days)
                customer = "kunde-42" if days == 1 else None
                visitor = await do_create_visitor(db, when, customer_id=customer)
                conversation = await do_create_conversation(db, visitor.id, when)
                new = NewMessage(role="visitor", text=text, client_id="c1")
                await do_add_message(db, visitor.id, conversation.id, new, when)
                ids.append(visitor.id)
            async with db.writing() as session, session.begin():
                session.add(
                    AuditEntry(
                        at=now - dt.timedelta(days=400),
                        action="sign_in",
                        actor="kari",
                        address="192.0.2.1",
                        detail={},
                    )
                )
            return ids[0], ids[1]
        finally:
            await db.close()

    return asyncio.run(run())


def test_export_erase_and_retention_from_the_command_line(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    data = tmp_path / "data"
    old, recent = _populate(data)
    out = tmp_path / "kari.json"
    exported = run_samsvar(
        "privacy", "export", "--visitor", recent, "--out", str(out), data_dir=data
    )
    assert exported.returncode == 0, exported.stderr
    document = json.loads(out.read_text("utf-8"))
    assert document["visitors"][0]["conversations"][0]["messages"][0]["text"] == "Hvor er pakken?"

    dry = run_samsvar("privacy", "retention", "--dry-run", data_dir=data)
    assert dry.returncode == 0, dry.stderr
    counts = json.loads(dry.stdout)
    assert (counts["dry_run"], counts["conversations"], counts["messages"]) == (True, 1, 1)
    assert counts["audit_entries"] == 1  # the sign-in of 400 days ago

    done = run_samsvar("privacy", "retention", data_dir=data, env={"CHAT_LOG_LEVEL": "INFO"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["conversations"] == 1
    assert json.loads(done.stdout)["audit_entries"] == 1
    assert "retention (180 days, audit log 365 days)" in done.stderr  # the log line with the counts
    gone = run_samsvar("privacy", "export", "--visitor", old, data_dir=data)
    assert json.loads(gone.stdout)["visitors"] == []

    by_customer = run_samsvar("privacy", "export", "--customer", "kunde-42", data_dir=data)
    assert json.loads(by_customer.stdout)["visitors"][0]["customer_id"] == "kunde-42"

    erased = run_samsvar("privacy", "erase", "--customer", "kunde-42", data_dir=data)
    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout)["visitors"] == 1
    database = (data / "samsvar.db").read_bytes()
    assert b"Hvor er pakken?" not in database and CARD[-4:].encode() not in database
    assert b"kunde-42" not in database  # nor in the audit log

    log = run_samsvar("audit", "--json", data_dir=data)
    entries = [json.loads(line) for line in log.stdout.splitlines()]
    assert [(e["action"], e["actor"], e["detail"].get("subject")) for e in entries] == [
        ("privacy_erase", "cli", "customer"),
        ("privacy_export", "cli", "customer"),
        ("privacy_export", "cli", "visitor"),
        ("privacy_retention", "cli", None),
        ("privacy_export", "cli", "visitor"),
    ]  # newest first; the old sign-in is gone, the dry run is not recorded
    assert entries[0]["detail"]["visitors"] == 1 and entries[3]["detail"]["audit_entries"] == 1
    assert recent not in log.stdout and old not in log.stdout


def test_a_subject_is_required_and_checked(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    neither = run_samsvar("privacy", "erase", data_dir=tmp_path)
    assert neither.returncode == 2
    assert "give exactly one of a visitor id, an e-mail address, a phone number" in neither.stderr
    bad = run_samsvar("privacy", "export", "--email", "not-an-address", data_dir=tmp_path)
    assert bad.returncode == 2 and "is not an e-mail address" in bad.stderr
    two = run_samsvar(
        "privacy", "erase", "--customer", "k1", "--case", "S-2026-000001", data_dir=tmp_path
    )
    assert two.returncode == 2 and "exactly one of" in two.stderr
    case = run_samsvar("privacy", "erase", "--case", "2026-1", data_dir=tmp_path)
    assert case.returncode == 2 and "is not a case number like S-2026-000123" in case.stderr
