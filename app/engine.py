"""Wiring: from settings to a ready `Bot` over an up-to-date index."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime as dt
import functools
import logging
import os
import zoneinfo
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from app.errors import StorageUnavailable
from app.settings import Settings
from bot import Assistant, Bot
from conversations.storage import (
    database_may_exist,
    get_database_url,
    get_labelled_traffic,
    open_database,
)
from knowledge import AnswerBase, get_demo_dir, load_answer_base
from retrieval import (
    AnswerIndex,
    BatchingEncoder,
    E5Embeddings,
    SyncReport,
    Thresholds,
    open_chroma,
)

__all__ = ["Engine", "labelled_traffic", "open_assistant", "open_engine"]

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
log = logging.getLogger(__name__)

TRAFFIC_TIMEOUT = 15.0  # seconds to read the labelled traffic before going on without it


@dataclasses.dataclass(frozen=True)
class Engine:
    bot: Bot
    index: AnswerIndex
    sync: SyncReport
    assistant: Assistant | None = None


def answers_path(settings: Settings, answers: Path | None = None) -> Path:
    return answers or settings.answers_dir or get_demo_dir()


def open_index(settings: Settings, base: AnswerBase, encoder: E5Embeddings) -> AnswerIndex:
    client = open_chroma(settings.data_dir, settings.chroma_url)
    return AnswerIndex(client, base, encoder, settings.data_dir / "retrieval")


def _thresholds(settings: Settings, auto: Thresholds) -> Thresholds:
    if settings.answer_threshold is None and settings.clarify_threshold is None:
        return auto
    # The operator's thresholds win over the policy; what the automatic one would give no
    # longer applies, so it is not carried.
    return dataclasses.replace(
        auto,
        answer=auto.answer if settings.answer_threshold is None else settings.answer_threshold,
        clarify=auto.clarify if settings.clarify_threshold is None else settings.clarify_threshold,
        source="settings",
        expected=None,
    )


def open_engine(
    settings: Settings,
    answers: Path | None = None,
    *,
    progress: Callable[[str, int, int, int, int], None] | None = None,
) -> Engine:
    """Load and validate the base, bring its index up to date, and build the bot.

    The ranking is fitted with the labelled traffic of the conversation database, if there is
    one (`labelled_traffic`). Raises knowledge.AnswerBaseInvalid before anything is indexed
    when the base has errors. `progress(stage, ...)` hears about slow start-up work:
    ("embedding", texts done, texts to embed, characters done, characters to embed) before
    and after each batch, and ("ranking", 0, 0, 0, 0) before the ranking models are loaded or
    fitted after the index changed.
    """
    base = load_answer_base(answers_path(settings, answers))
    encoder = E5Embeddings()
    index = open_index(settings, base, encoder)
    embedded = None if progress is None else functools.partial(progress, "embedding")
    report = index.sync(progress=embedded)
    if progress is not None and report.changed:
        progress("ranking", 0, 0, 0, 0)
    retriever = index.load_retriever(labelled=labelled_traffic(settings, base))
    assistant = open_assistant(settings, base)
    thresholds = _thresholds(settings, retriever.thresholds)
    # Concurrent turns share encoder calls (retrieval/batching.py); indexing above used it alone.
    questions = BatchingEncoder(encoder, max_batch=settings.encode_batch)
    bot = Bot(
        base,
        retriever,
        questions,
        thresholds=thresholds,
        assistant=assistant,
        today=_today_where(base),
    )
    return Engine(bot, index, report, assistant)


def _today_where(base: AnswerBase) -> Callable[[], dt.date] | None:
    """Today's date where the base is (its business hours' time zone), for a flow's dates:
    "bought yesterday" at 00:30 in Oslo is not the UTC server's yesterday."""
    hours = base.config.business_hours
    if hours is None:
        return None
    zone = zoneinfo.ZoneInfo(hours.timezone)
    return lambda: dt.datetime.now(zone).date()


def labelled_traffic(settings: Settings, base: AnswerBase) -> list[tuple[str, str]]:
    """The visitors' questions whose right answer is known and that are not yet phrasings of
    the base, as (question, answer id), the most recent first (`conversations.storage.learning`).

    Read from the conversation database when it exists; none is ever created for this. A
    missing or unreadable database means no traffic (logged), never an error.
    """
    try:
        url = get_database_url(settings.database_url, settings.data_dir)
    except StorageUnavailable as exc:
        log.warning("no labelled traffic for the ranking: %s", exc)
        return []
    where = url.render_as_string(hide_password=True)
    if not database_may_exist(url):
        log.info("no conversation database at %s yet: no labelled traffic", where)
        return []

    async def read() -> list[tuple[str, str]]:
        db = open_database(url)
        try:
            return await asyncio.wait_for(get_labelled_traffic(db, base), TRAFFIC_TIMEOUT)
        finally:
            await db.close()

    try:
        pairs = _run(read())
    except (SQLAlchemyError, OSError, TimeoutError, StorageUnavailable) as exc:
        log.warning("cannot read labelled traffic from the database at %s: %s", where, exc)
        return []
    log.info("%d labelled questions from the conversations join the ranking's fit", len(pairs))
    return pairs


def _run(work: Coroutine[Any, Any, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Run `work` to its end, also from a thread whose event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def open_assistant(settings: Settings, base: AnswerBase) -> Assistant | None:
    """The LLM helper when CHAT_LLM_BASE_URL is set, else None (and nothing LLM is loaded).

    Building it connects to nothing; it loads langchain-openai and the tokenizer.
    """
    if not settings.llm_base_url or not settings.llm_model:
        return None
    from bot import LLMClient, LLMConfig

    config = LLMConfig(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        timeout=settings.llm_timeout,
        retries=settings.llm_retries,
        backoff=settings.llm_retry_backoff,
        breaker_failures=settings.llm_breaker_failures,
        breaker_reset=settings.llm_breaker_reset,
        slow_call=settings.llm_slow_call,
        temperature=settings.llm_temperature,
        max_reply_tokens=settings.llm_max_reply_tokens,
        context_tokens=settings.llm_context_tokens,
        tokenizer=settings.llm_tokenizer,
    )
    return Assistant(
        LLMClient(config),
        base,
        redact=settings.llm_redact,
        replies=settings.llm_replies,
        stream=settings.llm_stream,
    )
