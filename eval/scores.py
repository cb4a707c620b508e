"""ragas scores of a run: ID-based context precision and recall offline, and faithfulness and
response relevancy through an OpenAI-compatible endpoint when one is configured.

The "retrieved contexts" of a turn the visitor wrote are the answers the bot put in front of
the visitor: the answer it gave, or the answers it offered as choices (none when it abstained
or handed off).
Context precision is measured on turns that showed something and expect an answer id or
abstain; context recall on turns that expect an answer id. The LLM metrics are measured on
turns answered with a curated answer, with that answer's text (in the reply's language) as the
context.

ragas is imported lazily (about 4 s) and only here, with its telemetry switched off first.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eval._checks import given_answer, reply_lang
from eval.metrics import Point
from knowledge import AnswerBase
from retrieval import Encoder

__all__ = ["LlmEndpoint", "LlmScores", "llm_scores", "offline_scores", "prefetch", "shown_ids"]

os.environ["RAGAS_DO_NOT_TRACK"] = "true"  # before ragas is ever imported
_prefetch: threading.Thread | None = None
Scores = dict[tuple[str, int], dict[str, float]]


def prefetch() -> None:
    """Start importing ragas in the background, so the import overlaps the run."""
    global _prefetch
    if _prefetch is None:
        _prefetch = threading.Thread(
            target=importlib.import_module, args=("ragas.metrics",), daemon=True
        )
        _prefetch.start()


def _quiet_ragas() -> None:
    """Remove the console handler ragas puts on its `ragas.utils` logger (at DEBUG level): its
    formatter writes an analytics id under ~/.local/share/ragas for every record it formats.
    Records then go to our logging like any library's."""
    logger = logging.getLogger("ragas.utils")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def _id_metrics() -> tuple[Any, Any]:
    """ragas's IDBasedContextPrecision and IDBasedContextRecall, instantiated."""
    if _prefetch is not None:
        _prefetch.join()
    _quiet_ragas()
    with warnings.catch_warnings():  # they only exist in ragas's older metrics API
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.metrics import IDBasedContextPrecision, IDBasedContextRecall

        return IDBasedContextPrecision(), IDBasedContextRecall()


def shown_ids(outcome: Any) -> list[str]:
    """The answer ids the visitor was shown: the answer given, or the choices offered."""
    answer = given_answer(outcome)
    if answer is not None:
        return [answer]
    return [choice.answer_id for choice in getattr(outcome, "choices", ())]


def _samples(points: Sequence[Point]) -> list[tuple[tuple[str, int], str, Any]]:
    from ragas.dataset_schema import SingleTurnSample

    samples = []
    for p in points:
        if not p.asked:  # a click shows what the visitor picked: nothing was retrieved
            continue
        wanted, shown = p.expect.answer_id, shown_ids(p.outcome)
        reference = [wanted] if wanted is not None else []
        if shown and (wanted is not None or p.expect.decision == "abstain"):
            sample = SingleTurnSample(retrieved_context_ids=shown, reference_context_ids=reference)
            samples.append((p.key, "context_precision", sample))
        if wanted is not None:
            sample = SingleTurnSample(retrieved_context_ids=shown, reference_context_ids=reference)
            samples.append((p.key, "context_recall", sample))
    return samples


def offline_scores(points: Sequence[Point]) -> Scores:
    """ragas IDBasedContextPrecision and IDBasedContextRecall of every point that has them."""
    precision, recall = _id_metrics()
    scorers = {"context_precision": precision, "context_recall": recall}
    samples = _samples(points)

    async def score_all() -> list[float]:
        jobs = [scorers[name].single_turn_ascore(sample) for _, name, sample in samples]
        return list(await asyncio.gather(*jobs))

    scores: Scores = {}
    for (key, name, _), value in zip(samples, asyncio.run(score_all()), strict=True):
        scores.setdefault(key, {})[name] = float(value)
    return scores


@dataclass(frozen=True, slots=True)
class LlmEndpoint:
    """An OpenAI-compatible chat endpoint (CHAT_LLM_BASE_URL, CHAT_LLM_MODEL, CHAT_LLM_API_KEY)."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    concurrency: int = 4


@dataclass(frozen=True, slots=True)
class LlmScores:
    """The LLM scores per point, how many turns were tried, and the first failure, if any."""

    model: str
    scores: Scores = field(default_factory=dict)
    tried: int = 0
    failed: int = 0
    error: str | None = None


class _EncoderEmbeddings:
    """ragas embeddings over our encoder (questions are compared in query mode, as retrieval
    compares them); built lazily as a `BaseRagasEmbedding` subclass."""

    @staticmethod
    def build(encoder: Encoder) -> Any:
        from ragas.embeddings.base import BaseRagasEmbedding

        class EncoderEmbeddings(BaseRagasEmbedding):
            def embed_text(self, text: str, **kwargs: Any) -> list[float]:
                return [float(x) for x in encoder.query_vectors([text])[0]]

            async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
                return self.embed_text(text)

        return EncoderEmbeddings()


def _llm_metrics(endpoint: LlmEndpoint, encoder: Encoder) -> tuple[Any, Any]:
    from openai import AsyncOpenAI
    from ragas.llms import llm_factory
    from ragas.metrics.collections import AnswerRelevancy, Faithfulness

    _quiet_ragas()

    client = AsyncOpenAI(
        base_url=endpoint.base_url,
        api_key=endpoint.api_key or "none",  # many self-hosted servers need no key
        timeout=endpoint.timeout,
        max_retries=1,
    )
    llm = llm_factory(endpoint.model, client=client)
    relevancy = AnswerRelevancy(llm=llm, embeddings=_EncoderEmbeddings.build(encoder))
    return Faithfulness(llm=llm), relevancy


def _llm_errors() -> tuple[type[BaseException], ...]:
    from instructor.core import InstructorError
    from openai import OpenAIError

    return (InstructorError, OpenAIError, ValueError, TimeoutError)


async def _score_point(
    point: Point, context: str, metrics: tuple[Any, Any], limit: asyncio.Semaphore
) -> dict[str, float]:
    faithfulness, relevancy = metrics
    question, reply = point.result.turn.ask, point.outcome.text
    async with limit:
        faith = await faithfulness.ascore(
            user_input=question, response=reply, retrieved_contexts=[context]
        )
        relevant = await relevancy.ascore(user_input=question, response=reply)
    return {"faithfulness": float(faith.value), "response_relevancy": float(relevant.value)}


def llm_scores(
    points: Sequence[Point], endpoint: LlmEndpoint, encoder: Encoder, base: AnswerBase
) -> LlmScores:
    """ragas Faithfulness and AnswerRelevancy (response relevancy) of every answered point."""
    metrics = _llm_metrics(endpoint, encoder)
    errors = _llm_errors()
    todo = []
    for p in points:
        answer = base.get(given_answer(p.outcome) or "")
        if answer is not None:
            todo.append((p, answer.text_for(reply_lang(p.outcome), reply_lang(p.outcome))[1]))

    async def score_all() -> list[dict[str, float] | BaseException]:
        limit = asyncio.Semaphore(endpoint.concurrency)
        jobs = [_score_point(p, context, metrics, limit) for p, context in todo]
        return list(await asyncio.gather(*jobs, return_exceptions=True))

    scores: Scores = {}
    failures: list[BaseException] = []
    for (p, _), result in zip(todo, asyncio.run(score_all()), strict=True):
        if isinstance(result, errors):
            failures.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            scores[p.key] = result
    error = f"{type(failures[0]).__name__}: {failures[0]}" if failures else None
    return LlmScores(endpoint.model, scores, len(todo), len(failures), error)
