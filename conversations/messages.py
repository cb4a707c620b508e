"""A stored message as clients see it (docs/api.md, "A message as the server sends it")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conversations.storage import Message

__all__ = ["message_json", "timestamp"]


def timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z: 2026-12-01T08:00:00.000Z."""
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message_json(message: Message) -> dict[str, Any]:
    flags = message.flags or {}
    return {
        "id": message.id,
        "seq": message.seq,
        "role": message.role,
        "text": message.text,
        "lang": message.lang,
        "created_at": timestamp(message.created_at),
        "client_id": message.client_id,
        "reply_to": message.reply_to,
        "decision": message.decision,
        "answer_id": message.answer_id,
        "links": list(message.links or ()),
        "fallback": bool(flags.get("fallback", False)),
        "note": flags.get("note"),
        "choices": [
            {"answer_id": c["answer_id"], "label": c["label"]} for c in message.choices or ()
        ],
        "offer_human": bool(flags.get("offer_human", False)),
        "ask_feedback": bool(flags.get("ask_feedback", False)),
        "proactive": bool(flags.get("proactive", False)),
        "agent_name": flags.get("agent_name") if message.role == "agent" else None,
        "collect": flags.get("collect") if message.decision == "collect" else None,
        "ask_rating": flags.get("system") == "resolved",
    }
