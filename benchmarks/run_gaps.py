"""Gap clustering at scale: a week with 20,000 unanswered questions (issue 12: ≤ 30 s,
≤ 1 GB).

    python -m benchmarks.run_gaps [--questions 20000] [--datasets ../shared/datasets]

The questions are CLINC150's (train, validation and test, 150 intents plus out-of-scope),
treated as one week's unanswered questions, each asked once. Grouping them is timed in the
steps `insights.find_gaps` takes: the vectors (from the vector cache: embedded once, as in a
running server), the language centring, the clustering, and the nearest answers of the 50
largest gaps (the retriever over the demo base). Embedding is timed apart, on 300 questions
the cache does not hold, and extrapolated. The intents give the grouping's quality: adjusted
Rand index, and the share of each gap that is its commonest intent (purity). Peak memory is
the process's maximum resident set. Writes docs/benchmarks/gaps.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._report import machine_info
from benchmarks.cache import CachedEncoder

ROOT = Path(__file__).resolve().parent.parent


def clinc_questions(datasets: Path, limit: int) -> list[tuple[str, str]]:
    data = json.loads((datasets / "clinc150" / "data_full.json").read_text("utf-8"))
    rows = [
        (text, intent)
        for split in ("train", "val", "test", "oos_train", "oos_val", "oos_test")
        for text, intent in data[split]
    ]
    unique = list({text: intent for text, intent in rows}.items())
    return unique[:limit]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--threshold", type=float, default=None, help="default: insights'")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "gaps.json")
    args = parser.parse_args()

    from sklearn.metrics import adjusted_rand_score

    from insights import THRESHOLD, GapQuestion, cluster
    from insights.gaps import _gap, _most_asked, _with_nearest
    from knowledge import get_demo_dir, load_answer_base
    from retrieval import Retriever, entries_from_base, get_probe_langs, get_probes

    threshold = THRESHOLD if args.threshold is None else args.threshold
    pairs = clinc_questions(args.datasets, args.questions)
    texts = [t for t, _ in pairs]
    intents = [i for _, i in pairs]
    encoder = CachedEncoder()
    base = load_answer_base(get_demo_dir())
    started = time.perf_counter()
    retriever = Retriever.fit(
        entries_from_base(base), encoder, probes=get_probes(), probe_langs=get_probe_langs()
    )
    fit_seconds = time.perf_counter() - started
    questions = [GapQuestion(t, 1, "en", {"abstain": 1}) for t in texts]
    baseline_mb = peak_mb()

    runs: list[dict[str, float]] = []
    labels = np.zeros(0)
    for _ in range(3):
        t0 = time.perf_counter()
        raw = encoder.query_vectors(texts)  # cache hits: what a server's vector cache gives
        t1 = time.perf_counter()
        centred = retriever.centred(raw)
        t2 = time.perf_counter()
        labels = cluster(centred, np.ones(len(texts)), threshold)
        t3 = time.perf_counter()
        groups: dict[int, list[int]] = {}
        for index, label in enumerate(labels):
            groups.setdefault(int(label), []).append(index)
        ranked = sorted(groups.values(), key=lambda m: (-len(m), m[0]))[:50]
        gaps = [_gap([questions[i] for i in members]) for members in ranked]
        _with_nearest(gaps, [raw[_most_asked(m, questions)] for m in ranked], retriever)
        t4 = time.perf_counter()
        runs.append(
            {
                "vectors": t1 - t0,
                "centre": t2 - t1,
                "cluster": t3 - t2,
                "nearest": t4 - t3,
                "total": t4 - t0,
            }
        )
    stored = _stored_run(encoder, retriever, base, texts)
    sample = [f"{t} please" for t in texts[:300]]  # not in the cache
    t0 = time.perf_counter()
    encoder.embed_uncached("query", sample)
    per_text = (time.perf_counter() - t0) / len(sample)

    groups_found = Counter(labels.tolist())
    purity = sum(
        Counter(i for i, got in zip(intents, labels, strict=True) if got == g).most_common(1)[0][1]
        for g in groups_found
    ) / len(labels)
    result: dict[str, Any] = {
        "machine": machine_info(),
        "questions": len(texts),
        "intents": len(set(intents)),
        "threshold": threshold,
        "retriever_fit_seconds": round(fit_seconds, 1),
        "seconds_p50": {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]},
        "groups": len(groups_found),
        "largest_group": max(groups_found.values()),
        "adjusted_rand_index": round(float(adjusted_rand_score(intents, labels)), 3),
        "purity": round(purity, 3),
        "peak_rss_mb": round(peak_mb(), 1),
        "peak_rss_before_grouping_mb": round(baseline_mb, 1),
        "embed_ms_per_question_uncached": round(1000 * per_text, 1),
        "embed_seconds_20000_uncached_estimate": round(per_text * 20_000, 0),
        "stored_vectors": stored,
    }
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


class _Counting:
    """The encoder, counting the texts it is asked to embed."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_version = inner.model_version
        self.embedded = 0

    def query_vectors(self, texts: Any) -> Any:
        self.embedded += len(texts)
        return self.inner.query_vectors(texts)


def _stored_run(encoder: Any, retriever: Any, base: Any, texts: list[str]) -> dict[str, Any]:
    """`insights.get_gaps` end to end over a SQLite database holding the questions as one
    week's abstained inquiries, each with the query vector the bot stored (decision 0101):
    reading the questions and the vectors, centring, clustering, nearest answers. The
    vector cache starts empty; the encoder counts what it would have to embed (none)."""
    import asyncio
    import datetime as dt
    import sqlite3
    import tempfile

    from app.migrate import do_upgrade
    from conversations.storage import get_database_url, open_database
    from insights import Period, VectorCache, get_gaps

    vectors = encoder.query_vectors(texts).astype(np.float16)  # what the turns stored
    week = Period(dt.date(2026, 6, 1), dt.date(2026, 6, 7), "Europe/Oslo")
    at = "2026-06-03 10:00:00.000000"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "samsvar.db"

        async def migrate() -> None:
            db = open_database(get_database_url(f"sqlite:///{path}", Path(folder)))
            try:
                await do_upgrade(db)
            finally:
                await db.close()

        asyncio.run(migrate())
        with sqlite3.connect(path) as connection:
            connection.executemany(
                "INSERT INTO inquiries (id, text, language, decision, confidence, channel, kind, "
                "ms, created_at, by_llm, citations, machine_translated, retracted) "
                "VALUES (?, ?, 'en', 'abstain', 0.2, 'widget', 'text', 5.0, ?, 0, '[]', 0, 0)",
                [(n + 1, text, at) for n, text in enumerate(texts)],
            )
            connection.executemany(
                "INSERT INTO inquiry_vectors (inquiry_id, model, vector) VALUES (?, ?, ?)",
                [(n + 1, encoder.model_version, v.tobytes()) for n, v in enumerate(vectors)],
            )
        before = peak_mb()
        runs = []
        counting = _Counting(encoder)
        for _ in range(3):

            async def gaps() -> int:
                db = open_database(get_database_url(f"sqlite:///{path}", Path(folder)))
                try:
                    cache = VectorCache(Path(folder) / "cache", counting)
                    return len(await get_gaps(db, base, week, None, cache, retriever))
                finally:
                    await db.close()

            started = time.perf_counter()
            found = asyncio.run(gaps())
            runs.append(time.perf_counter() - started)
    return {
        "questions": len(texts),
        "gaps": found,
        "seconds_p50": round(statistics.median(runs), 2),
        "seconds_all": [round(r, 2) for r in runs],
        "embedded": counting.embedded,
        "peak_rss_mb": round(peak_mb(), 1),
        "peak_rss_before_mb": round(before, 1),
    }


if __name__ == "__main__":
    main()
