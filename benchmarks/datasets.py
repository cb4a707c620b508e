"""Loaders that turn the shared evaluation datasets into one common structure.

The datasets live beside the repository in ``../shared/datasets`` (see each folder's SOURCE.md);
nothing here copies them. Every loader returns :class:`Benchmark` objects: an answer base
(``items``), calibration queries (may be empty) and test queries. A query whose ``expected`` is
``None`` is out of scope: the right behaviour is to abstain.

The exact settings:

* **swefaq** (sv): the base is the distinct correct answers of the 109 ``swefaq_test`` questions,
  pooled across all categories; each item holds its answer text only (``questions=()``; the test
  questions are never in the base). Test = the 109 test questions (expected = their answer) plus
  the 110 ``swefaq_dev`` questions as out-of-scope probes (the categories are disjoint).
  ``calibration`` is empty. A system that needs labelled data to pick a threshold uses
  ``Benchmark.mirror`` instead, built the other way round from dev: dev answers pooled as the
  base, the dev questions in scope, the test questions out of scope. No test answer is in the
  mirror's base, so tuning on it never sees the test base.
* **clinc150** (en, ``data_full.json``): 150 intents whose questions are all ``train`` texts;
  calibration = ``val`` + ``oos_val``; test = ``test`` + ``oos_test`` (label ``oos`` -> ``None``).
  ``oos_train`` is not used.
* **banking77** (en): the 25 intents ``sorted(categories)[2::3]`` are held out as out of scope.
  ``random.Random(0).shuffle`` of all train row indices; the first 10 % (``n // 10`` rows) become
  calibration queries (rows of held-out intents -> ``None``) and leave the base. The remaining
  train rows of the 52 kept intents are the base's questions; the remaining rows of held-out
  intents are dropped. Test = ``test.csv`` (held-out intents -> ``None``).
* **xsid-da**, **xsid-nb**: the base is the intents of ``en.valid`` with their English valid
  sentences as questions. Test = ``da.test`` (lang ``da``) or the Bokmål rows (``dialect == "B"``)
  of ``no.test`` (lang ``nb``). No calibration and no out-of-scope queries; test queries whose
  intent is not in the base are dropped and counted in ``notes``.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_DATASETS",
    "LOADERS",
    "Benchmark",
    "Item",
    "Query",
    "banking77_held_out",
    "load",
    "load_banking77",
    "load_clinc150",
    "load_swefaq",
    "load_xsid",
    "read_jsonl",
]

Row = dict[str, Any]
DEFAULT_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@dataclass(frozen=True)
class Query:
    text: str
    expected: str | None  # None = out of scope
    lang: str


@dataclass(frozen=True)
class Item:
    id: str
    questions: tuple[str, ...]
    texts: tuple[str, ...]  # answer texts (may be empty)


@dataclass(frozen=True)
class Benchmark:
    name: str
    items: tuple[Item, ...]
    calibration: tuple[Query, ...]
    test: tuple[Query, ...]
    mirror: Benchmark | None = None  # labelled stand-in for tuning when calibration is empty
    notes: tuple[str, ...] = ()


# --- helpers -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _group(pairs: Iterable[tuple[str, str]]) -> tuple[Item, ...]:
    """Items from (text, label) pairs, in order of first appearance of each label."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for text, label in pairs:
        grouped[label].append(text)
    return tuple(Item(label, tuple(texts), ()) for label, texts in grouped.items())


# --- SweFAQ ------------------------------------------------------------------------------------


def _swefaq_base(rows: list[Row], prefix: str) -> tuple[tuple[Item, ...], list[str]]:
    """Pool the gold answers of ``rows``; return the items and each row's item id."""
    ids: dict[str, str] = {}
    row_ids = []
    for row in rows:
        answer = row["candidate_answers"][row["label"]]
        row_ids.append(ids.setdefault(answer, f"{prefix}-{len(ids) + 1:03d}"))
    items = tuple(Item(item_id, (), (answer,)) for answer, item_id in ids.items())
    return items, row_ids


def _swefaq_split(name: str, inside: list[Row], outside: list[Row], prefix: str) -> Benchmark:
    items, ids = _swefaq_base(inside, prefix)
    test = [Query(r["question"], i, "sv") for r, i in zip(inside, ids, strict=True)]
    test += [Query(r["question"], None, "sv") for r in outside]
    return Benchmark(name, items, (), tuple(test))


def load_swefaq(root: Path) -> Benchmark:
    dev = list(read_jsonl(root / "swefaq" / "swefaq_dev.jsonl"))
    test = list(read_jsonl(root / "swefaq" / "swefaq_test.jsonl"))
    mirror = _swefaq_split("swefaq-dev-mirror", dev, test, "dev")
    bench = _swefaq_split("swefaq", test, dev, "test")
    return Benchmark(bench.name, bench.items, (), bench.test, mirror=mirror)


# --- CLINC150 ----------------------------------------------------------------------------------


def _clinc_queries(pairs: Iterable[list[str]]) -> tuple[Query, ...]:
    return tuple(Query(text, None if label == "oos" else label, "en") for text, label in pairs)


def load_clinc150(root: Path) -> Benchmark:
    with (root / "clinc150" / "data_full.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    items = _group((text, label) for text, label in data["train"])
    calibration = _clinc_queries(data["val"] + data["oos_val"])
    test = _clinc_queries(data["test"] + data["oos_test"])
    return Benchmark("clinc150", items, calibration, test)


# --- BANKING77 ---------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["text"], row["category"]) for row in csv.DictReader(fh)]


def banking77_held_out(categories: Iterable[str]) -> frozenset[str]:
    return frozenset(sorted(categories)[2::3])


def load_banking77(root: Path) -> Benchmark:
    folder = root / "banking77"
    held = banking77_held_out(json.loads((folder / "categories.json").read_text("utf-8")))
    train = _csv_rows(folder / "train.csv")
    order = list(range(len(train)))
    random.Random(0).shuffle(order)
    sample = set(order[: len(train) // 10])

    def query(text: str, label: str) -> Query:
        return Query(text, None if label in held else label, "en")

    calibration = tuple(query(*train[i]) for i in sorted(sample))
    base = [row for i, row in enumerate(train) if i not in sample and row[1] not in held]
    test = tuple(query(*row) for row in _csv_rows(folder / "test.csv"))
    notes = (f"held out as out of scope: {len(held)} intents; base: {77 - len(held)} intents",)
    return Benchmark("banking77", _group(base), calibration, test, notes=notes)


# --- xSID --------------------------------------------------------------------------------------


def _xsid_queries(rows: list[Row], lang: str, known: set[str]) -> tuple[tuple[Query, ...], str]:
    kept = tuple(Query(r["text"], r["intent"], lang) for r in rows if r["intent"] in known)
    dropped = sorted(r["intent"] for r in rows if r["intent"] not in known)
    note = f"{len(kept)} test queries; dropped {len(dropped)} whose intent is not in the base"
    if dropped:
        note += ": " + ", ".join(sorted(set(dropped)))
    return kept, note


def load_xsid(root: Path) -> tuple[Benchmark, Benchmark]:
    folder = root / "xsid_nordic"
    items = _group((r["text"], r["intent"]) for r in read_jsonl(folder / "en.valid.jsonl"))
    known = {item.id for item in items}
    danish = list(read_jsonl(folder / "da.test.jsonl"))
    bokmal = [r for r in read_jsonl(folder / "no.test.jsonl") if r["dialect"] == "B"]
    da_test, da_note = _xsid_queries(danish, "da", known)
    nb_test, nb_note = _xsid_queries(bokmal, "nb", known)
    return (
        Benchmark("xsid-da", items, (), da_test, notes=(da_note,)),
        Benchmark("xsid-nb", items, (), nb_test, notes=(nb_note,)),
    )


# --- registry ----------------------------------------------------------------------------------

LOADERS: dict[str, Callable[[Path], tuple[Benchmark, ...]]] = {
    "swefaq": lambda root: (load_swefaq(root),),
    "clinc150": lambda root: (load_clinc150(root),),
    "banking77": lambda root: (load_banking77(root),),
    "xsid": load_xsid,
}


def load(name: str, root: Path = DEFAULT_DATASETS) -> tuple[Benchmark, ...]:
    """Load one dataset by its CLI name (``swefaq``, ``clinc150``, ``banking77``, ``xsid``)."""
    if name not in LOADERS:
        raise KeyError(f"unknown dataset {name!r}; choose from {', '.join(LOADERS)}")
    return LOADERS[name](root)
