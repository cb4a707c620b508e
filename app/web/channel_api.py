"""The channel API (`/api/v1/channel/*`) for other systems, and its admin routes in the agent
API (`/api/v1/agent/apikeys`, `/api/v1/agent/webhooks`): wiring over `channels`
(docs/channel-api.md, decision 0122)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field

from app.errors import BadRequest
from app.web.addresses import client_address
from app.web.agent_api import AgentDep
from app.web.schemas import MAX_INT, RequestModel, error_responses
from channels import (
    ApiKeyInfo,
    ChannelNotAllowed,
    Inbound,
    Who,
    do_add_webhook,
    do_check_api_key,
    do_create_api_key,
    do_inbound,
    do_remove_webhook,
    do_revoke_api_key,
    get_api_keys,
    get_case_for_key,
    get_conversation_for_key,
    get_deliveries,
    get_webhooks,
    inquiry_json,
)
from channels import customer_refs as refs_of
from conversations.limits import RateLimiter
from conversations.services import Services
from handoff import AgentInfo, NotAllowed

__all__ = ["LIMITER", "admin_router", "router"]

PREFIX = "/api/v1/channel"
#: Where `create_app` keeps the per-key rate limiter (`app.state`).
LIMITER = "channel_limiter"
router = APIRouter(prefix=PREFIX, tags=["channel"])
admin_router = APIRouter(prefix="/api/v1/agent", tags=["channel admin"])
_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="sk_<id>_<secret>",
    description="An API key an admin made (`samsvar apikeys create`).",
)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]


async def _key(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKeyInfo:
    """The caller's key (401 when there is none, it is malformed, unknown or revoked),
    within its rate limit (429)."""
    token = credentials.credentials if credentials is not None else None
    if token is None and request.headers.get("authorization"):
        token = "?"  # something else than `Bearer …`: malformed
    key = await do_check_api_key(services.db, token, services.clock())
    limiter: RateLimiter = getattr(request.app.state, LIMITER)
    await limiter.check(key.id)
    return key


KeyDep = Annotated[ApiKeyInfo, Depends(_key)]


class CustomerIn(RequestModel):
    """Who wrote: at least one reference. Conversations and cases of every channel that
    share a reference are the same customer's."""

    email: str | None = Field(None, max_length=320, examples=["kari@example.no"])
    phone: str | None = Field(
        None, max_length=40, description="With the country code (+47…).", examples=["+4791234567"]
    )
    id: str | None = Field(
        None, max_length=128, description="The operator's own id of the customer."
    )


class InquiryBody(RequestModel):
    channel: str = Field(
        min_length=1,
        max_length=16,
        description="The channel's name: 1–16 of a-z, 0-9, - and _ (not `widget`); the key "
        "must be allowed on it.",
        examples=["sms"],
    )
    customer: CustomerIn
    text: str = Field(description="At most 2,000 characters after trimming white space.")
    idempotency_key: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="The same as the Idempotency-Key header (give one of them, or both the "
        "same): a repeat with a key already taken in registers nothing and gets the first "
        "result.",
    )
    conversation_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="The conversation this message continues (the same customer's).",
    )
    lang: str | None = Field(None, max_length=35, description="A hint of the text's language.")


def _idempotency_key(header: str | None, body: str | None) -> str:
    header = header.strip() if header is not None else None
    body = body.strip() if body is not None else None
    if header and body and header != body:
        raise BadRequest(
            "header `Idempotency-Key` and body field `idempotency_key` differ; send one, "
            "or both the same"
        )
    key = header or body
    if not key:
        raise BadRequest(
            "header `Idempotency-Key`: required (or body field `idempotency_key`), so that a "
            "retried call registers the inquiry once"
        )
    return key


@router.post(
    "/inquiries",
    status_code=201,
    responses={
        200: {"description": "A repeat of an idempotency key already taken in: the first result."},
        **error_responses(401, 403, 404, 413, 429),
    },
)
async def post_inquiry(
    body: InquiryBody,
    key: KeyDep,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> dict[str, Any]:
    """Register an inquiry on a channel: the bot answers with the curated answer, word for
    word, or hands it to a person (a case); 201, or 200 with `duplicate` for a repeat."""
    if not key.allows(body.channel):
        raise ChannelNotAllowed(
            f"this API key may post on {', '.join(key.channels)}, not on {body.channel!r}"
        )
    result = await do_inbound(
        services,
        Inbound(
            channel=body.channel,
            refs=tuple(refs_of(body.customer.email, body.customer.phone, body.customer.id)),
            text=body.text,
            key=_idempotency_key(idempotency_key, body.idempotency_key),
            conversation_id=body.conversation_id,
            lang=body.lang,
        ),
    )
    response.status_code = 200 if result.duplicate else 201
    return await inquiry_json(services.db, result, body.channel)


@router.get("/conversations/{conversation_id}", responses=error_responses(401, 404, 429))
async def get_conversation(
    conversation_id: str,
    key: KeyDep,
    services: ServicesDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    """A conversation of the key's channels: its messages after `after_seq`, and its case."""
    return await get_conversation_for_key(services.db, conversation_id, key, after_seq=after_seq)


@router.get("/cases/{number}", responses=error_responses(401, 404, 429))
async def get_case(number: str, key: KeyDep, services: ServicesDep) -> dict[str, Any]:
    """A case of a conversation on the key's channels, by its number: its status."""
    return await get_case_for_key(services.db, number, key)


# --- the admins' routes ---------------------------------------------------------------------


def _admin(agent: AgentDep) -> AgentInfo:
    if not agent.agent.is_admin:
        raise NotAllowed("API keys and webhooks are for agents with the admin role")
    return agent


AdminDep = Annotated[AgentInfo, Depends(_admin)]


def _who(admin: AgentInfo, request: Request) -> Who:
    return Who(admin.agent.name, agent_id=admin.id, address=client_address(request))


class ApiKeyBody(RequestModel):
    name: str = Field(min_length=1, max_length=64, examples=["phone platform"])
    channels: list[Annotated[str, Field(min_length=1, max_length=16)]] | None = Field(
        None,
        max_length=50,
        description="The channels the key may post on; none or empty: every channel.",
    )


class WebhookBody(RequestModel):
    channel: str = Field(min_length=1, max_length=16, examples=["sms"])
    url: str = Field(min_length=1, max_length=2048, examples=["https://sms.example/samsvar"])


@admin_router.get("/apikeys", responses=error_responses(401, 403))
async def list_keys(services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """The channel API's keys, newest first (never their secrets)."""
    return {"ok": True, "keys": [k.as_json() for k in await get_api_keys(services.db)]}


@admin_router.post("/apikeys", status_code=201, responses=error_responses(401, 403, 413))
async def create_key(
    body: ApiKeyBody, request: Request, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """A new key: `secret` is the whole key, shown this once (audit-logged)."""
    info, secret = await do_create_api_key(
        services.db, body.name, body.channels or (), services.clock(), by=_who(admin, request)
    )
    return {"ok": True, "key": info.as_json(), "secret": secret}


@admin_router.post("/apikeys/{key_id}/revoke", responses=error_responses(401, 403, 404, 413))
async def revoke_key(
    key_id: str, request: Request, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """Revoke a key: its next call gets 401 (audit-logged)."""
    info = await do_revoke_api_key(services.db, key_id, services.clock(), by=_who(admin, request))
    return {"ok": True, "key": info.as_json()}


@admin_router.get("/webhooks", responses=error_responses(401, 403))
async def list_webhooks(services: ServicesDep, admin: AdminDep) -> dict[str, Any]:
    """The webhooks, newest first (never their secrets)."""
    return {"ok": True, "webhooks": [w.as_json() for w in await get_webhooks(services.db)]}


@admin_router.post("/webhooks", status_code=201, responses=error_responses(401, 403, 413))
async def add_webhook(
    body: WebhookBody, request: Request, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """Send the events of the channel's cases to `url` from now on: `secret` signs them
    (shown this once; audit-logged)."""
    info, secret = await do_add_webhook(
        services.db, body.channel, body.url, services.clock(), by=_who(admin, request)
    )
    return {"ok": True, "webhook": info.as_json(), "secret": secret}


@admin_router.post("/webhooks/{webhook_id}/remove", responses=error_responses(401, 403, 404, 413))
async def remove_webhook(
    webhook_id: str, request: Request, services: ServicesDep, admin: AdminDep
) -> dict[str, Any]:
    """Stop a webhook; what is still pending is cancelled (audit-logged)."""
    info = await do_remove_webhook(
        services.db, webhook_id, services.clock(), by=_who(admin, request)
    )
    return {"ok": True, "webhook": info.as_json()}


@admin_router.get("/webhooks/deliveries", responses=error_responses(401, 403))
async def deliveries(
    services: ServicesDep,
    admin: AdminDep,
    webhook: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The deliveries, newest first, each with its tries (status code, error, duration)."""
    found = await get_deliveries(services.db, webhook_id=webhook, status=status, limit=limit)
    return {"ok": True, "deliveries": found}
