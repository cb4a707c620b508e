"""The Monday report: which week is due, sent once as HTML and plain text to a real SMTP
server on loopback (aiosmtpd), with STARTTLS and login; kept and retried when the server
refuses it or cannot be reached; a missed Monday sent when the server comes back."""

from __future__ import annotations

import datetime as dt
import logging
import re
import ssl
from pathlib import Path

import pytest

from conversations.storage import Database
from insights import MailSettings, do_weekly_report, due_week, get_sent_reports
from knowledge import load_answer_base
from tests.insights.conftest import Shop, shop_answers
from tests.insights.smtp_server import PASSWORD, USER, Mailbox, free_port, self_signed, smtp_server
from tests.insights.test_figures import run, week_of_traffic

OSLO = "Europe/Oslo"
# Monday 14 December 2026: 07:00 in Oslo is 06:00 UTC
REPORT_TIME = dt.datetime(2026, 12, 14, 6, 0, tzinfo=dt.UTC)
TO = ["innhold@shop.example", "leder@shop.example"]


def test_the_due_week_is_the_one_before_the_last_monday_at_seven() -> None:
    before = due_week(REPORT_TIME - dt.timedelta(minutes=1), OSLO)
    at = due_week(REPORT_TIME, OSLO)
    wednesday = due_week(REPORT_TIME + dt.timedelta(days=2), OSLO)
    assert (before.start, before.end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert (at.start, at.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    assert wednesday == at


def weekly(
    tmp_path: Path, mail: MailSettings, *times: dt.datetime, db_dir: Path | None = None
) -> list[object]:
    base = load_answer_base(shop_answers(tmp_path))

    async def work(db: Database) -> list[object]:
        if not await get_sent_reports(db):
            await week_of_traffic(db)
        return [
            await do_weekly_report(
                db, base, now, TO, mail, retry=dt.timedelta(minutes=15), language="en"
            )
            for now in times
        ]

    return run(db_dir or tmp_path, work)


def plain(port: int) -> MailSettings:
    return MailSettings("127.0.0.1", port, sender="samsvar@shop.example", starttls=False, timeout=5)


def test_the_report_is_sent_once_with_html_and_text(tmp_path: Path) -> None:
    box = Mailbox()
    with smtp_server(box) as port:
        outcomes = weekly(tmp_path, plain(port), REPORT_TIME, REPORT_TIME + dt.timedelta(minutes=1))
        again = weekly(tmp_path, plain(port), REPORT_TIME + dt.timedelta(days=1))  # a restart
    assert [o.result for o in outcomes] == ["sent", "already_sent"]  # type: ignore[attr-defined]
    assert [o.result for o in again] == ["already_sent"]  # type: ignore[attr-defined]
    assert len(box.messages) == 1
    message = box.messages[0]
    assert box.envelopes[0] == ("samsvar@shop.example", TO)
    assert message["Subject"] == "Samsvar: week 50 (2026-12-07 – 2026-12-13)"
    assert message["Message-ID"] == "<samsvar-weekly-2026-12-07@shop.example>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # the week before had 2 questions in 1 conversation
    assert "Inquiries               6 (+4)" in text and "Conversations           5 (+4)" in text
    assert "Due for review" in text and "returns" in text
    assert "<table" in html and "Top questions" in html and "<script" not in html


def test_a_missed_monday_is_sent_when_the_server_comes_back(tmp_path: Path) -> None:
    box = Mailbox()
    wednesday = REPORT_TIME + dt.timedelta(days=2, hours=3)
    with smtp_server(box) as port:
        [outcome] = weekly(tmp_path, plain(port), wednesday)
    assert outcome.result == "sent" and outcome.week == dt.date(2026, 12, 7)  # type: ignore[attr-defined]
    assert len(box.messages) == 1


def test_an_unreachable_server_keeps_the_report_and_retries_it_once_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there yet
    caplog.set_level(logging.WARNING, logger="insights.weekly")
    [failed] = weekly(tmp_path, plain(port), REPORT_TIME)
    assert failed.result == "failed"  # type: ignore[attr-defined]
    assert f"cannot reach the SMTP server 127.0.0.1:{port}" in str(failed.error)  # type: ignore[attr-defined]
    assert "the weekly report of 2026-12-07 – 2026-12-13 was not sent (try 1)" in caplog.text
    assert "the next try is at 2026-12-14 06:15 UTC" in caplog.text
    box = Mailbox()
    with smtp_server(box, port=port):
        early, due, after = weekly(
            tmp_path,
            plain(port),
            REPORT_TIME + dt.timedelta(minutes=5),  # before the next try: nothing
            REPORT_TIME + dt.timedelta(minutes=15),
            REPORT_TIME + dt.timedelta(minutes=16),
        )
    assert [o.result for o in (early, due, after)] == ["busy", "sent", "already_sent"]  # type: ignore[attr-defined]
    assert len(box.messages) == 1

    async def kept(db: Database) -> list[object]:
        return await get_sent_reports(db)

    [row] = run(tmp_path, kept)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)  # type: ignore[attr-defined]


def test_a_refusing_server_is_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    box = Mailbox(refuse=True)
    with smtp_server(box) as port:
        [outcome] = weekly(tmp_path, plain(port), REPORT_TIME)
        assert outcome.result == "failed"  # type: ignore[attr-defined]
        assert (
            "refused every recipient: innhold@shop.example (550 5.1.1 no such mailbox here)"
            in str(outcome.error)
        )  # type: ignore[attr-defined]
        box.refuse = False
        [later] = weekly(tmp_path, plain(port), REPORT_TIME + dt.timedelta(minutes=20))
    assert later.result == "sent" and len(box.messages) == 1  # type: ignore[attr-defined]


def test_starttls_and_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=str(cert))
    box = Mailbox()
    with smtp_server(box, tls=(cert, key)) as port:
        good = MailSettings(
            "127.0.0.1",
            port,
            sender="samsvar@shop.example",
            username=USER,
            password=PASSWORD,
            tls_context=trust,
            timeout=5,
        )
        wrong = MailSettings(
            "127.0.0.1",
            port,
            sender="samsvar@shop.example",
            username=USER,
            password="feil",
            tls_context=trust,
            timeout=5,
        )
        [refused] = weekly(tmp_path, wrong, REPORT_TIME)
        [sent] = weekly(tmp_path, good, REPORT_TIME + dt.timedelta(minutes=15))
    assert refused.result == "failed" and "refused the login: 535" in str(refused.error)  # type: ignore[attr-defined]
    assert sent.result == "sent" and len(box.messages) == 1  # type: ignore[attr-defined]


def test_a_week_without_recipients_or_traffic_still_reports_zeros(tmp_path: Path) -> None:
    box = Mailbox()
    base = load_answer_base(shop_answers(tmp_path))
    with smtp_server(box) as port:

        async def work(db: Database) -> object:
            await Shop(db).visitor(REPORT_TIME - dt.timedelta(days=30))
            return await do_weekly_report(db, base, REPORT_TIME, TO, plain(port))

        outcome = run(tmp_path, work)
    assert outcome.result == "sent"  # type: ignore[attr-defined]
    # no language set: the base's default language, bokmål
    assert "Henvendelser" in box.messages[0].get_body(("plain",)).get_content()


@pytest.mark.slow
def test_the_server_sends_a_missed_monday_on_start_and_not_again_after_a_restart(
    tmp_path: Path,
) -> None:
    import time

    from tests.agents import Clock
    from tests.server import make_settings, start_server

    root = shop_answers(tmp_path)
    box = Mailbox()
    wednesday = Clock(REPORT_TIME + dt.timedelta(days=2))
    with smtp_server(box) as port:
        settings = make_settings(
            tmp_path / "var",
            answers_dir=root,
            report_recipients=TO,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            smtp_from="samsvar@shop.example",
        )
        for _ in range(2):  # the server, then the server again after a restart
            with start_server(settings, clock=wednesday):
                deadline = time.monotonic() + 60
                while not box.messages and time.monotonic() < deadline:
                    time.sleep(0.2)
                time.sleep(1.0)  # a second message would come now
    assert len(box.messages) == 1
    assert box.messages[0]["Subject"] == "Samsvar: uke 50 (2026-12-07 – 2026-12-13)"  # nb base


def test_every_report_text_is_in_all_six_languages() -> None:
    from insights.texts import REPORT_LANGUAGES, REPORT_TEXTS

    assert set(REPORT_LANGUAGES) == {"nb", "nn", "sv", "da", "fi", "en"}
    for key, texts in REPORT_TEXTS.items():
        assert set(texts) == set(REPORT_LANGUAGES), key
        assert all(t.strip() for t in texts.values()), key
        fields = {lang: sorted(re.findall(r"{(\\w+)}", t)) for lang, t in texts.items()}
        assert len({tuple(f) for f in fields.values()}) == 1, (key, fields)


def test_a_swedish_base_sends_a_swedish_report(tmp_path: Path) -> None:
    box = Mailbox()
    base = load_answer_base(shop_answers(tmp_path, default_language="sv"))
    with smtp_server(box) as port:

        async def work(db: Database) -> object:
            await week_of_traffic(db)
            return await do_weekly_report(db, base, REPORT_TIME, TO, plain(port))

        outcome = run(tmp_path, work)
    assert outcome.result == "sent"  # type: ignore[attr-defined]
    message = box.messages[0]
    assert message["Subject"] == "Samsvar: vecka 50 (2026-12-07 – 2026-12-13)"
    assert message["Content-Language"] == "sv"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Förfrågningar" in text and "Självbetjäningsgrad" in text and "Ska granskas" in text
    assert "Inquiries" not in text
    assert 'lang="sv"' in html and "Vanligaste frågorna" in html and "Tidszon" in html
