"""The privacy API for admins (`/api/v1/agent/privacy/*`): export and erase everything stored
about one person; thin routes over `privacy` (docs/privacy.md, docs/agent-api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from app.errors import ApiError
from app.web.agent_api import AgentDep, DeskDep
from handoff import AgentInfo, NotAllowed
from privacy import BadSubject, Subject, do_erase, export_subject

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agent/privacy", tags=["privacy"])


class SubjectBody(BaseModel):
    visitor: str | None = Field(None, max_length=32, description="The visitor's id.")
    email: str | None = Field(
        None, max_length=320, description="Every visitor whose case has it or who wrote it."
    )


def _admin(agent: AgentDep) -> AgentInfo:
    if not agent.agent.is_admin:
        raise NotAllowed("exporting and erasing a person's data is for agents with the admin role")
    return agent


AdminDep = Annotated[AgentInfo, Depends(_admin)]


def _subject(visitor: str | None, email: str | None) -> Subject:
    try:
        return Subject(visitor=visitor, email=email)
    except BadSubject as exc:
        raise ApiError(exc.message, code=exc.code, status=422) from exc


@router.get("/export")
async def export(
    desk: DeskDep,
    _admin: AdminDep,
    visitor: Annotated[str | None, Query(max_length=32)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
) -> dict[str, Any]:
    """Everything stored about the visitor or e-mail address (docs/privacy.md, "Export")."""
    return await export_subject(desk.db, _subject(visitor, email), desk.clock())


@router.post("/erase")
async def erase(
    body: SubjectBody, request: Request, desk: DeskDep, _admin: AdminDep
) -> dict[str, Any]:
    """Erase everything stored about the visitor or e-mail address, in one transaction; the
    counts of what was removed."""
    state = request.app.state
    done = await do_erase(
        desk.db,
        _subject(body.visitor, body.email),
        vector_dir=state.insights_dir,
        vacuum_full=getattr(state, "privacy_vacuum_full", False),
    )
    return {"ok": True, "erased": done.as_json()}
