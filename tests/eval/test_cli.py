"""`samsvar eval`: the readable summary, the documented JSON, and refusing invalid suites."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import RunSamsvar

SUITE_KEYS = {"suite", "cases", "summary"}
CASE_KEYS = {
    "id",
    "ask",
    "expect",
    "decision",
    "answer_id",
    "ranked",
    "confidence",
    "lang",
    "passed",
    "ms",
}
DECISIONS = {"answer", "clarify", "collect", "handoff", "abstain"}

SUITE = """
name: cli-suite
cases:
  - id: tracking
    ask: Hvor er pakken min? Jeg vil gjerne spore den.
    expect: order-tracking
    lang: nb
  - id: off-topic
    ask: Hvem vant fotball-VM i 2018?
    expect: abstain
  - id: payment-page
    ask: kortet ble avvist
    page: https://shop.example/checkout/payment-failed
    expect: payment-declined
  - ask: Where is my parcel? I would like to track it.
    expect: order-tracking
    lang: en
  - ask: Hvor er pakken min?
    expect: returns
"""
SUITE_LANGS = {"tracking": "nb", "4": "en"}


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def expected_pass(case: dict[str, Any]) -> bool:
    if case["expect"] in ("abstain", "clarify", "handoff"):
        ok = case["decision"] == case["expect"]
    else:
        ok = case["decision"] == "answer" and case["answer_id"] == case["expect"]
    wanted = SUITE_LANGS.get(case["id"])
    return ok and (wanted is None or case["lang"] == wanted)


def test_eval_writes_the_documented_json(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    suite = write(tmp_path / "suite.yaml", SUITE)
    out = tmp_path / "reports" / "out.json"
    done = run_samsvar("eval", str(suite), "--json", str(out), data_dir=demo_data_dir)
    assert done.returncode == 0, done.stderr

    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= SUITE_KEYS  # more keys may be added, none of these may change
    assert report["suite"] == "cli-suite"
    cases = report["cases"]
    assert [c["id"] for c in cases] == ["tracking", "off-topic", "payment-page", "4", "5"]
    for case in cases:
        assert set(case) >= CASE_KEYS, case["id"]
        assert case["decision"] in DECISIONS
        if case["decision"] == "answer":
            assert isinstance(case["answer_id"], str)
        else:
            assert case["answer_id"] is None
        assert len(case["ranked"]) >= 5
        assert all(set(r) == {"id", "score"} for r in case["ranked"])
        scores = [r["score"] for r in case["ranked"]]
        assert scores == sorted(scores, reverse=True)
        assert len({r["id"] for r in case["ranked"]}) == len(case["ranked"])
        assert isinstance(case["confidence"], float) and 0.0 <= case["confidence"] <= 1.0
        assert isinstance(case["ms"], float) and case["ms"] > 0
        assert case["lang"] in {"nb", "nn", "sv", "da", "fi", "en"}
        assert case["passed"] is expected_pass(case), case

    by_id = {c["id"]: c for c in cases}
    assert by_id["tracking"]["ask"] == "Hvor er pakken min? Jeg vil gjerne spore den."
    assert (by_id["tracking"]["answer_id"], by_id["tracking"]["passed"]) == ("order-tracking", True)
    assert by_id["off-topic"]["decision"] == "abstain" and by_id["off-topic"]["passed"]
    assert by_id["payment-page"]["answer_id"] == "payment-declined"
    assert (by_id["4"]["lang"], by_id["4"]["passed"]) == ("en", True)
    assert by_id["5"]["expect"] == "returns" and by_id["5"]["passed"] is False
    assert report["summary"] == {"cases": 5, "passed": sum(c["passed"] for c in cases)}
    assert report["summary"]["passed"] == 4

    assert "PASS  tracking: expected order-tracking, got order-tracking" in done.stdout
    assert "FAIL  5: expected returns, got order-tracking" in done.stdout
    assert "cli-suite: 4/5 passed" in done.stdout


def test_invalid_suite_exits_2_and_writes_nothing(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    suite = write(
        tmp_path / "suite.yaml",
        """
        name: broken
        cases:
          - ask: hei
            expect: abstain
            language: nb
          - id: q2
            expect: abstain
        """,
    )
    out = tmp_path / "out.json"
    data_dir = tmp_path / "data"
    done = run_samsvar("eval", str(suite), "--json", str(out), data_dir=data_dir)
    assert done.returncode == 2
    assert f"{suite}:5: cases[0].language: unknown key" in done.stderr
    assert f"{suite}:6: cases[1].ask: required" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not out.exists()
    assert not data_dir.exists()  # refused before anything was opened or indexed


def test_unknown_answer_id_exits_2_and_writes_nothing(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    suite = write(
        tmp_path / "suite.yaml",
        """
        cases:
          - id: typo
            ask: Hvor er pakken min?
            expect: order-trakcing
        """,
    )
    out = tmp_path / "out.json"
    done = run_samsvar("eval", str(suite), "--json", str(out), data_dir=demo_data_dir)
    assert done.returncode == 2
    assert f"{suite}:2: case typo.expect: unknown answer id 'order-trakcing'" in done.stderr
    assert not out.exists()


def test_missing_suite_file(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    suite = tmp_path / "nope.yaml"
    done = run_samsvar("eval", str(suite), data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert f"{suite}: suite file not found" in done.stderr
