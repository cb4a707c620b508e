"""`samsvar answers learn`: list the candidates for new phrasings, accept or reject them by
number, or assign a question to an answer (the operation is `conversations.storage.learning`,
the saved listing `app.learning`; see docs/answer-base.md, "Learning from real questions")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from app.settings import Settings

__all__ = ["answers_learn"]

AnswersOpt = Annotated[
    Path | None,
    typer.Option("--answers", help="Answer base folder (default: CHAT_ANSWERS_DIR or the demo)."),
]


def _fail(message: str, code: int = 1) -> NoReturn:
    from app.cli import _fail as fail

    fail(message, code)


def _numbers(values: list[str], option: str, *, allow_all: bool = False) -> list[int] | None:
    """Candidate numbers from `--accept`/`--reject` values ("3", "1,4", "2-5"); None for
    "all"."""
    numbers: list[int] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if allow_all and part.lower() == "all":
                return None
            first, _, last = part.partition("-")
            if not first.isdigit() or (last and not (last.isdigit() and int(last) >= int(first))):
                _fail(f"error: {option} {part!r}: give candidate numbers, e.g. 3, 1,4 or 2-5", 2)
            numbers += range(int(first), int(last or first) + 1)
    return numbers


def _print_candidates(candidates: list[Any], answers: Path) -> None:
    if not candidates:
        typer.echo(f"no candidates for {answers}: no open questions with a known answer")
        return
    typer.echo(f"{'#':>3}  {'count':>5}  lang  {'sources':<18}  {'answer id':<24}  question")
    for number, candidate in enumerate(candidates, start=1):
        sources = ", ".join(f"{name} {count}" for name, count in candidate.sources.items())
        typer.echo(
            f"{number:>3}  {candidate.count:>5}  {candidate.language or '-':<4}  {sources:<18}  "
            f"{candidate.answer_id:<24}  {candidate.question}"
        )
    typer.echo(
        f"\n{len(candidates)} candidate(s). Accept with `samsvar answers learn --accept 1,3` "
        "(or `--accept all`), reject with `--reject 2`."
    )


def _place_json(number: int | None, place: Any) -> dict[str, Any]:
    return {
        "number": number,
        "question": place.question,
        "answer_id": place.answer_id,
        "file": str(place.file) if place.file else None,
        "line": place.line,
        "added": place.added,
    }


def _print_places(places: list[tuple[int | None, Any]]) -> None:
    for number, place in places:
        label = f"{number}: " if number else ""
        verb = "added to" if place.added else "already in"
        typer.echo(f"{label}{verb} {place.answer_id} ({place}): {place.question}")


def _learn_failed(exc: Exception) -> NoReturn:
    from app.errors import StorageUnavailable, UnknownCandidate
    from knowledge import AnswerBaseChanged, AnswerBaseInvalid

    if isinstance(exc, UnknownCandidate):
        _fail(f"error: {exc}", 2)
    if isinstance(exc, AnswerBaseChanged):
        _fail(
            "error: the answer base changed since the candidates were listed: run "
            f"`samsvar answers learn` again\n  changed in {exc.path}: {', '.join(exc.files)}"
        )
    if isinstance(exc, AnswerBaseInvalid):
        _fail(f"error: {exc}\nNothing was written.")
    if isinstance(exc, StorageUnavailable):
        _fail(f"error: {exc}")
    _fail(f"error: {exc}\nNothing was written.")


def answers_learn(
    answers: AnswersOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept", metavar="N", help="Accept candidates of the last listing: 3, 1,4, 2-5, all."
        ),
    ] = None,
    reject: Annotated[
        list[str] | None,
        typer.Option("--reject", metavar="N", help="Reject candidates of the last listing."),
    ] = None,
    assign: Annotated[
        str | None,
        typer.Option("--assign", metavar="QUESTION", help="Add this question to --to directly."),
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", metavar="ANSWER_ID", help="The answer for --assign.")
    ] = None,
) -> None:
    """Learn from real questions: list the visitors' questions whose right answer is known,
    and accept them as new phrasings of their answers (written into the answer files) or
    reject them."""
    from app.cli import _settings
    from knowledge import get_demo_dir

    settings = _settings()
    directory = answers or settings.answers_dir or get_demo_dir()  # as app.engine.answers_path
    if assign is not None or to is not None:
        _learn_assign(settings, directory, assign, to, as_json, bool(accept or reject))
        return
    accepted = _numbers(accept or [], "--accept", allow_all=True)
    rejected = _numbers(reject or [], "--reject") or []
    if accept or reject:
        _learn_decide(settings, directory, accepted, rejected, as_json)
        return
    _learn_list(settings, directory, as_json)


def _learn_list(settings: Settings, directory: Path, as_json: bool) -> None:
    from app.errors import StorageUnavailable
    from app.learning import candidate_json, list_candidates, listing_path
    from knowledge import AnswerBaseInvalid

    try:
        candidates = list_candidates(settings, directory)
    except (AnswerBaseInvalid, StorageUnavailable) as exc:
        _learn_failed(exc)
    if as_json:
        data = {
            "answers": str(directory),
            "listing": str(listing_path(settings, directory)),
            "candidates": [candidate_json(n, c) for n, c in enumerate(candidates, start=1)],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_candidates(candidates, directory)


def _learn_decide(
    settings: Settings,
    directory: Path,
    accept: list[int] | None,
    reject: list[int],
    as_json: bool,
) -> None:
    from app.errors import StorageUnavailable, UnknownCandidate
    from app.learning import decide_candidates
    from knowledge import AnswerBaseChanged, KnowledgeError

    both = set(accept or []) & set(reject)
    if both:
        _fail(f"error: candidate {min(both)} cannot be both accepted and rejected", 2)
    try:
        decided = decide_candidates(settings, directory, accept, reject)
    except (UnknownCandidate, AnswerBaseChanged, KnowledgeError, StorageUnavailable) as exc:
        _learn_failed(exc)
    if as_json:
        data = {
            "accepted": [_place_json(n, place) for n, place in decided.accepted],
            "rejected": [
                {"number": n, "question": c.question, "answer_id": c.answer_id}
                for n, c in decided.rejected
            ],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_places([(n, place) for n, place in decided.accepted])
    for number, choice in decided.rejected:
        typer.echo(f"{number}: rejected for {choice.answer_id}: {choice.question}")


def _learn_assign(
    settings: Settings,
    directory: Path,
    question: str | None,
    answer_id: str | None,
    as_json: bool,
    with_numbers: bool,
) -> None:
    from app.errors import StorageUnavailable
    from app.learning import assign_question
    from knowledge import KnowledgeError, load_answer_base

    if question is None or answer_id is None or with_numbers:
        _fail("error: use --assign QUESTION with --to ANSWER_ID, without --accept or --reject", 2)
    if not question.strip():
        _fail("error: --assign: the question is empty", 2)
    try:
        if load_answer_base(directory).get(answer_id) is None:
            _fail(f'error: --to: there is no answer with the id "{answer_id}" in {directory}', 2)
        place = assign_question(settings, directory, question, answer_id)
    except (KnowledgeError, StorageUnavailable) as exc:
        _learn_failed(exc)
    if as_json:
        typer.echo(json.dumps({"accepted": [_place_json(None, place)]}, ensure_ascii=False))
    else:
        _print_places([(None, place)])
