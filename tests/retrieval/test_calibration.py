"""Choosing thresholds from labelled outcomes, on hand-made outcomes (no model involved)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.calibration import Outcomes, choose_thresholds

# (confidence, top-3 confidence, in scope, top-1 right, right among top 3)
Row = tuple[float, float, bool, bool, bool]


def outcomes(rows: list[Row]) -> Outcomes:
    conf, conf3, in_scope, right1, right3 = zip(*rows, strict=True)
    return Outcomes(
        np.asarray(conf, dtype=np.float32),
        np.asarray(conf3, dtype=np.float32),
        np.asarray(in_scope, dtype=bool),
        np.asarray(right1, dtype=bool),
        np.asarray(right3, dtype=bool),
    )


def right(conf: float) -> Row:
    return (conf, conf, True, True, True)


def wrong(conf: float) -> Row:
    return (conf, conf, True, False, False)


def off_topic(conf: float) -> Row:
    return (conf, conf, False, False, False)


def test_separable_confidences_put_the_threshold_between_the_groups() -> None:
    rows = [right(0.7), right(0.8), right(0.9), off_topic(0.1), off_topic(0.2), off_topic(0.3)]

    thresholds = choose_thresholds(outcomes(rows))

    assert 0.3 < thresholds.answer <= 0.7
    assert thresholds.clarify == 1.01  # nothing is left for a question back to help with
    assert thresholds.source == "auto"


def test_a_confidence_band_that_is_mostly_wrong_is_not_answered() -> None:
    # Answering an in-scope question could never lose anything if wrong answers cost nothing;
    # as they cost half a right answer on top, one right and three wrong answers at the same
    # confidence are worse than handing off, while three right and one wrong are not.
    sure = [right(0.9), right(0.9), right(0.9)]
    mostly_wrong = [right(0.6), wrong(0.6), wrong(0.6), wrong(0.6)]
    mostly_right = [right(0.6), right(0.6), right(0.6), wrong(0.6)]

    assert 0.6 < choose_thresholds(outcomes(sure + mostly_wrong)).answer <= 0.9
    assert choose_thresholds(outcomes(sure + mostly_right)).answer <= 0.6


def test_clarify_when_the_right_answer_is_usually_among_the_first_three() -> None:
    rows = [
        right(0.9),
        right(0.85),
        (0.3, 0.8, True, False, True),
        (0.25, 0.75, True, False, True),
        off_topic(0.2),
        off_topic(0.1),
    ]

    thresholds = choose_thresholds(outcomes(rows), source="calibrated")

    assert 0.3 < thresholds.answer <= 0.85
    assert 0.2 < thresholds.clarify <= 0.75
    assert thresholds.source == "calibrated"


def test_the_two_samples_weigh_the_same_whatever_their_sizes() -> None:
    many_in_scope = outcomes([right(0.9)] * 6 + [off_topic(0.1)] * 2).weights()
    many_off_topic = outcomes([right(0.9)] * 2 + [off_topic(0.1)] * 6).weights()

    assert many_in_scope.sum() == pytest.approx(1.0)
    assert many_in_scope[:6].sum() == pytest.approx(many_off_topic[:2].sum())
    assert many_in_scope[6:].sum() == pytest.approx(many_off_topic[2:].sum())
    assert 0.0 < many_in_scope[6:].sum() < 1.0
    assert np.unique(many_in_scope[:6]).size == np.unique(many_in_scope[6:]).size == 1
    assert outcomes([right(0.9)] * 4).weights() == pytest.approx([0.25] * 4)
