"""Language-identification benchmark over the six languages Samsvar serves (nb nn sv da fi en).

    python -m benchmarks.run_langid [--datasets DIR] [--extra FILE] [--per-lang N]
                                    [--out docs/benchmarks/langid.json]

Texts: xSID ``da.test`` (da), ``no.test`` Bokmål rows (nb), ``en.test`` (en); SweFAQ test + dev
questions (sv); ``benchmarks/data/langid_extra.jsonl`` (``{"text", "lang"}``, nn and fi) when it
exists. At most N texts per language (default 500), drawn with seed 0.

Detectors: lingua restricted to the six languages, plain; and the project's
``bot.detect_language`` when it is importable, once with the true language as the page language
(the page-language prior) and once without a page language.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._report import machine_info, print_table, subsample, write_json
from benchmarks.datasets import DEFAULT_DATASETS, read_jsonl

LANGS = ("nb", "nn", "sv", "da", "fi", "en")
DEFAULT_EXTRA = Path(__file__).resolve().parent / "data" / "langid_extra.jsonl"
DEFAULT_OUT = Path("docs/benchmarks/langid.json")
Detector = Callable[[str, str], str | None]  # (text, true language) -> detected language


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_langid", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--extra", type=Path, default=DEFAULT_EXTRA)
    parser.add_argument("--per-lang", type=int, default=500)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


# --- texts -------------------------------------------------------------------------------------


def load_texts(root: Path, extra: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Texts per language, and notes about what was skipped."""
    xsid, swefaq = root / "xsid_nordic", root / "swefaq"
    texts: dict[str, list[str]] = defaultdict(list)
    texts["da"] = [r["text"] for r in read_jsonl(xsid / "da.test.jsonl")]
    texts["nb"] = [r["text"] for r in read_jsonl(xsid / "no.test.jsonl") if r["dialect"] == "B"]
    texts["en"] = [r["text"] for r in read_jsonl(xsid / "en.test.jsonl")]
    for split in ("test", "dev"):
        texts["sv"] += [r["question"] for r in read_jsonl(swefaq / f"swefaq_{split}.jsonl")]
    if not extra.exists():
        return texts, [f"{extra} not found: no nn or fi texts"]
    for row in read_jsonl(extra):
        texts[row["lang"]].append(row["text"])
    missing = [lang for lang in LANGS if not texts.get(lang)]
    return texts, [f"no texts for: {', '.join(missing)}"] if missing else []


# --- detectors ---------------------------------------------------------------------------------


def lingua_detector() -> Detector:
    from lingua import Language, LanguageDetectorBuilder

    codes = {
        Language.BOKMAL: "nb",
        Language.NYNORSK: "nn",
        Language.SWEDISH: "sv",
        Language.DANISH: "da",
        Language.FINNISH: "fi",
        Language.ENGLISH: "en",
    }
    detector = LanguageDetectorBuilder.from_languages(*codes).build()

    def detect(text: str, _lang: str) -> str | None:
        found = detector.detect_language_of(text)
        return codes.get(found) if found is not None else None

    return detect


def bot_detectors() -> dict[str, Detector]:
    """``bot.detect_language`` with and without the page-language prior, if it exists."""
    try:
        from bot import detect_language
    except ImportError as exc:
        print(f"bot.detect_language unavailable: {exc}")
        return {}

    def with_page(text: str, lang: str) -> str | None:
        found = detect_language(text, page_lang=lang, history=(), base_languages=LANGS)
        return str(found.lang) if found.lang else None

    def without_page(text: str, _lang: str) -> str | None:
        found = detect_language(text, page_lang=None, history=(), base_languages=LANGS)
        return str(found.lang) if found.lang else None

    return {"bot (page_lang=true)": with_page, "bot (page_lang=None)": without_page}


# --- evaluation --------------------------------------------------------------------------------


def evaluate(detect: Detector, texts: dict[str, list[str]]) -> dict[str, Any]:
    per_lang: dict[str, Any] = {}
    timings: list[float] = []
    for lang, sample in texts.items():
        guesses = []
        for text in sample:
            start = time.perf_counter()
            guesses.append(detect(text, lang))
            timings.append((time.perf_counter() - start) * 1000)
        wrong = Counter(str(g) for g in guesses if g != lang)
        accuracy = float(np.mean([g == lang for g in guesses]))
        per_lang[lang] = {
            "n": len(sample),
            "accuracy": accuracy,
            "confusions": dict(wrong.most_common(3)),
        }
    total = sum(v["n"] for v in per_lang.values())
    return {
        "per_language": per_lang,
        "overall": sum(v["accuracy"] * v["n"] for v in per_lang.values()) / total,
        "macro": float(np.mean([v["accuracy"] for v in per_lang.values()])),
        "ms_p50": float(np.median(timings)),
    }


def print_results(results: dict[str, dict[str, Any]], langs: Sequence[str]) -> None:
    header = ["detector", "ms_p50", *langs, "overall", "macro"]
    rows = [
        [
            name,
            r["ms_p50"],
            *(r["per_language"][lang]["accuracy"] for lang in langs),
            r["overall"],
            r["macro"],
        ]
        for name, r in results.items()
    ]
    print_table(header, rows)
    for name, r in results.items():
        wrong = {lang: v["confusions"] for lang, v in r["per_language"].items() if v["confusions"]}
        print(f"{name} most frequent errors: {wrong}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    texts, notes = load_texts(args.datasets, args.extra)
    langs = [lang for lang in LANGS if texts.get(lang)]
    sample = {lang: subsample(texts[lang], args.per_lang) for lang in langs}
    for note in notes:
        print(f"note: {note}")
    print("texts: " + ", ".join(f"{lang} {len(sample[lang])}" for lang in langs))
    detectors = {"lingua (6 languages)": lingua_detector(), **bot_detectors()}
    results = {name: evaluate(detect, sample) for name, detect in detectors.items()}
    print_results(results, langs)
    write_json(
        args.out,
        {
            **machine_info(),
            "datasets": str(args.datasets),
            "extra": str(args.extra),
            "per_lang_limit": args.per_lang,
            "notes": notes,
            "texts": {k: len(v) for k, v in sample.items()},
            "detectors": results,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
