"""Storage of visitors, conversations, messages, inquiries, page views and feedback.

SQLAlchemy 2 (async) on SQLite by default or PostgreSQL, migrated by Alembic. Changes are the
`do_*` functions of `actions`, look-ups the `get_*` functions of `queries`.
"""

from app.storage.actions import (
    do_add_message,
    do_case_change,
    do_create_conversation,
    do_create_visitor,
    do_record_feedback,
    do_record_page_view,
    do_store_replies,
    do_touch_visitor,
    do_upgrade,
)
from app.storage.database import Database, get_database_url, open_database
from app.storage.queries import (
    check_conversation,
    get_conversation,
    get_conversation_with_message,
    get_counts,
    get_earlier_conversations,
    get_feedback,
    get_inquiries,
    get_latest_conversation,
    get_message,
    get_message_by_client_id,
    get_messages,
    get_replies,
    get_turn_context,
    get_visitor,
)
from app.storage.records import NewInquiry, NewMessage, PageInfo
from app.storage.tables import Conversation, Feedback, Inquiry, Message, PageView, Visitor

__all__ = [
    "Conversation",
    "Database",
    "Feedback",
    "Inquiry",
    "Message",
    "NewInquiry",
    "NewMessage",
    "PageInfo",
    "PageView",
    "Visitor",
    "check_conversation",
    "do_add_message",
    "do_case_change",
    "do_create_conversation",
    "do_create_visitor",
    "do_record_feedback",
    "do_record_page_view",
    "do_store_replies",
    "do_touch_visitor",
    "do_upgrade",
    "get_conversation",
    "get_conversation_with_message",
    "get_counts",
    "get_database_url",
    "get_earlier_conversations",
    "get_feedback",
    "get_inquiries",
    "get_latest_conversation",
    "get_message",
    "get_message_by_client_id",
    "get_messages",
    "get_replies",
    "get_turn_context",
    "get_visitor",
    "open_database",
]
