"""Channels other than the widget: e-mail in and out, the channel API, phone and desk
registration. Each parses and threads its own messages, keeps loops out, and then uses the
same `conversations` operations as the widget, so the answers are the same everywhere and
every inquiry is counted (decision 0120).

Layers: `app > privacy > insights | eval | channels > conversations`.
"""

from __future__ import annotations

from channels.api import (
    case_json,
    customer_refs,
    get_case_for_key,
    get_conversation_for_key,
    inquiry_json,
)
from channels.api_keys import (
    KEY_PREFIX,
    ApiKeyInfo,
    Who,
    do_check_api_key,
    do_create_api_key,
    do_revoke_api_key,
    get_api_keys,
)
from channels.customers import (
    KINDS,
    CustomerHistory,
    customer_ref,
    do_find_customer,
    do_link_refs,
    find_customer,
    get_customer_history,
    get_customer_refs,
    guess_ref,
)
from channels.errors import (
    BadApiKey,
    BadChannel,
    BadCustomer,
    BadName,
    BadWebhook,
    ChannelError,
    ChannelNotAllowed,
    UnknownApiKey,
    UnknownCustomer,
    UnknownWebhook,
    WrongCustomer,
)
from channels.inbound import Inbound, InboundResult, check_channel, do_inbound
from channels.webhooks import (
    BACKOFF,
    EVENT_KINDS,
    MAX_TRIES,
    WebhookInfo,
    WebhookWorker,
    do_add_webhook,
    do_deliver_due,
    do_find_events,
    do_remove_webhook,
    get_deliveries,
    get_webhooks,
    sign,
)

__all__ = [
    "BACKOFF",
    "EVENT_KINDS",
    "KEY_PREFIX",
    "KINDS",
    "MAX_TRIES",
    "ApiKeyInfo",
    "BadApiKey",
    "BadChannel",
    "BadCustomer",
    "BadName",
    "BadWebhook",
    "ChannelError",
    "ChannelNotAllowed",
    "CustomerHistory",
    "Inbound",
    "InboundResult",
    "UnknownApiKey",
    "UnknownCustomer",
    "UnknownWebhook",
    "WebhookInfo",
    "WebhookWorker",
    "Who",
    "WrongCustomer",
    "case_json",
    "check_channel",
    "customer_ref",
    "customer_refs",
    "do_add_webhook",
    "do_check_api_key",
    "do_create_api_key",
    "do_deliver_due",
    "do_find_customer",
    "do_find_events",
    "do_inbound",
    "do_link_refs",
    "do_remove_webhook",
    "do_revoke_api_key",
    "find_customer",
    "get_api_keys",
    "get_case_for_key",
    "get_conversation_for_key",
    "get_customer_history",
    "get_customer_refs",
    "get_deliveries",
    "get_webhooks",
    "guess_ref",
    "inquiry_json",
    "sign",
]
