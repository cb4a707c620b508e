"""Speed of `samsvar eval`: a 1,000-case single-turn suite on the demo base, --jobs 1 and 2.

The suite is the generated demo suite (every question held out, plus the off-topic probes),
the smoke suite, and surface variants (lower case, no final punctuation) of base questions and
probes until there are 1,000 cases with 1,000 different questions (the bot remembers recent
query vectors, so a repeated question would be cheaper than a new one). The variants are asked
against the full index.

Each run is the command a content team's CI runs, in a fresh process, timed from start to exit:
`samsvar eval SUITE --jobs N --json OUT` with the offline metrics (ragas ID-based context
precision and recall), confusions and gaps; no LLM. Runs alternate between --jobs 1 (the
baseline) and --jobs 2 so that a change in the machine's load hits both alike; the figures are
the medians. The index is built once beforehand and reused, as in CI. Besides the wall time,
each run records the CPU time of the command and its workers, which a busy machine changes
much less: on two otherwise idle cores, `--jobs 2` can at best take about half of it.

Usage: python -m benchmarks.run_eval [--cases 1000] [--repeat 3] [--data-dir DIR]
                                     [--out docs/benchmarks/eval.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info, write_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path("docs/benchmarks/eval.json")
DEFAULT_DATA = ROOT / "benchmarks" / ".cache" / "eval-data"
SAMSVAR = Path(sys.executable).with_name("samsvar")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_eval", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def _variant(text: str) -> str:
    return text.casefold().rstrip(" ?!.")


def build_suite(size: int) -> dict[str, Any]:
    """The generated demo suite, the smoke suite, then variants, all with distinct questions."""
    from eval import generate_suite, load_suite
    from knowledge import get_demo_dir, load_answer_base

    base = load_answer_base(get_demo_dir())
    cases = list(generate_suite(base).cases)
    smoke = load_suite(get_demo_dir().parent / "suites" / "smoke.yaml")
    cases += [{"id": f"smoke-{c.id}", "ask": c.ask, "expect": c.expect} for c in smoke.cases]
    seen = {c["ask"] for c in cases}
    for case in list(cases):
        if len(cases) >= size:
            break
        ask = _variant(case["ask"])
        if ask and ask not in seen:
            seen.add(ask)
            cases.append({"id": f"variant-{case['id']}", "ask": ask, "expect": case["expect"]})
    if len(cases) < size:
        raise SystemExit(f"only {len(cases)} distinct cases could be made")
    cases = cases[:size]
    return {"name": f"eval-bench-{size}", "answers": str(get_demo_dir()), "cases": cases}


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    return env | {"CHAT_DATA_DIR": str(data_dir)}


def _index(data_dir: Path) -> None:
    done = subprocess.run(
        [str(SAMSVAR), "answers", "index"], env=_env(data_dir), capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"indexing failed: {done.stderr}")
    print(done.stdout.strip())


def _run(suite: Path, jobs: int, data_dir: Path, out: Path) -> dict[str, Any]:
    command = [str(SAMSVAR), "eval", str(suite), "--jobs", str(jobs), "--json", str(out)]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(data_dir), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        raise SystemExit(f"samsvar eval exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    overall = report["metrics"]["overall"]
    return {
        "jobs": jobs,
        "wall_seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),  # of the command and its workers: load-independent
        "suite_seconds": report["run"]["run_seconds"],
        "load_before": round(load, 2),
        "accuracy": overall["accuracy"],
        "p50_ms": overall["p50_ms"],
        "cases": overall["cases"],
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    _index(args.data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp) / "suite.yaml"
        suite.write_text(json.dumps(build_suite(args.cases), ensure_ascii=False), "utf-8")
        runs = []
        for n in range(args.repeat):
            for jobs in (1, 2):
                run = _run(suite, jobs, args.data_dir, Path(tmp) / f"out-{n}-{jobs}.json")
                print(json.dumps(run))
                runs.append(run)
    summary = {}
    for jobs in (1, 2):
        mine = [r for r in runs if r["jobs"] == jobs]
        summary[f"jobs_{jobs}"] = {
            "median_wall_seconds": _median(mine, "wall_seconds"),
            "median_cpu_seconds": _median(mine, "cpu_seconds"),
            "median_suite_seconds": _median(mine, "suite_seconds"),
            "median_p50_ms": _median(mine, "p50_ms"),
        }
    one, two = summary["jobs_1"]["median_wall_seconds"], summary["jobs_2"]["median_wall_seconds"]
    summary["speed_up"] = round(one / two, 2)
    summary["target_seconds"] = 60
    summary["meets_target"] = min(one, two) <= 60
    summary["load_average_range"] = [
        min(r["load_before"] for r in runs),
        max(r["load_before"] for r in runs),
    ]
    print(json.dumps(summary, indent=2))
    write_json(
        args.out,
        {"machine": machine_info(), "cases": args.cases, "runs": runs, "summary": summary},
    )


if __name__ == "__main__":
    main()
