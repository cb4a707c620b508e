"""The insights API for the console's dashboard (`/api/v1/agent/insights*`, admins only):
thin routes over `insights` (docs/agent-api.md, "Insights")."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from app.errors import ApiError
from app.web.agent_api import AgentDep, DeskDep
from app.web.schemas import RequestModel, error_responses
from conversations.desk import Desk
from handoff import AgentInfo, NotAllowed
from insights import (
    Filters,
    Period,
    VectorCache,
    base_timezone,
    check_filters,
    check_period,
    do_assign_questions,
    do_write_draft,
    gap_json,
    get_gaps,
    get_report,
    parse_date,
)
from knowledge import AnswerBase, AnswerBaseChanged, KnowledgeError, load_answer_base

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/agent/insights", tags=["insights"])
DEFAULT_DAYS = 7
MAX_QUESTIONS = 500


class AssignBody(RequestModel):
    questions: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        min_length=1, max_length=MAX_QUESTIONS
    )
    answer_id: str = Field(min_length=1, max_length=128)


class DraftBody(RequestModel):
    questions: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        min_length=1, max_length=MAX_QUESTIONS
    )
    answer_id: str | None = Field(None, max_length=128)
    title: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=8)


def check_admin(agent: AgentInfo) -> AgentInfo:
    if not agent.agent.is_admin:
        raise NotAllowed("the dashboard is for agents with the admin role")
    return agent


def admin_of(agent: AgentDep) -> AgentInfo:
    return check_admin(agent)


AdminDep = Annotated[AgentInfo, Depends(admin_of)]


def _base(desk: Desk) -> AnswerBase:
    base: AnswerBase = desk.h.runner.bot.base
    return base


def _period(desk: Desk, start: str | None, end: str | None) -> Period:
    base = _base(desk)
    zone = base_timezone(base)
    from zoneinfo import ZoneInfo

    today = desk.clock().astimezone(ZoneInfo(zone)).date()
    last = parse_date(end, "to") if end else today
    first = parse_date(start, "from") if start else last - dt.timedelta(days=DEFAULT_DAYS - 1)
    return check_period(first, last, zone)


def _filters(
    desk: Desk, channel: str | None, team: str | None, language: str | None, answer: str | None
) -> Filters:
    return check_filters(Filters(channel, team, language, answer), _base(desk))


async def _gaps(request: Request, desk: Desk, period: Period, filters: Filters) -> list[Any]:
    """The gaps, one computation at a time per process (they share the vector cache)."""
    state = request.app.state
    bot = desk.h.runner.bot
    if getattr(state, "gap_cache", None) is None:
        state.gap_cache = VectorCache(state.insights_dir, bot.encoder)
        state.gap_lock = asyncio.Lock()
    # the files as they are now: questions assigned or drafted since the start are left out
    base = await asyncio.to_thread(load_answer_base, bot.base.path)
    async with state.gap_lock:
        return await get_gaps(desk.db, base, period, filters, state.gap_cache, bot.retriever)


@router.get("", responses=error_responses(401, 403, 404))
async def figures(
    request: Request,
    desk: DeskDep,
    _admin: AdminDep,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    channel: str | None = None,
    team: str | None = None,
    language: str | None = None,
    answer: str | None = None,
    gaps: bool = False,
) -> dict[str, Any]:
    period = _period(desk, start, end)
    filters = _filters(desk, channel, team, language, answer)
    found = [gap_json(g) for g in await _gaps(request, desk, period, filters)] if gaps else None
    report = await get_report(desk.db, _base(desk), period, filters, gaps=found)
    return {"ok": True, "report": report}


@router.get("/gaps", responses=error_responses(401, 403, 404))
async def gaps_list(
    request: Request,
    desk: DeskDep,
    _admin: AdminDep,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    channel: str | None = None,
    team: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    period = _period(desk, start, end)
    filters = _filters(desk, channel, team, language, None)
    found = await _gaps(request, desk, period, filters)
    return {
        "ok": True,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "gaps": [gap_json(g, questions=True) for g in found],
    }


@router.post("/gaps/assign", responses=error_responses(401, 403, 404, 409, 413))
async def gaps_assign(body: AssignBody, desk: DeskDep, _admin: AdminDep) -> dict[str, Any]:
    base = _base(desk)
    if load_answer_base(base.path).get(body.answer_id) is None:
        raise ApiError(
            f"the answer base has no answer {body.answer_id!r}", code="unknown_answer", status=404
        )
    try:
        places = await do_assign_questions(
            desk.db, base.path, body.questions, body.answer_id, desk.clock()
        )
    except AnswerBaseChanged as exc:
        raise ApiError(
            f"the answer base changed meanwhile: {exc}", code="answer_base_changed", status=409
        ) from exc
    except KnowledgeError as exc:
        raise ApiError(str(exc), code="questions_not_added", status=409) from exc
    return {
        "ok": True,
        "assigned": [
            {"question": p.question, "answer_id": p.answer_id, "added": p.added} for p in places
        ],
    }


@router.post("/gaps/draft", responses=error_responses(401, 403, 404, 409, 413))
async def gaps_draft(body: DraftBody, desk: DeskDep, _admin: AdminDep) -> dict[str, Any]:
    base = _base(desk)
    try:
        fresh = await asyncio.to_thread(load_answer_base, base.path)
        path = await asyncio.to_thread(
            do_write_draft,
            base.path,
            fresh,
            body.questions,
            answer_id=body.answer_id,
            title=body.title,
            language=body.language if body.language in fresh.languages else None,
        )
    except ValueError as exc:
        raise ApiError(str(exc), code="bad_request", status=422) from exc
    except KnowledgeError as exc:
        raise ApiError(str(exc), code="questions_not_added", status=409) from exc
    return {"ok": True, "draft": {"answer_id": path.stem, "file": str(path.relative_to(base.path))}}
