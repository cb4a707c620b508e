"""Running suites against the demo bot: pass/fail per case, the JSON, and the shipped suite."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.urgency_judge import judge_urgency
from bot import Bot
from eval import (
    Suite,
    SuiteInvalid,
    check_suite_against,
    held_out_groups,
    load_suite,
    run_suite,
    to_json,
)
from knowledge import get_demo_dir
from retrieval import Thresholds

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
    # About the reply's language, not the confidence: the policy's threshold (3 % wrong) lies
    # just above this question's confidence, so the bot here answers from a lower one.
    demo = demo_engine.bot
    bot = Bot(demo.base, demo.retriever, demo.encoder, thresholds=Thresholds(0.3, 1.01))
    results = run_suite(suite, bot)
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


def test_expectations_on_the_reply_text_and_language(tmp_path: Path, demo_engine: Engine) -> None:
    suite = write_suite(
        tmp_path,
        """
        cases:
          - id: all-met
            ask: Hvor er pakken min? Jeg vil gjerne spore den.
            expect: order-tracking
            lang: nb
            contains: [SPORINGSLENKE, posten/bring]
            not_contains: Klarna
          - id: phrase-missing
            ask: Hvor er pakken min? Jeg vil gjerne spore den.
            expect: order-tracking
            contains: [Helly Hansen, sporingslenke]
            not_contains: [Mine ordrer, Klarna]
          - id: urgency-not-built
            ask: Hvor er pakken min? Jeg vil gjerne spore den.
            expect: order-tracking
            urgency: high
        """,
    )
    met, missing, urgency = run_suite(suite, demo_engine.bot)
    assert met.passed and met.turns[0].failures == ()
    assert missing.turns[0].failures == (
        "the reply does not contain 'Helly Hansen'",
        "the reply contains 'Mine ordrer'",
    )
    (reason,) = urgency.turns[0].failures
    assert reason == "expected urgency high, but the outcome is answer"


def test_a_held_out_question_is_asked_without_its_phrasing(
    tmp_path: Path, demo_engine: Engine
) -> None:
    question = demo_engine.bot.base.get("order-tracking").questions[0]  # type: ignore[union-attr]
    suite = write_suite(
        tmp_path,
        f"""
        cases:
          - {{id: seen, ask: "{question}", expect: order-tracking}}
          - {{id: held, ask: "{question}", expect: order-tracking, held_out: true}}
        """,
    )
    seen, held = run_suite(suite, demo_engine.bot)
    assert seen.outcome.ranked[0].id == held.outcome.ranked[0].id == "order-tracking"
    assert held.outcome.ranked[0].score < seen.outcome.ranked[0].score
    assert held.outcome.confidence < seen.outcome.confidence


def test_held_out_groups_remove_one_phrasing_per_answer(demo_engine: Engine) -> None:
    from eval import Case, Expect, Turn

    base = demo_engine.bot.base
    questions = [(a.id, q) for a in base.published() for q in a.questions][:40]
    cases = [
        Case(f"c{i}", (Turn(q, Expect(a)),), held_out=True) for i, (a, q) in enumerate(questions)
    ]
    cases.append(Case("not-held", (Turn(questions[0][1], Expect(questions[0][0])),)))
    groups = held_out_groups(cases, demo_engine.bot.retriever)
    assert groups[-1] == frozenset()
    owner = {q: a for a, q in questions}
    for case, group in zip(cases[:-1], groups[:-1], strict=True):
        assert case.ask in group
        owners = [owner[q] for q in group]
        assert len(owners) == len(set(owners)), "a group removes two phrasings of one answer"
    most = max(sum(1 for a, _ in questions if a == answer) for answer, _ in questions)
    assert len(set(groups[:-1])) == most  # as many groups as the largest answer has questions
    variant = demo_engine.bot.retriever.without_questions(groups[0])
    kept = {q for e in variant.entries for q in e.questions}
    assert not kept & groups[0]
    assert len(kept) == sum(len(e.questions) for e in demo_engine.bot.retriever.entries) - len(
        groups[0]
    )


def _summary(results: list) -> list[tuple]:
    return [
        (
            r.case.id,
            r.outcome.decision,
            r.outcome.confidence,
            [(c.id, c.score) for c in r.outcome.ranked],
        )
        for r in results
    ]


@pytest.mark.slow
def test_worker_processes_give_the_same_results(demo_engine: Engine) -> None:
    suite = load_suite(SMOKE)
    held = write_cases_held_out(demo_engine, 12)
    cases = [*suite.cases[:20], *held]
    seen: list[tuple[int, int]] = []
    one = run_suite(cases, demo_engine.bot)
    two = run_suite(cases, demo_engine.bot, jobs=2, on_progress=lambda d, t: seen.append((d, t)))
    assert _summary(two) == _summary(one)
    assert [r.passed for r in two] == [r.passed for r in one]
    assert [r.turns[0].top3 for r in two] == [r.turns[0].top3 for r in one]
    assert seen[-1] == (len(cases), len(cases))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def write_cases_held_out(engine: Engine, n: int) -> list:
    from eval import Case, Expect, Turn

    pairs = [(a.id, q) for a in engine.bot.base.published() for q in a.questions]
    return [
        Case(f"h{i}", (Turn(q, Expect(a)),), held_out=True) for i, (a, q) in enumerate(pairs[:n])
    ]


def test_top3_confidence_is_read_for_each_turn(demo_engine: Engine) -> None:
    (result,) = run_suite([load_suite(SMOKE).cases[0]], demo_engine.bot)
    ranking = demo_engine.bot.retriever.rank(
        result.case.ask, demo_engine.bot.encoder.query_vectors([result.case.ask])[0]
    )
    assert result.turns[0].top3 == ranking.top3


CONVERSATIONS = get_demo_dir().parent / "suites" / "conversations.yaml"


def test_conversations_carry_each_turn_into_the_next(demo_engine: Engine) -> None:
    suite = load_suite(CONVERSATIONS)
    # The demo's conversations expect hand-off urgencies, as `samsvar eval` judges them.
    results = {r.case.id: r for r in run_suite(suite, demo_engine.bot, judge=judge_urgency)}
    follow_up = results["nb-follow-up"].turns[1].outcome
    assert (follow_up.answer_id, follow_up.read_with) == (
        "cancel-order",
        "Kan jeg endre bestillingen?",
    )
    clicked = results["nb-clarify-then-choose"].turns
    assert clicked[1].outcome.chosen and clicked[1].outcome.answer_id == "wrong-item"
    assert clicked[2].outcome.decision == "feedback" and clicked[2].outcome.helpful
    handed = results["nb-unhelpful-twice-hands-off"].turns[-1].outcome
    assert (handed.decision, handed.reason) == ("handoff", "unresolved")
    assert handed.tried == ("order-tracking", "missing-package")
    assert all(r.passed for r in results.values()), [
        (r.case.id, [t.failures for t in r.turns]) for r in results.values() if not r.passed
    ]


def test_a_chosen_answer_must_exist(tmp_path: Path, demo_engine: Engine) -> None:
    suite = write_suite(
        tmp_path,
        """
        cases:
          - id: click
            turns:
              - {ask: Har jeg lov til å returnere en mikser?, expect: clarify}
              - {choose: retuns, expect: returns}
        """,
    )
    with pytest.raises(SuiteInvalid) as caught:
        check_suite_against(suite, demo_engine.bot.base)
    assert caught.value.problems == [
        f"{suite.path}:5: case click.turns[1].choose: unknown answer id 'retuns'"
    ]
