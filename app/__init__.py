"""Thin wiring: settings, the storage engine, and the `samsvar` command."""

from app.settings import Settings

__all__ = ["Settings"]
