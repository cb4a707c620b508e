"""The e-mail tables on SQLite and on a real PostgreSQL: mails taken in and answered once,
and two workers (two processes' databases) claiming at once never get the same mail."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from app.migrate import do_upgrade
from bot import Bot
from channels.email.intake import _claim, do_store_mail
from channels.email.outbox import _claim as _claim_out
from conversations.storage import get_database_url, open_database
from tests.channels.email_helpers import mail, mails_in, mails_out, take_all
from tests.conversations.conftest import NOW, Clock, services_on

LEASE = dt.timedelta(seconds=30)


def test_mails_are_taken_in_once_and_claimed_by_one_worker(
    database_url: str, shop_bot: Bot
) -> None:
    async def work() -> Any:
        one = open_database(get_database_url(database_url, Path("unused")))
        two = open_database(get_database_url(database_url, Path("unused")))
        await do_upgrade(one)
        services = services_on(one, shop_bot, Clock())
        try:
            for n in range(12):
                await do_store_mail(
                    one,
                    mail("Hvor er pakken min?", f"<d{n}@x>", sender=f"k{n}@example.no"),
                    None,
                    NOW,
                )
            again = await do_store_mail(one, mail("Hvor er pakken min?", "<d0@x>"), None, NOW)
            first, second = await asyncio.gather(
                _claim(one, NOW, LEASE, 7), _claim(two, NOW, LEASE, 7)
            )
            later = NOW + LEASE
            services.clock.now = later  # type: ignore[attr-defined]
            outcomes = await take_all(services)
            sent_a, sent_b = await asyncio.gather(
                _claim_out(one, later, 16), _claim_out(two, later, 16)
            )
            return (
                again,
                first,
                second,
                outcomes,
                await mails_in(services),
                (await mails_out(services)),
                sent_a,
                sent_b,
            )
        finally:
            await services.chat.drain()
            await asyncio.to_thread(services.runner.close)
            await one.close()
            await two.close()

    again, first, second, outcomes, received, out, sent_a, sent_b = asyncio.run(work())
    assert again == ("<d0@x>", False)
    claimed = [r.message_id for r in first + second]
    assert len(claimed) == 12 and len(set(claimed)) == 12
    # Each acknowledged first, then answered (the question is one the bot answers).
    assert sorted(o.status for o in outcomes) == ["acknowledged"] * 12 + ["done"] * 12
    assert all(r.status == "done" and r.attempts == 3 for r in received)
    assert len(out) == 24 and len({o.cause for o in out}) == 24
    assert sorted(o.cause.split(":")[0] for o in out) == ["answer"] * 12 + ["auto"] * 12
    sending = [r.id for r in sent_a + sent_b]
    assert len(sending) == 24 and len(set(sending)) == 24
