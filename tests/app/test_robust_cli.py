"""The commands on hostile files (decision 0113): YAML nested 5,000 deep and links out of the
answer base give a clear error and the documented exit code (0005: 1 for an answer base with
problems, 2 for an invalid suite), never a traceback, and never the content of the target."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from tests.builders import make_answer_dict, write_answer_file, write_base

DEEP = "[" * 5000 + "]" * 5000


def test_answers_check_reports_yaml_nested_5000_deep(tmp_path: Path) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    deep = write_answer_file(root, f"id: deep\ntitle: {DEEP}\n", "deep.yaml")
    done = CliRunner().invoke(app, ["answers", "check", str(root), "--no-index"])
    assert done.exit_code == 1, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert f"{deep}: the file is not valid YAML: it nests too deeply to be read" in done.output
    assert "1 error(s): the answer base was not indexed." in done.output
    assert "Traceback" not in done.output


def test_answers_check_refuses_a_link_out_of_the_base_and_does_not_print_it(
    tmp_path: Path,
) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    secret = tmp_path / "home" / "passwords.yaml"
    secret.parent.mkdir()
    secret.write_text("root: [not yaml at all\n", encoding="utf-8")  # would be quoted if read
    (root / "faq.yaml").symlink_to(secret)
    done = CliRunner().invoke(app, ["answers", "check", str(root), "--no-index"])
    assert done.exit_code == 1, done.output
    assert f"{root / 'faq.yaml'}: the file is a symbolic link, and links are not followed" in (
        done.output
    )
    assert "passwords" not in done.output and "not yaml at all" not in done.output


def test_eval_refuses_a_suite_nested_5000_deep_with_exit_2(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"name: deep\ncases: {DEEP}\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["eval", "run", str(suite)])
    assert done.exit_code == 2, done.output
    assert f"{suite}: malformed YAML: it nests too deeply to be read" in done.output
    assert "Traceback" not in done.output
