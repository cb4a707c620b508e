"""`samsvar eval` as CI uses it: suites that pass and fail their gate on purpose against the demo
base, the baseline comparison, the reports, and bad input refused before anything runs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from app.eval_commands import GATE_FAILED
from tests.conftest import RunSamsvar

PASSING = """
name: passes-on-purpose
gate:
  min_accuracy: 0.75
  max_wrong_answer_rate: 0
  min_abstain_recall: 1
  min_hit_at_1: 0.75
cases:
  - id: tracking
    ask: Hvor er pakken min? Jeg vil gjerne spore den.
    expect: order-tracking
  - id: payment
    ask: kortet ble avvist
    page: https://shop.example/checkout/payment-failed
    expect: payment-declined
  - id: english
    ask: Where is my parcel? I would like to track it.
    expect: order-tracking
    lang: en
  - id: weather
    ask: Hvem vant fotball-VM i 2018?
    expect: abstain
"""

# The same cases, but one expects the wrong answer: accuracy 0.75 < 0.9, one wrong answer.
FAILING = (
    PASSING.replace("passes-on-purpose", "fails-on-purpose")
    .replace("min_accuracy: 0.75", "min_accuracy: 0.9")
    .replace(
        """  - id: payment
    ask: kortet ble avvist
    page: https://shop.example/checkout/payment-failed
    expect: payment-declined""",
        """  - id: payment
    ask: kortet ble avvist
    page: https://shop.example/checkout/payment-failed
    expect: double-charged""",
    )
)


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_suite_that_meets_its_gate_exits_0(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    suite = write(tmp_path / "passing.yaml", PASSING)
    done = run_samsvar("eval", str(suite), "--progress", data_dir=demo_data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passes-on-purpose: 4/4 passed" in done.stdout
    assert "eval: 100%" in done.stderr and "4/4" in done.stderr  # forced, though not a terminal
    assert "eval:" not in done.stdout
    assert "gate: passed" in done.stdout
    assert "  ok   min_accuracy: accuracy 1 >= 0.75" in done.stdout


@pytest.mark.slow
def test_a_suite_that_misses_its_gate_exits_3_with_the_reasons_and_all_reports(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    before = tmp_path / "before.json"
    done = run_samsvar(
        "eval",
        str(write(tmp_path / "passing.yaml", PASSING)),
        "--json",
        str(before),
        data_dir=demo_data_dir,
    )
    assert done.returncode == 0, done.stderr

    suite = write(tmp_path / "failing.yaml", FAILING)
    out, html = tmp_path / "after.json", tmp_path / "report" / "after.html"
    done = run_samsvar(
        "eval",
        "run",
        str(suite),
        "--json",
        str(out),
        "--html",
        str(html),
        "--baseline",
        str(before),
        "--failed-only",
        data_dir=demo_data_dir,
    )
    assert done.returncode == GATE_FAILED == 3, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert (
        lines[0]
        == "FAIL  payment: expected double-charged, got payment-declined (" + lines[0].split("(")[1]
    )
    assert not any(line.startswith("PASS") for line in lines)  # --failed-only
    assert "gate: FAILED" in lines
    assert "  FAIL min_accuracy: accuracy 0.75 is not >= 0.9" in lines
    assert "  FAIL max_wrong_answer_rate: wrong_answer_rate 0.25 is not <= 0" in lines
    assert "  ok   min_abstain_recall: abstain_recall 1 >= 1" in lines
    assert any(
        line.startswith("baseline ") and "1 regressions, 0 improvements" in line for line in lines
    )
    assert "  REGRESSED payment: was payment-declined, now payment-declined" in lines

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["gate"]["passed"] is False
    assert [c["key"] for c in report["gate"]["checks"] if not c["passed"]] == [
        "min_accuracy",
        "max_wrong_answer_rate",
        "min_hit_at_1",  # 2 of the 3 in-scope cases rank the expected answer first
    ]
    assert report["baseline"]["regressions"][0]["id"] == "payment"
    assert report["metrics"]["overall"]["accuracy"] == 0.75
    assert report["baseline"]["metrics"]["accuracy"] == {
        "before": 1.0,
        "after": 0.75,
        "delta": -0.25,
    }
    page = html.read_text(encoding="utf-8")
    assert '<h2 id="gate-h">Gate</h2>' in page and "Regressions (1)" in page

    done = run_samsvar("eval", str(suite), "--no-gate", data_dir=demo_data_dir)
    assert done.returncode == 0, done.stderr
    assert "gate: FAILED" in done.stdout
    assert "eval:" not in done.stderr  # no progress bar when stderr is not a terminal


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--baseline", "missing.json"],
            "missing.json: baseline report not found [baseline_invalid]",
        ),
        (["--baseline", "not-json.json"], "not-json.json:1: not JSON"),
        (["--baseline", "not-a-report.json"], "not a suite report (no 'cases' list)"),
        (["--json", "."], ": is a folder; give a file name"),
    ],
)
def test_bad_reports_are_refused_before_anything_runs(
    tmp_path: Path, run_samsvar: RunSamsvar, args: list[str], message: str
) -> None:
    (tmp_path / "not-json.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "not-a-report.json").write_text('{"suite": "x"}', encoding="utf-8")
    suite = write(tmp_path / "suite.yaml", PASSING)
    resolved = [str(tmp_path / a) if not a.startswith("--") else a for a in args]
    data_dir = tmp_path / "data"
    done = run_samsvar("eval", str(suite), *resolved, data_dir=data_dir)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not data_dir.exists()


def test_an_invalid_gate_exits_2(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    suite = write(
        tmp_path / "suite.yaml", PASSING.replace("min_accuracy: 0.75", "min_acuracy: 0.75")
    )
    done = run_samsvar("eval", str(suite), data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert f"{suite}:3: gate.min_acuracy: unknown gate key" in done.stderr


def test_llm_metrics_need_a_model_with_the_endpoint(
    tmp_path: Path, run_samsvar: RunSamsvar
) -> None:
    suite = write(tmp_path / "suite.yaml", PASSING)
    env = {"CHAT_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    done = run_samsvar("eval", str(suite), data_dir=tmp_path / "data", env=env)
    assert done.returncode == 2
    assert "CHAT_LLM_MODEL must be set when CHAT_LLM_BASE_URL is set" in done.stderr
    done = run_samsvar("eval", str(suite), "--llm-metrics", data_dir=tmp_path / "data")
    assert done.returncode == 2
    assert "--llm-metrics needs an endpoint: set CHAT_LLM_BASE_URL" in done.stderr


def test_help_shows_both_forms(tmp_path: Path, run_samsvar: RunSamsvar) -> None:
    done = run_samsvar("eval", "--help", data_dir=tmp_path / "data")
    assert done.returncode == 0
    assert "samsvar eval SUITE.yaml" in done.stdout
    assert "generate" in done.stdout and "run" in done.stdout
    done = run_samsvar("eval", "generate", "--help", data_dir=tmp_path / "data")
    assert done.returncode == 0 and "--out" in done.stdout


LLM_SUITE = """
name: llm-metrics
gate:
  min_faithfulness: 0.9
  min_response_relevancy: 0.5
cases:
  - id: tracking
    ask: Hvor er pakken min? Jeg vil gjerne spore den.
    expect: order-tracking
  - id: off-topic
    ask: Hvem vant fotball-VM i 2018?
    expect: abstain
"""


@pytest.mark.slow
def test_llm_metrics_through_the_configured_endpoint(
    tmp_path: Path, demo_data_dir: Path, run_samsvar: RunSamsvar
) -> None:
    from tests.eval.llm_server import fake_llm

    suite = write(tmp_path / "suite.yaml", LLM_SUITE)
    out = tmp_path / "out.json"
    with fake_llm() as llm:
        env = {
            "CHAT_LLM_BASE_URL": llm.url,
            "CHAT_LLM_MODEL": "local",
            "CHAT_LLM_API_KEY": "k1",
            "CHAT_LLM_REPLIES": "curated",  # the bot's own replies stay the curated text
        }
        done = run_samsvar("eval", str(suite), "--json", str(out), data_dir=demo_data_dir, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(out.read_text(encoding="utf-8"))
        # The curated reply is the context word for word: every sentence is supported.
        tracking = report["cases"][0]
        assert tracking["faithfulness"] == 1.0
        assert 0.5 < tracking["response_relevancy"] <= 1.0
        assert report["cases"][1]["faithfulness"] is None  # an abstention is not scored
        assert report["ragas"]["llm"] == report["ragas"]["llm"] | {"model": "local", "error": None}
        assert "k1" not in out.read_text(encoding="utf-8")
        assert {r["auth"] for r in llm.requests} == {"Bearer k1"}

        llm.fail_with = 500
        done = run_samsvar("eval", str(suite), data_dir=demo_data_dir, env=env)
    assert done.returncode == GATE_FAILED, done.stdout + done.stderr
    assert "LLM metrics failed on 1 of 1 turns" in done.stdout
    assert (
        "  FAIL min_faithfulness: not measured: the LLM endpoint failed on every turn"
        in done.stdout
    )
