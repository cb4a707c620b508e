"""Who a visitor is, as agents may know it: a public id, and a customer identity the site signed.

A visitor's id is the visitor's credential (whoever holds it reads and writes as the visitor),
so it never reaches an agent: cases, agent API responses and frames to agents carry
`public_visitor_id`, a one-way function of it (SHA-256), which tells agents "the same visitor"
and nothing more.

A site that knows its signed-in customer gives the widget the customer's id and an
HMAC-SHA256 of that id under a secret it shares with the server (CHAT_IDENTITY_SECRET);
`verify_customer` checks it in constant time. Only a verified customer links devices (every
device of the customer goes on as one visitor) and shows the customer's earlier cases to the
agent. docs/widget.md, "Signed-in customers", shows how a site computes the HMAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from conversations.errors import InvalidIdentity

__all__ = ["MAX_CUSTOMER_ID", "customer_hmac", "public_visitor_id", "verify_customer"]

MAX_CUSTOMER_ID = 128
_PUBLIC = b"samsvar public visitor id\x00"


def public_visitor_id(visitor_id: str) -> str:
    """The visitor as agents see it: `v_` and 16 URL-safe characters (96 bits of SHA-256)."""
    digest = hashlib.sha256(_PUBLIC + visitor_id.encode()).digest()
    return "v_" + base64.urlsafe_b64encode(digest[:12]).decode()


def customer_hmac(secret: str, customer_id: str) -> str:
    """The signature a site sends with its customer's id: HMAC-SHA256, lowercase hex."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def verify_customer(secret: str | None, customer_id: str | None, signature: str | None) -> str:
    """The customer id, once its signature is checked; raises InvalidIdentity (what is wrong:
    no secret on the server, a half-given identity, a bad id, a wrong signature)."""
    if not customer_id or not signature:
        raise InvalidIdentity(
            "a signed identity needs both customer_id and customer_hmac; send both or neither"
        )
    if not secret:
        raise InvalidIdentity(
            "this server takes no signed identities: CHAT_IDENTITY_SECRET is not set"
        )
    if len(customer_id) > MAX_CUSTOMER_ID or not customer_id.isprintable():
        raise InvalidIdentity(f"customer_id must be 1 to {MAX_CUSTOMER_ID} printable characters")
    expected = customer_hmac(secret, customer_id)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise InvalidIdentity(
            "customer_hmac is not the HMAC-SHA256 of customer_id under the server's "
            "CHAT_IDENTITY_SECRET (hex): the identity is refused and nothing is linked"
        )
    return customer_id
