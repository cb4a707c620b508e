"""Alembic migrations of Samsvar's tables (run from code; see `app.migrate`)."""
