"""Export, erase and retention over a real SQLite database, with the conversation services
that a server runs: a visitor writes a card number and an identity number, is answered, is
handed off; then their data is exported and erased, and the database file is searched for it."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, update

from conversations.services import Services
from conversations.storage import (
    Conversation,
    Inquiry,
    Message,
    NewQuestionDecision,
    PageInfo,
    PageView,
    Visitor,
    do_record_question_decisions,
)
from handoff import AUDIT_ACTIONS
from handoff.tables import AuditEntry, Case, CaseEvent, CaseNote
from insights import SentReport, VectorCache, forget_vectors
from privacy import (
    CLI,
    Actor,
    BadSubject,
    Subject,
    do_erase,
    do_retention,
    export_subject,
)
from tests.conversations.conftest import NOW, InServices, agent

CARD = "4111 1111 1111 1111"
MARKER = "ZQXMARKER7731"


def _fnr() -> str:
    """A valid fødselsnummer (both modulus-11 check digits) born 1 January 1990."""
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    for individual in range(100, 200):
        d = [int(c) for c in f"010190{individual}"]
        k1 = (11 - sum(a * b for a, b in zip(w1, d, strict=False)) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(a * b for a, b in zip(w2, [*d, k1], strict=False)) % 11) % 11
        if k2 != 10:
            return f"010190{individual}{k1}{k2}"
    raise AssertionError("no number")  # pragma: no cover


async def _visitor_says(
    services: Services, *texts: str, page: PageInfo | None = None
) -> tuple[str, str]:
    visitor = await services.visits.do_visitor(None)
    conversation = await services.visits.do_start(visitor, page, record_view=page is not None)
    for n, text in enumerate(texts):
        stored = await services.chat.do_send(visitor.id, conversation.id, f"c{n}", text)
        await services.chat.do_reply(stored, None)
    return visitor.id, conversation.id


async def _hand_off(services: Services, visitor_id: str, conversation_id: str) -> Case:
    stored = await services.chat.do_ask_human(visitor_id, conversation_id, "h1")
    await services.chat.do_reply(stored, None)
    async with services.db.reading() as session:
        case = await session.scalar(select(Case).where(Case.conversation_id == conversation_id))
    assert case is not None
    return case


def _files(db_path: pathlib.Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (db_path, db_path.with_name(db_path.name + "-wal")) if p.exists()
    )


def test_cards_and_identity_numbers_are_masked_before_they_are_stored_and_still_answered(
    in_services: InServices[Any],
) -> None:
    fnr = _fnr()

    async def scenario(services: Services) -> tuple[list[Message], list[Inquiry], Case]:
        kari = await agent(services, "kari", ["support"])
        visitor_id, conversation_id = await _visitor_says(
            services, f"Hvor er pakken min? Kortet {CARD} og fnr {fnr}"
        )
        case = await _hand_off(services, visitor_id, conversation_id)
        await services.desk.do_note(kari, case.id, f"Kunden oppga {CARD}")
        await services.desk.do_claim(kari, case.id)
        await services.desk.do_resolve(kari, case.id)
        await services.chat.handoffs.do_rate(conversation_id, 5, f"Takk! Kort {CARD}")
        async with services.db.reading() as session:
            messages = list(await session.scalars(select(Message).order_by(Message.seq)))
            inquiries = list(await session.scalars(select(Inquiry)))
            note = await session.scalar(select(CaseNote))
            refreshed = await session.get(Case, case.id)
        assert note is not None and refreshed is not None
        assert note.text == "Kunden oppga •••• •••• •••• 1111"
        return messages, inquiries, refreshed

    messages, inquiries, case = in_services(scenario)
    visitor = messages[0].text
    assert visitor == "Hvor er pakken min? Kortet •••• •••• •••• 1111 og fnr •••••••••" + fnr[-2:]
    assert messages[1].role == "bot" and messages[1].answer_id == "order-tracking"
    assert all(CARD not in m.text and fnr not in m.text for m in messages)
    assert inquiries[0].text == visitor
    assert case.question == visitor  # what the agent sees: masked
    assert case.summary is not None and "•••• •••• •••• 1111" in case.summary
    assert CARD not in case.summary and fnr not in case.summary
    assert case.rating_comment == "Takk! Kort •••• •••• •••• 1111"


def test_export_has_everything_and_erase_removes_it_from_the_tables_and_the_files(
    in_services: InServices[Any], tmp_path: pathlib.Path
) -> None:
    db_path = tmp_path / "samsvar.db"
    vectors = tmp_path / "insights"

    async def scenario(services: Services) -> tuple[dict[str, Any], Any, dict[str, int], str]:
        text = f"Hvor er pakken min? {MARKER}"
        page = PageInfo("https://shop.example/ordre")
        visitor_id, conversation_id = await _visitor_says(services, text, page=page)
        case = await _hand_off(services, visitor_id, conversation_id)
        other, _ = await _visitor_says(services, "Hvor er pakken min?")
        now = services.clock()
        await do_record_question_decisions(
            services.db, [NewQuestionDecision(text, "order-tracking", "rejected", ())], now
        )
        async with services.db.writing() as session, session.begin():
            session.add(
                SentReport(
                    week=dt.date(2026, 11, 30),
                    status="sent",
                    recipients=[],
                    report={"gaps": [{"questions": [{"text": text, "count": 1}]}]},
                    created_at=now,
                )
            )
        cache = VectorCache(vectors, _Encoder())
        cache.vectors([text, "Hvor er pakken min?"])
        exported = await export_subject(services.db, Subject(visitor=visitor_id), now, by=CLI)
        assert MARKER.encode() in _files(db_path)
        done = await do_erase(
            services.db, Subject(visitor=visitor_id), now, by=CLI, vector_dir=vectors
        )
        counts = {}
        async with services.db.reading() as session:
            for table in (Visitor, Conversation, Message, Case, CaseEvent, PageView, Inquiry):
                counts[table.__tablename__] = int(
                    await session.scalar(select(func.count()).select_from(table)) or 0
                )
            report = await session.get(SentReport, dt.date(2026, 11, 30))
            texts = list(await session.scalars(select(Inquiry.text).order_by(Inquiry.id)))
        assert report is not None
        assert report.report == {"gaps": [{"questions": [{"text": "[erased]", "count": 1}]}]}
        assert texts == ["", "", "Hvor er pakken min?"]
        assert cache.vectors([text])[1] == 1  # the cache reloaded the file: embedded again
        assert case.id in json.dumps(exported)
        return exported, done, counts, other

    exported, done, counts, _ = in_services(scenario)
    (visitor,) = exported["visitors"]
    (conversation,) = visitor["conversations"]
    assert [m["role"] for m in conversation["messages"]][:2] == ["visitor", "bot"]
    assert MARKER in conversation["messages"][0]["text"]
    assert MARKER in conversation["inquiries"][0]["text"]
    assert conversation["cases"][0]["events"]
    assert visitor["page_views"][0]["url"] == "https://shop.example/ordre"
    assert exported["question_decisions"][0]["decision"] == "rejected"
    assert done.visitors == 1 and done.conversations == 1 and done.cases == 1
    assert done.inquiries_anonymised == 2 and done.question_decisions == 1
    assert done.reports_scrubbed == 1 and done.vectors_dropped == 1
    # the other visitor's conversation stays; the erased one's inquiries stay as counts
    assert counts == {
        "visitors": 1,
        "conversations": 1,
        "messages": 2,
        "cases": 0,
        "case_events": 0,
        "page_views": 0,
        "inquiries": 3,
    }
    assert MARKER.encode() not in _files(db_path)


def test_without_secure_delete_the_marker_would_stay_in_the_file(tmp_path: pathlib.Path) -> None:
    """The check above can fail: SQLite keeps a deleted row's bytes unless told otherwise."""
    import sqlite3

    path = tmp_path / "plain.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA secure_delete=OFF")
        connection.execute("CREATE TABLE t (x TEXT)")
        connection.execute("INSERT INTO t VALUES (?)", (MARKER * 3,))
        connection.commit()
        connection.execute("DELETE FROM t")
        connection.commit()
    connection.close()
    assert MARKER.encode() in path.read_bytes()


def test_erase_by_e_mail_reaches_the_visitors_who_wrote_it(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> tuple[int, int, list[str]]:
        await _visitor_says(services, "Skriv til Kari@Example.no om pakken")
        await _visitor_says(services, "Hvor er pakken min?")
        exported = await export_subject(services.db, Subject(email="kari@example.no"), NOW, by=CLI)
        done = await do_erase(services.db, Subject(email="KARI@example.no"), NOW, by=CLI)
        async with services.db.reading() as session:
            left = list(
                await session.scalars(select(Message.text).where(Message.role == "visitor"))
            )
        return len(exported["visitors"]), done.conversations, left

    found, erased, left = in_services(scenario)
    assert (found, erased) == (1, 1)
    assert left == ["Hvor er pakken min?"]


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"visitor": "abc", "email": "a@b.no"},
        {"visitor": "abc", "customer": "kunde-42"},
        {"customer": "kunde-42", "case": "S-2026-000001"},
        {"visitor": "no spaces!"},
        {"email": "not-an-address"},
        {"customer": ""},
        {"customer": "x" * 129},
        {"customer": "line\nbreak"},
        {"case": "2026-000001"},
        {"case": "S-26-1"},
    ],
)
def test_a_subject_is_exactly_one_well_formed_id_address_customer_or_case(
    given: dict[str, str],
) -> None:
    with pytest.raises(BadSubject):
        Subject(**given)


def test_a_subject_knows_its_kind_and_trims_a_case_number() -> None:
    assert Subject(customer="kunde 42").kind == "customer"
    assert Subject(case=" S-2026-000123 ").as_json() == {"case": "S-2026-000123"}


async def _entries(services: Services) -> list[AuditEntry]:
    async with services.db.reading() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_export_and_erase_are_audited_with_the_kind_and_counts_only(
    in_services: InServices[Any],
) -> None:
    admin = Actor("anne", agent_id="a_anne", address="192.0.2.7")

    async def scenario(services: Services) -> tuple[list[AuditEntry], str]:
        visitor_id, conversation_id = await _visitor_says(
            services, "Skriv til kari@example.no om pakken"
        )
        await _hand_off(services, visitor_id, conversation_id)
        await export_subject(services.db, Subject(email="kari@example.no"), NOW, by=admin)
        later = NOW + dt.timedelta(minutes=5)
        await do_erase(services.db, Subject(email="kari@example.no"), later, by=CLI)
        entries = await _entries(services)
        return [e for e in entries if e.action.startswith("privacy_")], visitor_id

    entries, visitor_id = in_services(scenario)
    export, erase = entries
    assert (export.action, export.actor, export.agent_id, export.address) == (
        "privacy_export",
        "anne",
        "a_anne",
        "192.0.2.7",
    )
    assert export.at == NOW and export.target is None
    assert export.detail == {
        "subject": "email",
        "visitors": 1,
        "conversations": 1,
        "messages": 5,
        "cases": 1,
    }
    assert (erase.action, erase.actor, erase.agent_id, erase.address) == (
        "privacy_erase",
        "cli",
        None,
        None,
    )
    assert erase.detail["subject"] == "email"
    assert (erase.detail["visitors"], erase.detail["conversations"], erase.detail["cases"]) == (
        1,
        1,
        1,
    )
    assert {e.action for e in entries} <= set(AUDIT_ACTIONS)  # the documented actions
    for entry in entries:  # the log is no copy of what was erased
        row = json.dumps([entry.detail, entry.target, entry.actor])
        assert "kari@example.no" not in row and visitor_id not in row


def test_erase_by_customer_reaches_its_visitors_and_cases_and_by_case_its_visitor(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[dict[str, Any], Any, Any, list[str], str]:
        linked, linked_conversation = await _visitor_says(services, "Hvor er pakken min?")
        await _hand_off(services, linked, linked_conversation)
        device, device_conversation = await _visitor_says(services, "Og fakturaen?")
        await _hand_off(services, device, device_conversation)
        other, other_conversation = await _visitor_says(services, "Hei")
        other_case = await _hand_off(services, other, other_conversation)
        async with services.db.writing() as session, session.begin():
            await session.execute(
                update(Visitor).where(Visitor.id == linked).values(customer_id="kunde-42")
            )
            await session.execute(  # a case opened under the identity on another device
                update(Case)
                .where(Case.visitor_id.in_([linked, device]))
                .values(customer_id="kunde-42")
            )
        exported = await export_subject(services.db, Subject(customer="kunde-42"), NOW, by=CLI)
        by_customer = await do_erase(services.db, Subject(customer="kunde-42"), NOW, by=CLI)
        by_case = await do_erase(services.db, Subject(case=other_case.number), NOW, by=CLI)
        async with services.db.reading() as session:
            left = list(await session.scalars(select(Visitor.id)))
            left += list(await session.scalars(select(Case.id)))
            customers = list(
                await session.scalars(select(Case.id).where(Case.customer_id.is_not(None)))
            )
        assert customers == []
        return exported, by_customer, by_case, left, linked

    exported, by_customer, by_case, left, linked = in_services(scenario)
    assert exported["subject"] == {"customer": "kunde-42"}
    visitors = {v["id"]: v for v in exported["visitors"]}
    assert len(visitors) == 2 and visitors[linked]["customer_id"] == "kunde-42"
    cases = [c for v in visitors.values() for conv in v["conversations"] for c in conv["cases"]]
    assert [c["customer_id"] for c in cases] == ["kunde-42", "kunde-42"]
    assert (by_customer.visitors, by_customer.conversations, by_customer.cases) == (2, 2, 2)
    assert (by_case.visitors, by_case.cases) == (1, 1)
    assert left == []


def test_retention_deletes_old_audit_entries_and_records_its_round(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[Any, ...]:
        async with services.db.writing() as session, session.begin():
            for days in (400, 366, 10):
                session.add(
                    AuditEntry(
                        at=NOW - dt.timedelta(days=days),
                        action="sign_in",
                        actor="kari",
                        address="192.0.2.1",
                        detail={},
                    )
                )
        dry = await do_retention(services.db, 0, NOW, by=CLI, audit_days=365, dry_run=True)
        kept = await do_retention(services.db, 0, NOW, by=None, audit_days=0)
        after_keep = len(await _entries(services))
        done = await do_retention(services.db, 0, NOW, by=None, audit_days=365)
        idle = await do_retention(services.db, 0, NOW, by=None, audit_days=365)
        return dry, kept, after_keep, done, idle, await _entries(services)

    dry, kept, after_keep, done, idle, entries = in_services(scenario)
    assert dry.audit_entries == 2 and after_keep == 3  # neither the dry run nor 0 deletes
    assert kept.audit_entries == 0
    assert done.audit_entries == 2 and done.as_json()["audit_entries"] == 2
    assert idle.audit_entries == 0
    # the schedule's round that deleted is recorded; its idle round is not
    assert [(e.action, e.actor) for e in entries] == [
        ("sign_in", "kari"),
        ("privacy_retention", "schedule"),
    ]
    assert entries[1].detail["audit_entries"] == 2 and entries[1].detail["days"] == 0


def test_retention_erases_old_conversations_and_keeps_counts(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> tuple[Any, Any, int, int, list[str]]:
        await _visitor_says(services, f"Hvor er pakken min? {MARKER}")
        services.clock.now = NOW + dt.timedelta(days=100)  # type: ignore[attr-defined]
        await _visitor_says(services, "Hvor er pakken min?")
        async with services.db.writing() as session, session.begin():  # `samsvar ask`: no visitor
            session.add(
                Inquiry(
                    text="Kari Nordmann spør om pakken",
                    language="nb",
                    decision="answer",
                    confidence=0.9,
                    channel="cli",
                    ms=1.0,
                    created_at=NOW,
                )
            )
        later = NOW + dt.timedelta(days=181)
        dry = await do_retention(services.db, 180, later, by=CLI, dry_run=True)
        async with services.db.reading() as session:
            before = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
        done = await do_retention(services.db, 180, later, by=CLI)
        async with services.db.reading() as session:
            after = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
            texts = list(await session.scalars(select(Inquiry.text).order_by(Inquiry.id)))
        return dry, done, before, after, texts

    dry, done, before, after, texts = in_services(scenario)
    assert (dry.conversations, dry.messages) == (1, 2)
    assert before == 4  # the dry run changed nothing
    assert (done.conversations, done.visitors, done.messages) == (1, 1, 2)
    assert after == 2 and done.inquiries_anonymised == dry.inquiries_anonymised == 2
    assert texts == ["", "Hvor er pakken min?", ""]  # three inquiries counted, one text kept


class _Encoder:
    model_version = "test-1"

    def query_vectors(self, texts: list[str]) -> Any:
        return np.ones((len(texts), 4), dtype=np.float32)


def test_forget_vectors_without_a_folder_drops_nothing(tmp_path: pathlib.Path) -> None:
    assert forget_vectors(tmp_path / "none", ["x"]) == 0


def test_a_question_other_visitors_asked_too_stays_in_the_reports(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> tuple[int, Any]:
        common = "Hvor er pakken min?"
        mine, _ = await _visitor_says(services, common)
        await _visitor_says(services, common)
        async with services.db.writing() as session, session.begin():
            session.add(
                SentReport(
                    week=dt.date(2026, 11, 30),
                    status="sent",
                    recipients=[],
                    report={"top_questions": [{"question": "hvor er pakken min?"}]},
                    created_at=NOW,
                )
            )
        done = await do_erase(services.db, Subject(visitor=mine), NOW, by=CLI)
        async with services.db.reading() as session:
            report = await session.get(SentReport, dt.date(2026, 11, 30))
        assert report is not None
        return done.reports_scrubbed, report.report

    scrubbed, report = in_services(scenario)
    assert scrubbed == 0
    assert report == {"top_questions": [{"question": "hvor er pakken min?"}]}


def test_a_channel_customer_is_found_by_address_phone_or_id_and_erased_with_their_refs(
    in_services: InServices[Any],
) -> None:
    from channels import Inbound, customer_ref, do_inbound
    from channels.tables import CustomerRef, InboundKey

    refs = (
        customer_ref("email", "kari@example.no"),
        customer_ref("phone", "+47 912 34 567"),
        customer_ref("id", "K-1001"),
    )

    async def scenario(services: Services) -> tuple[list[int], dict[str, Any], list[Any]]:
        await do_inbound(services, Inbound("email", refs, "Hvor er pakken min?", "<m1@x>"))
        await do_inbound(services, Inbound("email", refs[:1], "Og retur?", "<m2@x>"))
        found = []
        for subject in (
            Subject(email="Kari@Example.no"),
            Subject(phone="0047 91234567"),
            Subject(customer="K-1001"),
        ):
            found.append(len((await export_subject(services.db, subject, NOW, by=CLI))["visitors"]))
        exported = await export_subject(services.db, Subject(phone="+4791234567"), NOW, by=CLI)
        await do_erase(services.db, Subject(phone="+47 912 34 567"), NOW, by=CLI)
        async with services.db.reading() as session:
            left = [
                *(await session.scalars(select(CustomerRef.ref))),
                *(await session.scalars(select(InboundKey.key))),
                *(await session.scalars(select(Conversation.id))),
            ]
        return found, exported, left

    found, exported, left = in_services(scenario)
    assert found == [1, 1, 1]
    (visitor,) = exported["visitors"]
    # the operator's id is the visitor's own customer id, the other references are linked
    assert visitor["customer_id"] == "K-1001"
    assert sorted(r["ref"] for r in visitor["customer_refs"]) == sorted(refs[:2])
    assert [c["channel"] for c in visitor["conversations"]] == ["email", "email"]
    assert left == []


def test_a_phone_subject_must_be_a_phone_number() -> None:
    with pytest.raises(BadSubject, match="not a phone number"):
        Subject(phone="ring meg")
    assert Subject(phone="0047 912 34 567").phone == "+4791234567"
