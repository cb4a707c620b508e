"""`samsvar answers check / import / learn`: validation with file and line, thresholds, CSV
import, and learning new phrasings from real questions."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from app.cli import app
from knowledge import get_demo_dir
from tests.app.traffic import shop_base, traffic, with_database
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
    assert "registration templates: 3 (templates.yaml)" in done.stdout
    assert re.search(r"^thresholds \(auto\): answer 0\.\d{3}, clarify 0\.\d{3}$", done.stdout, re.M)
    assert "answering policy: at most 3.0 % of all questions answered wrongly" in done.stdout
    expected = re.search(
        r"^expected: answers (\d+\.\d) % of questions \(.*\), wrong (\d\.\d) % \(.*\), 90 %",
        done.stdout,
        re.M,
    )
    assert expected, done.stdout
    assert float(expected.group(2)) <= 3.0
    assert re.search(r"the base's own evidence weighs \d+ %", done.stdout)


def test_a_first_index_shows_how_far_it_is_on_standard_error(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    answers = [
        make_answer_dict(id=f"answer-{n}", title=f"Svar {n}", questions=[f"Spørsmål nummer {n}?"])
        for n in range(40)
    ]
    base = write_base(tmp_path / "base", answers)
    data_dir = tmp_path / "data"

    first = run_samsvar("answers", "index", "--answers", str(base), data_dir=data_dir)
    again = run_samsvar("answers", "index", "--answers", str(base), data_dir=data_dir)

    assert first.returncode == 0, first.stderr
    assert re.search(r"^Indexing the answer base: \d+ texts to embed\.$", first.stderr, re.M)
    assert re.search(r"^  embedded 64/\d+ \(\d+ %\), about \d+ s left$", first.stderr, re.M)
    assert re.search(r"^  embedded \d+ texts in \d+ s$", first.stderr, re.M)
    assert "Preparing the ranking models" in first.stderr
    assert "Indexing" not in again.stderr  # nothing to embed: nothing to show
    assert again.returncode == 0, again.stderr


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


def test_learn_lists_the_candidates_then_accepts_and_rejects_them_by_number(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    root = shop_base(tmp_path)
    data_dir = tmp_path / "data"
    with_database(f"sqlite:///{data_dir / 'samsvar.db'}", traffic)

    listed = run_samsvar("answers", "learn", "--answers", str(root), "--json", data_dir=data_dir)

    assert listed.returncode == 0, listed.stderr
    candidates = json.loads(listed.stdout)["candidates"]
    assert [(c["number"], c["question"], c["answer_id"], c["count"]) for c in candidates] == [
        (1, "Hvor er pakka mi nå", "order-tracking", 2),
        (2, "får jeg pengene tilbake for returen", "returns", 1),
        (3, "kortet mitt virker ikke i kassa", "payment-declined", 1),
        (4, "kan jeg sende tilbake en jakke", "returns", 1),
    ]
    assert candidates[0]["sources"] == {"helpful": 2}
    assert candidates[0]["language"] == "nb"

    decided = run_samsvar(
        "answers",
        "learn",
        "--answers",
        str(root),
        "--accept",
        "1,4",
        "--reject",
        "2",
        data_dir=data_dir,
    )

    assert decided.returncode == 0, decided.stderr
    tracking, returns = root / "order-tracking.yaml", root / "returns.yaml"
    assert f"1: added to order-tracking ({tracking}:7): Hvor er pakka mi nå" in decided.stdout
    assert f"4: added to returns ({returns}:6): kan jeg sende tilbake en jakke" in decided.stdout
    assert "2: rejected for returns: får jeg pengene tilbake for returen" in decided.stdout
    assert "- Hvor er pakka mi nå\nanswer:" in tracking.read_text(encoding="utf-8")


@pytest.fixture
def learn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, CliRunner]:
    """A base with stored traffic, and `samsvar` run in-process on it (from an empty folder,
    with no CHAT_* setting but CHAT_DATA_DIR and CHAT_ANSWERS_DIR)."""
    root = shop_base(tmp_path)
    data_dir = tmp_path / "data"
    with_database(f"sqlite:///{data_dir / 'samsvar.db'}", traffic)
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("CHAT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CHAT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHAT_ANSWERS_DIR", str(root))
    return root, CliRunner()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["answers", "learn", *args])


def test_learn_refuses_numbers_of_a_listing_made_before_the_base_changed(
    learn: tuple[Path, CliRunner],
) -> None:
    root, runner = learn
    assert invoke(runner).exit_code == 0
    tracking = root / "order-tracking.yaml"
    tracking.write_text(tracking.read_text(encoding="utf-8") + "owner: kari@shop.example\n")
    before = {p.name: p.read_bytes() for p in root.iterdir()}

    done = invoke(runner, "--accept", "1")

    assert done.exit_code == 1
    assert (
        "error: the answer base changed since the candidates were listed: run "
        "`samsvar answers learn` again" in done.stderr
    )
    assert "order-tracking.yaml" in done.stderr
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before


def test_learn_refuses_unknown_numbers_and_bad_usage(
    learn: tuple[Path, CliRunner],
) -> None:
    _, runner = learn
    never_listed = invoke(runner, "--accept", "1")
    assert never_listed.exit_code == 2
    assert "run `samsvar answers learn` first" in never_listed.stderr

    listing = invoke(runner)
    assert listing.exit_code == 0
    assert "  1      2  nb    helpful 2" in listing.stdout

    unknown = invoke(runner, "--accept", "9")
    assert unknown.exit_code == 2
    assert "there is no candidate 9 in the last listing (numbers: 1–4)" in unknown.stderr
    assert invoke(runner, "--accept", "one").exit_code == 2
    assert invoke(runner, "--accept", "1", "--reject", "1").exit_code == 2
    assert invoke(runner, "--assign", "Kan jeg bytte?").exit_code == 2
    missing = invoke(runner, "--assign", "Kan jeg bytte?", "--to", "retruns")
    assert missing.exit_code == 2
    assert 'there is no answer with the id "retruns"' in missing.stderr


def test_learn_assigns_a_question_unless_another_answer_has_it(
    learn: tuple[Path, CliRunner],
) -> None:
    root, runner = learn
    tracking = root / "order-tracking.yaml"

    taken = invoke(runner, "--assign", "where is my parcel", "--to", "returns")

    assert taken.exit_code == 1
    assert f"{tracking}:6: questions[1]: the question" in taken.stderr
    assert 'already belongs to the answer "order-tracking"' in taken.stderr
    assert "Nothing was written." in taken.stderr

    done = invoke(runner, "--assign", "Kan jeg bytte en vare?", "--to", "returns")

    assert done.exit_code == 0, done.stderr
    assert f"added to returns ({root / 'returns.yaml'}:6): Kan jeg bytte en vare?" in done.stdout
