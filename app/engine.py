"""Wiring: from settings to a ready `Bot` over an up-to-date index."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from app.settings import Settings
from bot import Bot
from knowledge import AnswerBase, get_demo_dir, load_answer_base
from retrieval import AnswerIndex, E5Embeddings, SyncReport, Thresholds, open_chroma

__all__ = ["Engine", "open_engine"]

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


@dataclasses.dataclass(frozen=True)
class Engine:
    bot: Bot
    index: AnswerIndex
    sync: SyncReport


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
    bot = Bot(base, retriever, encoder, thresholds=_thresholds(settings, retriever.thresholds))
    return Engine(bot, index, report)
