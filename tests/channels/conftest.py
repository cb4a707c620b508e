"""The channels in-process: the conversation services of `tests.conversations` (SQLite, the
local hub, a fixed clock, the shop's bot)."""

from __future__ import annotations

from tests.conversations.conftest import in_services, shop_bot, shop_encoder, shop_retriever

__all__ = ["in_services", "shop_bot", "shop_encoder", "shop_retriever"]
