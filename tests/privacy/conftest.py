"""The conversation services in-process (tests/conversations/conftest.py), for privacy."""

from tests.conversations.conftest import in_services, shop_bot, shop_encoder, shop_retriever

__all__ = ["in_services", "shop_bot", "shop_encoder", "shop_retriever"]
