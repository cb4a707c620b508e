"""Fit the cold-start prior shipped in `retrieval/data/prior.json` (see `retrieval/prior.py`).

    python -m benchmarks.fit_prior [--datasets DIR] [--out retrieval/data/prior.json]
                                   [--cache DIR] [--per-episode N]

Only *training* material is read, never a test split (the cold-start benchmarks in
`run_retrieval` score on the test splits):

* CLINC150 ``train`` (en) and BANKING77 ``train.csv`` (en): young bases of 1 and of 3
  phrasings per intent; a quarter of the intents is left out of the base and its phrasings are
  asked as out of scope, with CLINC150's ``oos_train``; the other phrasings of the kept intents
  are the visitors' questions.
* Bitext customer support (en): one instruction and its response (the answer text) per intent,
  the other instructions as questions, a quarter of the intents left out.
* xSID ``*.valid`` only: a base of one phrasing per intent in one language (English, Danish,
  Norwegian bokmål) asked in the others, Norwegian dialects and nynorsk included: the
  cross-language traffic of a Nordic base.
* SweFAQ ``swefaq_dev`` (sv): the dev answers as answer texts only, the dev questions asked,
  a quarter of the answers left out.

Every episode is fitted as the product fits a base (held-out phrasings, left-out answers, the
shipped probes) plus its visitors' questions held out against it; see `retrieval.fit_prior`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from benchmarks.cache import DEFAULT_CACHE_DIR, CachedEncoder
from benchmarks.datasets import DEFAULT_DATASETS, read_jsonl
from retrieval import Entry, get_probe_langs, get_probes
from retrieval.prior import PRIOR_FILE, Episode
from retrieval.ranking import fit_prior

LEFT_OUT_SHARE = 4  # one intent in this many is left out of the base (out of scope)
QUESTIONS_PER_INTENT = 6


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for text, label in pairs:
        if text not in grouped[label]:
            grouped[label].append(text)
    return dict(sorted(grouped.items()))


def _episode(
    name: str,
    grouped: dict[str, list[str]],
    k: int,
    seed: int,
    *,
    texts: dict[str, str] | None = None,
    asked: dict[str, list[str]] | None = None,
    out_of_scope: Sequence[str] = (),
    per_episode: int,
) -> Episode:
    """A young base of `k` phrasings per kept intent, and labelled questions to it.

    `asked` gives the questions per intent (default: the intent's other phrasings); a quarter
    of the intents is left out, their questions asked as out of scope.
    """
    rng = random.Random(seed)
    labels = sorted(grouped)
    left_out = set(rng.sample(labels, len(labels) // LEFT_OUT_SHARE))
    entries, queries = [], []
    for label in labels:
        phrasings = list(grouped[label])
        rng.shuffle(phrasings)
        base, rest = phrasings[:k], phrasings[k:]
        questions = rest if asked is None else [q for q in asked.get(label, []) if q not in base]
        picked = rng.sample(questions, min(QUESTIONS_PER_INTENT, len(questions)))
        if label in left_out:
            queries += [(q, None) for q in picked[:2]]
            continue
        answer_texts = (texts[label],) if texts and label in texts else ()
        entries.append(Entry(label, tuple(base), answer_texts))
        queries += [(q, label) for q in picked]
    queries += [(q, None) for q in out_of_scope]
    rng.shuffle(queries)
    return Episode(name, tuple(entries), tuple(queries[:per_episode]))


def _clinc(root: Path, per_episode: int) -> list[Episode]:
    data = json.loads((root / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    grouped = _grouped((text, label) for text, label in data["train"])
    oos = [text for text, _ in data["oos_train"]]
    return [
        _episode(f"clinc150-{k}", grouped, k, 10 + k, out_of_scope=oos, per_episode=per_episode)
        for k in (1, 3)
    ]


def _banking(root: Path, per_episode: int) -> list[Episode]:
    with (root / "banking77" / "train.csv").open(encoding="utf-8") as fh:
        grouped = _grouped((row["text"], row["category"]) for row in csv.DictReader(fh))
    return [_episode(f"banking77-{k}", grouped, k, 20 + k, per_episode=per_episode) for k in (1, 3)]


def _bitext(root: Path, per_episode: int) -> list[Episode]:
    path = root / "bitext_cs" / "bitext_customer_support_sample.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    grouped = _grouped((row["instruction"], row["intent"]) for row in rows)
    texts: dict[str, str] = {}
    for row in rows:
        texts.setdefault(row["intent"], row["response"])
    return [_episode("bitext-1", grouped, 1, 30, texts=texts, per_episode=per_episode)]


def _xsid(root: Path, per_episode: int) -> list[Episode]:
    folder = root / "xsid_nordic"
    by_lang: dict[str, dict[str, list[str]]] = {}
    for lang in ("en", "da", "no"):
        rows = list(read_jsonl(folder / f"{lang}.valid.jsonl"))
        if lang == "no":  # bokmål for the base; every written form is asked
            by_lang["nb"] = _grouped((r["text"], r["intent"]) for r in rows if r["dialect"] == "B")
            by_lang["no"] = _grouped((r["text"], r["intent"]) for r in rows)
        else:
            by_lang[lang] = _grouped((r["text"], r["intent"]) for r in rows)
    episodes = []
    for n, (base, asked) in enumerate(
        (("en", ("da", "no")), ("nb", ("en", "da")), ("da", ("no",)))
    ):
        questions: dict[str, list[str]] = defaultdict(list)
        for lang in asked:
            for label, texts in by_lang[lang].items():
                questions[label] += texts
        episodes.append(
            _episode(
                f"xsid-{base}", by_lang[base], 1, 40 + n, asked=questions, per_episode=per_episode
            )
        )
    return episodes


def _swefaq(root: Path, per_episode: int) -> list[Episode]:
    rows = list(read_jsonl(root / "swefaq" / "swefaq_dev.jsonl"))
    answers: dict[str, str] = {}
    asked: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        answer = row["candidate_answers"][row["label"]]
        label = answers.setdefault(answer, f"dev-{len(answers) + 1:03d}")
        asked[label].append(row["question"])
    texts = {label: answer for answer, label in answers.items()}
    grouped = {label: [] for label in sorted(texts)}
    return [
        _episode(
            "swefaq-dev", grouped, 0, 50, texts=texts, asked=dict(asked), per_episode=per_episode
        )
    ]


def episodes(root: Path, per_episode: int) -> list[Episode]:
    return [
        *_clinc(root, per_episode),
        *_banking(root, per_episode),
        *_bitext(root, per_episode),
        *_xsid(root, per_episode),
        *_swefaq(root, per_episode),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_prior", description=__doc__)
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--out", type=Path, default=PRIOR_FILE)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--per-episode", type=int, default=900)
    args = parser.parse_args(argv)
    if not args.datasets.is_dir():
        print(f"datasets folder not found: {args.datasets}", file=sys.stderr)
        return 2
    encoder = CachedEncoder(args.cache)
    chosen = episodes(args.datasets, args.per_episode)
    for episode in chosen:
        in_scope = sum(expected is not None for _, expected in episode.queries)
        print(
            f"{episode.name}: {len(episode.entries)} answers, {in_scope} in scope, "
            f"{len(episode.queries) - in_scope} out of scope",
            flush=True,
        )
    prior = fit_prior(chosen, encoder, probes=get_probes(), probe_langs=get_probe_langs())
    args.out.write_text(json.dumps(prior.to_json(), separators=(",", ":")) + "\n", "utf-8")
    right = float(prior.right1.mean()) if prior.right1.size else 0.0
    print(f"wrote {args.out}: {prior.about}, reference hit@1 {right:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
