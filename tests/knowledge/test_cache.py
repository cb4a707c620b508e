"""A validated answer base kept between runs of a short command: the same base back without
parsing, and never a stale one."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from knowledge import AnswerBase, AnswerBaseInvalid, get_demo_dir, load_answer_base
from tests.builders import make_answer_dict, write_base

TODAY = datetime.date(2026, 12, 6)


def _plant(tmp_path: pathlib.Path, cache: pathlib.Path) -> AnswerBase:
    """Put another base's kept file in the place of the one in `cache`: a load that returns
    the other base read the kept file; one that returns its own parsed the files."""
    other_root = write_base(tmp_path / "other", [make_answer_dict(id="planted")])
    other_cache = tmp_path / "other-cache"
    other = load_answer_base(other_root, today=TODAY, cache_dir=other_cache)
    (kept,) = cache.iterdir()
    kept.write_bytes(next(other_cache.iterdir()).read_bytes())
    return other


def test_a_second_load_reads_the_kept_base_without_parsing(tmp_path: pathlib.Path) -> None:
    cache = tmp_path / "cache"
    first = load_answer_base(get_demo_dir(), today=TODAY, cache_dir=cache)
    assert [p.stat().st_mode & 0o777 for p in cache.iterdir()] == [0o600]
    again = load_answer_base(get_demo_dir(), today=TODAY, cache_dir=cache)
    assert again == first and again.get(first.answers[0].id) == first.answers[0]
    other = _plant(tmp_path, cache)
    assert load_answer_base(get_demo_dir(), today=TODAY, cache_dir=cache) == other


def test_a_changed_file_or_another_day_loads_again(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict(id="returns")])
    cache = tmp_path / "cache"
    load_answer_base(root, today=TODAY, cache_dir=cache)
    file = root / "returns.yaml"
    file.write_text(file.read_text().replace("Payment declined", "Card refused"))
    changed = load_answer_base(root, today=TODAY, cache_dir=cache)
    assert changed.answers[0].title == "Card refused"
    assert len(list(cache.iterdir())) == 1  # the stale one is gone
    other = _plant(tmp_path, cache)
    tomorrow = load_answer_base(root, today=TODAY + datetime.timedelta(days=1), cache_dir=cache)
    assert tomorrow != other and tomorrow.answers[0].title == "Card refused"


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
