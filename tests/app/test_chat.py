"""`samsvar chat`: a conversation in the terminal that remembers its turns."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import RunSamsvar


def blocks(stdout: str) -> list[str]:
    """The printed outcomes, one per message (each starts with "decision:")."""
    return ["decision:" + part for part in stdout.split("decision:")[1:]]


def test_a_conversation_with_a_follow_up_a_choice_and_a_request_for_a_person(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    lines = [
        "Kan jeg endre bestillingen?",
        "og avbestille den?",
        "levering",
        "2",
        "kan jeg snakke med et menneske?",
        "",
    ]
    done = run_samsvar("chat", data_dir=demo_data_dir, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    first, follow_up, clarify, chosen, handoff = blocks(done.stdout)
    assert "answer id:  change-order" in first
    assert "answer id:  cancel-order" in follow_up
    assert "read with:  Kan jeg endre bestillingen?" in follow_up
    assert "decision:   clarify" in clarify
    second_choice = clarify.split("  2. ")[1].split("[")[1].split("]")[0]
    assert f"answer id:  {second_choice}" in chosen
    assert "confidence: 1.000" in chosen
    assert "decision:   handoff" in handoff
    assert "hand-off:   asked_for_human" in handoff
    assert "Jeg henter en person" in handoff


def test_ask_json_shows_the_flags_and_the_hand_off(
    demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    done = run_samsvar("ask", "talk to a human", "--json", data_dir=demo_data_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["decision"], data["reason"], data["lang"]) == ("handoff", "asked_for_human", "en")
    assert (data["team"], data["question"], data["tried"]) == ("support", None, [])
    assert (data["offer_human"], data["ask_feedback"]) == (False, False)
