"""The channel API through the real app, in-process (httpx's ASGI transport, the app's own
start and stop): API keys, inquiries answered or handed off once per idempotency key,
polling, rate limits, bad bodies, the admins' routes, a webhook delivered by the server's own
worker, and the customer across channels in the agent API."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
import pytest
from fastapi import FastAPI

from app.engine import Engine
from app.web.application import create_app
from bot import Bot
from conversations.services import Services
from handoff import do_add_agent, get_audit, hash_password
from tests.bot.conftest import shop_encoder, shop_retriever
from tests.channels.receiver import running_receiver
from tests.conversations.conftest import Clock, shop_bot
from tests.server import make_settings

__all__ = ["shop_bot", "shop_encoder", "shop_retriever"]

CHANNEL = "/api/v1/channel"
AGENT = "/api/v1/agent"
PASSWORD = "et langt passord for testene"
HARD = "Kan dere fortelle meg noe om vær og vind på Svalbard?"
T = TypeVar("T")


class Api:
    """The app in-process: `http` (no credentials), `admin` (an admin's sign-in),
    `agent(name)`; `services` as the app built them."""

    def __init__(self, app: FastAPI, http: httpx.AsyncClient) -> None:
        self.app, self.http = app, http
        self.clients: list[httpx.AsyncClient] = []

    @property
    def services(self) -> Services:
        return cast(Services, self.app.state.services)

    def client(self, **options: Any) -> httpx.AsyncClient:
        made = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://test", **options
        )
        self.clients.append(made)
        return made

    async def agent(self, name: str, teams: list[str], *, admin: bool = False) -> httpx.AsyncClient:
        async with self.services.db.writing() as session, session.begin():
            await do_add_agent(
                session,
                name=name,
                display_name=name.title(),
                password_hash=hash_password(PASSWORD),
                teams=teams,
                now=self.services.clock(),
                admin=admin,
            )
        client = self.client()
        signed = await client.post(f"{AGENT}/sign-in", json={"name": name, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        return client

    async def key(self, admin: httpx.AsyncClient, channels: list[str] | None = None) -> str:
        made = await admin.post(f"{AGENT}/apikeys", json={"name": "platform", "channels": channels})
        assert made.status_code == 201, made.text
        return str(made.json()["secret"])

    def inquiry(
        self, key: str, text: str, idem: str | None, **body: Any
    ) -> Awaitable[httpx.Response]:
        headers = {"Authorization": f"Bearer {key}"}
        if idem is not None:
            headers["Idempotency-Key"] = idem
        payload = {"channel": "sms", "customer": {"phone": "+4791234567"}, "text": text, **body}
        return self.http.post(f"{CHANNEL}/inquiries", json=payload, headers=headers)


@pytest.fixture
def in_app(tmp_path: Path, shop_bot: Bot) -> Callable[..., Any]:
    engine = Engine(bot=shop_bot, index=cast(Any, None), sync=cast(Any, None))

    def run(scenario: Callable[[Api], Awaitable[T]], **settings: Any) -> T:
        app = create_app(
            make_settings(tmp_path / "data", webhook_poll_seconds=0.05, **settings),
            engine=engine,
            clock=Clock(),
        )

        async def go() -> T:
            async with running(app) as http:
                api = Api(app, http)
                try:
                    return await scenario(api)
                finally:
                    for client in api.clients:
                        await client.aclose()

        return asyncio.run(go())

    return run


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False and isinstance(body["error"], str) and body["error"]
    return response.status_code, body["code"]


def test_a_missing_malformed_wrong_or_revoked_key_gets_401(in_app: Callable[..., Any]) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        admin = await api.agent("ada", ["support"], admin=True)
        key = await api.key(admin)
        url = f"{CHANNEL}/cases/S-2026-000001"
        seen = {
            "none": await api.http.get(url),
            "basic": await api.http.get(url, headers={"Authorization": "Basic eDp5"}),
            "malformed": await api.http.get(url, headers={"Authorization": "Bearer sk_nope"}),
            "wrong": await api.http.get(url, headers={"Authorization": f"Bearer {key[:-3]}xyz"}),
            "good": await api.http.get(url, headers={"Authorization": f"Bearer {key}"}),
        }
        key_id = key.split("_")[1]
        revoked = await admin.post(f"{AGENT}/apikeys/{key_id}/revoke")
        assert revoked.status_code == 200 and revoked.json()["key"]["revoked_at"]
        seen["revoked"] = await api.inquiry(key, "Hvor er pakken min?", "k1")
        return seen

    seen = in_app(scenario)
    for label in ("none", "basic", "malformed", "wrong", "revoked"):
        assert _error(seen[label]) == (401, "bad_api_key"), label
    assert "revoked" in seen["revoked"].json()["error"]
    assert "malformed" in seen["malformed"].json()["error"]
    assert _error(seen["good"]) == (404, "unknown_case")  # the key passed


def test_an_inquiry_is_answered_word_for_word_once_per_idempotency_key(
    in_app: Callable[..., Any],
) -> None:
    async def scenario(api: Api) -> list[httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        key = await api.key(admin, ["sms"])
        first = await api.inquiry(key, "Hvor er pakken min?", "k-1")
        again = await api.inquiry(key, "Hvor er pakken min?", None, idempotency_key="k-1")
        polled = await api.http.get(
            f"{CHANNEL}/conversations/{first.json()['conversation_id']}",
            headers={"Authorization": f"Bearer {key}"},
        )
        return [first, again, polled]

    first, again, polled = in_app(scenario)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["decision"] == "answer" and body["case"] is None and not body["duplicate"]
    assert body["answer"]["id"] == "order-tracking"
    assert body["answer"]["text"] == body["replies"][0]["text"]
    assert isinstance(body["answer"]["links"], list)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["conversation_id"] == body["conversation_id"]
    assert again.json()["replies"] == body["replies"]
    assert polled.status_code == 200
    assert [m["role"] for m in polled.json()["messages"]] == ["visitor", "bot"]


def test_a_question_the_bot_cannot_answer_opens_a_case_that_can_be_polled(
    in_app: Callable[..., Any],
) -> None:
    async def scenario(api: Api) -> list[httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        key = await api.key(admin)
        made = await api.inquiry(key, HARD, "k-2", lang="nb")
        auth = {"Authorization": f"Bearer {key}"}
        number = made.json()["case"]["number"]
        case = await api.http.get(f"{CHANNEL}/cases/{number}", headers=auth)
        follow = await api.inquiry(
            key, "Og i morgen?", "k-3", conversation_id=made.json()["conversation_id"]
        )
        return [made, case, follow]

    made, case, follow = in_app(scenario)
    assert made.status_code == 201 and made.json()["decision"] == "handoff"
    assert made.json()["answer"] is None
    assert made.json()["case"]["status"] in ("queued", "assigned")
    assert (
        case.status_code == 200 and case.json()["case"]["number"] == made.json()["case"]["number"]
    )
    assert follow.status_code == 201
    assert follow.json()["case"]["number"] == made.json()["case"]["number"]  # joined the case
    assert follow.json()["conversation_id"] == made.json()["conversation_id"]


def test_a_key_reads_and_posts_only_on_its_channels(in_app: Callable[..., Any]) -> None:
    async def scenario(api: Api) -> list[httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        sms = await api.key(admin, ["sms"])
        mail = await api.key(admin, ["email"])
        made = await api.inquiry(sms, HARD, "k-4")
        posted = await api.inquiry(mail, HARD, "k-5")
        other = {"Authorization": f"Bearer {mail}"}
        conversation = await api.http.get(
            f"{CHANNEL}/conversations/{made.json()['conversation_id']}", headers=other
        )
        case = await api.http.get(f"{CHANNEL}/cases/{made.json()['case']['number']}", headers=other)
        return [posted, conversation, case]

    posted, conversation, case = in_app(scenario)
    assert _error(posted) == (403, "channel_not_allowed")
    assert _error(conversation) == (404, "unknown_conversation")
    assert _error(case) == (404, "unknown_case")


def test_bad_bodies_get_422_saying_where_and_what(in_app: Callable[..., Any]) -> None:
    async def scenario(api: Api) -> dict[str, httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        key = await api.key(admin)
        auth = {"Authorization": f"Bearer {key}", "Idempotency-Key": "k"}
        url = f"{CHANNEL}/inquiries"
        return {
            "no customer": await api.http.post(
                url, json={"channel": "sms", "text": "Hei"}, headers=auth
            ),
            "empty customer": await api.http.post(
                url, json={"channel": "sms", "customer": {}, "text": "Hei"}, headers=auth
            ),
            "bad email": await api.inquiry(key, "Hei", "k", customer={"email": "not-an-address"}),
            "bad channel": await api.inquiry(key, "Hei", "k", channel="Widget!"),
            "no key": await api.inquiry(key, "Hei", None),
            "two keys": await api.inquiry(key, "Hei", "a", idempotency_key="b"),
            "empty text": await api.inquiry(key, "   ", "k"),
            "not json": await api.http.post(url, content=b"{", headers=auth),
        }

    seen = in_app(scenario)
    assert _error(seen["no customer"]) == (422, "bad_request")
    assert "`customer`" in seen["no customer"].json()["error"]
    assert _error(seen["empty customer"]) == (422, "bad_customer")
    assert "at least one of email, phone and id" in seen["empty customer"].json()["error"]
    assert _error(seen["bad email"]) == (422, "bad_customer")
    assert _error(seen["bad channel"]) == (422, "bad_channel")
    assert _error(seen["no key"]) == (422, "bad_request")
    assert "Idempotency-Key" in seen["no key"].json()["error"]
    assert _error(seen["two keys"]) == (422, "bad_request")
    assert _error(seen["empty text"]) == (422, "empty_message")
    assert _error(seen["not json"]) == (422, "bad_request")


def test_each_key_has_its_own_rate_limit(in_app: Callable[..., Any]) -> None:
    async def scenario(api: Api) -> list[httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        one, two = await api.key(admin), await api.key(admin)
        url = f"{CHANNEL}/cases/S-2026-000001"
        calls = [
            await api.http.get(url, headers={"Authorization": f"Bearer {one}"}) for _ in range(4)
        ]
        calls.append(await api.http.get(url, headers={"Authorization": f"Bearer {two}"}))
        return calls

    calls = in_app(scenario, channel_api_requests=3)
    assert [c.status_code for c in calls] == [404, 404, 404, 429, 404]
    assert _error(calls[3]) == (429, "rate_limited") and int(calls[3].headers["Retry-After"]) >= 1


def test_only_admins_manage_keys_and_webhooks_and_it_is_audited(
    in_app: Callable[..., Any],
) -> None:
    async def scenario(api: Api) -> dict[str, Any]:
        admin = await api.agent("ada", ["support"], admin=True)
        kari = await api.agent("kari", ["support"])
        seen: dict[str, Any] = {
            "kari keys": await kari.get(f"{AGENT}/apikeys"),
            "kari hook": await kari.post(
                f"{AGENT}/webhooks", json={"channel": "sms", "url": "https://x.example/h"}
            ),
            "stranger": await api.http.get(f"{AGENT}/webhooks/deliveries"),
        }
        await api.key(admin, ["sms"])
        seen["keys"] = (await admin.get(f"{AGENT}/apikeys")).json()
        hook = await admin.post(
            f"{AGENT}/webhooks", json={"channel": "sms", "url": "https://sms.example/hook"}
        )
        seen["hook"] = hook
        seen["bad hook"] = await admin.post(
            f"{AGENT}/webhooks", json={"channel": "sms", "url": "ftp://x"}
        )
        seen["hooks"] = (await admin.get(f"{AGENT}/webhooks")).json()
        removed = await admin.post(f"{AGENT}/webhooks/{hook.json()['webhook']['id']}/remove")
        seen["removed"] = removed
        seen["unknown"] = await admin.post(f"{AGENT}/webhooks/nope/remove")
        seen["unknown key"] = await admin.post(f"{AGENT}/apikeys/nope/revoke")
        async with api.services.db.reading() as session:
            seen["audit"] = [(e.action, e.actor) for e in await get_audit(session)]
        return seen

    seen = in_app(scenario)
    assert _error(seen["kari keys"]) == (403, "forbidden")
    assert _error(seen["kari hook"]) == (403, "forbidden")
    assert _error(seen["stranger"]) == (401, "not_signed_in")
    [key] = seen["keys"]["keys"]
    assert key["channels"] == ["sms"] and "secret" not in key
    assert seen["hook"].status_code == 201
    assert seen["hook"].json()["secret"].startswith("whsec_")
    assert "secret" not in seen["hooks"]["webhooks"][0]
    assert _error(seen["bad hook"]) == (422, "bad_webhook")
    assert seen["removed"].json()["webhook"]["removed_at"]
    assert _error(seen["unknown"]) == (404, "unknown_webhook")
    assert _error(seen["unknown key"]) == (404, "unknown_api_key")
    actions = [action for action, actor in seen["audit"] if actor == "ada"]
    assert actions[:3] == ["webhook_removed", "webhook_added", "api_key_created"]


def test_the_servers_worker_sends_an_agents_reply_to_the_webhook(
    in_app: Callable[..., Any],
) -> None:
    with running_receiver() as receiver:

        async def scenario(api: Api) -> dict[str, Any]:
            admin = await api.agent("ada", ["support"], admin=True)
            kari = await api.agent("kari", ["support"])
            await kari.post(f"{AGENT}/me/status", json={"status": "online"})
            key = await api.key(admin, ["sms"])
            hook = await admin.post(
                f"{AGENT}/webhooks", json={"channel": "sms", "url": receiver.url}
            )
            receiver.secret = hook.json()["secret"]
            made = (await api.inquiry(key, HARD, "k-6")).json()
            queue = (await kari.get(f"{AGENT}/queue", params={"status": "open"})).json()
            case_id = queue["cases"][0]["id"]
            await kari.post(f"{AGENT}/cases/{case_id}/claim")
            replied = await kari.post(
                f"{AGENT}/cases/{case_id}/messages",
                json={"client_id": "a1", "text": "Vi ser på det."},
            )
            assert replied.status_code == 200, replied.text
            arrived = await asyncio.to_thread(receiver.arrived.wait, 10)
            for _ in range(200):  # the try is logged just after the target answered
                log = (await admin.get(f"{AGENT}/webhooks/deliveries")).json()["deliveries"]
                if log and log[0]["status"] == "delivered":
                    break
                await asyncio.sleep(0.02)
            return {"arrived": arrived, "made": made, "log": log}

        seen = in_app(scenario)
    assert seen["arrived"] and len(receiver.received) == 1
    [got] = receiver.received
    assert got.signed and got.body["type"] == "agent_reply"
    assert got.body["conversation_id"] == seen["made"]["conversation_id"]
    assert got.body["message"]["text"] == "Vi ser på det."
    [logged] = seen["log"]
    assert logged["status"] == "delivered" and logged["tries"][0]["status_code"] == 200


def test_an_agent_sees_the_customer_of_a_case_across_channels(
    in_app: Callable[..., Any],
) -> None:
    async def scenario(api: Api) -> dict[str, httpx.Response]:
        admin = await api.agent("ada", ["support"], admin=True)
        kari = await api.agent("kari", ["support"])
        ola = await api.agent("ola", ["returns"])
        key = await api.key(admin)
        await api.inquiry(key, "Hvor er pakken min?", "k-7", customer={"email": "kari@example.no"})
        await api.inquiry(
            key,
            HARD,
            "k-8",
            channel="phone",
            customer={"email": "Kari@Example.no", "phone": "+47 912 34 567"},
        )
        queue = (await kari.get(f"{AGENT}/queue", params={"status": "open"})).json()
        case_id = queue["cases"][0]["id"]
        return {
            "kari": await kari.get(f"{AGENT}/cases/{case_id}/customer"),
            "ola": await ola.get(f"{AGENT}/cases/{case_id}/customer"),
            "unknown": await kari.get(f"{AGENT}/cases/nope/customer"),
            "by phone": await kari.get(f"{AGENT}/customers", params={"ref": "+47 91 23 45 67"}),
            "by ref": await kari.get(f"{AGENT}/customers", params={"ref": "email:KARI@example.no"}),
            "ola by ref": await ola.get(f"{AGENT}/customers", params={"ref": "kari@example.no"}),
            "nobody": await kari.get(f"{AGENT}/customers", params={"ref": "ola@example.no"}),
            "bad ref": await kari.get(f"{AGENT}/customers", params={"ref": "email:nope"}),
        }

    seen = in_app(scenario)
    body = seen["kari"].json()  # the console's route (decision 0123): the history itself
    assert seen["kari"].status_code == 200 and body.pop("ok") is True
    customer = body
    assert customer["refs"] == ["email:kari@example.no", "tel:+4791234567"]
    assert sorted(c["channel"] for c in customer["conversations"]) == ["phone", "sms"]
    [case] = customer["cases"]
    assert case["channel"] == "phone" and case["status"] in ("queued", "assigned")
    assert "visitor_id" not in str(body)
    assert _error(seen["ola"]) == (403, "forbidden")
    assert _error(seen["unknown"]) == (404, "unknown_case")
    assert seen["by phone"].json()["customer"] == customer
    assert seen["by phone"].json()["ref"] == "tel:+4791234567"
    assert seen["by ref"].json()["customer"] == customer
    ola_sees = seen["ola by ref"].json()["customer"]
    assert ola_sees["cases"] == [] and ola_sees["refs"] == customer["refs"]  # another team's
    assert _error(seen["nobody"]) == (404, "unknown_customer")
    assert _error(seen["bad ref"]) == (422, "bad_customer")


def test_the_server_stops_cleanly_with_a_webhook_that_never_answers(
    in_app: Callable[..., Any],
) -> None:
    with running_receiver(delay=3.0) as receiver:

        async def scenario(api: Api) -> None:
            admin = await api.agent("ada", ["support"], admin=True)
            kari = await api.agent("kari", ["support"])
            key = await api.key(admin)
            hook = await admin.post(
                f"{AGENT}/webhooks", json={"channel": "sms", "url": receiver.url}
            )
            receiver.secret = hook.json()["secret"]
            await api.inquiry(key, HARD, "k-9")
            queue = (await kari.get(f"{AGENT}/queue", params={"status": "open"})).json()
            case_id = queue["cases"][0]["id"]
            await kari.post(f"{AGENT}/cases/{case_id}/claim")
            await kari.post(
                f"{AGENT}/cases/{case_id}/messages", json={"client_id": "a", "text": "Hei"}
            )
            assert await asyncio.to_thread(receiver.arrived.wait, 10)
            # meanwhile the API answers at once
            started = time.monotonic()  # an elapsed time, not the day's
            assert (await kari.get(f"{AGENT}/me")).status_code == 200
            assert time.monotonic() - started < 1.0

        started = time.monotonic()
        in_app(scenario, webhook_timeout_seconds=0.5)
        took = time.monotonic() - started
    assert took < 15
