"""A fresh database with the hand-off tables, on SQLite and on a real PostgreSQL 15
(`database_url` and `postgres_server` come from the server tests' fixtures)."""

from __future__ import annotations

from tests.app.conftest import database_url, postgres_server

__all__ = ["database_url", "postgres_server"]
