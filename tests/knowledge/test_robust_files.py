"""Hostile answer bases (decision 0113): YAML nested too deeply to read, symbolic links out of
the base, and field patterns that backtrack exponentially: each a problem with its file (and
line where there is one), never an exception, and never the content of a file outside."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest

from knowledge import check_answer_base, get_demo_dir, load_answer_base
from knowledge._regex import backtracking_problem
from tests.builders import (
    make_answer_dict,
    make_fields_dict,
    write_answer_file,
    write_base,
)

TODAY = datetime.date(2026, 1, 15)
SECRET = "db_password: hunter2-not-for-agents\n"


def _errors(root: pathlib.Path) -> list[str]:
    base, problems = check_answer_base(root, today=TODAY)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert (base is None) == bool(errors)
    return errors


def test_yaml_nested_5000_deep_is_a_problem_of_its_file_not_a_recursion_error(
    tmp_path: pathlib.Path,
) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    deep = write_answer_file(root, "id: deep\ntitle: " + "[" * 5000 + "]" * 5000 + "\n", "d.yaml")
    errors = _errors(root)
    assert errors == [
        f"{deep}: the file is not valid YAML: it nests too deeply to be read "
        "(hundreds of levels); an answer base needs a few"
    ]


def test_a_file_linked_from_outside_the_base_is_refused_without_reading_or_naming_it(
    tmp_path: pathlib.Path,
) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.yaml").write_text(SECRET, encoding="utf-8")
    (root / "stolen.yaml").symlink_to(outside / "secret.yaml")
    (root / "more").symlink_to(outside, target_is_directory=True)
    errors = _errors(root)
    assert errors == [
        f"{root / 'more'}: the folder is a symbolic link, and links are not followed: "
        "put the files themselves in the answer base",
        f"{root / 'stolen.yaml'}: the file is a symbolic link, and links are not "
        "followed: put the file itself in the answer base",
    ]
    text = "\n".join(errors)
    assert "private" not in text and "hunter2" not in text


def test_base_yaml_as_a_link_is_refused_too(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict()])
    (tmp_path / "elsewhere.yaml").write_text("default_language: nb\n", encoding="utf-8")
    (root / "base.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert _errors(root) == [
        f"{root / 'base.yaml'}: the file is a symbolic link, and links are not "
        "followed: put the file itself in the answer base"
    ]


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)+$", r"^(\w+\s?)*$", r"(a|aa)*b", r"^(\d\d|\w\w)+x$", r"(x+x+)+y", r"(?=(a*)*)a"],
)
def test_a_field_pattern_that_backtracks_exponentially_is_refused_with_file_and_line(
    tmp_path: pathlib.Path, pattern: str
) -> None:
    fields = make_fields_dict()
    fields["order_number"]["pattern"] = pattern
    fields["order_number"].pop("example")
    root = write_base(tmp_path, [make_answer_dict()], fields=fields)
    errors = _errors(root)
    assert len(errors) == 1, errors
    assert re.fullmatch(
        rf"{re.escape(str(root / 'fields.yaml'))}:\d+: order_number\.pattern: "
        r"repeats .* exponential time on some text; .*",
        errors[0],
    ), errors[0]


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d{6,10}",
        r"^(\d{3}-)+\d{4}$",  # a repeated part of one length
        r"(a+)++$",  # possessive: gives nothing back
        r"(?>a+)+$",  # atomic
        r"^(?:[ -]?[0-9]){5,11}$",  # a small bound
        r"(foo|bar)+",  # alternatives that start differently
        r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$",
    ],
)
def test_patterns_that_cannot_blow_up_are_accepted(pattern: str) -> None:
    assert backtracking_problem(pattern) is None


def test_the_demo_base_passes_every_check() -> None:
    base = load_answer_base(get_demo_dir(), today=TODAY)
    assert all(backtracking_problem(f.pattern) is None for f in base.fields.values() if f.pattern)
