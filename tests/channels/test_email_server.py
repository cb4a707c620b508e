"""The e-mail channel in a real server (`serve`, slow): a mail over SMTP becomes a case with
its attachments, acknowledged over SMTP; the agent sees and downloads the files (only the
case's team and admins), and the agent's reply goes out by e-mail with the case number."""

from __future__ import annotations

import re
import smtplib
import time
from email.message import EmailMessage
from typing import Any

from tests.agents import Desk, add_agent
from tests.app.conftest import Serve, serve

__all__ = ["serve"]  # the server fixture of tests/app
from tests.insights.smtp_server import Mailbox, free_port, smtp_server

SUPPORT = "kundeservice@nordlys.example"


def _wait(check: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_a_mail_becomes_a_case_with_files_and_the_agents_reply_goes_out_by_mail(
    serve: Serve,
) -> None:
    sink = Mailbox()
    receiver = free_port()
    with smtp_server(sink) as out_port:
        live = serve(
            email_address=SUPPORT,
            smtp_host="127.0.0.1",
            smtp_port=out_port,
            smtp_starttls=False,
            email_receiver_port=receiver,
            email_attachment_mb=0.001,  # about 1 kB: the 5 kB file is left out
        )
        message = EmailMessage()
        message["From"] = "Kari Nord <kari@example.no>"
        message["To"] = SUPPORT
        message["Subject"] = "Svalbard"
        message["Message-ID"] = "<svalbard-1@example.no>"
        message.set_content("Kan dere fortelle meg noe om vær og vind på Svalbard?")
        message.add_attachment(
            b"%PDF small", maintype="application", subtype="pdf", filename="kart.pdf"
        )
        message.add_attachment(b"x" * 5000, maintype="image", subtype="png", filename="bilde.png")
        with smtplib.SMTP("127.0.0.1", receiver) as client:
            assert client.send_message(message) == {}
        _wait(lambda: sink.messages)
        [ack] = sink.messages
        number = re.search(r"\[(S-\d{4}-\d{6})\]", str(ack["Subject"]))
        assert number is not None and number.group(1) in ack.get_content()
        assert ack["In-Reply-To"] == "<svalbard-1@example.no>"

        add_agent(live, "sjef", [], admin=True)
        with Desk(live, "sjef") as boss:
            boss.sign_in()

            def the_case() -> list[dict[str, Any]]:
                queue = boss.http.get("/queue", params={"status": "open"}).json()["cases"]
                return [c for c in queue if c["number"] == number.group(1)]

            _wait(the_case)  # it opens when the bot has read the mail, after the acknowledgement
            [row] = the_case()
            view = boss.http.get(f"/cases/{row['id']}").json()["case"]
            kept, left_out = view["attachments"]
            assert (kept["name"], kept["size"], kept["skipped"]) == ("kart.pdf", 10, None)
            assert (left_out["name"], left_out["size"], left_out["skipped"]) == (
                "bilde.png",
                5000,
                "too_large",
            )
            file = boss.http.get(f"/cases/{row['id']}/attachments/{kept['id']}")
            assert file.status_code == 200 and file.content == b"%PDF small"
            assert file.headers["content-disposition"].startswith("attachment;")
            gone = boss.http.get(f"/cases/{row['id']}/attachments/{left_out['id']}")
            assert (gone.status_code, gone.json()["code"]) == (404, "attachment_not_kept")
            other_team = next(t for t in ("orders", "payments", "returns") if t != view["team"])
            add_agent(live, "per", [other_team])
            with Desk(live, "per") as per:
                per.sign_in()
                denied = per.http.get(f"/cases/{row['id']}/attachments/{kept['id']}")
                assert denied.status_code == 403
            assert boss.http.post(f"/cases/{row['id']}/claim").status_code == 200
            sent = boss.http.post(
                f"/cases/{row['id']}/messages",
                json={"client_id": "r1", "text": "Det blåser mye der."},
            )
            assert sent.status_code == 200, sent.text
        _wait(lambda: len(sink.messages) == 2)
        reply = sink.messages[1]
        assert number.group(1) in str(reply["Subject"])
        assert reply.get_content().startswith("Det blåser mye der.")
        assert reply["In-Reply-To"] == ack["Message-ID"]
        assert "Auto-Submitted" not in reply
