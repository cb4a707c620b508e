"""The demo base's suites: valid against the base, the generated one up to date, and every one
passing its gate through the CLI, as the project's CI runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import check_suite_against, generate_suite, load_suite
from knowledge import get_demo_dir, load_answer_base
from tests.conftest import RunSamsvar

SUITES = sorted((get_demo_dir().parent / "suites").glob("*.yaml"))


def test_the_demo_ships_its_suites() -> None:
    assert [p.name for p in SUITES] == ["conversations.yaml", "generated.yaml", "smoke.yaml"]


@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_every_demo_suite_is_valid_against_the_demo_base_and_has_a_gate(path: Path) -> None:
    suite = load_suite(path)
    assert suite.answers == get_demo_dir().resolve()
    check_suite_against(suite, load_answer_base(get_demo_dir()))
    assert suite.gate is not None and suite.gate.limits


def test_the_generated_demo_suite_is_up_to_date() -> None:
    """Regenerate it (`samsvar eval generate knowledge/demo/answers --out …`) when this fails."""
    shipped = load_suite(SUITES[1])
    fresh = generate_suite(load_answer_base(get_demo_dir()))
    assert [
        (c.id, [(t.ask, t.expect.decision, t.expect.urgency) for t in c.turns], c.held_out)
        for c in shipped.cases
    ] == [
        (
            c["id"],
            [(t["ask"], t["expect"], t.get("urgency")) for t in _turns(c)],
            c.get("held_out", False),
        )
        for c in fresh.cases
    ]


def _turns(case: dict[str, object]) -> list[dict[str, object]]:
    """A generated case's turns: its conversation, or the one question it asks."""
    turns = case.get("turns", [case])
    assert isinstance(turns, list)
    return turns


@pytest.mark.slow
@pytest.mark.parametrize("path", SUITES, ids=lambda p: p.stem)
def test_every_demo_suite_passes_its_gate(
    path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    done = run_samsvar("eval", str(path), "--jobs", "2", "--failed-only", data_dir=demo_data_dir)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "gate: passed" in done.stdout
