"""A validated answer base kept between runs of a short command: the same base back without
parsing, and never a stale one."""

from __future__ import annotations

import datetime
import pathlib

import pytest

import knowledge._answer_file
from knowledge import AnswerBaseInvalid, get_demo_dir, load_answer_base
from tests.builders import make_answer_dict, write_base

TODAY = datetime.date(2026, 12, 6)


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the base was parsed again")

    monkeypatch.setattr(knowledge._answer_file, "parse_answer_file", refuse)


def test_a_second_load_reads_the_kept_base_without_parsing(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = load_answer_base(get_demo_dir(), today=TODAY, cache_dir=cache)
    assert [p.stat().st_mode & 0o777 for p in cache.iterdir()] == [0o600]
    _no_parsing(monkeypatch)
    again = load_answer_base(get_demo_dir(), today=TODAY, cache_dir=cache)
    assert again == first and again.get(first.answers[0].id) == first.answers[0]


def test_a_changed_file_or_another_day_loads_again(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_base(tmp_path, [make_answer_dict(id="returns")])
    cache = tmp_path / "cache"
    load_answer_base(root, today=TODAY, cache_dir=cache)
    file = root / "returns.yaml"
    file.write_text(file.read_text().replace("Payment declined", "Card refused"))
    changed = load_answer_base(root, today=TODAY, cache_dir=cache)
    assert changed.answers[0].title == "Card refused"
    assert len(list(cache.iterdir())) == 1  # the stale one is gone
    _no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed again"):
        load_answer_base(root, today=TODAY + datetime.timedelta(days=1), cache_dir=cache)


def test_an_invalid_base_is_never_kept_and_a_damaged_cache_is_replaced(
    tmp_path: pathlib.Path,
) -> None:
    root = write_base(tmp_path, [make_answer_dict(id="returns")])
    cache = tmp_path / "cache"
    file = root / "returns.yaml"
    good = file.read_text()
    file.write_text("id: [unclosed\n")
    with pytest.raises(AnswerBaseInvalid):
        load_answer_base(root, today=TODAY, cache_dir=cache)
    assert not cache.exists() or not list(cache.iterdir())
    file.write_text(good)
    base = load_answer_base(root, today=TODAY, cache_dir=cache)
    (kept,) = cache.iterdir()
    kept.write_bytes(b"not a pickle")
    assert load_answer_base(root, today=TODAY, cache_dir=cache) == base
    assert kept.read_bytes() != b"not a pickle"
