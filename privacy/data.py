"""Export and erase everything stored about one person, and the retention policy.

What is whose (docs/privacy.md has the full list):

- `visitors` and their `page_views`;
- their `conversations` and, through them, `messages`, `feedback`, `pending_turns`, `cases`
  (the foreign key of migration 0006 deletes a case with its conversation) with their
  `case_events` and `case_notes`;
- the `inquiries` of those conversations: erasing keeps each row for the statistics but
  without its text, rewrite, page, message and conversation (an anonymous count);
- derived from the inquiries' texts: `question_decisions` of the same question (deleted),
  the weekly reports kept in `sent_reports` (the question replaced by `[erased]`) and the
  insights vector cache on disk (the rows of those texts dropped).

Erasing is one transaction, with its entry in the audit log (`privacy.audit`); the database
files are then cleaned (`privacy.files`). A retention round also deletes the audit log's old
entries (they hold client addresses).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.tables import CustomerRef
from conversations.storage import (
    Conversation,
    Database,
    Feedback,
    Inquiry,
    Message,
    PageView,
    PendingTurn,
    QuestionDecision,
    Visitor,
    question_key,
)
from handoff.tables import Case, CaseEvent, CaseNote
from insights import SentReport, forget_vectors
from knowledge import normalise_question
from privacy.audit import SCHEDULE, Actor, forget_audit, record
from privacy.files import clean_files
from privacy.subjects import Subject, find_visitors

__all__ = [
    "ERASED",
    "TABLES",
    "Erasure",
    "do_erase",
    "do_retention",
    "export_subject",
]

log = logging.getLogger(__name__)

ERASED = "[erased]"
#: The tables an erasure may change (each is vacuumed on PostgreSQL afterwards).
TABLES = (
    "visitors",
    "page_views",
    "conversations",
    "messages",
    "feedback",
    "pending_turns",
    "cases",
    "case_events",
    "case_notes",
    "inquiries",
    "question_decisions",
    "sent_reports",
    "audit_log",
    "customer_refs",
    "inbound_keys",
)


def _row(obj: Any) -> dict[str, Any]:
    """A table row as JSON: every column, times as ISO 8601."""
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, dt.date) else value
    return out


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.scalars(query)).all())


async def export_subject(
    db: Database, subject: Subject, now: dt.datetime, *, by: Actor
) -> dict[str, Any]:
    """Everything stored about `subject`, as one JSON document (docs/privacy.md, "Export");
    the export is recorded in the audit log (`privacy_export`, by `by`) after reading."""
    async with db.reading() as session:
        visitor_ids = await find_visitors(session, subject)
        visitors = []
        for visitor_id in visitor_ids:
            visitors.append(await _export_visitor(session, visitor_id))
        texts = [
            text
            for v in visitors
            for c in v["conversations"]
            for i in c["inquiries"]
            for text in (i["text"], i["rewritten"])
            if text
        ]
        decisions = await _decisions_of(session, texts)
    conversations = [c for v in visitors for c in v["conversations"]]
    counts = {
        "visitors": len(visitors),
        "conversations": len(conversations),
        "messages": sum(len(c["messages"]) for c in conversations),
        "cases": sum(len(c["cases"]) for c in conversations),
    }
    async with db.writing() as session, session.begin():
        await record(session, "privacy_export", now, by, {"subject": subject.kind, **counts})
    return {
        "subject": subject.as_json(),
        "exported_at": now.isoformat(),
        "visitors": visitors,
        "question_decisions": [_row(d) for d in decisions],
    }


async def _export_visitor(session: AsyncSession, visitor_id: str) -> dict[str, Any]:
    visitor = await session.get(Visitor, visitor_id)
    data: dict[str, Any] = _row(visitor) if visitor is not None else {"id": visitor_id}
    views = await _all(
        session, select(PageView).where(PageView.visitor_id == visitor_id).order_by(PageView.id)
    )
    data["page_views"] = [_row(v) for v in views]
    refs = await _all(
        session,
        select(CustomerRef).where(CustomerRef.visitor_id == visitor_id).order_by(CustomerRef.ref),
    )
    data["customer_refs"] = [_row(r) for r in refs]
    conversations = await _all(
        session,
        select(Conversation)
        .where(Conversation.visitor_id == visitor_id)
        .order_by(Conversation.started_at),
    )
    data["conversations"] = [await _export_conversation(session, c) for c in conversations]
    return data


async def _export_conversation(session: AsyncSession, conversation: Conversation) -> dict[str, Any]:
    cid = conversation.id
    data = _row(conversation)
    data["messages"] = [
        _row(m)
        for m in await _all(
            session, select(Message).where(Message.conversation_id == cid).order_by(Message.seq)
        )
    ]
    data["inquiries"] = [
        _row(i)
        for i in await _all(
            session, select(Inquiry).where(Inquiry.conversation_id == cid).order_by(Inquiry.id)
        )
    ]
    data["feedback"] = [
        _row(f)
        for f in await _all(session, select(Feedback).where(Feedback.conversation_id == cid))
    ]
    data["pending_turns"] = [
        _row(p)
        for p in await _all(session, select(PendingTurn).where(PendingTurn.conversation_id == cid))
    ]
    cases = []
    for case in await _all(
        session, select(Case).where(Case.conversation_id == cid).order_by(Case.created_at)
    ):
        row = _row(case)
        row["events"] = [
            _row(e)
            for e in await _all(
                session,
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id),
            )
        ]
        row["notes"] = [
            _row(n)
            for n in await _all(
                session, select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)
            )
        ]
        cases.append(row)
    data["cases"] = cases
    return data


async def _decisions_of(session: AsyncSession, texts: Iterable[str]) -> list[QuestionDecision]:
    keys = sorted({question_key(t) for t in texts if normalise_question(t)})
    if not keys:
        return []
    return await _all(
        session, select(QuestionDecision).where(QuestionDecision.question_key.in_(keys))
    )


@dataclass
class Erasure:
    """What one erasure (or retention run) removed: rows per table, and what was cleaned."""

    visitors: int = 0
    conversations: int = 0
    messages: int = 0
    cases: int = 0
    page_views: int = 0
    inquiries_anonymised: int = 0
    question_decisions: int = 0
    reports_scrubbed: int = 0
    vectors_dropped: int = 0
    audit_entries: int = 0
    files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "visitors": self.visitors,
            "conversations": self.conversations,
            "messages": self.messages,
            "cases": self.cases,
            "page_views": self.page_views,
            "inquiries_anonymised": self.inquiries_anonymised,
            "question_decisions": self.question_decisions,
            "reports_scrubbed": self.reports_scrubbed,
            "vectors_dropped": self.vectors_dropped,
            "audit_entries": self.audit_entries,
            "files": list(self.files),
        }

    def counts(self) -> dict[str, int]:
        """What the transaction removed (the audit entry's detail): every count but the
        vectors, dropped after it."""
        return {k: v for k, v in self.as_json().items() if k not in ("files", "vectors_dropped")}

    def summary(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.as_json().items() if k != "files")


async def _count(session: AsyncSession, query: Any) -> int:
    return int(
        (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    )


async def _erase_conversations(
    session: AsyncSession, conversation_ids: Sequence[str], done: Erasure
) -> list[str]:
    """Delete the conversations (their messages, feedback, pending turns and cases go with
    them) and anonymise their inquiries; returns the inquiries' texts."""
    if not conversation_ids:
        return []
    ids = list(conversation_ids)
    rows = (
        await session.execute(
            select(Inquiry.text, Inquiry.rewritten).where(Inquiry.conversation_id.in_(ids))
        )
    ).all()
    texts = [t for row in rows for t in row if t]
    done.messages += await _count(
        session, select(Message.id).where(Message.conversation_id.in_(ids))
    )
    done.cases += await _count(session, select(Case.id).where(Case.conversation_id.in_(ids)))
    anonymised = await session.execute(
        update(Inquiry)
        .where(Inquiry.conversation_id.in_(ids))
        .values(text="", rewritten=None, page_url=None, message_id=None, conversation_id=None)
    )
    done.inquiries_anonymised += int(getattr(anonymised, "rowcount", 0) or 0)
    # the case rows go through the foreign key (migration 0006); their events and notes with them
    gone = await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    done.conversations += int(getattr(gone, "rowcount", 0) or 0)
    return texts


async def _erase_derived(session: AsyncSession, texts: Sequence[str], done: Erasure) -> None:
    """Remove what was derived from `texts` (the erased inquiries' texts) unless a kept
    inquiry has the same text: a question other visitors asked too is theirs as well."""
    if texts:
        asked = set(await session.scalars(select(Inquiry.text).where(Inquiry.text.in_(set(texts)))))
        texts = [t for t in texts if t not in asked]
    decisions = await _decisions_of(session, texts)
    if decisions:
        await session.execute(
            delete(QuestionDecision).where(QuestionDecision.id.in_([d.id for d in decisions]))
        )
        done.question_decisions += len(decisions)
    erased = {normalise_question(t) for t in texts} - {""}
    if not erased:
        return
    for report in await _all(session, select(SentReport)):
        scrubbed, changed = _scrub(report.report, erased)
        if changed:
            report.report = scrubbed
            done.reports_scrubbed += 1


def _scrub(value: Any, erased: set[str]) -> tuple[Any, bool]:
    """`value` (JSON) with every string that is one of the erased questions replaced."""
    if isinstance(value, str):
        return (ERASED, True) if normalise_question(value) in erased else (value, False)
    if isinstance(value, list):
        items = [_scrub(v, erased) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    if isinstance(value, dict):
        pairs = {k: _scrub(v, erased) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(c for _, c in pairs.values())
    return value, False


async def do_erase(
    db: Database,
    subject: Subject,
    now: dt.datetime,
    *,
    by: Actor,
    vector_dir: Path | None = None,
    vacuum_full: bool = False,
) -> Erasure:
    """Erase everything stored about `subject` in one transaction, with its audit entry
    (`privacy_erase`, by `by`, at `now`), then clean the files (SQLite: checkpoint;
    PostgreSQL: VACUUM) and the insights vector cache in `vector_dir`."""
    done = Erasure()
    async with db.writing() as session, session.begin():
        visitor_ids = await find_visitors(session, subject)
        conversation_ids = list(
            await session.scalars(
                select(Conversation.id).where(Conversation.visitor_id.in_(visitor_ids))
            )
        )
        texts = await _erase_conversations(session, conversation_ids, done)
        await _erase_derived(session, texts, done)
        done.page_views += await _count(
            session, select(PageView.id).where(PageView.visitor_id.in_(visitor_ids))
        )
        gone = await session.execute(delete(Visitor).where(Visitor.id.in_(visitor_ids)))
        done.visitors += int(getattr(gone, "rowcount", 0) or 0)
        await record(session, "privacy_erase", now, by, {"subject": subject.kind, **done.counts()})
    if done.visitors or done.conversations:
        await _after(db, texts, vector_dir, vacuum_full, done)
    log.info(
        "erased the data of one %s: %s",
        subject.kind,
        done.summary(),
    )
    return done


async def _after(
    db: Database, texts: Sequence[str], vector_dir: Path | None, vacuum_full: bool, done: Erasure
) -> None:
    if vector_dir is not None and texts:
        done.vectors_dropped += forget_vectors(vector_dir, texts)
    done.files = await clean_files(db, TABLES, full=vacuum_full)


def _loose(cutoff: dt.datetime) -> list[Any]:
    """Inquiries with text but no conversation (asked with `samsvar ask`, or left by a
    conversation deleted before erasing anonymised them) older than `cutoff`."""
    return [Inquiry.conversation_id.is_(None), Inquiry.created_at < cutoff, Inquiry.text != ""]


async def _erase_loose_inquiries(
    session: AsyncSession, cutoff: dt.datetime, done: Erasure
) -> list[str]:
    rows = (
        await session.execute(select(Inquiry.text, Inquiry.rewritten).where(*_loose(cutoff)))
    ).all()
    if rows:
        await session.execute(
            update(Inquiry)
            .where(*_loose(cutoff))
            .values(text="", rewritten=None, page_url=None, message_id=None)
        )
        done.inquiries_anonymised += len(rows)
    return [t for row in rows for t in row if t]


async def do_retention(
    db: Database,
    days: int,
    now: dt.datetime,
    *,
    by: Actor | None,
    audit_days: int = 0,
    dry_run: bool = False,
    vector_dir: Path | None = None,
    vacuum_full: bool = False,
) -> Erasure:
    """Erase the conversations whose last message is more than `days` days old (with their
    cases, messages and the text of their inquiries), and the visitors left with no
    conversation who were last seen before the same time; delete the audit entries older
    than `audit_days` days. 0 keeps either. `dry_run`: count, change nothing.

    The round is recorded in the audit log (`privacy_retention`) in its transaction: by `by`,
    or, with `by` None (the server's schedule), only when it removed something, so an idle
    server does not fill the log with a round an hour. A dry run is not recorded."""
    cutoff = now - dt.timedelta(days=days)
    audit_cutoff = now - dt.timedelta(days=audit_days) if audit_days else None
    last = (
        select(func.max(Message.created_at))
        .where(Message.conversation_id == Conversation.id)
        .scalar_subquery()
    )
    old = select(Conversation.id).where(func.coalesce(last, Conversation.updated_at) < cutoff)
    lonely = select(Visitor.id).where(
        Visitor.last_seen_at < cutoff,
        ~select(Conversation.id)
        .where(Conversation.visitor_id == Visitor.id, Conversation.id.not_in(old))
        .exists(),
    )
    done = Erasure()
    texts: list[str] = []
    if dry_run:
        async with db.reading() as session:
            if days:
                await _count_retention(session, old, lonely, cutoff, done)
            if audit_cutoff is not None:
                done.audit_entries = await forget_audit(session, audit_cutoff, dry_run=True)
        return done
    async with db.writing() as session, session.begin():
        if days:
            conversation_ids = list(await session.scalars(old))
            visitor_ids = list(await session.scalars(lonely))
            texts = await _erase_conversations(session, conversation_ids, done)
            texts += await _erase_loose_inquiries(session, cutoff, done)
            await _erase_derived(session, texts, done)
            views = await session.execute(
                delete(PageView).where(
                    (PageView.updated_at < cutoff) | PageView.visitor_id.in_(visitor_ids)
                )
            )
            done.page_views += int(getattr(views, "rowcount", 0) or 0)
            gone = await session.execute(delete(Visitor).where(Visitor.id.in_(visitor_ids)))
            done.visitors += int(getattr(gone, "rowcount", 0) or 0)
        if audit_cutoff is not None:
            done.audit_entries = await forget_audit(session, audit_cutoff, dry_run=False)
        if by is not None or any(done.counts().values()):
            detail = {"days": days, "audit_days": audit_days, **done.counts()}
            await record(session, "privacy_retention", now, by or SCHEDULE, detail)
    if done.page_views or done.conversations or done.visitors or done.audit_entries:
        await _after(db, texts, vector_dir, vacuum_full, done)
    log.info("retention (%d days, audit log %d days): %s", days, audit_days, done.summary())
    return done


async def _count_retention(
    session: AsyncSession, old: Any, lonely: Any, cutoff: dt.datetime, done: Erasure
) -> None:
    conversation_ids = list(await session.scalars(old))
    done.conversations = len(conversation_ids)
    done.visitors = len(list(await session.scalars(lonely)))
    done.messages = await _count(
        session, select(Message.id).where(Message.conversation_id.in_(conversation_ids))
    )
    done.cases = await _count(
        session, select(Case.id).where(Case.conversation_id.in_(conversation_ids))
    )
    done.inquiries_anonymised = await _count(
        session, select(Inquiry.id).where(Inquiry.conversation_id.in_(conversation_ids))
    ) + await _count(session, select(Inquiry.id).where(*_loose(cutoff)))
    done.page_views = await _count(session, select(PageView.id).where(PageView.updated_at < cutoff))
