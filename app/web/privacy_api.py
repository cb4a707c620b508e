"""The privacy API for admins (`/api/v1/agent/privacy/*`): export and erase everything stored
about one person; thin routes over `privacy` (docs/privacy.md, docs/agent-api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from app.errors import ApiError
from app.web.addresses import client_address
from app.web.agent_api import AgentDep, DeskDep
from app.web.schemas import RequestModel, error_responses
from handoff import AgentInfo, NotAllowed
from privacy import Actor, BadSubject, Subject, do_erase, export_subject

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agent/privacy", tags=["privacy"])


class SubjectBody(RequestModel):
    visitor: str | None = Field(None, max_length=32, description="The visitor's id.")
    email: str | None = Field(
        None, max_length=320, description="Every visitor whose case has it or who wrote it."
    )
    customer: str | None = Field(
        None,
        max_length=128,
        description="The site's customer id (signed identity): every visitor linked to it.",
    )
    case: str | None = Field(
        None, max_length=24, description="A case number (S-2026-000123): its visitor."
    )
    phone: str | None = Field(
        None,
        max_length=32,
        description="A phone number: the visitor a channel (phone, SMS, API) linked it to.",
    )


def _admin(agent: AgentDep) -> AgentInfo:
    if not agent.agent.is_admin:
        raise NotAllowed("exporting and erasing a person's data is for agents with the admin role")
    return agent


AdminDep = Annotated[AgentInfo, Depends(_admin)]


def _subject(
    visitor: str | None,
    email: str | None,
    customer: str | None,
    case: str | None,
    phone: str | None = None,
) -> Subject:
    try:
        return Subject(visitor=visitor, email=email, customer=customer, case=case, phone=phone)
    except BadSubject as exc:
        raise ApiError(exc.message, code=exc.code, status=422) from exc


def _actor(admin: AgentInfo, request: Request) -> Actor:
    """The admin as the audit log names them."""
    return Actor(admin.agent.name, agent_id=admin.id, address=client_address(request))


@router.get("/export", responses=error_responses(401, 403))
async def export(
    request: Request,
    desk: DeskDep,
    admin: AdminDep,
    visitor: Annotated[str | None, Query(max_length=32)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    customer: Annotated[str | None, Query(max_length=128)] = None,
    case: Annotated[str | None, Query(max_length=24)] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Everything stored about the visitor, e-mail address, customer or case's visitor
    (docs/privacy.md, "Export"); recorded in the audit log."""
    subject = _subject(visitor, email, customer, case, phone)
    return await export_subject(desk.db, subject, desk.clock(), by=_actor(admin, request))


@router.post("/erase", responses=error_responses(401, 403, 413))
async def erase(
    body: SubjectBody, request: Request, desk: DeskDep, admin: AdminDep
) -> dict[str, Any]:
    """Erase everything stored about the visitor, e-mail address, customer or case's
    visitor, in one transaction with its audit entry; the counts of what was removed."""
    state = request.app.state
    done = await do_erase(
        desk.db,
        _subject(body.visitor, body.email, body.customer, body.case, body.phone),
        desk.clock(),
        by=_actor(admin, request),
        vector_dir=state.insights_dir,
        vacuum_full=getattr(state, "privacy_vacuum_full", False),
    )
    return {"ok": True, "erased": done.as_json()}
