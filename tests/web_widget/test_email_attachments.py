"""The console shows an e-mail case's attachments (a real Chromium against a real server
with the e-mail channel on, slow): the kept file is a download link, the one left out says
so, and the link downloads the file."""

from __future__ import annotations

import re
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.agents import PASSWORD, add_agent
from tests.insights.smtp_server import Mailbox, free_port, smtp_server
from tests.server import OPEN_HOURS, make_settings, running_clock, start_server
from tests.web_widget.conftest import OpenPage
from tests.web_widget.console import Desk

pytestmark = pytest.mark.slow

SUPPORT = "kundeservice@nordlys.example"


def _wait(check: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_the_console_lists_a_mails_files_and_downloads_the_kept_one(
    open_page: OpenPage, demo_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    sink, receiver = Mailbox(), free_port()
    with smtp_server(sink) as out_port:
        settings = make_settings(
            tmp_path_factory.mktemp("email-console"),
            email_address=SUPPORT,
            smtp_host="127.0.0.1",
            smtp_port=out_port,
            smtp_starttls=False,
            email_receiver_port=receiver,
            email_attachment_mb=0.001,
        )
        with start_server(settings, engine=demo_engine, clock=running_clock(OPEN_HOURS)) as live:
            add_agent(live, "sjef", [], admin=True)
            message = EmailMessage()
            message["From"] = "kari@example.no"
            message["To"] = SUPPORT
            message["Subject"] = "Svalbard"
            message["Message-ID"] = "<console-1@example.no>"
            message.set_content("Kan dere fortelle meg noe om vær og vind på Svalbard?")
            message.add_attachment(
                b"%PDF small", maintype="application", subtype="pdf", filename="kart.pdf"
            )
            message.add_attachment(
                b"x" * 5000, maintype="image", subtype="png", filename="bilde.png"
            )
            with smtplib.SMTP("127.0.0.1", receiver) as client:
                client.send_message(message)
            _wait(lambda: sink.messages)
            found = re.search(r"S-\d{4}-\d{6}", str(sink.messages[0]["Subject"]))
            assert found is not None
            number = found.group(0)

            page = open_page(None, base=live.url, accept_downloads=True)
            page.goto(live.url + "/console/")
            desk = Desk(page)
            desk.sign_in("sjef", PASSWORD)
            desk.signed_in()
            page.get_by_role("button", name=re.compile(re.escape(number))).first.click()
            expect(desk.heading(number)).to_be_visible()
            files = desk.context_row("Vedlegg")
            link = files.get_by_role("link", name="kart.pdf (application/pdf, 10 B)")
            expect(link).to_be_visible()
            expect(files).to_contain_text(
                "bilde.png (image/png, 5 kB) — ikke tatt vare på (for stort)"
            )
            expect(files.get_by_role("link")).to_have_count(1)
            with page.expect_download() as info:
                link.click()
            assert Path(info.value.path()).read_bytes() == b"%PDF small"
            assert info.value.suggested_filename == "kart.pdf"
