"""The e-mail channel's settings: a support address needs an SMTP server to answer from."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_an_email_address_needs_an_smtp_server_and_must_be_an_address() -> None:
    with pytest.raises(ValidationError, match="CHAT_SMTP_HOST must be set when CHAT_EMAIL_ADDRESS"):
        Settings(email_address="hjelp@butikk.no")
    with pytest.raises(ValidationError, match="CHAT_EMAIL_ADDRESS: not an e-mail address"):
        Settings(email_address="hjelp", smtp_host="smtp.butikk.no")
    settings = Settings(email_address="hjelp@butikk.no", smtp_host="smtp.butikk.no")
    assert (settings.email_receiver_port, settings.email_attachment_mb) == (2525, 10.0)
    assert settings.email_per_sender_hour == 5 and not settings.email_receiver_lmtp
