"""Mail taken in: stored before it is accepted, taken in once however often it is delivered
or a worker dies, acknowledged at once with its case number and then answered once (the
curated answer; else the case opens with that number), loops kept out, replies threaded
into their conversation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import func, select

from channels.email.intake import _claim, do_answer_mail, do_store_mail, do_take_mails
from conversations.services import Services
from conversations.storage import Conversation, get_inquiries, get_messages
from tests.channels.email_helpers import CONFIG, attachments, mail, mails_in, mails_out, take_all
from tests.conversations.conftest import NOW, InServices


async def take(services: Services, *raws: bytes, envelope_from: str | None = "x@y.no") -> list[Any]:
    """Store the mails and run both steps until done: each mail's last outcome, in order."""
    for raw in raws:
        await do_store_mail(services.db, raw, envelope_from, services.clock())
    last: dict[str, Any] = {}
    for outcome in await take_all(services):
        last[outcome.message_id] = outcome
    return list(last.values())


def test_a_confident_mail_is_acknowledged_with_its_number_then_answered_once(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [outcome] = await take(services, mail())
        again = await take(services, mail())  # delivered a second time
        return outcome, again, await mails_in(services), await mails_out(services)

    outcome, again, received, sent = in_services(scenario)
    assert outcome.status == "done" and outcome.result.decision == "answer"
    assert again == []
    [row] = received
    assert (row.status, row.raw, row.from_addr) == ("done", b"", "kari@example.no")
    number = outcome.case_number
    assert number.startswith("S-2026-") and outcome.result.case_number is None  # no case
    ack, reply = sent
    assert ack.cause == "auto:<m1@example.no>" and ack.automatic
    assert ack.body.startswith(f"Takk for e-posten din. Vi har registrert den som sak {number}")
    assert ack.subject == f"Re: Pakke [{number}]"
    answer = next(r for r in outcome.result.replies if r.role == "bot")
    assert reply.body.startswith(answer.text)  # word for word
    assert "Svar på denne e-posten" in reply.body
    assert (reply.to_addr, reply.subject, reply.lang) == (
        "kari@example.no",
        f"Re: Pakke [{number}]",
        "nb",
    )
    assert (reply.in_reply_to, reply.references) == ("<m1@example.no>", "<m1@example.no>")
    assert reply.automatic and reply.cause == "answer:<m1@example.no>"


def test_the_acknowledgement_does_not_wait_for_the_bot(in_services: InServices[Any]) -> None:
    """The first step alone gives the number and queues the acknowledgement, in one
    transaction: nothing is registered yet and the bot has not read the mail."""

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), None, NOW)
        [outcome] = await do_take_mails(services, CONFIG)
        async with services.db.reading() as session:
            conversations = await session.scalar(select(func.count()).select_from(Conversation))
        return outcome, conversations, await mails_out(services), await mails_in(services)

    outcome, conversations, [ack], [row] = in_services(scenario)
    assert outcome.status == "acknowledged" and outcome.result is None
    assert conversations == 0
    assert ack.cause == "auto:<m1@example.no>" and outcome.case_number in ack.body
    assert ack.conversation_id is None  # linked when the mail is registered
    assert (row.status, row.case_number) == ("acknowledged", outcome.case_number)
    assert row.raw != b""  # kept for the second step


def test_an_unanswered_mail_opens_a_case_with_the_acknowledged_number(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        raw = mail("Kan dere fortelle meg noe om vær og vind på Svalbard?", subject="Vær")
        [outcome] = await take(services, raw)
        return outcome, await mails_out(services)

    outcome, [ack] = in_services(scenario)  # one mail: the acknowledgement said it all
    number = outcome.result.case_number
    assert outcome.result.decision == "handoff" and number.startswith("S-2026-")
    assert number == outcome.case_number
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
    assert outcome.status == "acknowledged" and row.attempts == 2


def test_taking_a_mail_in_twice_registers_acknowledges_and_answers_it_once(
    in_services: InServices[Any],
) -> None:
    """Each step done again (a worker that died after its work and before the mail's
    status) does nothing twice: one number, one inquiry, one mail of each kind."""
    from channels.email.intake import do_take_mail

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), None, NOW)
        [row] = await _claim(services.db, NOW, CONFIG.lease, 8)
        first = await do_take_mail(services, CONFIG, row)
        [row] = await _claim(
            services.db, NOW, CONFIG.lease, 8, waiting="acknowledged", working="answering"
        )
        answered = await do_answer_mail(services, CONFIG, row)
        again = await do_answer_mail(services, CONFIG, row)
        assert answered.result is not None
        return (
            first,
            answered,
            again,
            await get_inquiries(services.db, answered.result.conversation_id),
            await mails_out(services),
        )

    first, answered, again, inquiries, sent = in_services(scenario)
    assert first.case_number == answered.case_number == again.case_number
    assert answered.result.decision == "answer" and again.result.duplicate
    assert answered.result.conversation_id == again.result.conversation_id
    assert len(inquiries) == 1
    assert [m.cause for m in sent] == ["auto:<m1@example.no>", "answer:<m1@example.no>"]
    assert {m.conversation_id for m in sent} == {answered.result.conversation_id}


def test_a_reply_to_an_acknowledged_mail_waits_for_its_conversation(
    in_services: InServices[Any],
) -> None:
    """The customer answers the acknowledgement before the bot has read the first mail:
    the reply waits (a few seconds) and then joins the first mail's conversation."""

    async def scenario(services: Services) -> Any:
        await do_store_mail(services.db, mail(), None, NOW)
        await do_take_mails(services, CONFIG)
        [ack] = await mails_out(services)
        raw = mail(
            "Glemte å si: ordrenummer 12345",
            "<r2@example.no>",
            subject=ack.subject,
            In_Reply_To=ack.message_id,
        )
        await do_store_mail(services.db, raw, None, NOW)
        [waiting] = await do_take_mails(services, CONFIG)
        first = await take_all(services)  # the first mail is answered (the reply is not due)
        services.clock.now = NOW + dt.timedelta(seconds=5)  # type: ignore[attr-defined]
        [joined] = await take(services)
        return waiting, first, joined

    waiting, [answered], joined = in_services(scenario)
    assert (waiting.status, waiting.reason) == ("later", "thread_not_yet")
    assert joined.status == "done"
    assert joined.result.conversation_id == answered.result.conversation_id
    assert joined.result.case_number == answered.case_number  # the acknowledged number


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
    assert all(m.cause.startswith("auto:") for m in sent)  # acknowledged; none answered


def test_mails_kept_together_are_each_new_once(in_services: InServices[Any]) -> None:
    """The receiver writes the mails that arrive together in one transaction: a second
    delivery, in the same group or after an earlier one, is not kept again."""
    from channels.email.intake import do_store_mails

    async def scenario(services: Services) -> Any:
        first = await do_store_mail(services.db, mail("Hei", "<g0@x>"), None, NOW)
        group = await do_store_mails(
            services.db,
            [
                (mail("Hei", "<g1@x>"), "a@x"),
                (mail("Hei", "<g0@x>"), None),  # delivered before
                (mail("Hei", "<g1@x>"), "a@x"),  # twice in the group
                (mail("Hei", "<g2@x>"), None),
            ],
            NOW,
        )
        return first, group, await mails_in(services)

    first, group, rows = in_services(scenario)
    assert first == ("<g0@x>", True)
    assert group == [("<g1@x>", True), ("<g0@x>", False), ("<g1@x>", False), ("<g2@x>", True)]
    assert sorted(r.message_id for r in rows) == ["<g0@x>", "<g1@x>", "<g2@x>"]


def test_a_mail_without_message_id_is_kept_once_under_a_made_id(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        raw = mail(message_id=None)
        first = await do_store_mail(services.db, raw, None, NOW)
        second = await do_store_mail(services.db, raw, None, NOW)
        outcomes = await take(services)
        return first, second, outcomes, await mails_out(services)

    first, second, [outcome], sent = in_services(scenario)
    assert first[1] and not second[1] and first[0] == second[0]
    assert first[0].endswith("@samsvar.invalid>")
    assert outcome.status == "done" and [m.in_reply_to for m in sent] == [first[0]] * 2


def test_a_reply_to_our_mail_joins_its_conversation_and_reaches_a_person(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [first] = await take(services, mail())
        [_ack, ours] = await mails_out(services)  # the answer
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
    assert reply.result.case_number == first.case_number  # the number acknowledged
    assert [m.role for m in messages][:2] == ["visitor", "bot"]
    assert messages[-1].text == "Den har ikke kommet ennå, hva gjør jeg?" or any(
        m.text == "Den har ikke kommet ennå, hva gjør jeg?" for m in messages
    )
    assert len(sent) == 3 and f"[{reply.result.case_number}]" in sent[2].subject
    assert "lagt meldingen din til sak" in sent[2].body


def test_a_strangers_reply_to_our_mail_starts_its_own_conversation(
    in_services: InServices[Any],
) -> None:
    async def scenario(services: Services) -> Any:
        [first] = await take(services, mail())
        [_ack, ours] = await mails_out(services)
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


def test_the_number_of_an_answered_mail_threads_a_reply_and_becomes_its_case(
    in_services: InServices[Any],
) -> None:
    """The bot answered, so no case was opened; the number the acknowledgement gave still
    names the conversation: a new mail with it in the subject joins it and reaches a person,
    whose case has that very number."""

    async def scenario(services: Services) -> Any:
        [first] = await take(services, mail())
        number = first.case_number
        [same] = await take(
            services, mail("Det hjalp ikke", "<n2@x>", subject=f"Angående {number}")
        )
        [other] = await take(
            services,
            mail("Det hjalp ikke", "<n3@x>", subject=f"Angående {number}", sender="ola@x.no"),
        )
        return first, same, other

    first, same, other = in_services(scenario)
    assert first.result.decision == "answer" and first.result.case_number is None
    assert same.result.conversation_id == first.result.conversation_id
    assert same.status == "done" and same.result.case_number == first.case_number
    assert other.result.conversation_id != first.result.conversation_id
    assert other.case_number != first.case_number


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
