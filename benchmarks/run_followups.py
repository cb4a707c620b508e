"""Reading short follow-ups with the previous question: the rule, two baselines, and the cost.

Each case of `benchmarks/data/followups.yaml` is a two-turn conversation on the demo answer base.
The `design` cases were used to choose the rule; the `check` cases were written afterwards and
run once, so their figures are the honest ones.
The first message goes through `Bot.turn` like any question; its outcome becomes the `PastTurn`
of the second. The second message is then read three ways, in the same run:

* **alone**: the message ranked by itself (what a stateless bot does);
* **naive**: the message and "previous question + message" both ranked, and the combination
  taken whenever it is at least 0.2 more confident and reaches the answer threshold;
* **samsvar**: `Bot.turn(text, turns=[…])`, the product's rule (bot/_followup.py).

For each reading: right (answered with the expected answer; for `none`, did not answer), wrong
answers, and how often the previous question was glued on. Also the median time of a second turn
with and without the turns passed: the follow-up reading ranks twice, and the previous
question's vector comes from the bot's small cache of recent query vectors.

Usage: python -m benchmarks.run_followups [--data FILE.yaml] [--out FILE.json]
Uses the demo base's index under CHAT_DATA_DIR (default var/), building it if needed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from benchmarks._report import machine_info, print_table, write_json

DATA = Path(__file__).parent / "data" / "followups.yaml"
OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "followups.json"
NAIVE_MARGIN = 0.2


def _open_bot() -> Any:
    from app import Settings
    from app.engine import open_engine

    return open_engine(Settings()).bot


def _past(text: str, outcome: Any) -> Any:
    from bot import PastTurn

    return PastTurn(
        text,
        outcome.lang,
        outcome.decision,
        getattr(outcome, "answer_id", None) if outcome.decision == "answer" else None,
        tuple(c.answer_id for c in getattr(outcome, "choices", ())),
    )


def _answered(ranking: Any, threshold: float) -> str | None:
    if ranking.candidates and ranking.confidence >= threshold:
        return str(ranking.candidates[0].id)
    return None


def _readings(bot: Any, past: Any, text: str) -> dict[str, tuple[str | None, bool]]:
    """(answer id or None, glued) for each reading of the second message."""
    threshold = bot.thresholds.answer
    combined = f"{past.text} {text}"
    vectors = bot.encoder.query_vectors([text, combined])
    alone = bot.retriever.rank(text, vectors[0])
    both = bot.retriever.rank(combined, vectors[1])
    naive = both.confidence >= threshold and both.confidence >= alone.confidence + NAIVE_MARGIN
    outcome = bot.turn(text, turns=[past])
    given = outcome.answer_id if outcome.decision == "answer" else None
    return {
        "alone": (_answered(alone, threshold), False),
        "naive": (_answered(both if naive else alone, threshold), naive),
        "samsvar": (given, outcome.read_with is not None),
    }


def _score(rows: list[dict[str, Any]], part: str, kind: str, reading: str) -> list[Any]:
    picked = [
        r for r in rows if (kind == "all" or r["kind"] == kind) and r.get("set", "design") == part
    ]
    right = wrong = glued = 0
    for row in picked:
        given, was_glued = row["readings"][reading]
        expect = None if row["expect"] == "none" else row["expect"]
        right += given == expect
        wrong += given is not None and given != expect
        glued += was_glued
    n = len(picked)
    return [part, kind, reading, n, right / n, wrong / n, glued / n]


def _second_turn_ms(bot: Any, cases: list[dict[str, Any]], with_turns: bool) -> float:
    """Median time of the second turn, right after the first, on a bot with empty caches."""
    from bot import Bot

    fresh = Bot(bot.base, bot.retriever, bot.encoder, thresholds=bot.thresholds)
    times = []
    for case in cases:
        first = fresh.turn(case["first"])
        turns = [_past(case["first"], first)] if with_turns else []
        started = time.perf_counter()
        fresh.turn(case["then"], turns=turns)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def _latency(bot: Any, cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "second_turn_alone_ms_p50": _second_turn_ms(bot, cases, with_turns=False),
        "second_turn_with_turns_ms_p50": _second_turn_ms(bot, cases, with_turns=True),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    cases = yaml.safe_load(args.data.read_text("utf-8"))["cases"]
    bot = _open_bot()
    rows = []
    for case in cases:
        past = _past(case["first"], bot.turn(case["first"]))
        readings = _readings(bot, past, case["then"])
        rows.append({**case, "first_decision": past.decision, "readings": readings})
    header = ["set", "kind", "reading", "cases", "right", "wrong", "glued"]
    table = [
        _score(rows, part, kind, reading)
        for part in ("design", "check")
        for kind in ("follow-up", "continuation", "unrelated", "all")
        for reading in ("alone", "naive", "samsvar")
    ]
    print_table(header, table)
    latency = _latency(bot, cases)
    print(latency)
    print("first turns:", dict(Counter(r["first_decision"] for r in rows)))
    report = {
        "machine": machine_info(),
        "thresholds": {"answer": bot.thresholds.answer, "clarify": bot.thresholds.clarify},
        "table": [dict(zip(header, row, strict=True)) for row in table],
        "latency": latency,
        "cases": rows,
    }
    write_json(args.out, report)


if __name__ == "__main__":
    main()
