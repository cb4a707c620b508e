"""The receiver and the workers together, over real SMTP on loopback both ways: a mail sent
to the receiver (SMTP or LMTP) is kept before the 250 and answered through the outgoing SMTP
server once."""

from __future__ import annotations

import asyncio
import smtplib
from typing import Any

from channels.email.service import EmailChannel
from conversations.mail import MailSettings
from conversations.services import Services
from tests.channels.email_helpers import CONFIG, SUPPORT, mail, mails_in, mails_out
from tests.conversations.conftest import InServices
from tests.insights.smtp_server import Mailbox, smtp_server


def _send(port: int, raw: bytes, *, lmtp: bool = False) -> Any:
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:
        return client.sendmail("kari@example.no", [SUPPORT], raw)


async def _until(check: Any, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def test_a_mail_over_smtp_is_kept_taken_in_and_answered_over_smtp(
    in_services: InServices[Any],
) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as out_port:

        async def scenario(services: Services) -> Any:
            out = MailSettings(host="127.0.0.1", port=out_port, starttls=False, timeout=5)
            channel = EmailChannel(services, CONFIG, out, every=0.05, sender_name="Butikken")
            port = await channel.start("127.0.0.1", 0)
            try:
                refused = await asyncio.to_thread(_send, port, mail())
                again = await asyncio.to_thread(_send, port, mail())  # the MTA retries
                await _until(lambda: len(mailbox.messages) >= 2)
                await asyncio.sleep(0.3)  # nothing more comes
            finally:
                await channel.stop()
            return refused, again, await mails_in(services), await mails_out(services)

        refused, again, received, rows = in_services(scenario)
    assert refused == {} and again == {}
    assert [r.status for r in received] == ["done"]
    by_id = {m["Message-ID"]: m for m in mailbox.messages}  # one each, in whatever order
    sent = {row.cause: by_id[row.message_id] for row in rows}
    assert sorted(sent) == ["answer:<m1@example.no>", "auto:<m1@example.no>"]
    assert "registrert den som sak" in sent["auto:<m1@example.no>"].get_content()
    assert "Svar på denne e-posten" in sent["answer:<m1@example.no>"].get_content()
    assert len(mailbox.messages) == 2 and all(row.status == "sent" for row in rows)
    for message in sent.values():
        assert message["From"] == f"Butikken <{SUPPORT}>"
        assert message["In-Reply-To"] == "<m1@example.no>"


def test_the_receiver_speaks_lmtp_too_and_keeps_mail_while_the_workers_are_off(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        channel = EmailChannel(services, CONFIG, None, every=60)
        port = await channel.start("127.0.0.1", 0, lmtp=True)
        try:
            for task in channel._tasks:  # the workers are down: the mail must still be kept
                task.cancel()
            answer = await asyncio.to_thread(_send, port, mail(), lmtp=True)
        finally:
            await channel.stop()
        return answer, await mails_in(services)

    answer, [row] = in_services(scenario)
    assert answer == {}
    assert (row.message_id, row.status, row.envelope_from) == (
        "<m1@example.no>",
        "pending",
        "kari@example.no",
    )
    assert b"Hvor er pakken min?" in row.raw


def test_mails_sent_at_once_are_each_kept_once_before_their_250(
    in_services: InServices[Any],
) -> None:
    """Twelve connections deliver at once (two of them the same mail): the receiver writes
    what arrives together in groups, and each sender hears 250 only once its mail is kept."""

    async def scenario(services: Services) -> Any:
        channel = EmailChannel(services, CONFIG, None, every=60)
        port = await channel.start("127.0.0.1", 0)
        try:
            for task in channel._tasks:  # only the receiver: the rows stay as received
                task.cancel()
            raws = [mail("Hei", f"<b{n}@x>", sender=f"k{n}@example.no") for n in range(11)]
            raws.append(raws[3])
            answers = await asyncio.gather(*(asyncio.to_thread(_send, port, r) for r in raws))
        finally:
            await channel.stop()
        return answers, await mails_in(services)

    answers, rows = in_services(scenario)
    assert answers == [{}] * 12
    assert sorted(r.message_id for r in rows) == sorted(f"<b{n}@x>" for n in range(11))
    assert {r.status for r in rows} == {"pending"}


def test_a_mail_that_cannot_be_stored_is_refused_with_451_for_a_retry(
    in_services: InServices[Any],
) -> None:
    from sqlalchemy import text

    async def scenario(services: Services) -> Any:
        async with services.db.writing() as session, session.begin():
            await session.execute(text("DROP TABLE mail_attachments"))
            await session.execute(text("DROP TABLE mails_in"))  # the store now fails
        channel = EmailChannel(services, CONFIG, None, every=60)
        port = await channel.start("127.0.0.1", 0)
        try:
            return await asyncio.to_thread(_refused, port)
        finally:
            await channel.stop()

    code, message = in_services(scenario)
    assert code == 451 and b"try again later" in message


def _refused(port: int) -> tuple[int, bytes | str]:
    try:
        _send(port, mail())
    except smtplib.SMTPDataError as exc:
        return exc.smtp_code, exc.smtp_error
    raise AssertionError("the mail was accepted")
