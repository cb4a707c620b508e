"""`samsvar ask`: one question answered from the demo base, and refusals that open nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import make_answer_dict, write_answer_file, write_base
from tests.conftest import RunSamsvar

JSON_KEYS = {"decision", "answer_id", "text", "confidence", "lang", "ranked", "ms"}


def test_ask_json(demo_data_dir: Path, run_samsvar: RunSamsvar) -> None:
    done = run_samsvar(
        "ask", "Hvor er pakken min? Jeg vil gjerne spore den.", "--json", data_dir=demo_data_dir
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    assert set(data) >= JSON_KEYS
    assert data["decision"] == "answer"
    assert data["answer_id"] == "order-tracking"
    assert data["lang"] == "nb"
    assert data["text"].startswith("Når bestillingen er sendt")
    assert 0.0 <= data["confidence"] <= 1.0
    assert isinstance(data["ms"], float) and data["ms"] > 0
    assert len(data["ranked"]) >= 5
    assert data["ranked"][0]["id"] == "order-tracking"
    assert all(set(r) == {"id", "score"} for r in data["ranked"])


def test_ask_plain_with_a_page(demo_data_dir: Path, run_samsvar: RunSamsvar) -> None:
    done = run_samsvar(
        "ask",
        "kortet ble avvist",
        "--page",
        "https://shop.example/checkout/payment-failed",
        data_dir=demo_data_dir,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    heads = {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in lines[:5]}
    assert list(heads) == ["decision", "answer id", "confidence", "language", "time"]
    assert heads["decision"] == "answer"
    assert heads["answer id"] == "payment-declined"
    assert 0.0 <= float(heads["confidence"]) <= 1.0
    assert heads["language"] == "nb"
    assert heads["time"].endswith(" ms")
    assert "https://shop.example/help/payment/declined" in done.stdout


@pytest.mark.parametrize(
    ("question", "code"),
    [("", "empty_message"), ("   ", "empty_message"), ("a" * 10_000, "message_too_long")],
)
def test_invalid_question_exits_2_before_opening_anything(
    tmp_path: Path, run_samsvar: RunSamsvar, question: str, code: str
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    done = run_samsvar("ask", question, "--json", data_dir=data_dir)
    assert done.returncode == 2
    assert f"[{code}]" in done.stderr
    assert done.stderr.startswith("error: the message ")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert list(data_dir.iterdir()) == []


def broken_base(tmp_path: Path, kind: str) -> tuple[Path, list[str]]:
    """A base with one kind of error, and the 'file:line' texts its messages must name."""
    if kind == "missing folder":
        root = tmp_path / "no-such-base"
        return root, [f"{root}: answer base folder not found"]
    returns = make_answer_dict(
        id="returns", title="Returns", questions=["Kan jeg returnere varen?"], answer={"nb": "Ja."}
    )
    if kind == "duplicate id":
        root = write_base(tmp_path, [make_answer_dict(), make_answer_dict(title="Again"), returns])
        return root, [
            f"{root / 'payment-declined.yaml'}:1: id:",
            f"{root / 'payment-declined-1.yaml'}:1",
        ]
    root = write_base(tmp_path, [make_answer_dict(), returns])
    bad = write_answer_file(root, "id: broken\ntitle: [unclosed\nquestions: [a]\n", "broken.yaml")
    return root, [f"{bad}:3: the file is not valid YAML"]


@pytest.mark.parametrize("kind", ["duplicate id", "malformed YAML", "missing folder"])
def test_broken_answer_base_exits_1_and_indexes_nothing(
    tmp_path: Path, run_samsvar: RunSamsvar, kind: str
) -> None:
    root, expected = broken_base(tmp_path, kind)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    done = run_samsvar("ask", "Hvor er pakken min?", "--answers", str(root), data_dir=data_dir)
    assert done.returncode == 1
    for text in expected:
        assert text in done.stderr
    assert "Nothing was indexed." in done.stderr
    assert "Traceback" not in done.stderr
    assert list(data_dir.iterdir()) == []  # no Chroma folder, no collection, no fitted state
