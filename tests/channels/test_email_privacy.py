"""A visitor's erasure takes their mails, attachments and outgoing mails with their
conversations; a mail that was no inquiry keeps nothing personal."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from channels.email.intake import do_store_mail, do_take_mails
from conversations.services import Services
from privacy import CLI, Subject, do_erase
from tests.channels.email_helpers import CONFIG, attachments, mail, mails_in, mails_out, take_all
from tests.conversations.conftest import NOW, InServices


def test_erasing_a_visitor_deletes_their_mails_files_and_outgoing_mails(
    in_services: InServices[Any],
) -> None:
    message = EmailMessage()
    message["From"] = "kari@example.no"
    message["Message-ID"] = "<k1@example.no>"
    message.set_content("Hvor er pakken min?")
    message.add_attachment(
        b"kvittering", maintype="application", subtype="pdf", filename="kvittering.pdf"
    )

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, message.as_bytes(), "kari@example.no", NOW)
        await do_store_mail(
            services.db, mail("Hvor er pakken min?", "<o1@x>", sender="ola@example.no"), None, NOW
        )
        outcomes = await take_all(services)
        kari = next(o for o in reversed(outcomes) if o.message_id == "<k1@example.no>")
        before = (await mails_in(services), await attachments(services), await mails_out(services))
        assert kari.result is not None
        await do_erase(services.db, Subject(visitor=kari.result.visitor_id), NOW, by=CLI)
        after = (await mails_in(services), await attachments(services), await mails_out(services))
        return before, after

    (ins, files, outs), (ins_after, files_after, outs_after) = in_services(scenario)
    assert (len(ins), len(files), len(outs)) == (2, 1, 4)  # each acknowledged and answered
    assert [m.message_id for m in ins_after] == ["<o1@x>"]
    assert files_after == []
    assert [m.to_addr for m in outs_after] == ["ola@example.no"] * 2


def test_a_skipped_mail_keeps_only_its_message_id(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> Any:
        raw = mail("Jeg er på ferie", "<ferie@x>", Auto_Submitted="auto-replied")
        await do_store_mail(services.db, raw, "kari@example.no", NOW)
        await do_take_mails(services, CONFIG)
        return await mails_in(services)

    [row] = in_services(scenario)
    assert (row.status, row.reason, row.raw, row.from_addr, row.conversation_id) == (
        "skipped",
        "auto_reply",
        b"",
        None,
        None,
    )
    assert row.envelope_from is None


def test_the_number_of_a_mail_the_bot_answered_finds_its_customer_for_erasure(
    in_services: InServices[Any],
) -> None:
    """The customer quotes the number their acknowledgement gave, though no case opened:
    it finds them, and the kept number goes with their conversation."""
    from sqlalchemy import select

    from handoff.tables import CaseReservation

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), "kari@example.no", NOW)
        await do_store_mail(
            services.db, mail("Hvor er pakken min?", "<o2@x>", sender="ola@example.no"), None, NOW
        )
        outcomes = await take_all(services)
        kari = next(o for o in reversed(outcomes) if o.message_id == "<m1@example.no>")
        assert kari.result is not None and kari.result.case_number is None  # the bot answered
        erased = await do_erase(services.db, Subject(case=kari.case_number), NOW, by=CLI)
        async with services.db.reading() as session:
            kept = list(await session.scalars(select(CaseReservation.number)))
        return kari, erased, kept, await mails_in(services)

    kari, erased, kept, left = in_services(scenario)
    assert erased.visitors == 1
    assert kari.case_number not in kept and len(kept) == 1  # Ola's is still there
    assert [m.message_id for m in left] == ["<o2@x>"]
