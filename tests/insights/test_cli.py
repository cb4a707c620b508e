"""`samsvar report`: the command prints the figures and writes JSON, HTML and CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunSamsvar
from tests.insights.conftest import shop_answers
from tests.insights.test_figures import run, week_of_traffic

KEYS = {
    "period",
    "inquiries",
    "conversations",
    "answered",
    "clarified",
    "abstained",
    "handed_off",
    "self_service_rate",
    "helpful",
    "by_answer",
    "by_language",
    "gaps",
    "handoffs",
}


def stored_week(tmp_path: Path) -> tuple[Path, Path]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    root = shop_answers(tmp_path)
    run(data_dir, week_of_traffic)  # var/samsvar.db, where the command looks
    return data_dir, root


def test_report_writes_the_documented_json_html_and_csv(
    run_samsvar: RunSamsvar, tmp_path: Path
) -> None:
    data_dir, root = stored_week(tmp_path)
    out = tmp_path / "out"
    done = run_samsvar(
        "report",
        "--from",
        "2026-12-07",
        "--to",
        "2026-12-13",
        "--answers",
        str(root),
        "--json",
        str(out / "week.json"),
        "--html",
        str(out / "week.html"),
        "--csv",
        str(out / "csv"),
        "--no-gaps",
        data_dir=data_dir,
    )
    assert done.returncode == 0, done.stderr
    assert "Inquiries" in done.stdout and "Self-service rate       40.0 %" in done.stdout
    data: dict[str, Any] = json.loads((out / "week.json").read_text("utf-8"))
    assert set(data) >= KEYS
    assert data["period"]["from"] == "2026-12-07" and data["period"]["to"] == "2026-12-13"
    assert (data["inquiries"], data["conversations"], data["answered"]) == (6, 5, 3)
    assert set(data["handoffs"]) >= {"count", "first_reply_p50_s", "resolution_p50_s", "csat_mean"}
    assert data["gaps"] == [] and data["gaps_included"] is False
    assert [r["answer_id"] for r in data["review_due"]] == ["returns"]
    page = (out / "week.html").read_text("utf-8")
    assert page.startswith("<!doctype html>") and "Top questions" in page and "<script" not in page
    with (out / "csv" / "by_day.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["date", "inquiries", "conversations"] and len(rows) == 8


def test_a_period_that_ends_before_it_starts_is_an_error(
    run_samsvar: RunSamsvar, tmp_path: Path
) -> None:
    data_dir, root = stored_week(tmp_path)
    done = run_samsvar(
        "report",
        "--from",
        "2026-12-13",
        "--to",
        "2026-12-07",
        "--answers",
        str(root),
        "--no-gaps",
        data_dir=data_dir,
    )
    assert done.returncode == 2
    assert "error: the period ends (2026-12-07) before it starts (2026-12-13)" in done.stderr
    done = run_samsvar(
        "report", "--team", "marketing", "--answers", str(root), "--no-gaps", data_dir=data_dir
    )
    assert done.returncode == 2
    assert "no team 'marketing'" in done.stderr and "logistics, payments" in done.stderr


@pytest.mark.slow
def test_gaps_are_listed_then_assigned_and_drafted(run_samsvar: RunSamsvar, tmp_path: Path) -> None:
    from tests.insights.test_gaps import unanswered_week

    data_dir = tmp_path / "var"
    data_dir.mkdir()
    root = shop_answers(tmp_path)
    run(data_dir, unanswered_week)
    period = ("--from", "2026-12-07", "--to", "2026-12-13", "--answers", str(root))
    listed = run_samsvar("answers", "gaps", *period, "--json", data_dir=data_dir, timeout=900)
    assert listed.returncode == 0, listed.stderr
    gaps = json.loads(listed.stdout)["gaps"]
    assert gaps[0]["size"] == 10 and len(gaps[0]["languages"]) == 5
    opening = next(
        n for n, g in enumerate(gaps, 1) if "What time do you open on Saturday?" in g["examples"]
    )
    assigned = run_samsvar(
        "answers",
        "gaps",
        "--assign",
        str(opening),
        "--answer-id",
        "order-tracking",
        "--answers",
        str(root),
        data_dir=data_dir,
    )
    assert assigned.returncode == 0, assigned.stderr
    assert "2 question(s) added to order-tracking" in assigned.stdout
    drafted = run_samsvar(
        "answers",
        "gaps",
        "--draft",
        "1",
        "--id",
        "gift-cards",
        "--answers",
        str(root),
        data_dir=data_dir,
    )
    assert drafted.returncode == 0, drafted.stderr
    assert (root / "drafts" / "gift-cards.yaml").is_file()
    unknown = run_samsvar(
        "answers", "gaps", "--draft", "99", "--answers", str(root), data_dir=data_dir
    )
    assert unknown.returncode == 2 and "there is no gap 99 in the last listing" in unknown.stderr
    report = run_samsvar(
        "report", *period, "--json", str(tmp_path / "r.json"), data_dir=data_dir, timeout=900
    )
    assert report.returncode == 0, report.stderr
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert data["gaps_included"] is True
    # the assigned and drafted questions belong to answers now: what is left
    assert {e for g in data["gaps"] for e in g["examples"]} == {
        "jakke retur bytte",
        "kortet blir avvist hver gang",
    }


HEAVY = ("chromadb", "sklearn", "onnxruntime", "retrieval", "bot", "uvicorn", "starlette", "numpy")
PROBE = """
import sys
from app.cli import main
sys.argv = ["samsvar", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
import gc
print("FROZEN", gc.get_freeze_count() > 0)
heavy = {heavy!r}
print("LOADED", sorted(m for m in heavy if m in sys.modules or any(
    k.startswith(m + ".") for k in sys.modules)))
"""


@pytest.mark.slow  # a fresh interpreter
def test_the_report_command_imports_no_model_index_or_server(tmp_path: Path) -> None:
    """`samsvar report --no-gaps` needs the database and the answer files, nothing of the
    retriever, the model or the web server (decision 0101: the command within a second);
    what it made is frozen before the interpreter's collector runs at exit."""
    import os
    import subprocess
    import sys

    data_dir, root = stored_week(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(heavy=HEAVY),
            "report",
            "--from",
            "2026-12-07",
            "--to",
            "2026-12-13",
            "--answers",
            str(root),
            "--no-gaps",
        ],
        env=os.environ | {"CHAT_DATA_DIR": str(data_dir), "ORT_DISABLE_TELEMETRY": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Inquiries" in done.stdout
    assert "LOADED []" in done.stdout, done.stdout.splitlines()[-1]
    assert "FROZEN True" in done.stdout


def test_the_cheap_head_check_reads_the_revision_alembic_reads() -> None:
    from app.migrate import get_head_revision, head_from_files

    assert head_from_files() == get_head_revision()
