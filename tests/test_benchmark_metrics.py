"""The benchmark metrics on synthetic numbers (no dataset, no model)."""

from __future__ import annotations

import math

import pytest

from benchmarks import metrics

# Six queries, most confident first: right, right, wrong, out of scope, right, out of scope.
RANKED = [["a"], ["b"], ["a"], ["a"], ["c"], ["b"]]
EXPECTED: list[str | None] = ["a", "b", "b", None, "c", None]
CONFIDENCES = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]


def test_answer_rate() -> None:
    assert metrics.answer_rate(CONFIDENCES, None) == 1.0
    assert metrics.answer_rate(CONFIDENCES, 0.65) == pytest.approx(3 / 6)
    assert metrics.answer_rate(CONFIDENCES, 0.95) == 0.0


def test_answered_right_wrong_and_abstained_at_a_threshold() -> None:
    # Answer the top three: two right, one wrong; both out-of-scope queries abstained.
    assert metrics.in_scope_accuracy(RANKED, CONFIDENCES, EXPECTED, 0.65) == pytest.approx(2 / 4)
    assert metrics.wrong_answer_rate(RANKED, CONFIDENCES, EXPECTED, 0.65) == pytest.approx(1 / 6)
    assert metrics.oos_recall(CONFIDENCES, EXPECTED, 0.65) == 1.0


@pytest.mark.parametrize(
    ("budget", "coverage"),
    [
        (0.0, 2 / 6),  # stop before the first wrong answer
        (0.17, 3 / 6),  # one wrong (1/6) allowed; the second comes with the fourth answer
        (0.34, 5 / 6),  # two wrong allowed; the sixth answer would be the third
        (0.5, 1.0),
    ],
)
def test_coverage_at_wrong(budget: float, coverage: float) -> None:
    got = metrics.coverage_at_wrong(RANKED, CONFIDENCES, EXPECTED, budget)
    assert got == pytest.approx(coverage)


def test_coverage_takes_the_largest_share_not_the_first_break() -> None:
    # wrong, then many right: answering nothing is allowed, but answering all keeps 1/5 wrong.
    ranked = [["x"], ["a"], ["a"], ["a"], ["a"]]
    expected: list[str | None] = ["a"] * 5
    confidences = [0.9, 0.8, 0.7, 0.6, 0.5]
    assert metrics.coverage_at_wrong(ranked, confidences, expected, 0.2) == 1.0
    assert metrics.coverage_at_wrong(ranked, confidences, expected, 0.1) == 0.0


def test_coverage_never_splits_tied_confidences() -> None:
    ranked = [["a"], ["a"], ["x"]]
    expected: list[str | None] = ["a", "a", "a"]
    # The wrong answer ties with a right one: both or neither.
    confidences = [0.9, 0.5, 0.5]
    assert metrics.coverage_at_wrong(ranked, confidences, expected, 0.0) == pytest.approx(1 / 3)


def test_coverage_counts_answered_out_of_scope_as_wrong() -> None:
    ranked = [["a"], ["a"]]
    expected: list[str | None] = [None, "a"]
    assert metrics.coverage_at_wrong(ranked, [0.9, 0.8], expected, 0.0) == 0.0
    assert metrics.coverage_at_wrong(ranked, [0.8, 0.9], expected, 0.0) == 0.5


def test_coverage_without_queries_is_nan() -> None:
    assert math.isnan(metrics.coverage_at_wrong([], [], [], 0.05))
