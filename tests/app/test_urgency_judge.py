"""A suite's hand-off urgency, judged by the hand-off's rules through `samsvar eval`'s judge."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from app.urgency_judge import judge_urgency
from eval import load_suite, run_suite
from knowledge import get_demo_dir

if TYPE_CHECKING:
    from app.engine import Engine

SUITE = """
answers: {answers}
cases:
  - id: urgent-met
    ask: Kontoen min er hacket! Jeg vil snakke med et menneske nå
    expect: handoff
    urgency: urgent
  - id: urgency-wrong
    ask: Kontoen min er hacket! Jeg vil snakke med et menneske nå
    expect: handoff
    urgency: low
  - id: no-rule-fires
    ask: Jeg vil snakke med et menneske
    expect: handoff
    urgency: normal
"""


def test_the_judge_gives_each_hand_off_the_servers_urgency(
    tmp_path: Path, demo_engine: Engine
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(SUITE.format(answers=get_demo_dir())), encoding="utf-8")
    met, wrong, plain = run_suite(load_suite(path), demo_engine.bot, judge=judge_urgency)
    assert (met.passed, met.turns[0].urgency) == (True, "urgent")
    assert wrong.turns[0].failures == ("expected urgency low, got urgent",)
    assert (plain.passed, plain.turns[0].urgency) == (True, "normal")

    unjudged = run_suite(load_suite(path), demo_engine.bot)[0]
    assert unjudged.turns[0].urgency is None
    assert unjudged.turns[0].failures[0].startswith("expected urgency urgent, but no urgency")
