"""`samsvar answers learn`: list the candidates and save the listing, then accept or reject
them by number, or assign a question to an answer directly.

The operation itself is `conversations.storage.learning` (and `knowledge.do_add_questions`);
this module keeps the numbered listing between two runs:
`<CHAT_DATA_DIR>/learning/<base key>.json` holds the answer base's folder, the fingerprint of
its files when the candidates were listed, and each number's question and answer id. A
decision on a base whose files changed since is refused (`knowledge.AnswerBaseChanged`), so
a number never means another question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import UnknownCandidate
from app.migrate import on_database
from app.settings import Settings
from conversations.storage import (
    Database,
    LearningCandidate,
    QuestionChoice,
    database_may_exist,
    do_decide_questions,
    get_database_url,
    get_learning_candidates,
)
from knowledge import (
    AnswerBaseChanged,
    QuestionPlace,
    get_base_fingerprint,
    load_answer_base,
)

__all__ = [
    "Decided",
    "Listing",
    "assign_question",
    "decide_candidates",
    "list_candidates",
    "listing_path",
    "load_listing",
]


@dataclass(frozen=True)
class Listing:
    """The last listing of one answer base: its folder, its files' fingerprint then, and the
    candidates by number (1 first)."""

    answers: str
    fingerprint: dict[str, str]
    candidates: list[dict[str, Any]]
    listed_at: str = ""

    def get(self, number: int) -> QuestionChoice:
        if not 1 <= number <= len(self.candidates):
            shown = f"1–{len(self.candidates)}" if self.candidates else "none"
            raise UnknownCandidate(
                f"there is no candidate {number} in the last listing (numbers: {shown}); "
                "run `samsvar answers learn` to list them"
            )
        item = self.candidates[number - 1]
        return QuestionChoice(item["question"], item["answer_id"], tuple(item["sources"]))


@dataclass(frozen=True)
class Decided:
    """What a decision did: where each accepted question is now, and the rejected ones (with
    their numbers; 0 for an assigned question)."""

    accepted: list[tuple[int, QuestionPlace]]
    rejected: list[tuple[int, QuestionChoice]]


def listing_path(settings: Settings, answers_dir: Path) -> Path:
    key = hashlib.sha1(str(answers_dir.resolve()).encode()).hexdigest()[:12]
    return settings.data_dir / "learning" / f"{key}.json"


def _has_database(settings: Settings) -> bool:
    return database_may_exist(get_database_url(settings.database_url, settings.data_dir))


def list_candidates(settings: Settings, answers_dir: Path) -> list[LearningCandidate]:
    """The candidates of the base in `answers_dir` (none without a database yet), saved as the
    last listing. Raises AnswerBaseInvalid, StorageUnavailable."""
    fingerprint = get_base_fingerprint(answers_dir)
    base = load_answer_base(answers_dir)
    candidates: list[LearningCandidate] = []
    if _has_database(settings):
        candidates = on_database(settings, lambda db: get_learning_candidates(db, base))
    _save(
        listing_path(settings, answers_dir),
        {
            "answers": str(answers_dir.resolve()),
            "listed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "fingerprint": fingerprint,
            "candidates": [candidate_json(n, c) for n, c in enumerate(candidates, start=1)],
        },
    )
    return candidates


def candidate_json(number: int, candidate: LearningCandidate) -> dict[str, Any]:
    return {
        "number": number,
        "question": candidate.question,
        "answer_id": candidate.answer_id,
        "count": candidate.count,
        "sources": dict(candidate.sources),
        "language": candidate.language,
        "last_at": candidate.last_at.isoformat() if candidate.last_at else None,
    }


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def load_listing(settings: Settings, answers_dir: Path) -> Listing:
    """The last listing of this base; raises UnknownCandidate when there is none."""
    path = listing_path(settings, answers_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Listing(
            data["answers"], dict(data["fingerprint"]), list(data["candidates"]), data["listed_at"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UnknownCandidate(
            f"no candidates have been listed for {answers_dir} yet: "
            "run `samsvar answers learn` first"
        ) from exc


def decide_candidates(
    settings: Settings,
    answers_dir: Path,
    accept: Sequence[int] | None,
    reject: Sequence[int],
) -> Decided:
    """Accept (`None`: every one) and reject candidates of the last listing by number.

    Raises UnknownCandidate (no listing, unknown numbers), AnswerBaseChanged (the files
    changed since the listing), AnswerBaseInvalid, QuestionsNotAdded, StorageUnavailable;
    then nothing was written and nothing recorded.
    """
    listing = load_listing(settings, answers_dir)
    now = get_base_fingerprint(answers_dir)
    if now != listing.fingerprint:
        changed = sorted(
            name
            for name in now.keys() | listing.fingerprint.keys()
            if now.get(name) != listing.fingerprint.get(name)
        )
        raise AnswerBaseChanged(answers_dir, changed)
    numbers = list(range(1, len(listing.candidates) + 1)) if accept is None else list(accept)
    accepted = [(n, listing.get(n)) for n in dict.fromkeys(numbers)]
    rejected = [(n, listing.get(n)) for n in dict.fromkeys(reject)]

    async def work(db: Database) -> list[QuestionPlace]:
        return await do_decide_questions(
            db,
            answers_dir,
            dt.datetime.now(dt.UTC),
            accept=[choice for _, choice in accepted],
            reject=[choice for _, choice in rejected],
            expected=listing.fingerprint,
        )

    places = on_database(settings, work)
    return Decided(list(zip([n for n, _ in accepted], places, strict=True)), rejected)


def assign_question(
    settings: Settings, answers_dir: Path, question: str, answer_id: str
) -> QuestionPlace:
    """Add one question to one answer directly, and record it as accepted (`assigned`).

    Raises AnswerBaseInvalid, QuestionsNotAdded (e.g. another answer has the question),
    StorageUnavailable.
    """
    expected = get_base_fingerprint(answers_dir)
    choice = QuestionChoice(question, answer_id, ("assigned",))

    async def work(db: Database) -> list[QuestionPlace]:
        return await do_decide_questions(
            db, answers_dir, dt.datetime.now(dt.UTC), accept=[choice], expected=expected
        )

    return on_database(settings, work)[0]
