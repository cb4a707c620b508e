"""Wiring: from settings to a ready `Bot` over an up-to-date index."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from app.settings import Settings
from bot import Assistant, Bot
from knowledge import AnswerBase, get_demo_dir, load_answer_base
from retrieval import (
    AnswerIndex,
    BatchingEncoder,
    E5Embeddings,
    SyncReport,
    Thresholds,
    open_chroma,
)

__all__ = ["Engine", "open_assistant", "open_engine"]

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


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
    return Thresholds(
        answer=auto.answer if settings.answer_threshold is None else settings.answer_threshold,
        clarify=auto.clarify if settings.clarify_threshold is None else settings.clarify_threshold,
        source="settings",
    )


def open_engine(settings: Settings, answers: Path | None = None) -> Engine:
    """Load and validate the base, bring its index up to date, and build the bot.

    Raises knowledge.AnswerBaseInvalid before anything is indexed when the base has errors.
    """
    base = load_answer_base(answers_path(settings, answers))
    encoder = E5Embeddings()
    index = open_index(settings, base, encoder)
    report = index.sync()
    retriever = index.load_retriever()
    assistant = open_assistant(settings, base)
    thresholds = _thresholds(settings, retriever.thresholds)
    # Concurrent turns share encoder calls (retrieval/batching.py); indexing above used it alone.
    questions = BatchingEncoder(encoder, max_batch=settings.encode_batch)
    bot = Bot(base, retriever, questions, thresholds=thresholds, assistant=assistant)
    return Engine(bot, index, report, assistant)


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
