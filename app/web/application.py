"""The ASGI application: the visitor API, the WebSocket, the demo site, and their errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.engine import Engine, open_engine
from app.errors import CLIENT_ERRORS, RateLimited, StorageUnavailable, as_api_error
from app.migrate import do_upgrade
from app.settings import Settings
from app.web import (
    agent_api,
    channel_api,
    console,
    insights_api,
    privacy_api,
    registration_api,
    site,
    websocket,
    widget_api,
)
from app.web.bodies import BodyLimit
from app.web.headers import SecurityHeaders, headers_for
from app.web.origins import Origins
from channels import WebhookWorker
from channels.email import EmailChannel, EmailConfig
from channels.email.attachments import get_attachments_json
from conversations.chat import keep_resuming, utcnow
from conversations.desk import Desk
from conversations.handoffs import Timing
from conversations.limits import RateLimiter
from conversations.services import Limits, build_services
from conversations.shared_state import open_shared_state
from conversations.storage import (
    OUTAGE_SUSPECTS,
    Database,
    get_database_url,
    is_unavailable,
    open_database,
)
from conversations.turns import BotRunner
from insights import (
    MailSettings,
    Period,
    VectorCache,
    do_weekly_report,
    fill_rollup,
    gap_json,
    get_gaps,
)
from privacy import keep_retention

__all__ = ["create_app", "turn_workers"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_UNAVAILABLE_SECONDS = 5  # a database that cannot be reached: try again soon
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    on_ready: Callable[[], None] | None = None,
    widget_dir: Path | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The app. On start it opens the engine (unless given one), opens and migrates the
    database, and calls `on_ready`; on stop it lets running turns finish.

    `widget_dir` holds widget.js and demo/ (default: the installed `web_widget` package).
    `clock` (aware UTC) replaces the wall clock, e.g. to test business hours.
    """
    now = clock or utcnow

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ready = engine if engine is not None else await asyncio.to_thread(open_engine, settings)
        db = open_database(get_database_url(settings.database_url, settings.data_dir))
        await do_upgrade(db)
        runner = BotRunner(
            ready.bot, turn_workers(settings, with_llm=ready.bot.assistant is not None)
        )
        await runner.warm_up()
        timing = Timing(
            answer_timeout=dt.timedelta(seconds=settings.handoff_answer_timeout_seconds),
            reopen_within=dt.timedelta(days=settings.handoff_reopen_days),
            reopen_window=dt.timedelta(seconds=settings.handoff_reopen_window_seconds),
            handle_seconds=settings.handoff_handle_minutes,
        )
        limits = Limits(
            messages=settings.rate_limit_messages,
            seconds=settings.rate_limit_seconds,
            idle_after=dt.timedelta(hours=settings.conversation_idle_hours),
            sign_in_hours=settings.agent_sign_in_hours,
            new_visitors=settings.rate_limit_new_visitors,
            hellos=settings.rate_limit_hellos,
            typing=settings.rate_limit_typing,
        )
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        shared = await open_shared_state(redis_url)  # in memory, or Redis for several processes
        services = build_services(
            db,
            runner,
            shared.hub,
            timing=timing,
            limits=limits,
            clock=now,
            locks=shared.locks,
            windows=shared.windows,
            identity_secret=settings.identity_secret.get_secret_value()
            if settings.identity_secret
            else None,
            attachments=functools.partial(get_attachments_json, db),
        )
        app.state.services = services
        app.state.chat, app.state.visits = services.chat, services.visits
        app.state.desk = services.desk
        app.state.sign_in_check_seconds = settings.handoff_sweep_seconds
        setattr(
            app.state,
            channel_api.LIMITER,
            RateLimiter(
                settings.channel_api_requests,
                60.0,
                name="channel-api",
                windows=shared.windows,
                what="calls with this API key",
            ),
        )
        webhooks = WebhookWorker(
            db,
            now,
            poll_seconds=settings.webhook_poll_seconds,
            timeout=settings.webhook_timeout_seconds,
        )
        webhooks.start()
        sweeper = asyncio.create_task(
            _sweep(services.desk, timing.answer_timeout, settings.handoff_sweep_seconds)
        )
        resumer = asyncio.create_task(keep_resuming(services.chat))
        roller = asyncio.create_task(_roll_up(db, now))
        reporter = (
            asyncio.create_task(_report_weekly(settings, db, ready, now))
            if settings.report_recipients
            else None
        )
        retention = (
            asyncio.create_task(
                keep_retention(
                    db,
                    settings.retention_days,
                    now,
                    audit_days=settings.audit_retention_days,
                    vector_dir=settings.data_dir / "insights",
                    vacuum_full=settings.privacy_vacuum_full,
                )
            )
            if settings.retention_days or settings.audit_retention_days
            else None
        )
        app.state.privacy_vacuum_full = settings.privacy_vacuum_full
        mail_channel = (
            await _start_email(settings, services, ready) if settings.email_address else None
        )
        app.state.email_channel = mail_channel
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            sweeper.cancel()
            resumer.cancel()
            await webhooks.stop()
            roller.cancel()
            if reporter is not None:
                reporter.cancel()
            if retention is not None:
                retention.cancel()
            if mail_channel is not None:
                await mail_channel.stop()
            await services.chat.drain()
            await shared.close()
            await asyncio.to_thread(runner.close)
            await db.close()

    app = FastAPI(
        title="Samsvar visitor API",
        version="1",
        summary="The HTTP half of the visitor API; the WebSocket is described in docs/api.md.",
        lifespan=lifespan,
        docs_url=None,  # the interactive pages load scripts from a CDN: none of that here
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    origins = Origins(settings.allowed_origins)
    app.state.origins = origins
    app.state.widget_dir = widget_dir or site.get_widget_dir()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins.cors_list(),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", widget_api.VISITOR_HEADER],
        max_age=600,
    )
    app.add_middleware(BodyLimit, limit=64 * 1024)
    app.add_middleware(SecurityHeaders)  # outermost of these: the 413s and preflights get them
    _install_error_handlers(app)
    app.state.cookie_secure = settings.agent_cookie_secure
    app.state.insights_dir = settings.data_dir / "insights"
    app.include_router(widget_api.router)
    app.include_router(websocket.router)
    app.include_router(agent_api.router)
    app.include_router(registration_api.router)
    app.include_router(insights_api.router)
    app.include_router(privacy_api.router)
    app.include_router(channel_api.admin_router)
    app.include_router(channel_api.router)
    app.include_router(console.router)
    app.include_router(site.router)
    return app


def turn_workers(settings: Settings, *, with_llm: bool) -> int:
    """Threads for bot turns: one per core without an LLM (the encoder is CPU-bound); with
    one, many more, since a turn then spends most of its time waiting for the endpoint."""
    if not with_llm:
        return settings.turn_workers
    return max(settings.turn_workers, settings.llm_turn_workers)


async def _sweep(desk: Desk, timeout: dt.timedelta, every: float) -> None:
    """The time-out loop: unanswered assigned cases go back to the queue."""
    while True:
        await asyncio.sleep(every)
        try:
            await desk.do_sweep(timeout)
        except Exception:  # the loop must outlive one failed round
            log.exception("the hand-off time-out check failed")


REPORT_CHECK_SECONDS = 60.0


def mail_settings(settings: Settings) -> MailSettings:
    return MailSettings(
        host=settings.smtp_host or "localhost",
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
    )


async def _start_email(settings: Settings, services: Any, engine: Engine) -> EmailChannel:
    """The e-mail channel (docs/email.md): the receiver on CHAT_EMAIL_RECEIVER_HOST/PORT,
    the worker that takes mail in, the outbox, the agents' replies by e-mail."""
    assert settings.email_address is not None
    config = EmailConfig(
        address=settings.email_address.strip(),
        attachment_limit=int(settings.email_attachment_mb * 1024 * 1024),
        per_sender_hour=settings.email_per_sender_hour,
    )
    channel = EmailChannel(
        services,
        config,
        mail_settings(settings),
        sender_name=engine.bot.base.config.name,
        widget_after=dt.timedelta(minutes=settings.email_reply_after_minutes),
    )
    await channel.start(
        settings.email_receiver_host,
        settings.email_receiver_port,
        lmtp=settings.email_receiver_lmtp,
        max_bytes=int(settings.email_max_mb * 1024 * 1024),
    )
    return channel


async def _roll_up(db: Database, clock: Callable[[], dt.datetime]) -> None:
    """Insights' rollup of closed hours, brought up to date every minute (decision 0101);
    a report fills what is missing itself, this keeps that small."""
    while True:
        try:
            await fill_rollup(db, clock())
        except Exception:  # a failed round is tried again in a minute
            log.exception("the insights rollup round failed; trying again in a minute")
        await asyncio.sleep(REPORT_CHECK_SECONDS)


async def _report_weekly(
    settings: Settings, db: Database, engine: Engine, clock: Callable[[], dt.datetime]
) -> None:
    """The weekly report's schedule: a round at start (a Monday missed while the server was
    down is sent now) and every minute after (`insights.do_weekly_report`)."""
    bot = engine.bot
    cache = VectorCache(settings.data_dir / "insights", bot.encoder)
    mail = mail_settings(settings)
    retry = dt.timedelta(minutes=settings.report_retry_minutes)

    async def gaps_for(period: Period) -> list[dict[str, Any]]:
        found = await get_gaps(db, bot.base, period, None, cache, bot.retriever)
        return [gap_json(gap) for gap in found]

    while True:
        try:
            await do_weekly_report(
                db,
                bot.base,
                clock(),
                settings.report_recipients,
                mail,
                retry=retry,
                gaps_for=gaps_for,
                language=settings.report_language,
            )
        except Exception:  # the schedule must outlive one failed round
            log.exception("the weekly report round failed; trying again in a minute")
        await asyncio.sleep(REPORT_CHECK_SECONDS)


def _error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    async def client_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CLIENT_ERRORS)
        failure = as_api_error(exc)
        headers = None
        if isinstance(failure, RateLimited):
            headers = {"Retry-After": str(failure.retry_after)}
        elif failure.status == 503:
            headers = {"Retry-After": str(RETRY_UNAVAILABLE_SECONDS)}
        return _error(failure.status, failure.body(), headers)

    for kind in CLIENT_ERRORS:
        app.add_exception_handler(kind, client_error)

    async def outage(_request: Request, exc: Exception) -> Response:
        """The database down, restarting or out of connections: the transaction was rolled
        back, so the client may simply try again (503 with Retry-After, never a 500)."""
        if not is_unavailable(exc):
            raise exc  # a real failure: the 500 below
        log.warning("the database cannot serve now: %s", exc)
        failure = as_api_error(StorageUnavailable("the database is not available; try again"))
        return _error(
            failure.status, failure.body(), {"Retry-After": str(RETRY_UNAVAILABLE_SECONDS)}
        )

    for suspect in OUTAGE_SUSPECTS:
        app.add_exception_handler(suspect, outage)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> Response:
        return _error(
            422, {"ok": False, "error": describe_request_error(exc), "code": "bad_request"}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _http_error(request, exc)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("a request failed", exc_info=exc)
        body = {
            "ok": False,
            "error": "the server could not do this; try again",
            "code": "server_error",
        }
        # Starlette answers this one outside every middleware: the headers are added here
        return _error(500, body, headers_for(request.url.path))


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's and FastAPI's own errors: a 404 page outside the API, JSON under it."""
    if not request.url.path.startswith(API_PREFIX):
        return site.not_found_page(request.url.path)
    if exc.status_code == 400:  # FastAPI could not read the body: a bad request (422)
        return _error(422, {"ok": False, "error": _unreadable(exc), "code": "bad_request"})
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    message = f"{detail}: {request.method} {request.url.path}"
    return _error(exc.status_code, {"ok": False, "error": message, "code": code})


def _unreadable(exc: Exception) -> str:
    """Why FastAPI could not read a JSON body (it answers 400 for these)."""
    cause = exc.__cause__
    if isinstance(cause, RecursionError):
        return "the body nests too deeply to be read as JSON"
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start} cannot be read)"
    return "the body could not be read as JSON"


def describe_request_error(exc: RequestValidationError) -> str:
    """'body field `text`: Field required', 'the body is not valid JSON: …'."""
    errors = list(exc.errors())
    first = errors[0]
    if first.get("type") == "lone_surrogate":
        return f"body {first['msg']}"
    location = [str(part) for part in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        return f"the body is not valid JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    where = location[0] if location else "request"
    field = ".".join(location[1:]) or "(the whole value)"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where} field `{field}`: {first['msg']}{more}"
