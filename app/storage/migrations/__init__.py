"""Alembic migrations of Samsvar's tables (run programmatically; see `app.storage.actions`)."""
