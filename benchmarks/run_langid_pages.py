"""Language identification of short Scandinavian questions on pages of every language.

    python -m benchmarks.run_langid_pages [--texts FILE] [--out docs/benchmarks/langid-pages.json]

Texts: ``benchmarks/data/langid_pages.jsonl`` (``{"text", "lang"}``), 40 short customer-service
questions each in bokmål, nynorsk, Danish and Swedish, written for this benchmark (the same
questions in the four languages, so that only the language differs). Each is detected by
``bot.detect_language`` as the demo base would (all six languages published, default bokmål)
on a page in each of the six languages and on a page without one. The figure that matters is
the accuracy on a page in another language: a nynorsk question on a bokmål page, a Danish or
Swedish one on a Norwegian page.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info, print_table, write_json
from benchmarks.datasets import read_jsonl

LANGS = ("nb", "nn", "sv", "da", "fi", "en")
PAGES: tuple[str | None, ...] = (*LANGS, None)
DEFAULT_TEXTS = Path(__file__).resolve().parent / "data" / "langid_pages.jsonl"
DEFAULT_OUT = Path("docs/benchmarks/langid-pages.json")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_langid_pages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser.parse_args(argv)


def evaluate(texts: dict[str, list[str]]) -> dict[str, Any]:
    """Accuracy and confusions per (text language, page language)."""
    from bot import detect_language

    cells: dict[str, dict[str, Any]] = {}
    errors: list[dict[str, str | None]] = []
    for lang, sample in texts.items():
        for page in PAGES:
            found = [
                detect_language(text, page_lang=page, base_languages=LANGS, default="nb").lang
                for text in sample
            ]
            wrong = Counter(g for g in found if g != lang)
            cells[f"{lang}@{page or '-'}"] = {
                "n": len(sample),
                "accuracy": sum(g == lang for g in found) / len(sample),
                "confusions": dict(wrong.most_common()),
            }
            errors += [
                {"text": t, "lang": lang, "page": page, "detected": g}
                for t, g in zip(sample, found, strict=True)
                if g != lang and page in (None, "nb", "nn", "da", "sv")
            ]
    return {"cells": cells, "summary": summarise(cells, list(texts)), "errors": errors}


def summarise(cells: dict[str, dict[str, Any]], langs: list[str]) -> dict[str, dict[str, float]]:
    """Per text language: on its own page, on a page in another language, on no page."""
    out: dict[str, dict[str, float]] = {}
    for lang in langs:
        other = [cells[f"{lang}@{page}"]["accuracy"] for page in LANGS if page != lang]
        out[lang] = {
            "own_page": cells[f"{lang}@{lang}"]["accuracy"],
            "other_page": sum(other) / len(other),
            "no_page": cells[f"{lang}@-"]["accuracy"],
        }
    out["all"] = {
        key: sum(v[key] for v in out.values()) / len(langs) for key in next(iter(out.values()))
    }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    texts: dict[str, list[str]] = {}
    for row in read_jsonl(args.texts):
        texts.setdefault(row["lang"], []).append(row["text"])
    print("texts: " + ", ".join(f"{lang} {len(v)}" for lang, v in texts.items()))
    result = evaluate(texts)
    header = ["text \\ page", *(page or "none" for page in PAGES)]
    rows = [
        [lang, *(result["cells"][f"{lang}@{page or '-'}"]["accuracy"] for page in PAGES)]
        for lang in texts
    ]
    print_table(header, rows)
    print()
    print_table(
        ["language", "own page", "other pages", "no page"],
        [[lang, *v.values()] for lang, v in result["summary"].items()],
    )
    for error in result["errors"]:
        print(f"  {error['lang']} on page {error['page']}: {error['detected']}  {error['text']}")
    write_json(
        args.out,
        {**machine_info(), "texts_file": str(args.texts), **result},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
