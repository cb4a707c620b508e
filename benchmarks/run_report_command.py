"""`samsvar report` for one week as a command, from start to exit: wall and processor time
(user + system of the command's process), with and without the answer base kept from an
earlier run (issue 12: ≤ 1 s for a week).

    python -m benchmarks.run_report_command [--database sqlite:////path/to/year.db] [--runs 7]
        [--baseline REVISION]

Without `--database`, an empty SQLite database is migrated first. The cases are run in
turn (one of each, again and again), so that all see the same load on a shared machine:
"first run" is a fresh data folder each time (the base is parsed and kept), "kept" is one
data folder (the base read back), and with `--baseline` "baseline kept" is the command of
an earlier git revision (its tree exported to a temporary folder) with a data folder of its
own. Writes docs/benchmarks/report-command.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info, write_json

ROOT = Path(__file__).resolve().parent.parent
WEEK = ("--from", "2026-06-01", "--to", "2026-06-07")


def _migrated(folder: Path) -> str:
    from app.migrate import do_upgrade
    from conversations.storage import get_database_url, open_database

    url = f"sqlite:///{folder / 'empty.db'}"

    async def upgrade() -> None:
        db = open_database(get_database_url(url, folder))
        try:
            await do_upgrade(db)
        finally:
            await db.close()

    asyncio.run(upgrade())
    return url


def _exported(revision: str, folder: Path) -> Path:
    """The tree of git `revision`, written under `folder`."""
    tree = folder / "baseline"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"no revision {revision}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _once(data_dir: Path, url: str, tree: Path = ROOT) -> tuple[float, float]:
    env = os.environ | {
        "CHAT_DATA_DIR": str(data_dir),
        "CHAT_DATABASE_URL": url,
        "PYTHONPATH": str(tree),
        "ORT_DISABLE_TELEMETRY": "1",
    }
    command = [sys.executable, "-m", "app", "report", *WEEK, "--no-gaps"]
    command += ["--json", str(data_dir / "week.json")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _summary(samples: list[tuple[float, float]]) -> dict[str, Any]:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return {
        "wall_p50_s": round(statistics.median(walls), 3),
        "cpu_p50_s": round(statistics.median(cpus), 3),
        "wall_s": [round(w, 2) for w in walls],
        "cpu_s": [round(c, 2) for c in cpus],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a database URL (default: an empty SQLite one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", metavar="REVISION", help="also time this git revision")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "benchmarks" / "report-command.json"
    )
    args = parser.parse_args()
    report: dict[str, Any] = {"machine": machine_info()}
    report["load_average_1m_start"] = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="samsvar-report-") as folder:
        root = Path(folder)
        url = args.database or _migrated(root)
        kept_dir = root / "kept"
        kept_dir.mkdir()
        _once(kept_dir, url)  # keeps the base; also warms the database's pages for both
        baseline = _exported(args.baseline, root) if args.baseline else None
        if baseline is not None:
            (root / "baseline-kept").mkdir()
            _once(root / "baseline-kept", url, baseline)
        first: list[tuple[float, float]] = []
        kept: list[tuple[float, float]] = []
        before: list[tuple[float, float]] = []
        for run in range(args.runs):
            fresh = root / f"fresh-{run}"
            fresh.mkdir()
            first.append(_once(fresh, url))
            kept.append(_once(kept_dir, url))
            if baseline is not None:
                before.append(_once(root / "baseline-kept", url, baseline))
        report["database"] = "empty SQLite" if args.database is None else args.database
        report["first_run"] = _summary(first)
        report["base_kept"] = _summary(kept)
        if baseline is not None:
            report["baseline"] = {"revision": args.baseline, **_summary(before)}
    report["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    for name in ("first_run", "base_kept", *(("baseline",) if args.baseline else ())):
        row = report[name]
        print(f"{name:<10} wall p50 {row['wall_p50_s']} s, processor p50 {row['cpu_p50_s']} s")
    write_json(args.out, report)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
