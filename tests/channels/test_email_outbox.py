"""Mail out through a real SMTP server on loopback (aiosmtpd): sent once with its threading
headers; kept and retried with a backoff while the server is unreachable or refuses it;
never sent twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import ssl
from pathlib import Path
from typing import Any

import pytest

from channels.email.intake import do_store_mail, do_take_mails
from channels.email.outbox import do_send_mails
from conversations.mail import MailSettings
from conversations.services import Services
from tests.channels.email_helpers import CONFIG, SUPPORT, mail, mails_out, take_all
from tests.conversations.conftest import NOW, InServices
from tests.insights.smtp_server import (
    PASSWORD,
    USER,
    Mailbox,
    free_port,
    self_signed,
    smtp_server,
)


def settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, starttls=False, timeout=5)


async def queued(services: Services, *, answered: bool = False) -> None:
    """Kari's mail taken in: its acknowledgement is queued (and the bot's answer, when
    `answered`)."""
    await do_store_mail(services.db, mail(), "kari@example.no", NOW)
    if answered:
        await take_all(services)
    else:
        await do_take_mails(services, CONFIG)


def test_an_answer_is_sent_once_threaded_and_marked_automatic(
    in_services: InServices[Any],
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:

        async def scenario(services: Services) -> Any:
            await queued(services, answered=True)
            first = await do_send_mails(services.db, settings(port), NOW, sender=SUPPORT)
            second = await do_send_mails(services.db, settings(port), NOW, sender=SUPPORT)
            return first, second, await mails_out(services)

        first, second, rows = in_services(scenario)
    assert (first, second) == ((2, 0), (0, 0))
    assert mailbox.envelopes == [(SUPPORT, ["kari@example.no"])] * 2
    # The two went over two connections at once: matched by Message-ID, not by order.
    by_id = {m["Message-ID"]: m for m in mailbox.messages}
    got = {row.cause.split(":")[0]: by_id[row.message_id] for row in rows}
    assert all(row.status == "sent" for row in rows) and sorted(got) == ["answer", "auto"]
    for sent in got.values():
        assert (sent["In-Reply-To"], sent["References"]) == ("<m1@example.no>",) * 2
        assert sent["Auto-Submitted"] == "auto-replied"
        assert re.fullmatch(r"Re: Pakke \[S-2026-\d{6}\]", sent["Subject"])
        assert sent["Content-Language"] == "nb"
    assert got["auto"].get_content().startswith("Takk for e-posten din.")
    assert "Svar på denne e-posten" in got["answer"].get_content()


def test_a_round_shares_its_connections_and_one_refusal_does_not_stop_the_rest(
    in_services: InServices[Any],
) -> None:
    """Ten acknowledgements over two connections (several mails each); the one address
    the server refuses is kept for a retry, the nine others are sent."""
    mailbox = Mailbox(refuse_to={"k3@example.no"})
    with smtp_server(mailbox) as port:

        async def scenario(services: Services) -> Any:
            for n in range(10):
                raw = mail("Hvor er pakken min?", f"<c{n}@x>", sender=f"k{n}@example.no")
                await do_store_mail(services.db, raw, None, NOW)
            while await do_take_mails(services, CONFIG):
                pass
            result = await do_send_mails(
                services.db, settings(port), NOW, sender=SUPPORT, connections=2
            )
            return result, await mails_out(services)

        result, rows = in_services(scenario)
    assert result == (9, 1)
    assert len(mailbox.messages) == 9 and len(set(mailbox.peers)) == 2
    [refused] = [r for r in rows if r.status != "sent"]
    assert refused.to_addr == "k3@example.no" and refused.status == "pending"
    assert "refused every recipient: k3@example.no (550" in (refused.error or "")


def test_an_unreachable_server_keeps_the_mail_and_it_is_sent_once_when_it_is_back(
    in_services: InServices[Any], caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens here yet
    mailbox = Mailbox()

    async def scenario(services: Services) -> Any:
        await queued(services)
        with caplog.at_level(logging.WARNING, logger="channels.email.outbox"):
            down = await do_send_mails(services.db, settings(port), NOW, sender=SUPPORT)
        [row] = await mails_out(services)
        too_soon = await do_send_mails(
            services.db, settings(port), NOW + dt.timedelta(seconds=29), sender=SUPPORT
        )
        down_again = await do_send_mails(
            services.db, settings(port), NOW + dt.timedelta(seconds=30), sender=SUPPORT
        )
        [again] = await mails_out(services)
        with smtp_server(mailbox, port):
            later = NOW + dt.timedelta(minutes=5)
            up = await do_send_mails(services.db, settings(port), later, sender=SUPPORT)
            once_more = await do_send_mails(services.db, settings(port), later, sender=SUPPORT)
        [done] = await mails_out(services)
        return down, row, too_soon, down_again, again, up, once_more, done

    down, row, too_soon, down_again, again, up, once_more, done = in_services(scenario)
    assert down == (0, 1) and row.status == "pending"
    assert f"cannot reach the SMTP server 127.0.0.1:{port}" in (row.error or "")
    assert row.next_try_at == NOW + dt.timedelta(seconds=30)
    assert "not sent (try 1)" in caplog.text and "next try in 30 s" in caplog.text
    assert too_soon == (0, 0) and down_again == (0, 1)
    assert again.next_try_at == NOW + dt.timedelta(seconds=90)  # 30 s, then 60 s
    assert up == (1, 0) and once_more == (0, 0)
    assert (done.status, done.attempts, done.error) == ("sent", 3, None)
    assert len(mailbox.messages) == 1


def test_a_refusing_server_keeps_the_mail_for_a_retry(in_services: InServices[Any]) -> None:
    mailbox = Mailbox(refuse=True)
    with smtp_server(mailbox) as port:

        async def scenario(services: Services) -> Any:
            await queued(services)
            refused = await do_send_mails(services.db, settings(port), NOW, sender=SUPPORT)
            mailbox.refuse = False
            later = NOW + dt.timedelta(minutes=1)
            accepted = await do_send_mails(services.db, settings(port), later, sender=SUPPORT)
            return refused, accepted, await mails_out(services)

        refused, accepted, [row] = in_services(scenario)
    assert refused == (0, 1) and accepted == (1, 0)
    assert row.status == "sent" and len(mailbox.messages) == 1


def test_a_sender_that_died_while_sending_is_taken_over_after_the_lease(
    in_services: InServices[Any],
) -> None:
    from channels.email.outbox import SEND_LEASE, _claim

    mailbox = Mailbox()
    with smtp_server(mailbox) as port:

        async def scenario(services: Services) -> Any:
            await queued(services)
            [claimed] = await _claim(services.db, NOW, 20)  # then it dies
            held = await do_send_mails(services.db, settings(port), NOW, sender=SUPPORT)
            after = await do_send_mails(
                services.db, settings(port), NOW + SEND_LEASE, sender=SUPPORT
            )
            return claimed, held, after

        claimed, held, after = in_services(scenario)
    assert claimed.status == "sending" and held == (0, 0) and after == (1, 0)
    assert len(mailbox.messages) == 1


def test_mail_goes_out_with_starttls_and_login_and_a_wrong_login_is_retried(
    in_services: InServices[Any], tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    mailbox = Mailbox()
    with smtp_server(mailbox, tls=(cert, key)) as port:
        good = MailSettings(
            "127.0.0.1", port, username=USER, password=PASSWORD, tls_context=trust, timeout=5
        )
        wrong = dataclasses.replace(good, password="feil")

        async def scenario(services: Services) -> Any:
            await queued(services)
            refused = await do_send_mails(services.db, wrong, NOW, sender=SUPPORT)
            [row] = await mails_out(services)
            later = NOW + dt.timedelta(minutes=1)
            sent = await do_send_mails(services.db, good, later, sender=SUPPORT)
            return refused, row, sent

        refused, row, sent = in_services(scenario)
    assert refused == (0, 1) and "refused the login: 535" in (row.error or "")
    assert sent == (1, 0) and len(mailbox.messages) == 1
