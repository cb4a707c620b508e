"""Running suites against the demo bot: pass/fail per case, the JSON, and the shipped suite."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from eval import Suite, SuiteInvalid, check_suite_against, load_suite, run_suite, to_json
from knowledge import get_demo_dir

if TYPE_CHECKING:
    from app.engine import Engine

SMOKE = get_demo_dir().parent / "suites" / "smoke.yaml"
# Measured 0.68 (41/60) on 2026-11-23 with the automatic thresholds; most misses are
# abstentions on new phrasings or a sibling answer ranked first (see docs/benchmarks.md).
SMOKE_MIN_PASS_RATE = 0.6


def write_suite(tmp_path: Path, text: str) -> Suite:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return load_suite(path)


def test_unknown_answer_id_names_the_case(tmp_path: Path, demo_engine: Engine) -> None:
    suite = write_suite(
        tmp_path,
        """
        cases:
          - id: fine
            ask: Hvor er pakken min?
            expect: order-tracking
          - id: typo
            ask: Hvor er pakken min?
            expect: order-trakcing
          - ask: Kan jeg returnere?
            expect: retuns
        """,
    )
    with pytest.raises(SuiteInvalid) as caught:
        check_suite_against(suite, demo_engine.bot.base)
    first, second = caught.value.problems
    assert first.startswith(f"{suite.path}:5: case typo.expect: unknown answer id 'order-trakcing'")
    assert second.startswith(f"{suite.path}:8: case 3.expect: unknown answer id 'retuns'")


def test_known_ids_and_decisions_pass_the_check(tmp_path: Path, demo_engine: Engine) -> None:
    suite = write_suite(
        tmp_path,
        """
        cases:
          - {ask: a, expect: order-tracking}
          - {ask: b, expect: abstain}
          - {ask: c, expect: clarify}
          - {ask: d, expect: handoff}
        """,
    )
    check_suite_against(suite, demo_engine.bot.base)


def test_lang_is_the_language_the_reply_is_in(tmp_path: Path, demo_engine: Engine) -> None:
    """A Finnish question answered with the bokmål text (no Finnish one) is not a reply in fi."""
    suite = write_suite(
        tmp_path,
        """
        cases:
          - id: fi-expected
            ask: Voinko vielä muuttaa tilaustani?
            expect: change-order
            lang: fi
          - id: nb-expected
            ask: Voinko vielä muuttaa tilaustani?
            expect: change-order
            lang: nb
          - id: any-lang
            ask: Voinko vielä muuttaa tilaustani?
            expect: change-order
        """,
    )
    results = run_suite(suite, demo_engine.bot)
    assert [r.outcome.decision for r in results] == ["answer"] * 3
    assert [r.passed for r in results] == [False, True, True]
    report = to_json(suite, results)
    assert report["summary"] == {"cases": 3, "passed": 2}
    assert {case["lang"] for case in report["cases"]} == {"fi"}  # the visitor's language


def test_page_sets_the_language(tmp_path: Path, demo_engine: Engine) -> None:
    suite = write_suite(
        tmp_path,
        """
        cases:
          - ask: ok
            page: https://shop.example/sv/kassa
            expect: clarify
        """,
    )
    (result,) = run_suite(suite, demo_engine.bot)
    assert result.outcome.lang == "sv"


def test_shipped_demo_suite_pass_rate(demo_engine: Engine) -> None:
    suite = load_suite(SMOKE)
    assert suite.answers == get_demo_dir().resolve()
    check_suite_against(suite, demo_engine.bot.base)
    report = to_json(suite, run_suite(suite, demo_engine.bot))
    summary = report["summary"]
    failures = [case for case in report["cases"] if not case["passed"]]
    wanted_lang = {case.id: case.lang or "-" for case in suite.cases}
    lines = [
        f"  {c['id']}: expected {c['expect']} in {wanted_lang[c['id']]}, got "
        f"{c['answer_id'] or c['decision']} in {c['lang']} at {c['confidence']:.2f}; ranked "
        + ", ".join(f"{r['id']} {r['score']:.2f}" for r in c["ranked"][:3])
        for c in failures
    ]
    rate = summary["passed"] / summary["cases"]
    print(f"\n{suite.name}: {summary['passed']}/{summary['cases']} passed ({rate:.0%})")
    print("\n".join(lines))
    assert summary["cases"] == len(suite.cases) == 60
    assert rate >= SMOKE_MIN_PASS_RATE, f"{rate:.0%} passed; failures:\n" + "\n".join(lines)
