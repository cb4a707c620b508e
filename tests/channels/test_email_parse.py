"""Reading a mail: ids, sender, machine-sent signs, the customer's own words in several
languages, and bad input (broken MIME, unknown charsets, a 30 MB attachment, no Message-ID)
that never makes the parser fail."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import pytest

from channels.email import html_to_text, parse_mail, strip_quoted


def mail(body: str = "Hvor er pakken min?", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Kari Nord <Kari.Nord@Example.no>")
    message["To"] = "kundeservice@butikk.no"
    message["Subject"] = headers.pop("Subject", "Pakke")
    message["Message-ID"] = headers.pop("Message_ID", "<m1@example.no>")
    message.set_content(body)
    for name, value in headers.items():  # after the content: set_content drops Content-*
        message[name.replace("_", "-")] = value
    return message.as_bytes()


def test_the_ids_sender_and_text_of_a_plain_mail() -> None:
    parsed = parse_mail(mail(In_Reply_To="<our-1@butikk.no>", References="<a@x> <our-1@butikk.no>"))
    assert parsed.message_id == "<m1@example.no>"
    assert not parsed.synthetic_id
    assert (parsed.from_addr, parsed.from_name) == ("kari.nord@example.no", "Kari Nord")
    assert parsed.in_reply_to == "<our-1@butikk.no>"
    assert parsed.references == ("<a@x>", "<our-1@butikk.no>")
    assert parsed.thread_ids == ("<our-1@butikk.no>", "<a@x>")
    assert parsed.subject == "Pakke"
    assert parsed.text == "Hvor er pakken min?"
    assert parsed.automatic is None
    assert parsed.notes == ()


def test_a_mail_without_message_id_gets_a_stable_one_and_it_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = mail().replace(b"Message-ID: <m1@example.no>\n", b"")
    assert b"Message-ID" not in raw
    with caplog.at_level(logging.INFO, logger="channels.email.parse"):
        first, second = parse_mail(raw), parse_mail(raw)
    assert first.synthetic_id
    assert first.message_id == second.message_id
    assert first.message_id.endswith("@samsvar.invalid>")
    assert parse_mail(raw + b"x").message_id != first.message_id
    assert "without a Message-ID" in caplog.text


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto_Submitted": "auto-replied"}, "auto-replied"),
        ({"Auto_Submitted": "auto-generated; owner-email=x@y.no"}, "auto-submitted"),
        ({"Precedence": "bulk"}, "precedence"),
        ({"Precedence": "junk"}, "precedence"),
        ({"Precedence": "list"}, "precedence"),
        ({"X_Autoreply": "yes"}, "autoreply"),
        ({"List_Id": "<nyheter.butikk.no>"}, "list"),
        ({"From": "MAILER-DAEMON@mx.example.no"}, "bounce"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"Auto_Submitted": "no"}, None),
        ({"Precedence": "first-class"}, None),
    ],
)
def test_machine_sent_mail_is_recognised(headers: dict[str, str], reason: str | None) -> None:
    assert parse_mail(mail(**headers)).automatic == reason


def test_an_empty_envelope_sender_and_a_delivery_report_are_bounces() -> None:
    assert parse_mail(mail(), envelope_from="").automatic == "bounce"
    assert parse_mail(mail(), envelope_from="kari@example.no").automatic is None
    report = EmailMessage()
    report["From"] = "Mail Delivery System <postmaster@mx.example.no>"
    report["Message-ID"] = "<b1@mx>"
    report.set_content("Delivery failed")
    report.add_attachment("Status: 5.1.1", subtype="delivery-status")
    report.replace_header(
        "Content-Type", report["Content-Type"].replace("multipart/mixed", "multipart/report")
    )
    assert parse_mail(report.as_bytes()).automatic == "bounce"


@pytest.mark.parametrize(
    ("body", "own"),
    [
        (
            "Pakken kom ikke.\n\ntir. 1. des. 2026 kl. 10:15 skrev Butikk <hjelp@butikk.no>:\n"
            "> Takk for meldingen\n> Hilsen oss",
            "Pakken kom ikke.",
        ),  # nb, Gmail
        (
            "Pakka kom ikkje.\n\nDen 01.12.2026 10:15, skreiv Butikk:\n> Takk",
            "Pakka kom ikkje.",
        ),  # nn, Thunderbird
        (
            "Paketet kom inte.\n\nDen tis 1 dec. 2026 kl 10:15 skrev Butik <hjalp@butik.se>:\n"
            "> Tack",
            "Paketet kom inte.",
        ),  # sv
        (
            "Pakken kom ikke.\n\nDen tir. 1. dec. 2026 kl. 10.15 skrev Butik <hj@butik.dk>:\n> Tak",
            "Pakken kom ikke.",
        ),  # da
        (
            "Paketti ei tullut.\n\nti 1.12.2026 klo 10.15 Kauppa (apu@kauppa.fi) kirjoitti:\n"
            "> Kiitos",
            "Paketti ei tullut.",
        ),  # fi
        (
            "Where is it?\n\nOn Tue, 1 Dec 2026 at 10:15, Shop <help@shop.com>\nwrote:\n> Thanks",
            "Where is it?",
        ),  # en, wrapped over two lines
        (
            "Se under.\n\n-----Opprinnelig melding-----\nFra: Butikk\nSendt: 1. des\nHei",
            "Se under.",
        ),  # Outlook nb
        (
            "Se nedan.\n\n________________________________\nFrån: Butik <b@b.se>\n"
            "Skickat: den 1 december 2026\nTill: Kari\nÄmne: Order",
            "Se nedan.",
        ),  # Outlook sv without dashes
        (
            "Katso alla.\n\nLähettäjä: Kauppa <k@k.fi>\nLähetetty: 1.12.2026\nAihe: Tilaus\n\nX",
            "Katso alla.",
        ),  # fi header block
        (
            "Se nedenfor.\n\n---------- Forwarded message ---------\nFrom: Shop\nDate: x\n\nY",
            "Se nedenfor.",
        ),  # Gmail forward
        (
            "Hvor er pakken?\n\nHilsen Kari\n-- \nKari Nord\nTlf 912 34 567",
            "Hvor er pakken?\n\nHilsen Kari",
        ),
        ("Hvor er pakken?\n\nSendt fra min iPhone", "Hvor er pakken?"),
        (
            "Jeg skrev til dere 3. mars: hvor er pakken?",
            "Jeg skrev til dere 3. mars: hvor er pakken?",
        ),
        ("Som jeg skrev:\nPakken er borte.", "Som jeg skrev:\nPakken er borte."),
        ("> sitat\nMitt svar\n> mer sitat\nOg mer", "Mitt svar\nOg mer"),
    ],
)
def test_quoted_history_and_signatures_are_stripped(body: str, own: str) -> None:
    assert strip_quoted(body) == own


def test_html_only_mail_becomes_text_without_the_quote() -> None:
    message = EmailMessage()
    message["From"] = "kari@example.no"
    message["Message-ID"] = "<h1@x>"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>Hei,</p><p>Hvor er <b>pakken</b>"
        ' min?</p><div class="gmail_quote">Den 1. des skrev oss:<blockquote>gammelt'
        "</blockquote></div></body></html>",
        subtype="html",
    )
    assert parse_mail(message.as_bytes()).text == "Hei,\n\nHvor er pakken min?"


def test_html_lists_scripts_and_blockquotes() -> None:
    text = html_to_text(
        "<script>alert(1)</script><ul><li>én</li><li>to</li></ul><blockquote>old</blockquote>x"
    )
    assert text == "- én\n- to\nx"


def test_the_plain_part_is_preferred_over_html() -> None:
    message = EmailMessage()
    message["From"] = "kari@example.no"
    message.set_content("plain words")
    message.add_alternative("<p>html words</p>", subtype="html")
    assert parse_mail(message.as_bytes()).text == "plain words"


def test_an_unknown_charset_is_read_with_a_note_and_never_fails() -> None:
    raw = (
        b"From: kari@example.no\r\nMessage-ID: <c1@x>\r\nContent-Type: text/plain; "
        b"charset=x-klingon\r\n\r\nBl\xc3\xa5b\xc3\xa6r\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text == "Blåbær"
    assert any("unknown charset 'x-klingon'" in n for n in parsed.notes)
    latin = raw.replace(b"Bl\xc3\xa5b\xc3\xa6r", b"Bl\xe5b\xe6r")
    assert parse_mail(latin).text == "Blåbær"  # not UTF-8: Windows-1252


def test_a_wrong_charset_is_decoded_with_replacement() -> None:
    raw = (
        b"From: kari@example.no\r\nMessage-ID: <c2@x>\r\nContent-Type: text/plain; "
        b"charset=utf-8\r\n\r\nP\xe5 lager?\r\n"
    )
    parsed = parse_mail(raw)
    assert parsed.text == "P\ufffd lager?"
    assert any("not valid in its charset" in n for n in parsed.notes)


def test_encoded_words_in_norwegian_swedish_and_finnish_headers() -> None:
    raw = (
        b"From: =?utf-8?q?K=C3=A5re_=C3=85s?= <kare@example.no>\r\n"
        b"Subject: =?iso-8859-1?q?P=E5_lager=3F_V=E4ska_=F6?=\r\nMessage-ID: <e@x>\r\n\r\nHei\r\n"
    )
    parsed = parse_mail(raw)
    assert (parsed.from_name, parsed.subject) == ("Kåre Ås", "På lager? Väska ö")


@pytest.mark.parametrize(
    "raw",
    [
        b"From: kari@example.no\r\nMessage-ID: <x1@x>\r\nContent-Type: multipart/mixed\r\n\r\n"
        b"no boundary here, just text\r\n",
        b"From: kari@example.no\r\nMessage-ID: <x2@x>\r\nContent-Type: multipart/mixed; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhalf a mail\r\n',
        b"From: <<<>>>\r\nSubject: =?utf-8?b?!!!?=\r\nReferences: junk\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n@@@not base64@@@\r\n",
        b"\xff\xfe\x00garbage without headers",
        b"",
    ],
)
def test_malformed_mime_gives_best_effort_text_never_an_error(raw: bytes) -> None:
    parsed = parse_mail(raw)
    assert parsed.message_id.startswith("<")
    assert isinstance(parsed.text, str)


def test_a_multipart_without_its_boundary_keeps_the_text_and_notes_it() -> None:
    raw = (
        b"From: kari@example.no\r\nMessage-ID: <x3@x>\r\nContent-Type: multipart/mixed; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhalf a mail\r\n'
    )
    parsed = parse_mail(raw)
    assert parsed.text == "half a mail"
    assert any("malformed MIME" in n for n in parsed.notes)


def test_attachments_are_kept_within_the_limit_and_a_30_mb_one_is_left_out() -> None:
    message = EmailMessage()
    message["From"] = "kari@example.no"
    message["Message-ID"] = "<a@x>"
    message.set_content("Se vedlagt kvittering.")
    message.add_attachment(
        b"%PDF-1.4 kvittering", maintype="application", subtype="pdf", filename="kvittering.pdf"
    )
    message.add_attachment(
        b"\0" * (30 * 1024 * 1024), maintype="video", subtype="mp4", filename="film.mp4"
    )
    parsed = parse_mail(message.as_bytes())
    assert parsed.text == "Se vedlagt kvittering."
    receipt, film = parsed.attachments
    assert (receipt.name, receipt.content_type, receipt.size, receipt.skipped) == (
        "kvittering.pdf",
        "application/pdf",
        19,
        None,
    )
    assert receipt.data == b"%PDF-1.4 kvittering"
    assert (film.name, film.size, film.data, film.skipped) == (
        "film.mp4",
        30 * 1024 * 1024,
        None,
        "too_large",
    )
    assert any("'film.mp4'" in n and "left out" in n for n in parsed.notes)
    small = parse_mail(message.as_bytes(), attachment_limit=10)
    assert [a.skipped for a in small.attachments] == ["too_large", "too_large"]


def test_a_forwarded_mail_is_an_attachment_not_the_text() -> None:
    inner = EmailMessage()
    inner["Subject"] = "gammel"
    inner.set_content("old words")
    message = EmailMessage()
    message["From"] = "kari@example.no"
    message.set_content("Se den videresendte.")
    message.add_attachment(inner)
    parsed = parse_mail(message.as_bytes())
    assert parsed.text == "Se den videresendte."
    assert [a.content_type for a in parsed.attachments] == ["message/rfc822"]
    assert parsed.attachments[0].data is not None and b"old words" in parsed.attachments[0].data


def test_content_language_is_a_hint() -> None:
    assert parse_mail(mail(Content_Language="sv-SE")).language == "sv"
    assert parse_mail(mail()).language is None
