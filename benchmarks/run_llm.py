"""What LLM help adds to a turn beyond the LLM's own latency, and how fast redaction is.

The test server (`tests/llm_server.py`) runs in its own process on loopback and answers every
request after a fixed latency with the first curated answer it was given, cited. On the demo
answer base, for questions in the six languages (some with personal data in them):

* a warm `Bot.turn` without an LLM, and the same turn with the assistant (retrieval,
  redaction, the prompt and its token budget, the HTTP call, the checks), alternately per
  question; *added* = LLM turn − server latency − plain turn, paired per question;
* the parts on their own: redaction, fitting the prompt, the checks, and a call to a server
  with no latency (the HTTP client and LangChain);
* streaming: with the server sending a word every `--chunk-delay` seconds, when the first
  checked part reaches the caller, against when the first token arrives and when the
  stream ends;
* redaction of a 2,000-character message, ordinary and dense with personal data.

Usage: python -m benchmarks.run_llm [--latency 0.2] [--rounds 3] [--data-dir DIR] [--out FILE]
(`--data-dir` reuses an index of the demo base; without it one is built in a temporary folder,
which embeds about 950 texts.)

`--only-redaction` times redaction alone (no index, no server) and replaces only the
`redaction` entry of `--out`, with its own date and machine. `--baseline REV` times the
redaction of git revision REV (its `bot/privacy.py` and `bot/_names.py`) alternately with this
tree's in the same run, after checking that both find the same on the two texts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks" / "llm.json"

QUESTIONS = [
    "Hvorfor ble betalingen min avvist?",
    "Kortet mitt 4111 1111 1111 1111 blir avvist i kassen, jeg er kari@example.no",
    "Hvor lang angrerett har jeg?",
    "Hvor er pakken min? Ring meg på 912 34 567",
    "Hva koster frakt?",
    "Kva kostar frakta?",
    "Korleis returnerer eg noko eg ikkje vil ha?",
    "Hur många dagars ångerrätt har jag?",
    "Betalningen nekades, vad ska jag göra? Mitt personnummer är 811218-9876",
    "Min betaling bliver afvist",
    "Hvornår får jeg mine penge tilbage?",
    "Maksu hylättiin, mitä teen?",
    "Kuinka monta päivää minulla on aikaa palauttaa tuote?",
    "Why was my payment declined?",
    "What is your return policy?",
    "How much does shipping cost? My IBAN is NO93 8601 1117 947",
    "When are you open?",
    "Can I get an invoice as a business customer?",
]

ORDINARY = (
    "Hei! Jeg bestilte en sofa for tre uker siden, ordre 123456, og den har fortsatt ikke "
    "kommet. Jeg har ringt to ganger uten å få svar. Kan dere sjekke hva som skjer og ringe "
    "meg på 912 34 567 eller sende en e-post til kari.nordmann@example.no? Jeg betalte "
    "12 999 kr med kort og vil gjerne vite om jeg kan avbestille hvis den ikke kommer innen "
    "fredag. "
)
DENSE = (
    "kari@example.no +47 912 34 567 4111 1111 1111 1111 NO93 8601 1117 947 811218-9876 "
    "131052-308T 070761-4285 ola@example.se 040 123 4567 "
)


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "n": len(ordered),
    }


def _ms(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


@contextlib.contextmanager
def _server(latency: float, chunk_delay: float = 0.0) -> Iterator[str]:
    command = [sys.executable, "-m", "tests.llm_server", f"--latency={latency}"]
    command.append(f"--chunk-delay={chunk_delay}")
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _bots(data_dir: Path, url: str) -> tuple[Any, Any]:
    from app.engine import open_engine
    from app.settings import Settings
    from bot import Bot

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        llm_base_url=url,
        llm_model="gpt-4o-mini",
    )
    engine = open_engine(settings)
    assisted = engine.bot
    plain = Bot(assisted.base, assisted.retriever, assisted.encoder, thresholds=assisted.thresholds)
    return plain, assisted


def _grounding_ids(outcome: Any) -> list[str]:
    best = outcome.ranked[0]
    return [c.id for c in outcome.ranked[:3] if c.score >= best.score * 0.5 or c is best]


def _turns(plain: Any, assisted: Any, latency: float, rounds: int) -> dict[str, Any]:
    for question in QUESTIONS:  # warm both paths
        plain.turn(question)
        assisted.turn(question)
    plain_ms, llm_ms, added, direct, by_llm = [], [], [], [], 0
    for round_ in range(rounds):
        order = (plain, assisted) if round_ % 2 == 0 else (assisted, plain)  # cancel drift
        for question in QUESTIONS:
            outcomes: dict[int, Any] = {}
            times: dict[int, float] = {}
            for bot in order:
                times[id(bot)], outcomes[id(bot)] = _timed(lambda q=question, b=bot: b.turn(q))
            done = outcomes[id(plain)]
            by_llm += bool(getattr(outcomes[id(assisted)], "by_llm", False))
            reply_ms = _ms(
                lambda q=question, o=done: assisted.assistant.reply(
                    q, lang=o.lang, answer_ids=_grounding_ids(o)
                )
            )
            plain_ms.append(times[id(plain)])
            llm_ms.append(times[id(assisted)])
            added.append(times[id(assisted)] - latency * 1000 - times[id(plain)])
            direct.append(reply_ms - latency * 1000)
    return {
        "server_latency_ms": latency * 1000,
        "plain_turn_ms": _percentiles(plain_ms),
        "llm_turn_ms": _percentiles(llm_ms),
        "added_paired_ms": _percentiles(added),
        "added_direct_ms": _percentiles(direct),
        "added_of_medians_ms": round(
            statistics.median(llm_ms) - latency * 1000 - statistics.median(plain_ms), 3
        ),
        "replies_by_llm": f"{by_llm}/{len(added)}",
        "fallbacks": assisted.assistant.stats().fallbacks,
    }


def _parts(assisted: Any) -> dict[str, Any]:
    from bot import Grounds, Message, Redactor, check_reply, fit_prompt

    assistant = assisted.assistant
    base = assisted.base
    answer = base.get("payment-declined")
    reply = f"{answer.answer['nb']} [payment-declined]"
    grounds = Grounds({answer.id: answer}, "nb", "rules")
    rules = "x " * 300
    prompt = [Message("system", "Be brief."), Message("user", "Hei")]
    answers, history = [answer.answer["nb"]] * 3, [QUESTIONS[0]] * 6
    fit = (assistant.counter, assistant.budget, [rules, QUESTIONS[1]], answers, history)
    results = {
        "redact_question_ms": [_ms(lambda: Redactor().redact(QUESTIONS[1])) for _ in range(300)],
        "fit_prompt_ms": [_ms(lambda: fit_prompt(*fit)) for _ in range(300)],
        "check_reply_ms": [_ms(lambda: check_reply(reply, grounds)) for _ in range(300)],
        "http_call_ms": [_ms(lambda: assistant.client.complete(prompt)) for _ in range(100)],
    }
    return {name: _percentiles(values) for name, values in results.items()}


def _streaming(data_dir: Path, latency: float, chunk_delay: float) -> dict[str, Any]:
    from bot import Delta

    first_part, ends, parts, retrieval = [], [], [], []
    with _server(latency, chunk_delay) as url:
        plain, assisted = _bots(data_dir, url)
        for question in QUESTIONS:
            retrieval.append(_ms(lambda q=question: plain.turn(q)))
            events: list[float] = []
            started = time.perf_counter()

            def seen(event: Any, events: list[float] = events, started: float = started) -> None:
                if isinstance(event, Delta):
                    events.append((time.perf_counter() - started) * 1000)

            assisted.turn(question, on_event=seen)
            ends.append((time.perf_counter() - started) * 1000)
            if events:
                first_part.append(events[0])
                parts.append(len(events))
    return {
        "server_latency_ms": latency * 1000,
        "chunk_delay_ms": chunk_delay * 1000,
        "plain_turn_ms": _percentiles(retrieval),
        "first_token_ms_about": round(statistics.median(retrieval) + latency * 1000, 1),
        "first_checked_part_ms": _percentiles(first_part),
        "turn_end_ms": _percentiles(ends),
        "parts_per_reply": _percentiles([float(p) for p in parts]),
        "note": "the first token arrives after retrieval and the server's latency; a part is "
        "released when its citation arrives, after every sentence, one word per chunk delay",
    }


def _redaction(baseline: str | None = None) -> dict[str, Any]:
    from bot import Redactor, find_personal_data

    texts = {"ordinary": (ORDINARY * 10)[:2000], "dense": (DENSE * 20)[:2000]}
    redactors: dict[str, Callable[[], Any]] = {"": Redactor}
    if baseline is not None:
        from benchmarks._baseline import privacy_at

        old = privacy_at(baseline)
        for text in texts.values():
            if old.Redactor().redact(text) != Redactor().redact(text):
                raise SystemExit(f"the redaction of {baseline} differs from this tree's")
        redactors["baseline_"] = old.Redactor
    for _ in range(50):
        for make in redactors.values():
            make().redact(texts["ordinary"])
    times: dict[str, list[float]] = {}
    for _ in range(500):  # alternately, so that both see the same load on a shared machine
        for prefix, make in redactors.items():
            for name, text in texts.items():
                times.setdefault(f"{prefix}{name}", []).append(
                    _ms(lambda m=make, t=text: m().redact(t))
                )
    result: dict[str, Any] = {}
    for prefix in redactors:
        result[f"{prefix}ordinary_2000_chars_ms"] = _percentiles(times[f"{prefix}ordinary"])
        result[f"{prefix}dense_2000_chars_ms"] = _percentiles(times[f"{prefix}dense"])
    if baseline is not None:
        result["baseline"] = baseline
    result["ordinary_findings"] = len(find_personal_data(texts["ordinary"]))
    result["dense_findings"] = len(find_personal_data(texts["dense"]))
    result["ordinary_findings_broad"] = len(find_personal_data(texts["ordinary"], broad=True))
    result["dense_findings_broad"] = len(find_personal_data(texts["dense"], broad=True))
    return result


def _index(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return data_dir
    from app.engine import open_engine
    from app.settings import Settings

    fresh = Path(tempfile.mkdtemp(prefix="samsvar-llm-bench-")) / "var"
    open_engine(Settings(_env_file=None, data_dir=fresh))  # type: ignore[call-arg]
    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.2, help="server latency, seconds")
    parser.add_argument("--chunk-delay", type=float, default=0.02, help="seconds between words")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only-redaction", action="store_true", help="time redaction alone")
    parser.add_argument("--baseline", metavar="REV", help="git revision to time redaction against")
    args = parser.parse_args()

    if args.only_redaction:
        result = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
        result["redaction"] = {"machine": machine_info(), **_redaction(args.baseline)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(json.dumps(result["redaction"], indent=2, ensure_ascii=False))
        return
    data_dir = _index(args.data_dir)
    result: dict[str, Any] = {"machine": machine_info(), "redaction": _redaction(args.baseline)}
    with _server(args.latency) as url:
        plain, assisted = _bots(data_dir, url)
        result["turns"] = _turns(plain, assisted, args.latency, args.rounds)
    with _server(0.0) as url:
        _, assisted = _bots(data_dir, url)
        result["parts"] = _parts(assisted)
    result["streaming"] = _streaming(data_dir, args.latency, args.chunk_delay)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
