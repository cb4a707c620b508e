"""The HTML report opened in a real headless Chromium: its sections, the score distribution
chart against the thresholds, the tables, and no request for anything outside the file."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from eval import do_write_text, evaluate, load_baseline, load_suite, render_html

if TYPE_CHECKING:
    from app.engine import Engine

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
SUITE = """
name: html-report
description: Cases that pass and fail on purpose, a conversation, and a gate.
gate:
  min_accuracy: 0.9
  max_wrong_answer_rate: 0.2
cases:
  - id: tracking
    ask: Hvor er pakken min? Jeg vil gjerne spore den.
    expect: order-tracking
  - id: wrong-on-purpose
    ask: kortet ble avvist
    expect: double-charged
  - id: weather
    ask: Hvordan blir været i Oslo i morgen?
    expect: abstain
  - id: conversation
    turns:
      - {ask: Kan jeg endre bestillingen?, expect: change-order}
      - {ask: og avbestille den?, expect: cancel-order}
"""


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, demo_engine: Engine) -> Path:
    folder = tmp_path_factory.mktemp("html")
    path = folder / "suite.yaml"
    path.write_text(textwrap.dedent(SUITE).lstrip(), encoding="utf-8")
    suite = load_suite(path)
    first = evaluate(suite, demo_engine.bot)
    # A baseline in which the wrong-on-purpose case passed: it is listed as a regression.
    old = json.loads(json.dumps(first.report))
    for case in old["cases"]:
        case["passed"] = case["passed"] or case["id"] == "wrong-on-purpose"
    do_write_text(folder / "old.json", json.dumps(old))
    result = evaluate(suite, demo_engine.bot, baseline=load_baseline(folder / "old.json"))
    out = folder / "report.html"
    do_write_text(out, render_html(result.report))
    return out


@pytest.fixture(scope="module")
def page(report_file: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = browser.new_page()
            requests: list[str] = []
            tab.on("request", lambda request: requests.append(request.url))
            tab.goto(report_file.as_uri())
            tab.requests = requests  # type: ignore[attr-defined]
            yield tab
        finally:
            browser.close()


def test_the_file_needs_nothing_else(report_file: Path, page: Any) -> None:
    assert page.requests == [report_file.as_uri()]
    html = report_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html


@pytest.mark.parametrize(
    "heading",
    [
        "Summary",
        "Gate",
        "Metrics by language",
        "Score distribution",
        "Confusions",
        "Gaps",
        "Baseline",
        "Metrics by answer",
        "Failed cases",
        "All cases",
    ],
)
def test_every_section_is_there(page: Any, heading: str) -> None:
    assert page.get_by_role("heading", name=heading, level=2).is_visible()


def test_title_summary_and_gate(page: Any) -> None:
    assert page.title() == "Evaluation: html-report"
    assert page.get_by_role("heading", name="Evaluation: html-report", level=1).is_visible()
    summary = page.locator("#summary").inner_text()
    assert "3 / 4" in summary and "FAILED" in summary
    gate = page.locator("#gate")
    assert "failed: samsvar eval exits with code 3" in gate.inner_text()
    assert gate.locator("tbody tr").count() == 2


def test_the_chart_shows_the_groups_against_the_thresholds(page: Any, report_file: Path) -> None:
    charts = page.locator("#distribution svg[role=img]")
    assert charts.count() == 2
    first = charts.nth(0)
    assert "answer threshold" in first.get_attribute("aria-label")
    assert first.locator("line.threshold").count() == 1
    assert "answer threshold" in first.locator("text.threshold-label").text_content()
    assert "clarify threshold" in charts.nth(1).locator("text.threshold-label").text_content()
    # correct: tracking and both conversation turns; wrong: wrong-on-purpose; out of scope: weather
    assert first.locator("rect.correct").count() >= 1
    assert first.locator("rect.wrong").count() == 1
    assert first.locator("rect.out_of_scope").count() == 1
    legend = page.locator("#distribution .legend").first.inner_text()
    assert "right answer ranked first (3)" in legend
    assert "another answer ranked first (1)" in legend
    assert "out of scope (expects abstain) (1)" in legend
    box = first.bounding_box()
    assert box["width"] > 300 and box["height"] > 150


def test_failed_cases_and_the_regression(page: Any) -> None:
    failed = page.locator("#failed tbody tr")
    assert failed.count() == 1
    assert "wrong-on-purpose" in failed.inner_text()
    assert "expected double-charged, got payment-declined" in failed.inner_text()
    baseline = page.locator("#baseline")
    assert "Regressions (1)" in baseline.inner_text()
    assert "wrong-on-purpose" in baseline.locator("table").first.inner_text()


def test_languages_answers_and_gaps(page: Any) -> None:
    assert page.locator("#languages tbody tr").first.locator("td").first.inner_text() == "all"
    answers = page.locator("#answers").inner_text()
    assert "order-tracking" in answers and "double-charged" in answers
    gaps = page.locator("#gaps").inner_text()
    assert "Near-duplicate answers" in gaps and "Review dates" in gaps
    assert "student-discount" in gaps  # its review_by date (2025-01-01) has passed
    assert "All cases" in page.locator("#cases").inner_text()
