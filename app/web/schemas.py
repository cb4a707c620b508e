"""The shapes of the visitor API (docs/api.md): request bodies, responses and WebSocket frames.

The response models document the API in the OpenAPI document; bodies and frames are checked
with them, and a bad one becomes a `bad_request` that names the field.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from app.errors import BadRequest, UnknownFrame

__all__ = [
    "FRAMES",
    "MAX_DEPTH",
    "MAX_INT",
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
    "RequestModel",
    "SkipBody",
    "SkipFrame",
    "TurnOut",
    "TypingFrame",
    "VisitorOut",
    "check_frame",
    "describe_validation_error",
    "error_responses",
    "find_lone_surrogate",
    "read_frame",
]

Id = Annotated[str, Field(min_length=1, max_length=64)]

#: The largest number a request may carry (`after_seq`, `last_seq`, `offset`): JavaScript's
#: largest exact integer, well inside the databases' 64-bit integers (decision 0113).
MAX_INT = 2**53 - 1
#: How deeply a WebSocket frame's JSON may nest; the frames themselves nest 3 levels at most.
MAX_DEPTH = 32

_SURROGATE = re.compile("[\ud800-\udfff]")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def find_lone_surrogate(data: Any) -> tuple[str, str, int] | None:
    """(field path, the surrogate as `\\udXXX`, its index) of the first text in `data` (JSON
    values) with a lone UTF-16 surrogate, such as JSON's `"\\ud83d"` without its pair; None if
    all text is valid Unicode. Lone surrogates cannot be stored or sent as UTF-8."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found is not None:
                shown = path.encode("utf-8", "backslashreplace").decode("utf-8")  # a key too
                return shown or "(the whole value)", f"\\u{ord(found.group()):04x}", found.start()
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((f"{path}.{key}" if path else str(key), key))
                stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}.{i}" if path else str(i), v) for i, v in reversed(list(enumerate(value)))
            )
    return None


def _surrogate_error(data: Any) -> PydanticCustomError | None:
    found = find_lone_surrogate(data)
    if found is None:
        return None
    field, code, index = found
    return PydanticCustomError(
        "lone_surrogate",
        "field `{field}`: the text has a lone UTF-16 surrogate ({code}) at character {index}; "
        "send valid Unicode (a surrogate needs its pair)",
        {"field": field, "code": code, "index": index},
    )


class RequestModel(BaseModel):
    """A request body or frame: unknown fields are ignored, and text with a lone surrogate
    anywhere is refused (422 bad_request) before any field is read."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        problem = _surrogate_error(data) if isinstance(data, dict) else None
        if problem is not None:
            raise problem
        return data


_In = RequestModel


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


#: What each error status means, for the OpenAPI document (docs/api.md and docs/agent-api.md,
#: "Errors"); the body is always ErrorOut.
ERROR_STATUSES = {
    401: "Not signed in, or the sign-in is unknown or has ended (agents).",
    403: "Not allowed: another visitor's conversation, another team's case, or not an admin.",
    404: "Something the request names does not exist (the code says what).",
    409: "The request conflicts with the state (the code says how); nothing was changed.",
    413: "The body is over 64 KiB, or a message is over its length limit.",
    422: "A body, query or header that is not valid (the message names the field).",
    429: "Too many requests; `retry_after` and the Retry-After header say when to try again.",
    503: "The database is not available now; try again after Retry-After (nothing was written).",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route for the OpenAPI document: 422 and 503 always (a bad
    request, the database unavailable) and `statuses`."""
    return {
        status: {"model": ErrorOut, "description": ERROR_STATUSES[status]}
        for status in sorted({422, 503, *statuses})
    }


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
    last_seq: int = Field(0, ge=0, le=MAX_INT)
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
    if first["type"] == "lone_surrogate":
        return f"{where} {first['msg']}"
    field = ".".join(str(part) for part in first["loc"]) or "(the whole value)"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where} field `{field}`: {first['msg']}{more}"


def read_frame(text: str) -> Any:
    """A WebSocket frame's JSON; BadRequest if it is not JSON, nests deeper than MAX_DEPTH
    (checked before parsing, so a frame nested 30,000 deep costs one scan), or has text with
    a lone surrogate."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_QUOTED.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            raise BadRequest(f"the frame nests deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the frame is not valid JSON: {exc.msg} at {exc.pos}") from exc
    except RecursionError as exc:  # not reached after the scan above; kept as a safety net
        raise BadRequest(f"the frame nests deeper than {MAX_DEPTH} levels") from exc
    problem = _surrogate_error(data)
    if problem is not None:
        raise BadRequest(f"frame {problem.message()}")
    return data


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
