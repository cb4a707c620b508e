"""A burst of inbound e-mail with the server killed in the middle: is every mail registered
and acknowledged exactly once, and answered when the bot is confident; how long from arrival
to the acknowledgement (and to the answer)?

What it does, in one run (issue 14, "Measures"):

1. Picks the questions the bot answers (the demo smoke suite's, as `benchmarks.run_ws`),
   and some it cannot (it hands them off), so that both ends are seen: an acknowledgement
   followed by the curated answer, and an acknowledgement whose case number the case takes.
2. Starts an SMTP sink on loopback (aiosmtpd in a thread) as the outgoing mail server; it
   records each mail it gets and when.
3. Starts `samsvar serve` with the e-mail channel on (SQLite in a temporary folder; the
   receiver on a free port; the sink as `CHAT_SMTP_HOST`).
4. Sends `--mails` mails over SMTP from `--senders` client connections at once (as fast as
   they are accepted, or `--rate` mails a second in all), each from its own address with its
   own Message-ID, as a mail server would: a mail is delivered when
   the receiver answered 250; a refused or cut-off delivery is tried again (every
   `--retry` s) until it is accepted.
5. After `--kill-after` mails were accepted the server gets SIGKILL (no shutdown), and is
   started again on the same database and receiver port; the clients keep retrying
   (`--kill-after 0`: no kill, to see the burst's own latency).
6. Waits until every mail was acknowledged and every confident one answered (at most
   `--settle` s), then counts by Message-ID in the sink (an acknowledgement holds the case
   number in its text, an answer does not): acknowledged once, more than once (a mail sent
   again after the kill), none (lost); answers against the confident questions, answers
   sent twice; the cases opened and whether each has the number its acknowledgement gave;
   and the time from the 250 to the acknowledgement's arrival in the sink (p50/p95), for
   all mails and for those that did not wait for the restart, and to the answer's; and
   from the moment the sender began to send the mail (its first try: the SMTP dialogue and
   the wait for the 250 included) to its acknowledgement.

Usage:
  python -m benchmarks.run_email [--mails 1000] [--senders 8] [--kill-after 500]
      [--rate 0] [--data-dir var] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import json
import os
import random
import re
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from benchmarks._report import machine_info, write_json
from benchmarks.run_ws import Server, baseline, percentile

SUPPORT = "kundeservice@nordlys.example"
CASE_NUMBER = re.compile(r"S-\d{4}-\d{6}")  # in every acknowledgement's text, in no answer's
UNANSWERED = [
    "Kan dere fortelle meg noe om været på Svalbard i mars?",
    "Jeg lurer på hvem som vant fotball-VM i 1986, vet dere det?",
    "Hva synes dere om den nye romanen til min nabo?",
    "Can you tell me something about the weather on the moon?",
    "Kan ni berätta något om vädret i Kiruna nästa vecka?",
]


@dataclass
class Sink:
    """The outgoing SMTP server: every mail it got, with its arrival time."""

    got: list[tuple[float, str, str, str]] = field(default_factory=list)  # t, in-reply-to, id, body
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        at = time.monotonic()
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
        with self.lock:
            self.got.append(
                (at, str(parsed["In-Reply-To"] or ""), str(parsed["Message-ID"] or ""), text)
            )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data_dir: Path, database: Path, settings: dict[str, str]) -> Server:
    samsvar = Path(sys.executable).with_name("samsvar")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env |= {"CHAT_DATA_DIR": str(data_dir), "CHAT_DATABASE_URL": f"sqlite:///{database}"}
    env |= settings
    process = subprocess.Popen(
        [str(samsvar), "serve", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "running at" in line:
            threading.Thread(target=_drain, args=(process,), daemon=True).start()
            return Server(process, line.split("running at ", 1)[1].strip(), database)
    raise RuntimeError("samsvar serve stopped before printing its URL")


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _line in process.stdout:
        pass


@dataclass
class Delivery:
    accepted: dict[str, float] = field(default_factory=dict)  # Message-ID -> time of the 250
    first_try: dict[str, float] = field(default_factory=dict)  # -> when its sending began
    tries: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _mail(n: int, text: str) -> tuple[str, bytes]:
    message = EmailMessage()
    message_id = f"<bench-{n}@kunder.example>"
    message["From"] = f"Kunde {n} <kunde{n}@kunder.example>"
    message["To"] = SUPPORT
    message["Subject"] = f"Spørsmål {n}"
    message["Message-ID"] = message_id
    message.set_content(text)
    return message_id, message.as_bytes()


def _deliver(
    port: int,
    mails: list[tuple[float, str, bytes]],
    delivery: Delivery,
    retry: float,
    start: float,
) -> None:
    """One sending server's connection: each mail (not before its time after `start`)
    until it is accepted."""
    client: smtplib.SMTP | None = None
    for due, message_id, raw in mails:
        time.sleep(max(0.0, start + due - time.monotonic()))
        while True:
            with delivery.lock:
                delivery.tries[message_id] += 1
                delivery.first_try.setdefault(message_id, time.monotonic())
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
                client.sendmail("bounce@kunder.example", [SUPPORT], raw)
                with delivery.lock:
                    delivery.accepted[message_id] = time.monotonic()
                break
            except (smtplib.SMTPException, OSError):
                if client is not None:
                    with contextlib.suppress(Exception):
                        client.close()
                client = None
                time.sleep(retry)
    if client is not None:
        with contextlib.suppress(Exception):
            client.quit()


def _cases(database: Path) -> dict[str, str]:
    """Each case's number by the Message-ID of the mail that started its conversation."""
    with sqlite3.connect(database) as db:
        return dict(
            db.execute(
                "select m.message_id, c.number from cases c"
                " join mails_in m on m.conversation_id = c.conversation_id"
            ).fetchall()
        )


def _inquiries(database: Path) -> dict[str, dict[str, int]]:
    with sqlite3.connect(database) as db:
        rows = dict(
            db.execute(
                "select decision, count(*) from inquiries where channel = 'email' group by decision"
            ).fetchall()
        )
        mails = dict(db.execute("select status, count(*) from mails_in group by status").fetchall())
        outbox = dict(
            db.execute("select status, count(*) from mails_out group by status").fetchall()
        )
    return {"inquiries": rows, "mails_in": mails, "mails_out": outbox}


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir).resolve()
    confident, bare = baseline(data_dir)
    rng = random.Random(args.seed)
    texts = [
        (rng.choice(UNANSWERED), False)
        if rng.random() < args.unanswered_share
        else (rng.choice(confident), True)
        for _ in range(args.mails)
    ]
    mails = [_mail(n, text) for n, (text, _) in enumerate(texts)]
    expected_answer = {mails[n][0] for n, (_, sure) in enumerate(texts) if sure}

    sink = Sink()
    out_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=out_port)
    controller.start()
    receiver = free_port()
    settings = {
        "CHAT_EMAIL_ADDRESS": SUPPORT,
        "CHAT_EMAIL_RECEIVER_PORT": str(receiver),
        "CHAT_SMTP_HOST": "127.0.0.1",
        "CHAT_SMTP_PORT": str(out_port),
        "CHAT_SMTP_STARTTLS": "false",
    }
    folder = Path(tempfile.mkdtemp(prefix="samsvar-email-"))
    database = folder / "samsvar.db"
    load_before = os.getloadavg()
    server = start(data_dir, database, settings)
    delivery = Delivery()
    timed = [(n / args.rate if args.rate else 0.0, m, raw) for n, (m, raw) in enumerate(mails)]
    shares = [timed[i :: args.senders] for i in range(args.senders)]
    started = time.monotonic()
    senders = [
        threading.Thread(target=_deliver, args=(receiver, share, delivery, args.retry, started))
        for share in shares
    ]
    for thread in senders:
        thread.start()
    killing = 0 < args.kill_after < args.mails
    while killing and len(delivery.accepted) < args.kill_after:
        time.sleep(0.01)
    killed_at = time.monotonic()
    accepted_at_kill = acked_at_kill = 0
    if killing:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(30)
        accepted_at_kill = len(delivery.accepted)
        acked_at_kill = len({r for _, r, _, _ in list(sink.got)})
        server = start(data_dir, database, settings)
    restarted_at = time.monotonic()
    try:
        for thread in senders:
            thread.join()
        all_sent = time.monotonic()
        wanted = {m for m, _ in mails}
        while time.monotonic() - restarted_at < args.settle:
            with sink.lock:
                acked = {r for _, r, _, b in sink.got if CASE_NUMBER.search(b)}
                answers = {r for _, r, _, b in sink.got if not CASE_NUMBER.search(b)}
            if wanted <= acked and expected_answer <= answers:
                break
            time.sleep(0.2)
        time.sleep(args.quiet)  # anything sent twice arrives now
        finished = time.monotonic()
    finally:
        server.stop()
        controller.stop()
    load_after = os.getloadavg()

    with sink.lock:
        got = list(sink.got)
    acks: dict[str, list[tuple[float, str, str]]] = {}
    answers: dict[str, list[tuple[float, str, str]]] = {}
    for at, reply_to, own_id, body in got:
        kind = acks if CASE_NUMBER.search(body) else answers
        kind.setdefault(reply_to, []).append((at, own_id, body))
    ids = [m for m, _ in mails]
    once = sum(1 for m in ids if len(acks.get(m, [])) == 1)
    twice = sum(1 for m in ids if len(acks.get(m, [])) > 1)
    distinct_twice = sum(1 for m in ids if len({i for _, i, _ in acks.get(m, [])}) > 1)
    lost = [m for m in ids if m not in acks]
    answered = set(answers)
    answered_twice = sum(1 for m in answered if len({i for _, i, _ in answers[m]}) > 1)
    cases = _cases(database)
    acked_number = {
        m: found.group(0)
        for m in ids
        if acks.get(m) and (found := CASE_NUMBER.search(acks[m][0][2]))
    }
    same_number = sum(1 for m, number in cases.items() if acked_number.get(m) == number)

    def waits(kind: dict[str, list[tuple[float, str, str]]]) -> list[float]:
        return [
            (min(at for at, _, _ in kind[m]) - delivery.accepted[m]) * 1000
            for m in ids
            if m in kind and m in delivery.accepted
        ]

    latencies = waits(acks)
    undisturbed = [
        (min(at for at, _, _ in acks[m]) - delivery.accepted[m]) * 1000
        for m in ids
        if m in acks
        and m in delivery.accepted
        and (min(at for at, _, _ in acks[m]) < killed_at or delivery.accepted[m] > restarted_at)
    ]

    def figures(values: list[float]) -> dict[str, float]:
        return {
            "n": len(values),
            "p50_s": round(percentile(values, 0.5) / 1000, 2),
            "p95_s": round(percentile(values, 0.95) / 1000, 2),
            "max_s": round(max(values) / 1000, 2) if values else float("nan"),
        }

    return {
        "mails": args.mails,
        "senders": args.senders,
        "rate_per_s": args.rate or "as fast as accepted",
        "unanswered_share": args.unanswered_share,
        "bare_turn": bare,
        "kill_after_accepted": args.kill_after,
        "accepted_at_kill": accepted_at_kill,
        "acknowledged_at_kill": acked_at_kill,
        "delivery_tries": sum(delivery.tries.values()),
        "redelivered_mails": sum(1 for n in delivery.tries.values() if n > 1),
        "acknowledged_once": once,
        "acknowledged_more_than_once": twice,
        "acknowledged_with_two_different_mails": distinct_twice,
        "lost": len(lost),
        "confident_questions": len(expected_answer),
        "bot_answers_sent": len(answered),
        "confident_answered": len(answered & expected_answer),
        "answered_with_two_different_mails": answered_twice,
        "cases_opened": len(cases),
        "cases_with_the_acknowledged_number": same_number,
        "database": _inquiries(database),
        "seconds": {
            "sending_all": round(all_sent - started, 1),
            # until every mail was acknowledged and every confident one answered
            "until_all_acknowledged": round(finished - args.quiet - started, 1),
            "down": round(restarted_at - killed_at, 1),
        },
        "arrival_to_acknowledgement": figures(latencies),
        "arrival_to_acknowledgement_not_waiting_for_the_restart": figures(undisturbed),
        "arrival_to_answer": figures(waits(answers)),
        "first_try_to_acknowledgement": figures(
            [
                (min(at for at, _, _ in acks[m]) - delivery.first_try[m]) * 1000
                for m in ids
                if m in acks and m in delivery.first_try
            ]
        ),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--kill-after", type=int, default=500)
    parser.add_argument("--unanswered-share", type=float, default=0.25)
    parser.add_argument("--retry", type=float, default=1.0)
    parser.add_argument("--rate", type=float, default=0.0, help="mails/s in all; 0: a burst")
    parser.add_argument("--settle", type=float, default=600.0)
    parser.add_argument("--quiet", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    figures = {"machine": machine_info(), **run(args)}
    print(json.dumps(figures, indent=2))
    if args.out:
        write_json(Path(args.out), figures)
    if (
        figures["lost"]
        or figures["acknowledged_once"] != args.mails
        or figures["confident_answered"] != figures["confident_questions"]
    ):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
