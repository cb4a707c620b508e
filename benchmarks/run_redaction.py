"""Redaction before the LLM, measured on a labelled set in six languages (nb nn sv da fi en).

    python -m benchmarks.run_redaction [--data DIR] [--out docs/benchmarks/redaction.json]

The set is `benchmarks/data/redaction_<lang>.txt`, written for this benchmark: one sentence a
line, personal data marked `[[kind|text]]` (kinds: name, address, email, phone, card, iban,
id, ip); a line without marks has none, and its numbers (order numbers, prices, dates, a
16-digit number failing Luhn, versions) must stay. `bot.find_personal_data(text, broad=True)`
is what the Redactor sends through.

Scoring per category and language: a labelled span is *found* when a finding of its category
overlaps it (recall), a finding is *right* when it overlaps a labelled span of its category
(precision); a finding of the wrong category counts against both. `exact` also counts how
many found spans have exactly the labelled boundaries. The `mask` figures are the same for
`bot.mask_personal_data` (cards, IBANs, identity numbers: what storage masks).

`--baseline REV` also checks that git revision REV's `bot/privacy.py` finds exactly the same
(kind, place, value; narrow and broad; and masks the same) on every sentence, for a change
meant to make redaction faster and nothing else; it exits with 1 when they differ.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks._report import machine_info, print_table, write_json

LANGS = ("nb", "nn", "sv", "da", "fi", "en")
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_OUT = Path("docs/benchmarks/redaction.json")
KINDS = {
    "email": "email",
    "phone": "phone",
    "card": "card",
    "iban": "iban",
    "no_fnr": "id",
    "se_pnr": "id",
    "dk_cpr": "id",
    "fi_hetu": "id",
    "name": "name",
    "address": "address",
    "ip": "ip",
}
CATEGORIES = ("name", "address", "email", "phone", "card", "iban", "id", "ip")
MASKED = ("card", "iban", "id")
_MARK = re.compile(r"\[\[(\w+)\|(.+?)\]\]")


@dataclass(frozen=True)
class Sentence:
    lang: str
    text: str
    spans: tuple[tuple[str, int, int], ...]  # category, start, end


def parse_line(lang: str, line: str) -> Sentence:
    """A line of the set: its text without the marks, and the marked spans."""
    parts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    last = 0
    length = 0
    for match in _MARK.finditer(line):
        before = line[last : match.start()]
        parts.append(before)
        length += len(before)
        kind, value = match.group(1), match.group(2)
        if kind not in CATEGORIES:
            raise ValueError(f"{lang}: unknown kind {kind!r} in {line!r}")
        spans.append((kind, length, length + len(value)))
        parts.append(value)
        length += len(value)
        last = match.end()
    parts.append(line[last:])
    return Sentence(lang, "".join(parts), tuple(spans))


def load(folder: Path) -> list[Sentence]:
    sentences = []
    for lang in LANGS:
        for line in (folder / f"redaction_{lang}.txt").read_text("utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                sentences.append(parse_line(lang, line.strip()))
    return sentences


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


Counts = dict[str, int]


def score(
    sentences: Sequence[Sentence],
    found: Sequence[list[tuple[str, int, int]]],
    categories: Sequence[str],
) -> dict[str, dict[str, Counts]]:
    """{lang and "all": {category: {tp_spans, spans, tp_found, found, exact}}}."""
    table: dict[str, dict[str, Counts]] = defaultdict(
        lambda: {c: defaultdict(int) for c in categories}  # type: ignore[misc]
    )
    for sentence, findings in zip(sentences, found, strict=True):
        for lang in (sentence.lang, "all"):
            row = table[lang]
            for kind, start, end in sentence.spans:
                if kind not in categories:
                    continue
                row[kind]["spans"] += 1
                hits = [f for f in findings if f[0] == kind and _overlaps(f[1:], (start, end))]
                if hits:
                    row[kind]["tp_spans"] += 1
                    row[kind]["exact"] += any(f[1:] == (start, end) for f in hits)
            for kind, start, end in findings:
                if kind not in categories:
                    continue
                row[kind]["found"] += 1
                if any(s[0] == kind and _overlaps((start, end), s[1:]) for s in sentence.spans):
                    row[kind]["tp_found"] += 1
    return table


def _figures(counts: Counts) -> dict[str, Any]:
    spans, found = counts["spans"], counts["found"]
    return {
        "spans": spans,
        "findings": found,
        "recall": round(counts["tp_spans"] / spans, 4) if spans else None,
        "precision": round(counts["tp_found"] / found, 4) if found else None,
        "exact": counts["exact"],
    }


def run(folder: Path) -> dict[str, Any]:
    from bot import find_personal_data, mask_personal_data

    sentences = load(folder)
    started = time.perf_counter()
    broad = [
        [(KINDS[f.kind], f.start, f.end) for f in find_personal_data(s.text, broad=True)]
        for s in sentences
    ]
    seconds = time.perf_counter() - started
    masked = []
    for s in sentences:
        out = mask_personal_data(s.text)
        masked.append(
            [
                (kind, start, end)
                for kind, start, end in s.spans
                if kind in MASKED and out[start:end] != s.text[start:end]
            ]
            + _masked_outside(s, out)
        )
    tables = {
        "redaction": score(sentences, broad, CATEGORIES),
        "mask": score(sentences, masked, MASKED),
    }
    return {
        "machine": machine_info(),
        "sentences": {lang: sum(s.lang == lang for s in sentences) for lang in LANGS},
        "negatives": sum(not s.spans for s in sentences),
        "ms_per_sentence": round(seconds * 1000 / len(sentences), 3),
        **{
            name: {
                lang: {c: _figures(counts) for c, counts in row.items()}
                for lang, row in sorted(table.items())
            }
            for name, table in tables.items()
        },
    }


def _masked_outside(sentence: Sentence, out: str) -> list[tuple[str, int, int]]:
    """Text masked where no card, IBAN or identity number is labelled: a wrong mask."""
    wrong = []
    for n, (a, b) in enumerate(zip(sentence.text, out, strict=True)):
        if a != b and not any(k in MASKED and start <= n < end for k, start, end in sentence.spans):
            wrong.append(("card", n, n + 1))  # counted once per character: any is too many
    return wrong[:1]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run_redaction", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--baseline", metavar="REV", help="git revision to compare findings with")
    return parser.parse_args(argv)


def differences(revision: str, sentences: Sequence[Sentence]) -> list[str]:
    """The sentences on which `revision`'s redaction finds or masks other than this tree's."""
    import bot
    from benchmarks._baseline import privacy_at

    old = privacy_at(revision)

    def seen(module: Any, text: str) -> list[Any]:
        found = [
            [(f.kind, f.start, f.end, f.value) for f in module.find_personal_data(text, broad=b)]
            for b in (False, True)
        ]
        return [*found, module.mask_personal_data(text)]

    return [f"{s.lang}: {s.text}" for s in sentences if seen(old, s.text) != seen(bot, s.text)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args.data)
    rows = []
    for lang in (*LANGS, "all"):
        for category, f in report["redaction"][lang].items():
            if f["spans"] or f["findings"]:
                rows.append(
                    [lang, category, f["spans"], f["findings"], f["precision"], f["recall"]]
                )
    print_table(["lang", "category", "spans", "found", "precision", "recall"], rows)
    print(f"{report['ms_per_sentence']} ms per sentence; mask (all): {report['mask']['all']}")
    if args.baseline is not None:
        sentences = load(args.data)
        differ = differences(args.baseline, sentences)
        for line in differ:
            print(f"differs from {args.baseline}: {line}")
        print(f"{len(sentences) - len(differ)} of {len(sentences)} sentences as {args.baseline}")
        if differ:
            return 1
    write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
