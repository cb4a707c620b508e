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

Cold-start settings: a new base with a few phrasings per answer and nothing else. There are no
calibration queries (``calibration`` is empty, ``mirror`` is ``None``): a system must choose its
own operating point. The base's k phrasings per answer are drawn from the training split only:
one ``random.Random(0)``, then for each intent in sorted order ``rng.sample(phrasings, k)`` (all
of them when an intent has fewer than k), the phrasings in the dataset's order; items are in
sorted intent order. The test split only scores.

* **clinc150-1**, **clinc150-5** (en, ``data_full.json``): k = 1 / 5 ``train`` texts per intent
  (150 items). Test = ``test`` + ``oos_test`` as in ``clinc150``. ``traffic`` (kept for the
  learning setting, never used by the cold-start run) = the 3,000 in-scope ``val`` questions;
  ``oos_val`` and ``oos_train`` are not used.
* **banking77-1**, **banking77-5** (en): the same 25 held-out intents as ``banking77``
  (:func:`banking77_held_out`); k phrasings per intent from all ``train.csv`` rows of the 52 kept
  intents. Test = ``test.csv`` (held-out intents -> ``None``), as in ``banking77``.
* **xsid-1-da**, **xsid-1-nb**: one English phrasing per intent from ``en.valid``; test and
  dropped queries exactly as ``xsid-da`` / ``xsid-nb``.
* **swefaq** as above (one answer text per item, no questions) also counts as a cold-start
  setting; it keeps its dev mirror.

Learning settings ("as if accepted by the content team"): labelled traffic questions become
phrasings of their answers (appended to the item's questions, exact duplicates skipped) and the
system is fitted again on the grown base. ``Benchmark.before`` is the setting before learning;
both are scored on the same in-scope test queries.

* **clinc150-1-learn**: ``clinc150-1`` with its ``traffic`` (the 3,000 in-scope ``val``
  questions, 20 per intent) added to their intents: 150 items, 1 + 20 phrasings each. Test =
  ``test`` + ``oos_test`` as in ``clinc150-1``; before = ``clinc150-1``.
* **swefaq-learn**: the dev questions are traffic for the dev answers (whose categories are
  disjoint from test): the base = the 109 test answers of ``swefaq`` (texts only, ids
  ``test-NNN``) + the dev answers of the dev mirror (ids ``dev-NNN``, their answer text) with the
  110 dev questions as their questions. Test = the 109 test questions (all in scope; the dev
  questions are now in the base, so there are no out-of-scope queries). Before = ``swefaq`` as
  it is (with its dev mirror), whose in-scope queries are the same 109 questions.
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
    "add_phrasings",
    "banking77_held_out",
    "k_shot",
    "load",
    "load_banking77",
    "load_banking77_k",
    "load_clinc150",
    "load_clinc150_k",
    "load_clinc150_learn",
    "load_swefaq",
    "load_swefaq_learn",
    "load_xsid",
    "load_xsid_k",
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
    traffic: tuple[Query, ...] = ()  # labelled would-be traffic: only learning settings use it
    before: Benchmark | None = None  # learning settings: the setting before the traffic was learnt


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


def k_shot(pairs: Iterable[tuple[str, str]], k: int, seed: int = 0) -> tuple[Item, ...]:
    """Items of k phrasings each from (text, label) pairs, drawn as the module docstring says.

    One ``random.Random(seed)``; for each label in sorted order, ``rng.sample`` of its texts (in
    the order given) of size ``min(k, len(texts))``. Items come in sorted label order.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    grouped: dict[str, list[str]] = defaultdict(list)
    for text, label in pairs:
        grouped[label].append(text)
    rng = random.Random(seed)
    return tuple(
        Item(label, tuple(rng.sample(grouped[label], min(k, len(grouped[label])))), ())
        for label in sorted(grouped)
    )


def add_phrasings(items: Iterable[Item], queries: Iterable[Query]) -> tuple[Item, ...]:
    """The items with each labelled query appended to its item's questions (learning).

    Out-of-scope queries are ignored and exact duplicates of an item's questions skipped; a query
    whose item is not in ``items`` is an error.
    """
    questions = {item.id: list(item.questions) for item in items}
    for query in queries:
        if query.expected is None:
            continue
        if query.expected not in questions:
            raise KeyError(f"traffic for an answer not in the base: {query.expected!r}")
        if query.text not in questions[query.expected]:
            questions[query.expected].append(query.text)
    return tuple(Item(i.id, tuple(questions[i.id]), i.texts) for i in items)


def _learnt(
    before: Benchmark, name: str, items: tuple[Item, ...], test: tuple[Query, ...]
) -> Benchmark:
    added = sum(len(i.questions) for i in items) - sum(len(i.questions) for i in before.items)
    note = f"learnt {added} traffic questions as phrasings; before = {before.name}"
    return Benchmark(name, items, (), test, notes=(note,), before=before)


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


def load_swefaq_learn(root: Path) -> Benchmark:
    before = load_swefaq(root)
    dev = before.mirror
    if dev is None:
        raise ValueError("swefaq has no dev mirror to learn from")
    items = add_phrasings(before.items + dev.items, dev.test)
    test = tuple(q for q in before.test if q.expected is not None)
    return _learnt(before, "swefaq-learn", items, test)


# --- CLINC150 ----------------------------------------------------------------------------------


def _clinc_queries(pairs: Iterable[list[str]]) -> tuple[Query, ...]:
    return tuple(Query(text, None if label == "oos" else label, "en") for text, label in pairs)


def _clinc_data(root: Path) -> dict[str, list[list[str]]]:
    with (root / "clinc150" / "data_full.json").open(encoding="utf-8") as fh:
        data: dict[str, list[list[str]]] = json.load(fh)
    return data


def load_clinc150(root: Path) -> Benchmark:
    data = _clinc_data(root)
    items = _group((text, label) for text, label in data["train"])
    calibration = _clinc_queries(data["val"] + data["oos_val"])
    test = _clinc_queries(data["test"] + data["oos_test"])
    return Benchmark("clinc150", items, calibration, test)


def load_clinc150_k(root: Path, k: int) -> Benchmark:
    data = _clinc_data(root)
    items = k_shot(((text, label) for text, label in data["train"]), k)
    test = _clinc_queries(data["test"] + data["oos_test"])
    traffic = _clinc_queries(data["val"])
    return Benchmark(f"clinc150-{k}", items, (), test, traffic=traffic)


def load_clinc150_learn(root: Path) -> Benchmark:
    before = load_clinc150_k(root, 1)
    items = add_phrasings(before.items, before.traffic)
    return _learnt(before, "clinc150-1-learn", items, before.test)


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


def load_banking77_k(root: Path, k: int) -> Benchmark:
    folder = root / "banking77"
    held = banking77_held_out(json.loads((folder / "categories.json").read_text("utf-8")))
    kept = [row for row in _csv_rows(folder / "train.csv") if row[1] not in held]
    test = tuple(
        Query(text, None if label in held else label, "en")
        for text, label in _csv_rows(folder / "test.csv")
    )
    notes = (f"held out as out of scope: {len(held)} intents; base: {77 - len(held)} intents",)
    return Benchmark(f"banking77-{k}", k_shot(kept, k), (), test, notes=notes)


# --- xSID --------------------------------------------------------------------------------------


def _xsid_queries(rows: list[Row], lang: str, known: set[str]) -> tuple[tuple[Query, ...], str]:
    kept = tuple(Query(r["text"], r["intent"], lang) for r in rows if r["intent"] in known)
    dropped = sorted(r["intent"] for r in rows if r["intent"] not in known)
    note = f"{len(kept)} test queries; dropped {len(dropped)} whose intent is not in the base"
    if dropped:
        note += ": " + ", ".join(sorted(set(dropped)))
    return kept, note


def _xsid_test_rows(folder: Path, lang: str) -> list[Row]:
    if lang == "da":
        return list(read_jsonl(folder / "da.test.jsonl"))
    if lang == "nb":
        return [r for r in read_jsonl(folder / "no.test.jsonl") if r["dialect"] == "B"]
    raise ValueError(f"xSID test language must be da or nb, not {lang!r}")


def load_xsid(root: Path) -> tuple[Benchmark, Benchmark]:
    folder = root / "xsid_nordic"
    items = _group((r["text"], r["intent"]) for r in read_jsonl(folder / "en.valid.jsonl"))
    known = {item.id for item in items}
    da_test, da_note = _xsid_queries(_xsid_test_rows(folder, "da"), "da", known)
    nb_test, nb_note = _xsid_queries(_xsid_test_rows(folder, "nb"), "nb", known)
    return (
        Benchmark("xsid-da", items, (), da_test, notes=(da_note,)),
        Benchmark("xsid-nb", items, (), nb_test, notes=(nb_note,)),
    )


def load_xsid_k(root: Path, k: int, lang: str) -> Benchmark:
    folder = root / "xsid_nordic"
    items = k_shot(((r["text"], r["intent"]) for r in read_jsonl(folder / "en.valid.jsonl")), k)
    known = {item.id for item in items}
    test, note = _xsid_queries(_xsid_test_rows(folder, lang), lang, known)
    return Benchmark(f"xsid-{k}-{lang}", items, (), test, notes=(note,))


# --- registry ----------------------------------------------------------------------------------

LOADERS: dict[str, Callable[[Path], tuple[Benchmark, ...]]] = {
    "swefaq": lambda root: (load_swefaq(root),),
    "clinc150": lambda root: (load_clinc150(root),),
    "banking77": lambda root: (load_banking77(root),),
    "xsid": load_xsid,
    # cold start
    "clinc150-1": lambda root: (load_clinc150_k(root, 1),),
    "clinc150-5": lambda root: (load_clinc150_k(root, 5),),
    "banking77-1": lambda root: (load_banking77_k(root, 1),),
    "banking77-5": lambda root: (load_banking77_k(root, 5),),
    "xsid-1-da": lambda root: (load_xsid_k(root, 1, "da"),),
    "xsid-1-nb": lambda root: (load_xsid_k(root, 1, "nb"),),
    # learning
    "swefaq-learn": lambda root: (load_swefaq_learn(root),),
    "clinc150-1-learn": lambda root: (load_clinc150_learn(root),),
}


def load(name: str, root: Path = DEFAULT_DATASETS) -> tuple[Benchmark, ...]:
    """Load one setting by its CLI name (a key of :data:`LOADERS`, e.g. ``swefaq``)."""
    if name not in LOADERS:
        raise KeyError(f"unknown dataset {name!r}; choose from {', '.join(LOADERS)}")
    return LOADERS[name](root)
