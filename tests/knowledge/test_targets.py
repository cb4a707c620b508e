"""Service targets per channel in base.yaml (`targets:`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import AnswerBaseInvalid, ServiceTarget, load_answer_base
from tests.builders import make_answer_dict, write_base


def test_targets_are_read_as_seconds(tmp_path: Path) -> None:
    root = write_base(
        tmp_path,
        [make_answer_dict()],
        base={
            "targets": {
                "widget": {"first_reply": "10s", "resolution": "8h"},
                "email": {"first_reply": 86400},
            }
        },
    )
    targets = load_answer_base(root).config.targets
    assert targets == {
        "widget": ServiceTarget(first_reply=10.0, resolution=28800.0),
        "email": ServiceTarget(first_reply=86400.0),
    }


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            {"widget": {"first_reply": "soon"}},
            "targets.widget.first_reply: 'soon' is not a duration",
        ),
        ({"widget": {"first_answer": "10s"}}, "first_answer"),
        ({"Web Chat": {"first_reply": "10s"}}, "'Web Chat' is not a channel name"),
    ],
)
def test_bad_targets_are_errors_with_their_field(
    tmp_path: Path, targets: dict[str, object], message: str
) -> None:
    root = write_base(tmp_path, [make_answer_dict()], base={"targets": targets})
    with pytest.raises(AnswerBaseInvalid) as caught:
        load_answer_base(root)
    assert message in str(caught.value)
    assert "base.yaml" in str(caught.value)
