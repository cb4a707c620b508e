"""The agent API over HTTP (`/api/v1/agent/*`) and its WebSocket (docs/agent-api.md)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response, WebSocket
from pydantic import Field

from app.errors import CLIENT_ERRORS, ApiError, NotFound, as_api_error
from app.web.addresses import client_address
from app.web.schemas import MAX_INT, RequestModel, error_responses, read_frame
from channels import (
    UnknownCustomer,
    customer_ref,
    find_customer,
    get_customer_history,
    guess_ref,
)
from channels.email.attachments import get_attachment
from conversations.case_json import agent_json, audit_json, case_rows
from conversations.desk import Desk
from conversations.frames import AGENTS, Frame, agent_channel
from conversations.messages import message_json, timestamp
from handoff import (
    URGENCY_RANKS,
    AgentInfo,
    HandoffError,
    NotAllowed,
    QueueFilter,
    get_audit,
)

__all__ = ["COOKIE", "router"]

PREFIX = "/api/v1/agent"
COOKIE = "samsvar_agent"
router = APIRouter(prefix=PREFIX, tags=["agent"])
log = logging.getLogger(__name__)


class SignInBody(RequestModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(
        None,
        max_length=16,
        description="The 6-digit code of the agent's authenticator app, for an agent enrolled "
        "in the second factor (`samsvar agents totp`).",
    )


class StatusBody(RequestModel):
    status: Literal["online", "away", "offline"]


class TransferBody(RequestModel):
    team: str | None = Field(None, max_length=64)
    agent_id: str | None = Field(None, max_length=64)


class ReplyBody(RequestModel):
    client_id: str = Field(min_length=1, max_length=64)
    text: str


class NoteBody(RequestModel):
    text: str = Field(min_length=1, max_length=4000)


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


async def get_agent_of(request: Request, desk: DeskDep) -> AgentInfo:
    agent, _ = await desk.signed_in(request.cookies.get(COOKIE))
    return agent


AgentDep = Annotated[AgentInfo, Depends(get_agent_of)]


@router.post("/sign-in", responses=error_responses(401, 413, 429))
async def sign_in(
    body: SignInBody, desk: DeskDep, request: Request, response: Response
) -> dict[str, Any]:
    token, agent, expires = await desk.do_sign_in(
        body.name, body.password, address=client_address(request), code=body.code
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=int((expires - desk.clock()).total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.app.state.cookie_secure,
    )
    return {"ok": True, "agent": agent_json(agent), "expires_at": timestamp(expires)}


@router.post("/sign-out", responses=error_responses(413))
async def sign_out(desk: DeskDep, request: Request, response: Response) -> dict[str, Any]:
    await desk.do_sign_out(request.cookies.get(COOKIE), address=client_address(request))
    response.delete_cookie(COOKIE, path=PREFIX)
    return {"ok": True}


@router.get("/me", responses=error_responses(401))
async def me(desk: DeskDep, request: Request) -> dict[str, Any]:
    agent, expires = await desk.signed_in(request.cookies.get(COOKIE))
    return {"ok": True, "agent": agent_json(agent), "expires_at": timestamp(expires)}


@router.post("/me/status", responses=error_responses(401, 413))
async def set_status(body: StatusBody, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    return {"ok": True, "agent": agent_json(await desk.do_status(agent, body.status))}


@router.get("/teams", responses=error_responses(401))
async def teams(desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    from handoff import get_agents, get_team_counts

    async with desk.db.reading() as session:
        counts = await get_team_counts(session)
        agents = await get_agents(session)
    names = desk.h.config.team_names
    ids = list(desk.teams) or sorted({*counts, *(t for a in agents for t in a.teams)})
    return {
        "ok": True,
        "teams": [
            {
                "id": t,
                "name": names.get(t, t),
                "queued": counts.get(t, (0, 0))[0],
                "online": counts.get(t, (0, 0))[1],
            }
            for t in ids
        ],
        "agents": [agent_json(a) for a in agents],
    }


@router.get("/queue", responses=error_responses(401, 403))
async def queue(
    desk: DeskDep,
    agent: AgentDep,
    status: str = "queued,reopened",
    team: str | None = None,
    of_agent: Annotated[str | None, Query(alias="agent")] = None,
    urgency: Literal["low", "normal", "high", "urgent"] = "low",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    statuses = (
        ("queued", "reopened", "assigned", "waiting_on_visitor")
        if status == "open"
        else tuple(s.strip() for s in status.split(",") if s.strip())
    )
    admin = agent.agent.is_admin
    if team is not None and not admin and team not in agent.teams:
        raise NotAllowed(f"you are not in the team {team!r}")
    teams = (team,) if team else (None if admin else agent.teams)
    who = agent.id if of_agent == "me" else of_agent
    query = QueueFilter(
        statuses,
        teams,
        who,
        URGENCY_RANKS[urgency],
        limit,
        offset,
        include_agent=None if admin else agent.id,
    )
    cases, total = await desk.queue(agent, query)
    now = desk.clock()
    async with desk.db.reading() as session:
        rows = await case_rows(session, cases, now)
    return {"ok": True, "cases": rows, "total": total, "now": timestamp(now)}


@router.get("/cases/{case_id}", responses=error_responses(401, 403, 404))
async def case_view(case_id: str, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    return await desk.case_view(agent, case_id)


@router.get("/cases/{case_id}/messages", responses=error_responses(401, 403, 404))
async def case_messages(
    case_id: str,
    desk: DeskDep,
    agent: AgentDep,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    from conversations.storage import get_messages

    case = await desk.seeable(agent, case_id)
    messages = await get_messages(desk.db, case.conversation_id, after_seq=after_seq)
    return {"ok": True, "messages": [message_json(m) for m in messages]}


@router.get("/customers", responses=error_responses(401, 404))
async def customer(
    desk: DeskDep,
    agent: AgentDep,
    ref: Annotated[str, Query(min_length=1, max_length=160)],
) -> dict[str, Any]:
    """A customer by a reference (`email:…`, `tel:…`, `id:…`, or an e-mail address, phone
    number or id as typed): the references, conversations of every channel, and the cases of
    the teams the agent may see (every team for admins)."""
    kind, _, value = ref.partition(":")
    kinds = {"email": "email", "tel": "phone", "id": "id"}
    stored = customer_ref(kinds[kind], value) if kind in kinds and value else guess_ref(ref)
    visitor_id = await find_customer(desk.db, stored)
    if visitor_id is None:
        raise UnknownCustomer(f"no customer has the reference {stored[:80]!r} yet")
    found = (await get_customer_history(desk.db, visitor_id)).as_json()
    if not agent.agent.is_admin:
        found["cases"] = [c for c in found["cases"] if c["team"] in agent.teams]
    return {"ok": True, "ref": stored, "customer": found}


_INERT = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    responses=error_responses(401, 403, 404),
    response_class=Response,
)
async def case_attachment(
    case_id: str,
    attachment_id: Annotated[int, Path(ge=1, le=MAX_INT)],
    desk: DeskDep,
    agent: AgentDep,
) -> Response:
    """A file of one of the case's mails (an agent of the case's team, or an admin). Always
    a download: a type a browser would run (HTML, SVG, XML) is sent as bytes."""
    case = await desk.seeable(agent, case_id)
    found = await get_attachment(desk.db, case.conversation_id, attachment_id)
    if found is None:
        raise NotFound(f"case {case.number} has no attachment {attachment_id}")
    if found.data is None:
        raise NotFound(
            f"attachment {found.name!r} of case {case.number} was not kept ({found.skipped}: "
            f"{found.size:,} bytes)",
            code="attachment_not_kept",
        )
    kind = found.content_type.lower()
    if kind in _INERT or not re.fullmatch(r"[a-z0-9.+\-]+/[a-z0-9.+\-]+", kind):
        kind = "application/octet-stream"
    return Response(
        found.data,
        media_type=kind,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "Cache-Control": "private, no-store",
        },
    )


async def _case(desk: Desk, agent: AgentInfo, case_id: str) -> dict[str, Any]:
    view = await desk.case_view(agent, case_id)
    return {"ok": True, "case": view["case"]}


@router.post("/cases/{case_id}/claim", responses=error_responses(401, 403, 404, 409, 413))
async def claim(case_id: str, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    await desk.do_claim(agent, case_id)
    return await _case(desk, agent, case_id)


@router.post("/cases/{case_id}/transfer", responses=error_responses(401, 403, 404, 409, 413))
async def transfer(
    case_id: str, body: TransferBody, desk: DeskDep, agent: AgentDep
) -> dict[str, Any]:
    if body.team is None and body.agent_id is None:
        from app.errors import ApiError

        raise ApiError("name a team or an agent_id to transfer to", code="bad_transfer", status=422)
    await desk.do_transfer(agent, case_id, body.team, body.agent_id)
    fresh = await get_agent_info(desk, agent)
    try:
        return await _case(desk, fresh, case_id)
    except HandoffError:
        return {"ok": True, "case": None}


async def get_agent_info(desk: Desk, agent: AgentInfo) -> AgentInfo:
    from handoff import get_agent

    async with desk.db.reading() as session:
        return await get_agent(session, agent.id)


@router.post("/cases/{case_id}/messages", responses=error_responses(401, 403, 404, 409, 413))
async def reply(case_id: str, body: ReplyBody, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    message, duplicate = await desk.do_reply(agent, case_id, body.client_id, body.text)
    return {"ok": True, "message": message_json(message), "duplicate": duplicate}


@router.post("/cases/{case_id}/notes", responses=error_responses(401, 403, 404, 409, 413))
async def note(case_id: str, body: NoteBody, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    return {"ok": True, "note": await desk.do_note(agent, case_id, body.text)}


@router.post("/cases/{case_id}/resolve", responses=error_responses(401, 403, 404, 409, 413))
async def resolve(case_id: str, desk: DeskDep, agent: AgentDep) -> dict[str, Any]:
    await desk.do_resolve(agent, case_id)
    return await _case(desk, agent, case_id)


@router.get("/audit", responses=error_responses(401, 403))
async def audit(
    desk: DeskDep,
    agent: AgentDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    of_agent: Annotated[str | None, Query(alias="agent", max_length=64)] = None,
) -> dict[str, Any]:
    """The audit log, newest first (admins only): page on with `before` = the last id."""
    if not agent.agent.is_admin:
        raise NotAllowed("only admins may read the audit log")
    async with desk.db.reading() as session:
        entries = await get_audit(
            session, limit=limit, before=before, action=action, agent_id=of_agent
        )
    return {"ok": True, "entries": [audit_json(e) for e in entries]}


@router.get("/answers/search", responses=error_responses(401))
async def search(
    desk: DeskDep,
    agent: AgentDep,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    lang: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10)] = 5,
) -> dict[str, Any]:
    bot = desk.h.bot
    ranking = await desk.h.runner.call(bot.search, q)  # the encoder: off the event loop
    default = bot.base.config.default_language
    results = []
    for candidate in ranking.candidates[:limit]:
        answer = bot.base.get(candidate.id)
        if answer is None:
            continue
        used, text, _ = answer.text_for(lang or default, default)
        results.append(
            {
                "answer_id": answer.id,
                "title": answer.title,
                "score": round(candidate.score, 4),
                "lang": used,
                "text": text,
                "texts": dict(answer.answer),
                "links": list(answer.links),
            }
        )
    return {"ok": True, "results": results}


# --- the WebSocket --------------------------------------------------------------------------


def _refusal(exc: HandoffError) -> str:
    """The one error frame sent before a socket is closed for want of a sign-in."""
    return json.dumps({"type": "error", "ok": False, "error": str(exc), "code": exc.code})


@router.websocket("/ws")
async def agent_socket(websocket: WebSocket) -> None:
    desk: Desk = websocket.app.state.desk
    origins = websocket.app.state.origins
    if not origins.allows(websocket.headers.get("origin"), websocket.headers.get("host")):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        agent, expires_at = await desk.signed_in(websocket.cookies.get(COOKIE))
    except HandoffError as exc:
        await websocket.send_text(_refusal(exc))
        await websocket.close(code=4401)
        return
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def deliver(frame: Frame) -> None:
        if frame.type == "signed_out":
            queue.put_nowait(None)
        elif frame.type == "resync":  # the console reloads its lists (once, not per channel)
            if frame.channel == AGENTS:
                queue.put_nowait(dict(frame.body))
        elif frame.audience is None or frame.audience.admits(agent):
            queue.put_nowait(dict(frame.body))

    subscriptions = [
        desk.h.hub.subscribe(AGENTS, deliver),
        desk.h.hub.subscribe(agent_channel(agent.id), deliver),
    ]
    await websocket.send_text(
        json.dumps({"type": "welcome", "agent": agent_json(agent), "now": timestamp(desk.clock())})
    )

    writer = asyncio.create_task(
        _write(websocket, desk, queue, websocket.cookies.get(COOKIE), expires_at)
    )
    try:
        await _read(websocket, desk, agent, queue, writer)
    finally:
        for subscription in subscriptions:
            subscription.close()
        writer.cancel()
        with contextlib.suppress(BaseException):
            await writer


async def _write(
    websocket: WebSocket,
    desk: Desk,
    queue: asyncio.Queue[dict[str, Any] | None],
    token: str | None,
    expires_at: dt.datetime,
) -> None:
    """Send the queued frames until sign-out (None) or the end of the sign-in, then close.

    The sign-in is checked again whenever the socket has been quiet for as long as the hand-off
    sweep's interval, and whenever its end has passed on the server's clock. A console left open
    past its sign-in (or whose sign-in was removed) is closed as its next request would be
    refused.
    """
    check_seconds: float = websocket.app.state.sign_in_check_seconds
    while True:
        try:
            frame = await asyncio.wait_for(queue.get(), timeout=check_seconds)
        except TimeoutError:
            frame = {}
        if frame is None:
            break
        if not frame or desk.clock() >= expires_at:
            try:
                await desk.signed_in(token)
            except HandoffError as exc:
                await websocket.send_text(_refusal(exc))
                break
        if frame:
            await websocket.send_text(json.dumps(frame, ensure_ascii=False))
    await websocket.close(code=4401)


async def _read(
    websocket: WebSocket,
    desk: Desk,
    agent: AgentInfo,
    queue: asyncio.Queue[dict[str, Any] | None],
    writer: asyncio.Task[None],
) -> None:
    while not writer.done():
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            await _handle(message.get("text"), desk, agent, queue)
        except CLIENT_ERRORS as exc:
            queue.put_nowait({"type": "error", **as_api_error(exc).body()})
        except Exception as exc:  # a bug must not end the agent's connection
            log.error("an agent WebSocket frame failed", exc_info=exc)
            failure = ApiError("the server could not handle the frame", code="server_error")
            queue.put_nowait({"type": "error", **failure.body()})


async def _handle(
    text: str | None,
    desk: Desk,
    agent: AgentInfo,
    queue: asyncio.Queue[dict[str, Any] | None],
) -> None:
    """One frame from the console: `ping`, or `typing` on a case (docs/agent-api.md)."""
    if text is None:
        raise ApiError("frames must be JSON text, not binary")
    data = read_frame(text)  # JSON, not nested too deeply, valid Unicode
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "ping":
        queue.put_nowait({"type": "pong"})
    elif kind == "typing":
        case_id = data.get("case_id")
        if not isinstance(case_id, str) or not 0 < len(case_id) <= 64:
            raise ApiError("typing frame field `case_id`: a case id (text, 1-64 characters)")
        await desk.do_agent_typing(agent, case_id, on=bool(data.get("on")))
    else:
        raise ApiError("the agent WebSocket takes ping and typing frames", code="unknown_frame")
