"""Speed and size of the product path: indexing, re-indexing, a warm `ask`, and memory.

A synthetic answer base of 1,000 answers with 5 questions each (and one answer text) is made
from CLINC150 training questions (groups of 6 questions of one intent), indexed into an embedded
Chroma in a temporary data directory through the same code as `samsvar answers index`, then:

* the time to index it from nothing (embedding, writing the collection, fitting the models);
* the time to re-index after one answer changed;
* warm `Bot.turn` latency on 300 CLINC test questions, split into the query's encoding and
  everything else (the turn is timed with the query's vector already in the bot's cache, so
  "beyond encoding" is measured, not a difference of two noisy timings), beside a plain
  baseline (encoding + one cosine argmax) in the same run;
* the peak resident memory of the indexing process, and of a fresh serving process that opens
  the finished index (what `samsvar serve` or a warm `samsvar ask` holds) and answers the queries.

The latency and serving memory are measured in that fresh child process, so the indexing run's
memory does not count against them.

Usage: python -m benchmarks.run_ask [--answers 1000] [--queries 300] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks._report import machine_info
from benchmarks.datasets import DEFAULT_DATASETS


def _write_base(root: Path, answers: int) -> list[str]:
    data = json.loads((DEFAULT_DATASETS / "clinc150" / "data_full.json").read_text())
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    groups = [qs[i : i + 6] for qs in by_intent.values() for i in range(0, len(qs) - 5, 6)]
    root.mkdir(parents=True)
    for n, group in enumerate(groups[:answers]):
        doc = {
            "id": f"answer-{n:04d}",
            "title": group[0],
            "questions": group[1:],
            "answer": {"en": f"Here is what to do about this: {group[0]}"},
        }
        (root / f"answer-{n:04d}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return [text for text, _ in data["test"]]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def _peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM). Not `ru_maxrss`: Linux carries that over
    from the parent across fork and exec, so a child would report the indexing run's peak."""
    status = Path("/proc/self/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _serve(data_dir: Path, base_dir: Path, queries: list[str]) -> dict[str, Any]:
    """In a fresh process: open the indexed base, answer `queries`, report latency and RSS."""
    from app.engine import open_engine
    from app.settings import Settings

    settings = Settings(data_dir=data_dir, answers_dir=base_dir)
    started = time.perf_counter()
    engine = open_engine(settings)
    open_s = time.perf_counter() - started
    assert engine.sync.embedded == 0, "the serving process should reuse the index"
    bot = engine.bot
    bot.turn("warm up")  # loads the language models
    encode_ms, total_ms, baseline_ms = [], [], []
    # The baseline scores the same number of question vectors (timing only, not quality).
    matrix = np.asarray(bot.retriever._space.question_vectors)
    beyond = []
    for text in queries:
        t0 = time.perf_counter()
        vec = bot._vectors.get([text])[0]  # the bot's own query-vector cache, now holding it
        t1 = time.perf_counter()
        int(np.argmax(matrix @ vec))
        t2 = time.perf_counter()
        bot.turn(text)  # everything but the encoding: the vector is cached
        t3 = time.perf_counter()
        encode_ms.append((t1 - t0) * 1000)
        baseline_ms.append((t2 - t0) * 1000)
        beyond.append((t3 - t2) * 1000)
        total_ms.append((t1 - t0 + t3 - t2) * 1000)
    return {
        "open_seconds": round(open_s, 2),
        "encode_ms": _percentiles(encode_ms),
        "turn_ms": _percentiles(total_ms),
        "turn_beyond_encoding_ms": _percentiles(beyond),
        "baseline_cosine_ms": _percentiles(baseline_ms),
        "serving_peak_rss_mb": _peak_rss_mb(),
    }


def _index(settings: Any, base_dir: Path, answers: int) -> dict[str, Any]:
    from app.engine import open_engine

    started = time.perf_counter()
    engine = open_engine(settings)
    index_s = time.perf_counter() - started
    print(f"indexed {answers} answers in {index_s:.1f} s ({engine.sync.embedded} embedded)")
    changed = base_dir / "answer-0000.yaml"
    doc = yaml.safe_load(changed.read_text())
    doc["questions"][0] += " please"
    changed.write_text(yaml.safe_dump(doc), encoding="utf-8")
    started = time.perf_counter()
    engine = open_engine(settings)
    reindex_s = time.perf_counter() - started
    print(f"re-indexed after one change in {reindex_s:.2f} s ({engine.sync.embedded} embedded)")
    return {
        "questions": sum(len(e.questions) for e in engine.index.entries),
        "index_seconds": round(index_s, 1),
        "reindex_one_change_seconds": round(reindex_s, 2),
        "indexing_peak_rss_mb": _peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--serve", nargs=2, type=Path, metavar=("DATA_DIR", "BASE_DIR"), help=argparse.SUPPRESS
    )  # the child process
    args = parser.parse_args()
    if args.serve:
        queries = json.loads(sys.stdin.read())
        print(json.dumps(_serve(args.serve[0], args.serve[1], queries)))
        return

    from app.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="samsvar-bench-"))
    base_dir = tmp / "answers"
    queries = _write_base(base_dir, args.answers)[: args.queries]
    settings = Settings(data_dir=tmp / "var", answers_dir=base_dir)
    indexing = _index(settings, base_dir, args.answers)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_ask", "--serve", str(tmp / "var"), str(base_dir)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        check=True,
    )
    serving = json.loads(child.stdout.strip().splitlines()[-1])
    result = {"machine": machine_info(), "answers": args.answers, **indexing, **serving}
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
