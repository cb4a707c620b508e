"""Storage on SQLite and on a real PostgreSQL: migrations, seqs, client ids, page views, visits."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.engine import Connection

import channels.email.tables  # noqa: F401  (so are the e-mail channel's)
import insights.tables  # noqa: F401  (its table is migrated with the rest)
from app.migrate import do_upgrade, get_current_revision, get_head_revision
from conversations.errors import StorageUnavailable
from conversations.storage import (
    Database,
    NewInquiry,
    NewMessage,
    PageInfo,
    do_add_message,
    do_create_conversation,
    do_create_visitor,
    do_record_page_view,
    do_store_replies,
    do_touch_visitor,
    get_conversation,
    get_database_url,
    get_inquiries,
    get_messages,
)
from conversations.storage.tables import Base, Conversation, PageView
from handoff import NewCase, Urgency, do_open_case
from handoff.tables import Case, CaseEvent
from tests.app.traffic import NOW, with_database


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def test_the_migrations_build_exactly_the_tables(database_url: str) -> None:
    async def check(db: Database) -> tuple[list[object], set[str], tuple[object, str]]:
        async with db.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        again = await do_upgrade(db)
        return differences, tables, again

    differences, tables, again = with_database(database_url, check)
    assert differences == [], "the models and the migrations disagree: add a migration"
    assert tables >= {
        "visitors",
        "conversations",
        "messages",
        "inquiries",
        "page_views",
        "feedback",
    }
    head = get_head_revision()
    assert again == (head, head)


def test_messages_get_seqs_and_a_client_id_is_stored_once(database_url: str) -> None:
    async def work(db: Database) -> tuple[list[tuple[int, bool]], list[tuple[int, str | None]]]:
        visitor = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        results = []
        for client_id in ("a", "b", "a", None, None):
            new = NewMessage(role="visitor", text="hei", client_id=client_id)
            message, _, duplicate = await do_add_message(db, visitor.id, conversation.id, new, NOW)
            results.append((message.seq, duplicate))
        stored = await get_messages(db, conversation.id)
        return results, [(m.seq, m.client_id) for m in stored]

    results, stored = with_database(database_url, work)
    assert results == [(1, False), (2, False), (1, True), (3, False), (4, False)]
    assert stored == [(1, "a"), (2, "b"), (3, None), (4, None)]


def test_racing_copies_of_one_message_are_stored_once(database_url: str) -> None:
    async def work(db: Database) -> tuple[list[bool], list[int]]:
        visitor = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        copies = [
            do_add_message(
                db,
                visitor.id,
                conversation.id,
                NewMessage("visitor", "hei", client_id=f"c{n % 4}"),
                NOW,
            )
            for n in range(12)
        ]
        results = await asyncio.gather(*copies)
        stored = await get_messages(db, conversation.id)
        return sorted(d for _, _, d in results), [m.seq for m in stored]

    duplicates, seqs = with_database(database_url, work)
    assert duplicates.count(False) == 4
    assert seqs == [1, 2, 3, 4]


def test_a_turn_stores_replies_inquiry_and_status_together(database_url: str) -> None:
    async def work(db: Database) -> tuple[object, ...]:
        visitor = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        new = NewMessage("visitor", "hjelp")
        asked, _, _ = await do_add_message(db, visitor.id, conversation.id, new, NOW)
        inquiry = NewInquiry("hjelp", "nb", "handoff", None, 1.0, 3.2, "/checkout")
        later = NOW + dt.timedelta(seconds=5)
        (reply,) = await do_store_replies(
            db,
            conversation.id,
            [NewMessage("bot", "En person kommer", reply_to=asked.id, decision="handoff")],
            later,
            inquiry=inquiry,
            inquiry_message_id=asked.id,
            status="waiting_human",
            language="nb",
        )
        after = await get_conversation(db, conversation.id)
        inquiries = await get_inquiries(db, conversation.id)
        messages = await get_messages(db, conversation.id)
        assert after is not None
        return (
            reply.seq,
            after.status,
            after.language,
            after.updated_at,
            [(i.decision, i.message_id, i.page_url, i.created_at) for i in inquiries],
            messages[0].lang,
        )

    seq, status, language, updated, inquiries, asked_lang = with_database(database_url, work)
    later = NOW + dt.timedelta(seconds=5)
    assert (seq, status, language, updated, asked_lang) == (2, "waiting_human", "nb", later, "nb")
    assert len(inquiries) == 1  # type: ignore[arg-type]
    decision, message_id, page_url, created = inquiries[0]  # type: ignore[index]
    assert (decision, page_url, created) == ("handoff", "/checkout", later)
    assert message_id


def test_times_come_back_aware_and_in_utc(database_url: str) -> None:
    oslo = dt.timezone(dt.timedelta(hours=1))

    async def work(db: Database) -> dt.datetime:
        visitor = await do_create_visitor(db, NOW.astimezone(oslo))
        conversation = await do_create_conversation(db, visitor.id, NOW.astimezone(oslo))
        found = await get_conversation(db, conversation.id)
        assert found is not None
        return found.started_at

    started = with_database(database_url, work)
    assert started == NOW
    assert started.utcoffset() == dt.timedelta(0)


def test_postgresql_connections_do_not_compile_just_in_time(database_url: str) -> None:
    """JIT compiling made the insights' counts slower on PostgreSQL (decision 0101)."""

    async def work(db: Database) -> str | None:
        if db.dialect != "postgresql":
            return None
        async with db.reading() as session:
            return str((await session.execute(text("SHOW jit"))).scalar_one())

    assert with_database(database_url, work) in (None, "off")


def test_a_timer_report_updates_the_page_view_and_a_reload_is_a_new_one(
    database_url: str,
) -> None:
    async def work(db: Database) -> list[tuple[str, float]]:
        visitor = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        reports = [("/checkout", 0.0), ("/checkout", 30.0), ("/checkout", 0.0), ("/orders", 5.0)]
        for url, seconds in reports:
            page = PageInfo(url=url, seconds_on_page=seconds)
            await do_record_page_view(db, visitor.id, conversation.id, page, NOW)
        async with db.reading() as session:
            views = await session.scalars(select(PageView).order_by(PageView.id))
            return [(view.url, view.seconds_on_page) for view in views.all()]

    assert with_database(database_url, work) == [
        ("/checkout", 30.0),
        ("/checkout", 0.0),
        ("/orders", 5.0),
    ]


def test_a_visit_starts_after_thirty_minutes_away(database_url: str) -> None:
    async def work(db: Database) -> list[int]:
        visitor = await do_create_visitor(db, NOW)
        counts = []
        for minutes in (10, 20, 55, 56):
            visitor = await do_touch_visitor(db, visitor, NOW + dt.timedelta(minutes=minutes))
            counts.append(visitor.visits)
        return counts

    assert with_database(database_url, work) == [1, 1, 2, 2]


@pytest.mark.parametrize(
    ("configured", "driver"),
    [
        ("sqlite:////srv/chat.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:////srv/chat.db", "sqlite+aiosqlite"),
        ("postgresql://u:p@db.internal/samsvar", "postgresql+asyncpg"),
        ("postgres://u:p@db.internal/samsvar", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u:p@db.internal/samsvar", "postgresql+asyncpg"),
    ],
)
def test_database_urls_get_their_async_driver(configured: str, driver: str) -> None:
    assert get_database_url(configured, Path("var")).drivername == driver


def test_the_default_database_is_a_file_in_the_data_directory(tmp_path: Path) -> None:
    url = get_database_url(None, tmp_path)
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(tmp_path.resolve() / "samsvar.db")


@pytest.mark.parametrize("configured", ["mysql://u@h/db", "sqlite+pysqlite:///x.db", "::"])
def test_other_database_urls_are_refused(configured: str) -> None:
    with pytest.raises(StorageUnavailable, match="CHAT_DATABASE_URL"):
        get_database_url(configured, Path("var"))


def test_adding_checks_the_owner_and_a_failed_check_stores_nothing(database_url: str) -> None:
    from conversations.errors import ConversationError, Forbidden, RateLimited, UnknownConversation

    def refuse() -> None:
        raise RateLimited("too many", 5)

    async def work(db: Database) -> list[str]:
        visitor = await do_create_visitor(db, NOW)
        other = await do_create_visitor(db, NOW)
        conversation = await do_create_conversation(db, visitor.id, NOW)
        stored = NewMessage("visitor", "hei", client_id="kept")
        await do_add_message(db, visitor.id, conversation.id, stored, NOW)
        outcomes = []
        attempts = [
            (other.id, conversation.id, NewMessage("visitor", "x", client_id="o"), None),
            (visitor.id, "missing", NewMessage("visitor", "x", client_id="m"), None),
            (visitor.id, conversation.id, NewMessage("visitor", "x", client_id="new"), refuse),
        ]
        for who, where, new, check in attempts:
            try:
                await do_add_message(db, who, where, new, NOW, check=check)
            except ConversationError as exc:
                outcomes.append(type(exc).__name__)
        _, _, duplicate = await do_add_message(
            db, visitor.id, conversation.id, stored, NOW, check=refuse
        )
        outcomes.append(f"duplicate={duplicate}")
        after = await get_conversation(db, conversation.id)
        messages = await get_messages(db, conversation.id)
        assert after is not None
        outcomes.append(f"last_seq={after.last_seq} messages={len(messages)}")
        return outcomes

    assert with_database(database_url, work) == [
        Forbidden.__name__,
        UnknownConversation.__name__,
        RateLimited.__name__,
        "duplicate=True",
        "last_seq=1 messages=1",
    ]


async def _back_to(db: Database, revision: str) -> None:
    """Downgrade to `revision`: the data was made by the newest code, then the database is
    taken back to what an older Samsvar left (foreign keys off, as `do_upgrade` runs)."""
    from alembic import command

    from app.migrate import alembic_config

    async with db.engine.connect() as connection:
        if db.dialect == "sqlite":
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        await connection.run_sync(
            lambda c: command.downgrade(alembic_config(connection=c), revision)
        )
        await connection.commit()
        if db.dialect == "sqlite":
            await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            await connection.commit()


async def _case_in(db: Database) -> str:
    """A visitor, a conversation and a case in it (with its events); the conversation's id."""
    visitor = await do_create_visitor(db, NOW)
    conversation = await do_create_conversation(db, visitor.id, NOW)
    urgency = Urgency("normal", ())
    new = NewCase(conversation.id, visitor.id, "support", "asked_for_human", "nb", urgency)
    async with db.writing() as session, session.begin():
        await do_open_case(session, new, NOW, 2026)
    return conversation.id


def test_the_case_key_migration_keeps_every_case_and_its_history(database_url: str) -> None:
    """0006 adds the key from cases to conversations; on SQLite that rebuilds the table, which
    must not delete the cases' events (ON DELETE CASCADE) on the way."""

    async def check(db: Database) -> tuple[int, list[str], int, list[str], int, int]:
        await _case_in(db)
        async with db.reading() as session:
            events = len((await session.scalars(select(CaseEvent))).all())
        await _back_to(db, "0005")
        async with db.engine.connect() as connection:
            old = await connection.run_sync(lambda c: inspect(c).get_foreign_keys("cases"))
        await do_upgrade(db)
        async with db.engine.connect() as connection:
            keys = await connection.run_sync(lambda c: inspect(c).get_foreign_keys("cases"))
        async with db.reading() as session:
            kept = len((await session.scalars(select(CaseEvent))).all())
            cases = len((await session.scalars(select(Case))).all())
        async with db.writing() as session, session.begin():  # the key holds: deleting the
            await session.execute(delete(Conversation))  # conversation deletes its case
        async with db.reading() as session:
            left = len((await session.scalars(select(Case))).all())
        referred = [k["referred_table"] for k in keys]
        return events, [k["referred_table"] for k in old], kept, referred, cases, left

    events, before, kept, referred, cases, left = with_database(database_url, check)
    assert "conversations" not in before
    assert events > 0 and kept == events
    assert "conversations" in referred
    assert cases == 1 and left == 0


def test_the_case_key_migration_refuses_cases_without_their_conversation(
    database_url: str,
) -> None:
    async def check(db: Database) -> str:
        await _case_in(db)
        await _back_to(db, "0005")
        async with db.writing() as session, session.begin():
            await session.execute(text("UPDATE cases SET conversation_id = 'gone-conversation'"))
        with pytest.raises(StorageUnavailable) as refused:
            await do_upgrade(db)
        async with db.engine.connect() as connection:
            revision = await connection.run_sync(get_current_revision)
        assert revision == "0005"  # nothing half-done
        return str(refused.value)

    message = with_database(database_url, check)
    assert "1 cases refer to conversations that do not exist" in message
