"""The shapes of the visitor API (docs/api.md): request bodies, responses and WebSocket frames.

The response models document the API in the OpenAPI document; bodies and frames are checked
with them, and a bad one becomes a `bad_request` that names the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import BadRequest, UnknownFrame

__all__ = [
    "FRAMES",
    "CaseOut",
    "CaseStatusOut",
    "ChoiceBody",
    "ConversationBody",
    "ConversationOut",
    "EmailBody",
    "EmailFrame",
    "ErrorOut",
    "FeedbackBody",
    "FeedbackOut",
    "HumanBody",
    "MessageBody",
    "MessageOut",
    "PageIn",
    "PagesBody",
    "PagesOut",
    "RateFrame",
    "RatingBody",
    "SkipBody",
    "SkipFrame",
    "TurnOut",
    "TypingFrame",
    "VisitorOut",
    "check_frame",
    "describe_validation_error",
]

Id = Annotated[str, Field(min_length=1, max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class PageIn(_In):
    """Where the visitor is: only `url` is required."""

    url: str = Field(min_length=1, max_length=2048, examples=["https://shop.example/checkout"])
    title: str | None = Field(None, max_length=512)
    referrer: str | None = Field(None, max_length=2048)
    lang: str | None = Field(None, max_length=35, description="The page's <html lang>.")
    seconds_on_page: float = Field(0.0, ge=0, le=10**7)


class ConversationBody(_In):
    page: PageIn | None = None


class MessageBody(_In):
    client_id: Id
    text: str = Field(description="At most 2,000 characters after trimming white space.")
    page: PageIn | None = None


class ChoiceBody(_In):
    client_id: Id
    answer_id: Id


class HumanBody(_In):
    client_id: Id


class FeedbackBody(_In):
    message_id: Id
    helpful: bool


class PagesBody(_In):
    conversation_id: Id | None = None
    page: PageIn


class ChoiceOut(BaseModel):
    answer_id: str
    label: str


class CollectOut(BaseModel):
    field: str
    label: str
    example: str | None
    attempt: int
    max_attempts: int
    problem: str | None
    skip_label: str
    options: list[str] = []  # a guided flow's choices, as buttons that send their label


class CaseOut(BaseModel):
    """The visitor's view of their case (docs/api.md, "Hand-off")."""

    number: str
    state: str
    place: int | None
    expected_wait_seconds: int | None
    open_now: bool
    opens_at: str | None
    timezone: str | None = Field(
        description="The base's time zone (base.yaml business_hours): show opens_at in it"
    )
    lang: str = Field(description="The conversation's language: the case line's language")
    ask_email: bool
    email_given: bool
    agent_name: str | None
    ask_rating: bool
    rating: int | None


class MessageOut(BaseModel):
    id: str
    seq: int
    role: Literal["visitor", "bot", "agent", "system"]
    text: str
    lang: str | None
    created_at: str = Field(examples=["2026-12-01T08:00:00.000Z"])
    client_id: str | None
    reply_to: str | None = Field(
        description="Bot messages: the id of the visitor message they answer (null for "
        "offers and feedback replies)."
    )
    decision: str | None
    answer_id: str | None
    links: list[str]
    fallback: bool
    note: str | None
    choices: list[ChoiceOut]
    offer_human: bool
    ask_feedback: bool
    proactive: bool
    agent_name: str | None = Field(description="The agent's display name (role agent).")
    collect: CollectOut | None = Field(description="The field the bot asks for (collect).")
    ask_rating: bool = Field(description="Show the 1-5 rating (after resolution).")


class ErrorOut(BaseModel):
    ok: Literal[False] = False
    error: str
    code: str
    retry_after: int | None = Field(None, description="Seconds; only with rate_limited.")


class VisitorOut(BaseModel):
    ok: Literal[True] = True
    visitor_id: str


class ConversationOut(BaseModel):
    ok: Literal[True] = True
    conversation_id: str
    status: str
    case: CaseOut | None = None
    messages: list[MessageOut]


class CaseStatusOut(BaseModel):
    ok: Literal[True] = True
    case: CaseOut


class SkipBody(_In):
    client_id: Id


class EmailBody(_In):
    email: str = Field(min_length=3, max_length=320)


class RatingBody(_In):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class TurnOut(BaseModel):
    ok: Literal[True] = True
    message: MessageOut
    replies: list[MessageOut]
    duplicate: bool


class FeedbackOut(BaseModel):
    ok: Literal[True] = True
    replies: list[MessageOut]


class PagesOut(BaseModel):
    ok: Literal[True] = True
    conversation_id: str | None = Field(
        description="The conversation the offer was stored in (created when none was given)."
    )
    offer: MessageOut | None
    timers: list[int]


# WebSocket frames, client to server.


class HelloFrame(_In):
    type: Literal["hello"]
    visitor_id: Id | None = None
    conversation_id: Id | None = None
    customer_id: str | None = Field(None, min_length=1, max_length=128)
    customer_hmac: str | None = Field(None, min_length=1, max_length=128)
    last_seq: int = Field(0, ge=0)
    page: PageIn | None = None
    lang: str | None = Field(None, max_length=35)


class MessageFrame(MessageBody):
    type: Literal["message"]


class ChoiceFrame(ChoiceBody):
    type: Literal["choice"]


class HumanFrame(HumanBody):
    type: Literal["human"]


class FeedbackFrame(FeedbackBody):
    type: Literal["feedback"]


class PageFrame(_In):
    type: Literal["page"]
    page: PageIn


class PingFrame(_In):
    type: Literal["ping"]


class SkipFrame(SkipBody):
    type: Literal["skip"]


class EmailFrame(EmailBody):
    type: Literal["email"]


class RateFrame(RatingBody):
    type: Literal["rate"]


class TypingFrame(_In):
    type: Literal["typing"]
    on: bool


FRAMES: dict[str, type[_In]] = {
    "hello": HelloFrame,
    "message": MessageFrame,
    "choice": ChoiceFrame,
    "human": HumanFrame,
    "feedback": FeedbackFrame,
    "page": PageFrame,
    "ping": PingFrame,
    "skip": SkipFrame,
    "email": EmailFrame,
    "rate": RateFrame,
    "typing": TypingFrame,
}


def describe_validation_error(exc: ValidationError, where: str) -> str:
    """'field `page.url`: Field required' for the first problem, plus a count of the rest."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "(the whole value)"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where} field `{field}`: {first['msg']}{more}"


def check_frame(data: Any) -> _In:
    """The frame as its model; raises BadRequest or UnknownFrame."""
    if not isinstance(data, dict):
        raise BadRequest("a frame must be a JSON object with a `type`")
    kind = data.get("type")
    if not isinstance(kind, str):
        raise BadRequest("frame field `type`: Field required (a string)")
    model = FRAMES.get(kind)
    if model is None:
        known = ", ".join(FRAMES)
        raise UnknownFrame(f"unknown frame type {kind[:40]!r}; the types are: {known}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(describe_validation_error(exc, f"{kind} frame")) from exc
