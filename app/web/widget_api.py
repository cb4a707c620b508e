"""The visitor API over HTTP: `/api/v1/widget/*` (docs/api.md, "HTTP")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from app.web.addresses import client_address
from app.web.schemas import (
    MAX_INT,
    CaseStatusOut,
    ChoiceBody,
    ConversationBody,
    ConversationOut,
    EmailBody,
    FeedbackBody,
    FeedbackOut,
    HumanBody,
    MessageBody,
    PageIn,
    PagesBody,
    PagesOut,
    RatingBody,
    SkipBody,
    TurnOut,
    VisitorOut,
    error_responses,
)
from conversations.chat import Chat, Stored
from conversations.messages import message_json
from conversations.storage import Visitor, check_conversation, get_messages, get_visitor
from conversations.storage.records import PageInfo
from conversations.visits import Visits

__all__ = ["page_info", "router"]

PREFIX = "/api/v1/widget"
VISITOR_HEADER = "X-Samsvar-Visitor"


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*statuses)


router = APIRouter(prefix=PREFIX, tags=["widget"])


def get_chat(request: Request) -> Chat:
    chat: Chat = request.app.state.chat
    return chat


def get_visits(request: Request) -> Visits:
    visits: Visits = request.app.state.visits
    return visits


ChatDep = Annotated[Chat, Depends(get_chat)]
VisitsDep = Annotated[Visits, Depends(get_visits)]


async def get_request_visitor(
    chat: ChatDep,
    visitor_id: Annotated[
        str,
        Header(
            alias=VISITOR_HEADER,
            min_length=1,
            max_length=64,
            description="The visitor id from POST /visitors (the visitor's credential).",
        ),
    ],
) -> Visitor:
    return await get_visitor(chat.db, visitor_id)


VisitorDep = Annotated[Visitor, Depends(get_request_visitor)]


def page_info(page: PageIn | None) -> PageInfo | None:
    if page is None:
        return None
    return PageInfo(
        url=page.url,
        title=page.title,
        referrer=page.referrer,
        lang=page.lang,
        seconds_on_page=page.seconds_on_page,
    )


def turn_json(stored: Stored, replies: list[Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "message": message_json(stored.message),
        "replies": [message_json(reply) for reply in replies],
        "duplicate": stored.duplicate,
    }


@router.post("/visitors", status_code=201, response_model=VisitorOut, responses=_errors(413, 429))
async def create_visitor(visits: VisitsDep, request: Request) -> dict[str, Any]:
    """A new visitor id: keep it and send it as the X-Samsvar-Visitor header."""
    visitor = await visits.do_visitor(None, address=client_address(request))
    return {"ok": True, "visitor_id": visitor.id}


@router.post(
    "/conversations",
    status_code=201,
    response_model=ConversationOut,
    responses=_errors(404, 413, 429),
)
async def create_conversation(
    visits: VisitsDep, visitor: VisitorDep, body: ConversationBody | None = None
) -> dict[str, Any]:
    """Start a conversation on a page; a proactive offer, if a rule fires, is its first message."""
    visitor = await visits.do_visitor(visitor.id)
    page = page_info(body.page if body else None)
    conversation = await visits.do_start(visitor, page, record_view=True)
    await visits.do_greet(visitor, conversation.id, page, lang=None)
    messages = await get_messages(visits.db, conversation.id)
    return {
        "ok": True,
        "conversation_id": conversation.id,
        "status": conversation.status,
        "messages": [message_json(m) for m in messages],
    }


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationOut,
    responses=_errors(403, 404),
)
async def read_conversation(
    chat: ChatDep,
    visitor: VisitorDep,
    conversation_id: str,
    after_seq: Annotated[
        int, Query(ge=0, le=MAX_INT, description="Only messages after this seq.")
    ] = 0,
) -> dict[str, Any]:
    """The conversation's status and its messages after `after_seq`."""
    conversation = await check_conversation(chat.db, visitor.id, conversation_id)
    messages = await get_messages(chat.db, conversation.id, after_seq=after_seq)
    case = await chat.handoffs.case_for(conversation.id)
    return {
        "ok": True,
        "conversation_id": conversation.id,
        "status": conversation.status,
        "case": case,
        "messages": [message_json(m) for m in messages],
    }


@router.post(
    "/conversations/{conversation_id}/skip",
    response_model=TurnOut,
    responses=_errors(403, 404, 409, 413, 429),
)
async def skip_field(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: SkipBody
) -> dict[str, Any]:
    """Skip the field the bot asks for before handing off (409 not_collecting otherwise)."""
    stored = await chat.do_skip(visitor.id, conversation_id, body.client_id)
    replies, _ = await chat.do_reply(stored, None)
    return turn_json(stored, replies)


@router.post(
    "/conversations/{conversation_id}/email",
    response_model=CaseStatusOut,
    responses=_errors(403, 404, 409, 413),
)
async def leave_email(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: EmailBody
) -> dict[str, Any]:
    """Where the reply may be sent too (offered outside business hours)."""
    await check_conversation(chat.db, visitor.id, conversation_id)
    return {"ok": True, "case": await chat.handoffs.do_email(conversation_id, body.email)}


@router.post(
    "/conversations/{conversation_id}/rating",
    response_model=CaseStatusOut,
    responses=_errors(403, 404, 409, 413),
)
async def rate_help(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: RatingBody
) -> dict[str, Any]:
    """The visitor rates the help (1-5) after the case is resolved."""
    await check_conversation(chat.db, visitor.id, conversation_id)
    case = await chat.handoffs.do_rate(conversation_id, body.score, body.comment)
    return {"ok": True, "case": case}


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=TurnOut,
    responses=_errors(403, 404, 413, 429),
)
async def send_message(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: MessageBody
) -> dict[str, Any]:
    """Send a visitor message; the bot's replies come back. A `client_id` already stored is
    not stored again: the stored message and its replies come back with duplicate=true."""
    stored = await chat.do_send(visitor.id, conversation_id, body.client_id, body.text)
    replies, _ = await chat.do_reply(stored, page_info(body.page))
    return turn_json(stored, replies)


@router.post(
    "/conversations/{conversation_id}/choices",
    response_model=TurnOut,
    responses=_errors(403, 404, 413, 429),
)
async def choose(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: ChoiceBody
) -> dict[str, Any]:
    """The visitor clicked a quick reply (a clarify choice or a proactive suggestion)."""
    stored = await chat.do_choose(visitor.id, conversation_id, body.client_id, body.answer_id)
    replies, _ = await chat.do_reply(stored, None)
    return turn_json(stored, replies)


@router.post(
    "/conversations/{conversation_id}/human",
    response_model=TurnOut,
    responses=_errors(403, 404, 413, 429),
)
async def ask_for_human(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: HumanBody
) -> dict[str, Any]:
    """The visitor asks for a person: the conversation waits for one (status waiting_human)."""
    stored = await chat.do_ask_human(visitor.id, conversation_id, body.client_id)
    replies, _ = await chat.do_reply(stored, None)
    return turn_json(stored, replies)


@router.post(
    "/conversations/{conversation_id}/feedback",
    response_model=FeedbackOut,
    responses=_errors(403, 404, 413),
)
async def give_feedback(
    chat: ChatDep, visitor: VisitorDep, conversation_id: str, body: FeedbackBody
) -> dict[str, Any]:
    """ "Did this help?" on a bot answer. The first click counts; later ones get no replies."""
    replies = await chat.do_feedback(visitor.id, conversation_id, body.message_id, body.helpful)
    return {"ok": True, "replies": [message_json(m) for m in replies]}


@router.post("/pages", response_model=PagesOut, responses=_errors(403, 404, 413, 429))
async def report_page(visits: VisitsDep, visitor: VisitorDep, body: PagesBody) -> dict[str, Any]:
    """The visitor is on a page (on arrival, navigation, or when a timer ran out): any
    proactive offer, and when to report the page again. Without a conversation id, one is
    started only when there is an offer."""
    page = page_info(body.page)
    assert page is not None
    conversation_id, offer = await visits.do_page(visitor, body.conversation_id, page)
    return {
        "ok": True,
        "conversation_id": conversation_id,
        "offer": message_json(offer) if offer is not None else None,
        "timers": visits.timers(page),
    }
