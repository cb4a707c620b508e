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


def test_the_answer_threshold_answers_as_much_as_the_policy_allows() -> None:
    # In scope only: at 0.6 two of forty questions would get a wrong answer (5 %).
    sure = [right(0.9)] * 20
    band = [right(0.6)] * 18 + [wrong(0.6)] * 2

    assert choose_thresholds(outcomes(sure + band), max_wrong=0.03).answer > 0.6
    assert choose_thresholds(outcomes(sure + band), max_wrong=0.05).answer <= 0.6
    assert choose_thresholds(outcomes(sure + band), max_wrong=0.0).answer > 0.6
    assert choose_thresholds(outcomes(sure + band)).max_wrong == 0.03  # the default policy


def test_a_wrong_band_above_the_threshold_is_never_skipped_over() -> None:
    # Answering down to 0.5 would be within 10 % overall, but the band at 0.8 alone is not:
    # the threshold must keep every higher threshold within the policy too.
    rows = [wrong(0.8)] * 3 + [right(0.95)] * 10 + [right(0.5)] * 30

    thresholds = choose_thresholds(outcomes(rows), max_wrong=0.05)

    assert thresholds.answer > 0.8


def test_off_topic_messages_answered_count_as_wrong_answers() -> None:
    rows = [right(0.9)] * 10 + [off_topic(0.7)] * 5 + [off_topic(0.1)] * 5

    # Off topic is 30 % of the traffic; half of it sits at 0.7: answering there is 15 % wrong.
    assert choose_thresholds(outcomes(rows), max_wrong=0.1).answer > 0.7
    assert choose_thresholds(outcomes(rows), max_wrong=0.2).answer <= 0.7


def test_the_expectation_says_what_the_threshold_gives_with_an_interval() -> None:
    rows = [right(0.9)] * 60 + [wrong(0.9)] * 2 + [right(0.4)] * 30 + [wrong(0.4)] * 8
    rows += [off_topic(0.2)] * 50

    thresholds = choose_thresholds(outcomes(rows), max_wrong=0.03)
    expected = thresholds.expected

    assert expected is not None
    assert 0.4 < thresholds.answer <= 0.9
    # In scope 70 % of traffic: 62 of 100 in-scope questions answered, 2 of them wrongly.
    assert expected.answer_rate == pytest.approx(0.7 * 0.62, abs=1e-3)
    assert expected.wrong_rate == pytest.approx(0.7 * 0.02, abs=1e-3)
    low, high = expected.wrong_rate_range
    assert low <= expected.wrong_rate <= high
    assert expected.evidence == (100, 50)


def test_relative_weights_split_each_side_as_given() -> None:
    rows = [right(0.9)] * 2 + [off_topic(0.1)] * 4
    given = np.asarray([1.0, 3.0, 1.0, 1.0, 1.0, 3.0], dtype=np.float32)
    o = outcomes(rows)
    weighted = Outcomes(
        o.confidence, o.top3_confidence, o.in_scope, o.top1_correct, o.top3_correct, given
    ).weights()

    assert weighted.sum() == pytest.approx(1.0)
    assert weighted[:2] == pytest.approx([0.7 * 0.25, 0.7 * 0.75])
    assert weighted[2:] == pytest.approx([0.3 / 6, 0.3 / 6, 0.3 / 6, 0.3 / 2])


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
