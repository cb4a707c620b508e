"""Registering phone and desk inquiries from templates, and a case's customer across
channels, for signed-in agents (`/api/v1/agent/…`, docs/agent-api.md, decision 0123)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from app.errors import as_api_error
from app.web.agent_api import PREFIX, AgentDep, DeskDep
from app.web.schemas import RequestModel, error_responses
from channels import (
    ChannelError,
    Registration,
    do_register,
    get_case_customer,
    get_recent_customers,
    template_json,
)
from conversations.services import Services

__all__ = ["router"]

router = APIRouter(prefix=PREFIX, tags=["agent"])


class RegisterBody(RequestModel):
    template: str = Field(min_length=1, max_length=64)
    key: str = Field(
        min_length=1,
        max_length=64,
        description="The console's id of this registration: a retry with the same key gets "
        "the first registration back and stores nothing.",
    )
    customer: str | None = Field(
        None, max_length=160, description="An e-mail address, a phone number or the operator's id."
    )
    text: str | None = Field(None, max_length=2000)
    fields: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=20
    )
    resolve: bool = False
    lang: str | None = Field(None, max_length=8)


@router.get("/templates", responses=error_responses(401))
async def templates(desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    base = desk.h.bot.base
    return {
        "ok": True,
        "default_language": base.config.default_language,
        "templates": [template_json(base, t) for t in base.templates],
    }


@router.get("/customers/recent", responses=error_responses(401))
async def recent_customers(
    desk: DeskDep, agent: AgentDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> dict[str, Any]:
    return {"ok": True, "customers": await get_recent_customers(desk.db, agent, limit=limit)}


@router.post("/registrations", responses=error_responses(401, 404, 413, 422))
async def register(body: RegisterBody, request: Request, agent: AgentDep) -> dict[str, Any]:
    services: Services = request.app.state.services
    registration = Registration(
        body.template, body.key, body.customer, body.text, body.fields, body.resolve, body.lang
    )
    try:
        done = await do_register(services, agent, registration)
    except ChannelError as exc:  # a client's mistake: its code, with the code's status
        raise as_api_error(exc) from exc
    return {"ok": True, **done.as_json()}


@router.get("/cases/{number}/customer", responses=error_responses(401, 403, 404))
async def case_customer(number: str, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    history = await get_case_customer(desk.db, agent, number)
    return {"ok": True, **history.as_json()}
