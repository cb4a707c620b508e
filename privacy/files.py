"""Erased means gone from the database files too.

SQLite: every connection runs with `PRAGMA secure_delete=ON` (conversations.storage), so a
deleted row's bytes are overwritten with zeros in the page that held it; after an erasure the
write-ahead log is checkpointed into the database and truncated (`wal_checkpoint(TRUNCATE)`),
so the old page images in the log are gone as well.

PostgreSQL: a deleted row stays in its page until VACUUM prunes it. After an erasure each
touched table is vacuumed (`VACUUM`, which prunes the dead rows and lets their space be
reused), or with `full` rewritten (`VACUUM FULL`: a new file without the old bytes, but an
exclusive lock on the table while it runs). The server's write-ahead log and any backups keep
the data until they are recycled or expire (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from conversations.storage import Database

__all__ = ["clean_files"]


async def clean_files(db: Database, tables: Sequence[str], *, full: bool = False) -> list[str]:
    """Clean the database files after an erasure; returns what was done, one line each."""
    if db.dialect == "sqlite":
        async with db.engine.connect() as connection:
            row = (await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
            await connection.commit()
        busy = bool(row[0])
        return [
            "sqlite: write-ahead log checkpointed and truncated"
            if not busy
            else "sqlite: write-ahead log checkpoint was blocked by a reader; it runs again "
            "on the next erasure and at SQLite's automatic checkpoints"
        ]
    done = []
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            # names from privacy.data.TABLES, never from input
            await autocommit.exec_driver_sql(f"VACUUM {'FULL ' if full else ''}{table}")
            done.append(f"postgresql: VACUUM {'FULL ' if full else ''}{table}")
    return done
