"""Channels other than the widget: e-mail in and out, the channel API, phone and desk
registration. Each parses and threads its own messages, keeps loops out, and then uses the
same `conversations` operations as the widget, so the answers are the same everywhere and
every inquiry is counted (decision 0120).

Layers: `app > privacy > insights | eval | channels > conversations`.
"""

from __future__ import annotations

from channels.customers import (
    KINDS,
    CustomerHistory,
    customer_ref,
    do_find_customer,
    do_link_refs,
    get_customer_history,
    get_customer_refs,
    guess_ref,
)
from channels.desk import (
    REGISTERED,
    Registered,
    Registration,
    do_register,
    get_case_customer,
    get_recent_customers,
    template_json,
)
from channels.errors import (
    BadChannel,
    BadCustomer,
    BadRegistration,
    ChannelError,
    UnknownTemplate,
    WrongCustomer,
)
from channels.inbound import Inbound, InboundResult, check_channel, do_inbound

__all__ = [
    "KINDS",
    "REGISTERED",
    "BadChannel",
    "BadCustomer",
    "BadRegistration",
    "ChannelError",
    "CustomerHistory",
    "Inbound",
    "InboundResult",
    "Registered",
    "Registration",
    "UnknownTemplate",
    "WrongCustomer",
    "check_channel",
    "customer_ref",
    "do_find_customer",
    "do_inbound",
    "do_link_refs",
    "do_register",
    "get_case_customer",
    "get_customer_history",
    "get_customer_refs",
    "get_recent_customers",
    "guess_ref",
    "template_json",
]
