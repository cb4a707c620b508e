"""Webhooks against a real HTTP server on 127.0.0.1: the events of a channel's cases (an
agent's reply, a resolution, a reopening) found from the database, signed, retried with
backoff on a 5xx or a time-out, logged try by try, and never sent again after a 2xx."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import time
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import func, select

from channels import (
    BACKOFF,
    MAX_TRIES,
    BadWebhook,
    Inbound,
    WebhookWorker,
    Who,
    customer_ref,
    do_add_webhook,
    do_deliver_due,
    do_find_events,
    do_inbound,
    do_remove_webhook,
    get_deliveries,
    sign,
)
from channels.tables import WebhookDelivery
from conversations.services import Services
from handoff import AgentInfo, get_audit
from handoff.tables import Case
from privacy import Actor, Subject, do_erase
from tests.channels.receiver import Receiver, running_receiver
from tests.conversations.conftest import Clock, InServices, agent, services_on

ADMIN = Who("ada", agent_id="a1")
KARI = (customer_ref("phone", "+47 912 34 567"),)
HARD = "Kan dere fortelle meg noe om vær og vind på Svalbard?"


async def _case(services: Services, channel: str = "sms", key: str = "m1") -> tuple[str, Case]:
    """A conversation on `channel` that the bot handed to a person: (its id, the case)."""
    result = await do_inbound(services, Inbound(channel, KARI, HARD, key))
    async with services.db.reading() as session:
        case = await session.scalar(
            select(Case).where(Case.conversation_id == result.conversation_id)
        )
    assert case is not None
    return result.conversation_id, case


async def _answered(services: Services, case: Case, text: str = "Vi sjekker.") -> AgentInfo:
    kari = await agent(services, "kari", ["support", "returns"])
    await services.desk.do_claim(kari, case.id)
    await services.desk.do_reply(kari, case.id, "r1", text)
    return kari


def _client(timeout: float = 0.5) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), trust_env=False)


def _clock(services: Services) -> Clock:
    return cast(Clock, services.clock)


def test_a_reply_goes_out_signed_is_retried_after_a_500_and_never_sent_twice(
    in_services: InServices[Any],
) -> None:
    with running_receiver(statuses=[500, 200]) as receiver:

        async def scenario(services: Services) -> dict[str, Any]:
            db, clock = services.db, _clock(services)
            hook, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case, "Vi sjekker været for deg.")
            seen: dict[str, Any] = {"made": await do_find_events(db, clock())}
            seen["again"] = await do_find_events(db, clock())  # the same events: nothing new
            async with _client() as client:
                seen["first"] = await do_deliver_due(db, client, clock)
                clock.now += BACKOFF[0] - dt.timedelta(seconds=1)
                seen["too soon"] = await do_deliver_due(db, client, clock)
                clock.now += dt.timedelta(seconds=1)
                seen["second"] = await do_deliver_due(db, client, clock)
                clock.now += dt.timedelta(days=1)
                await do_find_events(db, clock())
                seen["after"] = await do_deliver_due(db, client, clock)
            seen["log"] = await get_deliveries(db)
            seen["case"] = case.number
            seen["hook"] = hook
            return seen

        seen = in_services(scenario)
    assert (seen["made"], seen["again"]) == (1, 0)
    [delivery_id] = seen["first"]
    assert seen["first"] == {delivery_id: "pending"} and seen["too soon"] == {}
    assert seen["second"] == {delivery_id: "delivered"} and seen["after"] == {}
    assert [r.delivery for r in receiver.received] == [delivery_id, delivery_id]
    assert all(r.signed for r in receiver.received)
    assert int(receiver.received[1].timestamp) - int(receiver.received[0].timestamp) == 30
    body = receiver.received[0].body
    assert body["type"] == "agent_reply" and receiver.received[0].event == "agent_reply"
    assert body["id"] == delivery_id and body["channel"] == "sms"
    assert body["case"] == {"number": seen["case"], "status": "waiting_on_visitor"}
    assert body["message"]["text"] == "Vi sjekker været for deg."
    assert body["message"]["agent_name"] == "Kari"
    [logged] = seen["log"]
    assert logged["status"] == "delivered" and logged["event"] == "agent_reply"
    assert [t["status_code"] for t in logged["tries"]] == [500, 200]
    assert all(t["duration_ms"] >= 0 for t in logged["tries"])


def test_a_target_that_times_out_is_logged_and_retried_and_gets_it_once(
    in_services: InServices[Any],
) -> None:
    with running_receiver(delay=2.0) as receiver:

        async def scenario(services: Services) -> dict[str, Any]:
            db, clock = services.db, _clock(services)
            _, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case)
            await do_find_events(db, clock())
            seen: dict[str, Any] = {}
            async with _client(0.3) as client:
                started = time.monotonic()
                # the slow target does not hold up the event loop meanwhile
                ticks = 0

                async def tick() -> None:
                    nonlocal ticks
                    while time.monotonic() - started < 0.25:
                        ticks += 1
                        await asyncio.sleep(0.01)

                seen["first"], _ = await asyncio.gather(do_deliver_due(db, client, clock), tick())
                seen["seconds"] = time.monotonic() - started
                seen["ticks"] = ticks
                seen["log"] = await get_deliveries(db)
                receiver.delay = 0.0  # the target is back
                clock.now += BACKOFF[0]
                seen["second"] = await do_deliver_due(db, client, clock)
                clock.now += dt.timedelta(days=2)
                seen["third"] = await do_deliver_due(db, client, clock)
            seen["final"] = await get_deliveries(db)
            return seen

        seen = in_services(scenario)
    assert list(seen["first"].values()) == ["pending"]
    assert seen["seconds"] < 1.5 and seen["ticks"] >= 10
    [pending] = seen["log"]
    [first_try] = pending["tries"]
    assert first_try["status_code"] is None and first_try["error"].startswith("timed out")
    assert list(seen["second"].values()) == ["delivered"] and seen["third"] == {}
    [done] = seen["final"]
    assert done["status"] == "delivered" and len(done["tries"]) == 2
    # the receiver saw the timed-out try and the good one, both with the same id: it can
    # tell them apart; nothing was sent after the 2xx
    assert len(receiver.received) == 2
    assert receiver.received[0].delivery == receiver.received[1].delivery


def test_tries_end_after_the_last_one_and_a_4xx_is_not_tried_again(
    in_services: InServices[Any],
) -> None:
    with running_receiver(statuses=[503]) as failing, running_receiver(statuses=[410]) as gone:

        async def scenario(services: Services) -> list[dict[str, Any]]:
            db, clock = services.db, _clock(services)
            _, failing.secret = await do_add_webhook(db, "sms", failing.url, clock(), by=ADMIN)
            _, gone.secret = await do_add_webhook(db, "sms", gone.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case)
            await do_find_events(db, clock())
            async with _client() as client:
                for _ in range(MAX_TRIES + 3):
                    await do_deliver_due(db, client, clock)
                    clock.now += dt.timedelta(hours=5)
            return await get_deliveries(db)

        log = {d["webhook_id"]: d for d in in_services(scenario)}
    assert len(failing.received) == MAX_TRIES and len(gone.received) == 1
    failed = next(d for d in log.values() if len(d["tries"]) == MAX_TRIES)
    assert failed["status"] == "failed" and "gave up after 8 tries" in failed["tries"][-1]["error"]
    refused = next(d for d in log.values() if len(d["tries"]) == 1)
    assert refused["status"] == "failed" and "410" in refused["tries"][0]["error"]


def test_resolution_and_reopening_go_out_and_other_channels_do_not(
    in_services: InServices[Any],
) -> None:
    with running_receiver() as receiver:

        async def scenario(services: Services) -> list[str]:
            db, clock = services.db, _clock(services)
            _, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            conversation_id, case = await _case(services)
            kari = await _answered(services, case)
            await services.desk.do_resolve(kari, case.id)
            clock.now += dt.timedelta(minutes=1)
            await do_inbound(
                services,
                Inbound("sms", KARI, "Det virker fortsatt ikke", "m2", conversation_id),
            )
            _, mail_case = await _case(services, "email", "<x@y>")  # another channel
            await services.desk.do_claim(kari, mail_case.id)
            await services.desk.do_reply(kari, mail_case.id, "r2", "Hei på mail")
            async with _client() as client:
                await WebhookWorker(db, clock, client=client).run_once()
            return [r.body["type"] + ":" + str(r.body["case"]["status"]) for r in receiver.received]

        kinds = in_services(scenario)
    # the status each event left the case in
    # (deliveries go out side by side: the order is not promised, `created_at` tells it)
    assert sorted(kinds) == [
        "agent_reply:waiting_on_visitor",
        "reopened:reopened",
        "resolved:resolved",
    ]
    assert all(r.signed for r in receiver.received)


def test_events_survive_a_restart_and_two_processes_make_each_delivery_once(
    in_services: InServices[Any],
) -> None:
    with running_receiver() as receiver:

        async def scenario(services: Services) -> tuple[int, list[int], int]:
            db, clock = services.db, _clock(services)
            _, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case)
            # the server stopped before its worker ran: a new process finds the reply
            clock.now += dt.timedelta(minutes=30)
            other = services_on(db, services.runner.bot, clock)
            made = await asyncio.gather(
                do_find_events(db, clock()), do_find_events(other.db, clock())
            )
            async with _client() as one, _client() as two:
                await asyncio.gather(
                    do_deliver_due(db, one, clock), do_deliver_due(other.db, two, clock)
                )
            async with db.reading() as session:
                rows = await session.scalar(select(func.count()).select_from(WebhookDelivery))
            await asyncio.to_thread(other.runner.close)
            return int(rows or 0), list(made), len(receiver.received)

        rows, made, received = in_services(scenario)
    assert rows == 1 and sorted(made) in ([0, 1], [1, 1]) and received == 1


def test_a_removed_webhook_gets_nothing_more_and_admin_actions_are_audited(
    in_services: InServices[Any],
) -> None:
    with running_receiver() as receiver:

        async def scenario(services: Services) -> tuple[list[dict[str, Any]], list[str]]:
            db, clock = services.db, _clock(services)
            hook, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case)
            await do_find_events(db, clock())
            await do_remove_webhook(db, hook.id, clock(), by=ADMIN)
            async with _client() as client:
                await do_deliver_due(db, client, clock)
            async with db.reading() as session:
                actions = [e.action for e in await get_audit(session)]
            return await get_deliveries(db), actions

        log, actions = in_services(scenario)
    assert [d["status"] for d in log] == ["cancelled"] and receiver.received == []
    assert actions[:2] == ["webhook_removed", "webhook_added"]


def test_bad_webhook_urls_are_refused(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> list[str]:
        codes = []
        for url in ("ftp://x.example/", "not a url", "https://user:pw@x.example/", "http:///x"):
            with pytest.raises(BadWebhook) as refused:
                await do_add_webhook(services.db, "sms", url, services.clock(), by=ADMIN)
            codes.append(refused.value.code)
        return codes

    assert in_services(scenario) == ["bad_webhook"] * 4


def test_erasing_the_visitor_erases_the_deliveries_that_carry_their_conversation(
    in_services: InServices[Any],
) -> None:
    with running_receiver() as receiver:

        async def scenario(services: Services) -> tuple[int, int, Any]:
            db, clock = services.db, _clock(services)
            _, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case, "Svar med personopplysninger")
            await do_find_events(db, clock())
            async with _client() as client:
                await do_deliver_due(db, client, clock)
            before = len(await get_deliveries(db))
            await do_erase(db, Subject(case=case.number), clock(), by=Actor("ada"))
            after = await get_deliveries(db)
            async with db.reading() as session:
                bodies = list(await session.scalars(select(WebhookDelivery.body)))
            return before, len(after), bodies

        before, after, bodies = in_services(scenario)
    assert (before, after) == (1, 0)
    assert not any("personopplysninger" in b for b in bodies)


def test_the_signature_is_the_documented_hmac() -> None:
    body = json.dumps({"id": "d1"}).encode()
    assert sign("whsec_test", "1764579600", body) == (
        "sha256=" + hmac.new(b"whsec_test", b"1764579600." + body, "sha256").hexdigest()
    )


def test_the_worker_stops_promptly_even_with_a_try_under_way(
    in_services: InServices[Any],
) -> None:
    with running_receiver(delay=3.0) as receiver:

        async def scenario(services: Services) -> tuple[float, Receiver]:
            db, clock = services.db, _clock(services)
            _, receiver.secret = await do_add_webhook(db, "sms", receiver.url, clock(), by=ADMIN)
            _, case = await _case(services)
            await _answered(services, case)
            worker = WebhookWorker(db, clock, poll_seconds=0.05, timeout=0.5)
            worker.start()
            await asyncio.to_thread(receiver.arrived.wait, 10)
            started = time.monotonic()
            await worker.stop()
            return time.monotonic() - started, receiver

        took, _ = in_services(scenario)
    assert took < 3.0 and len(receiver.received) == 1


def test_a_delivery_another_process_made_meanwhile_is_skipped_not_an_error(
    in_services: InServices[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes read the same events; the one that writes second meets the unique row
    and leaves the round to the first."""
    import channels.webhooks as webhooks

    read = webhooks._events

    async def read_then_lose_the_race(db: Any, *args: Any) -> Any:
        found = await read(db, *args)
        async with db.writing() as session, session.begin():
            hook_id = await session.scalar(select(webhooks.Webhook.id))
            session.add(
                WebhookDelivery(
                    id="other-process",
                    webhook_id=hook_id,
                    event=found[0].key,
                    kind=found[0].kind,
                    conversation_id=found[0].conversation_id,
                    body="{}",
                    status="pending",
                    tries=0,
                    next_at=found[0].at,
                    leased_until=None,
                    created_at=found[0].at,
                    delivered_at=None,
                )
            )
        return found

    async def scenario(services: Services) -> tuple[int, list[str]]:
        db, clock = services.db, _clock(services)
        await do_add_webhook(db, "sms", "http://127.0.0.1:9/", clock(), by=ADMIN)
        _, case = await _case(services)
        await _answered(services, case)
        monkeypatch.setattr(webhooks, "_events", read_then_lose_the_race)
        made = await do_find_events(db, clock())
        return made, [d["id"] for d in await get_deliveries(db)]

    made, ids = in_services(scenario)
    assert made == 0 and ids == ["other-process"]
