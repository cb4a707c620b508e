"""Mail taken in: stored before it is accepted, taken in once however often it is delivered
or a worker dies, answered once (the curated answer, or an acknowledgement with the case
number), loops kept out, replies threaded into their conversation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from channels.email.intake import _claim, do_store_mail, do_take_mails
from conversations.services import Services
from conversations.storage import get_inquiries, get_messages
from tests.channels.email_helpers import CONFIG, attachments, mail, mails_in, mails_out
from tests.conversations.conftest import NOW, InServices


async def take(services: Services, *raws: bytes, envelope_from: str | None = "x@y.no") -> list[Any]:
    for raw in raws:
        await do_store_mail(services.db, raw, envelope_from, services.clock())
    outcomes = []
    while found := await do_take_mails(services, CONFIG):
        outcomes += found
    return outcomes


def test_a_confident_mail_gets_the_curated_answer_once(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> Any:
        [outcome] = await take(services, mail())
        again = await take(services, mail())  # delivered a second time
        return outcome, again, await mails_in(services), await mails_out(services)

    outcome, again, received, sent = in_services(scenario)
    assert outcome.status == "done" and outcome.result.decision == "answer"
    assert again == []
    [row] = received
    assert (row.status, row.raw, row.from_addr) == ("done", b"", "kari@example.no")
    [reply] = sent
    answer = next(r for r in outcome.result.replies if r.role == "bot")
    assert reply.body.startswith(answer.text)  # word for word
    assert "Svar på denne e-posten" in reply.body
    assert (reply.to_addr, reply.subject, reply.lang) == ("kari@example.no", "Re: Pakke", "nb")
    assert (reply.in_reply_to, reply.references) == ("<m1@example.no>", "<m1@example.no>")
    assert reply.automatic and reply.cause == "auto:<m1@example.no>"


def test_an_unanswered_mail_opens_a_case_and_is_acknowledged_with_its_number(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        raw = mail("Kan dere fortelle meg noe om vær og vind på Svalbard?", subject="Vær")
        [outcome] = await take(services, raw)
        return outcome, await mails_out(services)

    outcome, [ack] = in_services(scenario)
    number = outcome.result.case_number
    assert outcome.result.decision == "handoff" and number.startswith("S-2026-")
    assert ack.subject == f"Re: Vær [{number}]"
    assert f"sak {number}" in ack.body


def test_a_worker_that_dies_half_way_leaves_the_mail_to_the_next(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), None, NOW)
        [claimed] = await _claim(services.db, NOW, CONFIG.lease, 8)  # and then it "dies"
        nothing = await do_take_mails(services, CONFIG)  # the lease still holds
        services.clock.now = NOW + CONFIG.lease  # type: ignore[attr-defined]
        [outcome] = await do_take_mails(services, CONFIG)
        return claimed, nothing, outcome, await mails_in(services)

    claimed, nothing, outcome, [row] = in_services(scenario)
    assert claimed.status == "processing" and nothing == []
    assert outcome.status == "done" and row.attempts == 2


def test_taking_a_mail_in_twice_registers_and_answers_it_once(
    in_services: InServices[Any],
) -> None:
    from channels.email.intake import do_take_mail

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), None, NOW)
        [row] = await _claim(services.db, NOW, CONFIG.lease, 8)
        first = await do_take_mail(services, CONFIG, row)
        second = await do_take_mail(services, CONFIG, row)  # a crash before `done`, re-run
        assert second.result is not None
        return (
            first,
            second,
            await get_inquiries(services.db, second.result.conversation_id),
            await mails_out(services),
        )

    first, second, inquiries, sent = in_services(scenario)
    assert second.result.duplicate
    assert first.result.conversation_id == second.result.conversation_id
    assert len(inquiries) == 1 and len(sent) == 1


def test_auto_replies_bounces_and_our_own_mail_are_skipped_without_an_answer(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        outcomes = await take(
            services,
            mail("Jeg er på ferie.", "<a1@x>", Auto_Submitted="auto-replied"),
            mail("Out of office", "<a2@x>", X_Autoreply="yes"),
            mail("Undeliverable", "<a3@x>", sender="MAILER-DAEMON@mx.example.no"),
            mail("Hvor er pakken min?", "<a4@x>", sender="kundeservice@butikk.no"),
            mail("Hei", "<a5@x>", sender="no address at all"),
        )
        bounce = await take(services, mail("x", "<a6@x>"), envelope_from="")
        return outcomes + bounce, await mails_out(services)

    outcomes, sent = in_services(scenario)
    assert [(o.status, o.reason) for o in outcomes] == [
        ("skipped", "auto_reply"),
        ("skipped", "auto_reply"),
        ("skipped", "bounce"),
        ("skipped", "own_address"),
        ("skipped", "no_sender"),
        ("skipped", "bounce"),
    ]
    assert sent == []


def test_bulk_and_generated_mail_is_registered_but_never_answered(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        outcomes = await take(
            services,
            mail("Hvor er pakken min?", "<b1@x>", Precedence="bulk"),
            mail("Hvor er pakken min?", "<b2@x>", Auto_Submitted="auto-generated"),
        )
        return outcomes, await mails_out(services)

    outcomes, sent = in_services(scenario)
    assert [(o.status, o.reason) for o in outcomes] == [
        ("done", "automatic:precedence"),
        ("done", "automatic:auto-submitted"),
    ]
    assert all(o.result.decision == "answer" for o in outcomes) and sent == []


def test_a_loop_with_a_plain_auto_responder_stops_at_the_per_sender_limit(
    in_services: InServices[Any],
) -> None:
    """An auto-responder that marks nothing answers each of our mails with a new one: after
    `per_sender_hour` automatic mails the address gets no more this hour."""

    async def scenario(services: Services) -> Any:
        outcomes = []
        for n in range(6):
            raw = mail(
                "Takk for din henvendelse, vi svarer snart.",
                f"<loop{n}@robot.no>",
                sender="robot@robot.no",
                subject="Re: Pakke",
            )
            outcomes += await take(services, raw)
        services.clock.now = NOW + dt.timedelta(hours=1, seconds=1)  # type: ignore[attr-defined]
        later = await take(services, mail("Hei igjen", "<loop9@robot.no>", sender="robot@robot.no"))
        return outcomes, later, await mails_out(services)

    outcomes, later, sent = in_services(scenario)
    assert [o.reason for o in outcomes] == [None] * 3 + ["per_sender_limit"] * 3
    assert all(o.status == "done" for o in outcomes)  # still registered
    assert later[0].reason is None and len(sent) == 4


def test_a_mail_without_message_id_is_kept_once_under_a_made_id(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        raw = mail(message_id=None)
        first = await do_store_mail(services.db, raw, None, NOW)
        second = await do_store_mail(services.db, raw, None, NOW)
        outcomes = await take(services)
        return first, second, outcomes, await mails_out(services)

    first, second, [outcome], [reply] = in_services(scenario)
    assert first[1] and not second[1] and first[0] == second[0]
    assert first[0].endswith("@samsvar.invalid>")
    assert outcome.status == "done" and reply.in_reply_to == first[0]


def test_a_reply_to_our_mail_joins_its_conversation_and_reaches_a_person(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [first] = await take(services, mail())
        [ours] = await mails_out(services)
        raw = mail(
            "Den har ikke kommet ennå, hva gjør jeg?",
            "<r1@example.no>",
            subject="Re: Pakke",
            In_Reply_To=ours.message_id,
            References=f"<m1@example.no> {ours.message_id}",
        )
        [reply] = await take(services, raw)
        return (
            first,
            reply,
            await get_messages(services.db, first.result.conversation_id),
            (await mails_out(services)),
        )

    first, reply, messages, sent = in_services(scenario)
    assert reply.result.conversation_id == first.result.conversation_id
    assert reply.result.case_number is not None
    assert [m.role for m in messages][:2] == ["visitor", "bot"]
    assert messages[-1].text == "Den har ikke kommet ennå, hva gjør jeg?" or any(
        m.text == "Den har ikke kommet ennå, hva gjør jeg?" for m in messages
    )
    assert len(sent) == 2 and f"[{reply.result.case_number}]" in sent[1].subject


def test_a_strangers_reply_to_our_mail_starts_its_own_conversation(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [first] = await take(services, mail())
        [ours] = await mails_out(services)
        await take(services, mail("Retur?", "<x0@example.no>", sender="ola@example.no"))  # known
        raw = mail(
            "Jeg vil snakke med noen",
            "<x1@example.no>",
            sender="ola@example.no",
            subject="Re: Pakke",
            In_Reply_To=ours.message_id,
        )
        [stranger] = await take(services, raw)
        return first, stranger, await get_messages(services.db, first.result.conversation_id)

    first, stranger, messages = in_services(scenario)
    assert stranger.result.conversation_id != first.result.conversation_id
    assert [m.role for m in messages] == ["visitor", "bot"]  # Kari's is untouched


def test_a_case_number_in_the_subject_threads_only_for_that_cases_customer(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [first] = await take(
            services, mail("Kan dere fortelle meg noe om vær og vind på Svalbard?")
        )
        number = first.result.case_number
        [same] = await take(services, mail("Et tillegg", "<s2@x>", subject=f"Sak [{number}]"))
        [other] = await take(
            services,
            mail("Et tillegg", "<s3@x>", subject=f"Sak [{number}]", sender="ola@example.no"),
        )
        return first, same, other, await mails_out(services)

    first, same, other, sent = in_services(scenario)
    assert same.result.conversation_id == first.result.conversation_id
    assert "lagt meldingen din til sak" in sent[1].body
    assert other.result.conversation_id != first.result.conversation_id


def test_attachments_are_kept_and_a_30_mb_one_is_recorded_as_left_out(
    in_services: InServices[Any],
) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "kari@example.no"
    message["Message-ID"] = "<big@x>"
    message["Subject"] = "Kvittering"
    message.set_content("Se vedlagt kvittering, varen er ødelagt.")
    message.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename="kvittering.pdf"
    )
    message.add_attachment(
        b"\0" * (30 * 1024 * 1024), maintype="video", subtype="mp4", filename="film.mp4"
    )

    async def scenario(services: Services) -> Any:
        [outcome] = await take(services, message.as_bytes())
        return outcome, await attachments(services), await mails_in(services)

    outcome, files, [row] = in_services(scenario)
    assert outcome.status == "done"
    assert [(f.name, f.size, f.skipped, f.data) for f in files] == [
        ("kvittering.pdf", 8, None, b"%PDF-1.4"),
        ("film.mp4", 30 * 1024 * 1024, "too_large", None),
    ]
    assert files[0].conversation_id == outcome.result.conversation_id
    assert row.raw == b""  # the 30 MB are not kept once the mail is taken in


def test_malformed_mime_and_unknown_charsets_are_taken_in_best_effort(
    in_services: InServices[Any],
) -> None:
    broken = (
        b"From: kari@example.no\r\nMessage-ID: <bad@x>\r\nSubject: Pakke\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nHvor er pakken min?\r\n"
    )

    async def scenario(services: Services) -> Any:
        return await take(services, broken)

    [outcome] = in_services(scenario)
    assert outcome.status == "done" and outcome.result.decision == "answer"


def test_a_mail_in_swedish_is_acknowledged_in_swedish(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> Any:
        await take(
            services, mail("Kan ni berätta något om vädret och vinden på Svalbard?", "<sv@x>")
        )
        return await mails_out(services)

    [reply] = in_services(scenario)
    assert reply.lang == "sv", reply.body
    assert reply.body.startswith("Tack för ditt mejl. Vi har registrerat det som ärende S-2026-")


def test_config_is_frozen() -> None:
    assert dataclasses.replace(CONFIG, per_sender_hour=1).per_sender_hour == 1
