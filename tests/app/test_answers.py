"""`samsvar answers check / import`: validation with file and line, thresholds, CSV import."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge import get_demo_dir
from tests.builders import make_answer_dict, write_answer_file, write_base
from tests.conftest import RunSamsvar

DEMO = get_demo_dir()

CSV = (
    "Question;Answer;Language;ID\n"
    "Hvor er pakken min?;Pakken din er på vei. Følg den på Min side.;nb;order-tracking\n"
    "Når kommer pakken?;Pakken din er på vei. Følg den på Min side.;nb;order-tracking\n"
    "Where is my parcel?;Your parcel is on its way.;en;order-tracking\n"
    "Kan jeg returnere varen?;Ja, innen 30 dager.;;returns\n"
)


def test_check_demo_warns_about_the_expired_review_date_and_reports_thresholds(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    done = run_samsvar("answers", "check", str(DEMO), data_dir=demo_data_dir)
    assert done.returncode == 0, done.stderr
    assert re.search(
        r"student-discount\.yaml:\d+: warning: review_by: .*2025-01-01 has passed", done.stdout
    )
    assert "ok: 46 published answers, languages da, en, fi, nb, nn, sv" in done.stdout
    assert re.search(r"^thresholds \(auto\): answer 0\.\d{3}, clarify 0\.\d{3}$", done.stdout, re.M)


def test_check_without_indexing(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    data_dir = tmp_path / "data"
    done = run_samsvar("answers", "check", str(DEMO), "--no-index", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "review_by" in done.stdout
    assert "ok: 46 published answers" in done.stdout
    assert "thresholds" not in done.stdout
    assert not data_dir.exists()


def test_check_broken_base_lists_every_problem(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    root = write_base(
        tmp_path,
        [
            make_answer_dict(),
            make_answer_dict(title="Again"),
            make_answer_dict(id="Bad Id", title="Bad"),
        ],
    )
    bad = write_answer_file(root, "id: broken\ntitle: [unclosed\nquestions: [a]\n", "broken.yaml")
    data_dir = tmp_path / "data"
    done = run_samsvar("answers", "check", str(root), data_dir=data_dir)
    assert done.returncode == 1
    assert f"{bad}:3: the file is not valid YAML" in done.stderr
    assert f"{root / 'payment-declined.yaml'}:1: id:" in done.stderr
    assert "already used" in done.stderr
    assert re.search(rf"{re.escape(str(root / 'Bad Id.yaml'))}:1: id: ", done.stderr)
    assert "3 error(s): the answer base was not indexed." in done.stderr
    assert "Traceback" not in done.stderr
    assert not data_dir.exists()


def test_import_writes_files_that_check_accepts(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    out = tmp_path / "imported"
    data_dir = tmp_path / "data"
    done = run_samsvar("answers", "import", str(csv_file), "--out", str(out), data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert f"wrote 2 answer files to {out}" in done.stdout
    assert sorted(p.name for p in out.iterdir()) == ["order-tracking.yaml", "returns.yaml"]

    done = run_samsvar("answers", "check", str(out), "--no-index", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert "ok: 2 published answers, languages en, nb" in done.stdout


def test_import_latin1_csv_names_the_encoding_and_writes_nothing(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_bytes(CSV.encode("latin-1"))
    out = tmp_path / "imported"
    done = run_samsvar(
        "answers", "import", str(csv_file), "--out", str(out), data_dir=tmp_path / "data"
    )
    assert done.returncode == 1
    assert f"{csv_file}:2:" in done.stderr
    assert "not UTF-8" in done.stderr
    assert "Latin-1" in done.stderr
    assert "No files were written." in done.stderr
    assert not out.exists()
