"""What the content team does with a gap: assign its questions to an existing answer (the
learning operation, `conversations.storage.do_decide_questions`: the questions become
phrasings in the answer's file, recorded as accepted), or start a new answer as a draft file
in `<answer base>/drafts/` with the questions filled in."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

from conversations.storage import Database, QuestionChoice, do_decide_questions
from insights.errors import DraftExists
from knowledge import (
    AnswerBase,
    AnswerBaseInvalid,
    QuestionPlace,
    get_base_fingerprint,
    load_answer_base,
)

__all__ = ["DRAFTS", "do_assign_questions", "do_write_draft", "draft_id"]

DRAFTS = "drafts"
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PLACEHOLDER = "(Draft from a gap in the report: write the answer here before publishing it.)"


async def do_assign_questions(
    db: Database,
    answers_dir: Path,
    questions: Sequence[str],
    answer_id: str,
    now: dt.datetime,
) -> list[QuestionPlace]:
    """Add `questions` to the answer `answer_id` as phrasings (all or none) and record each as
    accepted from a gap. Raises what `do_decide_questions` raises (QuestionsNotAdded for an
    unknown answer or a question another answer has, AnswerBaseInvalid, AnswerBaseChanged)."""
    expected = get_base_fingerprint(answers_dir)
    accept = [QuestionChoice(q, answer_id, ("gap",)) for q in dict.fromkeys(questions) if q.strip()]
    return await do_decide_questions(db, answers_dir, now, accept=accept, expected=expected)


def draft_id(text: str) -> str:
    """An answer id from a question: lower case ASCII words joined by dashes (æ → ae …)."""
    folded = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:6]
    return "-".join(words) or "new-answer"


def do_write_draft(
    answers_dir: Path,
    base: AnswerBase,
    questions: Sequence[str],
    *,
    answer_id: str | None = None,
    title: str | None = None,
    language: str | None = None,
) -> Path:
    """Write `<answers_dir>/drafts/<id>.yaml`: a draft answer (`status: draft`, so never given
    to visitors) with the questions, a title and a placeholder answer text in `language` (the
    base's default). The base must stay valid with it, else the file is removed again.

    Raises DraftExists (an answer or a file with that id), ValueError (no questions, a bad
    id), AnswerBaseInvalid (with the draft the base would not load)."""
    kept = [" ".join(q.split()) for q in dict.fromkeys(questions) if q.strip()]
    if not kept:
        raise ValueError("a draft needs at least one question")
    answer_id = answer_id or draft_id(kept[0])
    if not _ID.fullmatch(answer_id):
        raise ValueError(f"{answer_id!r} is not an answer id: use a-z, 0-9 and dashes")
    path = answers_dir / DRAFTS / f"{answer_id}.yaml"
    if base.get(answer_id) is not None or path.exists():
        raise DraftExists(f"the answer base already has an answer {answer_id!r} ({path})")
    document = {
        "id": answer_id,
        "title": title or kept[0],
        "status": "draft",
        "questions": kept,
        "answer": {language or base.config.default_language: PLACEHOLDER},
    }
    text = "# Started from a gap in the report; publish with status: published.\n" + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, width=100
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    try:
        load_answer_base(answers_dir)
    except AnswerBaseInvalid:
        path.unlink(missing_ok=True)
        raise
    return path
