"""`samsvar answers gaps`: list the gaps of a period (numbered, and saved), then assign a
gap's questions to an answer (`--assign N --to ID`, the learning operation) or start a new
answer from it (`--draft N`: a draft file in `<answers>/drafts/`). See docs/insights.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from app.settings import Settings
    from insights import Filters, Gap, Period

__all__ = ["answers_gaps", "find_period_gaps", "gaps_listing_path"]

T = TypeVar("T")


def _fail(message: str, code: int = 1) -> NoReturn:
    from app.cli import _fail as fail

    fail(message, code)


def _with_database(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    from app.migrate import on_database
    from conversations.storage import database_may_exist, get_database_url

    url = get_database_url(settings.database_url, settings.data_dir)
    if not database_may_exist(url):
        _fail(f"error: there is no conversation database at {url.database} yet: no gaps to find")
    return on_database(settings, work)


def find_period_gaps(
    settings: Settings, directory: Path, period: Period, filters: Filters
) -> list[Gap]:
    """The gaps of the period, with the bot's own encoder and retriever."""
    from app.cli import _engine
    from insights import VectorCache, get_gaps

    engine = _engine(settings, directory)
    bot = engine.bot
    cache = VectorCache(settings.data_dir / "insights", bot.encoder)
    return _with_database(
        settings, lambda db: get_gaps(db, bot.base, period, filters, cache, bot.retriever)
    )


def gaps_listing_path(settings: Settings, answers_dir: Path) -> Path:
    key = hashlib.sha1(str(answers_dir.resolve()).encode()).hexdigest()[:12]
    return settings.data_dir / "insights" / f"gaps-{key}.json"


def _save_listing(settings: Settings, directory: Path, period: Period, gaps: list[Gap]) -> Path:
    from insights import gap_json

    path = gaps_listing_path(settings, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "answers": str(directory.resolve()),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "gaps": [gap_json(g, questions=True) for g in gaps],
    }
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)
    return path


def _listed_gap(settings: Settings, directory: Path, number: int) -> dict[str, Any]:
    from insights import UnknownGap

    path = gaps_listing_path(settings, directory)
    try:
        gaps = json.loads(path.read_text(encoding="utf-8"))["gaps"]
    except (OSError, ValueError, KeyError) as exc:
        raise UnknownGap(
            f"no gaps have been listed for {directory} yet: run `samsvar answers gaps` first"
        ) from exc
    if not 1 <= number <= len(gaps):
        shown = f"1–{len(gaps)}" if gaps else "none"
        raise UnknownGap(f"there is no gap {number} in the last listing (numbers: {shown})")
    gap: dict[str, Any] = gaps[number - 1]
    return gap


def _print(gaps: list[Gap], path: Path) -> None:
    if not gaps:
        typer.echo("no gaps: every question of the period was answered")
        return
    typer.echo(f"{'#':>3}  {'size':>5}  {'languages':<14}  {'nearest':<30}  examples")
    for number, gap in enumerate(gaps, start=1):
        typer.echo(
            f"{number:>3}  {gap.size:>5}  {','.join(gap.languages):<14}  "
            f"{','.join(gap.nearest):<30}  {' | '.join(gap.examples[:3])}"
        )
    typer.echo(
        f"\n{len(gaps)} gap(s), saved in {path}. Assign one's questions to an answer with "
        "`samsvar answers gaps --assign 1 --answer-id ANSWER_ID`, "
        "or start an answer with `--draft 1`."
    )


def answers_gaps(
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="First day, YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last day (default: today).")
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="Answer base folder (default: CHAT_ANSWERS_DIR or the demo)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    assign: Annotated[
        int | None,
        typer.Option(
            "--assign", metavar="N", help="Add gap N's questions to the answer --answer-id."
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--answer-id", metavar="ANSWER_ID", help="The answer for --assign."),
    ] = None,
    draft: Annotated[
        int | None,
        typer.Option("--draft", metavar="N", help="Write a draft answer with gap N's questions."),
    ] = None,
    draft_id: Annotated[str | None, typer.Option("--id", help="The draft's answer id.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The draft's title.")] = None,
) -> None:
    """The gaps: the questions the bot did not answer, grouped by meaning. List them (the
    default period is the last 7 days), then act on one by its number."""
    from app.cli import _settings
    from app.engine import answers_path

    settings = _settings()
    directory = answers_path(settings, answers)
    if assign is not None and draft is not None:
        _fail("error: use --assign or --draft, not both", 2)
    if assign is not None:
        _assign(settings, directory, assign, to, as_json)
    elif draft is not None:
        _draft(settings, directory, draft, draft_id, title, as_json)
    else:
        _list(settings, directory, start, end, as_json)


def _list(
    settings: Settings, directory: Path, start: str | None, end: str | None, as_json: bool
) -> None:
    from app.report_commands import report_period
    from insights import Filters, InsightsError, gap_json
    from knowledge import AnswerBaseInvalid, load_answer_base

    try:
        base = load_answer_base(directory)
        period = report_period(base, start, end, dt.datetime.now(dt.UTC).date())
    except AnswerBaseInvalid as exc:
        _fail(f"error: {exc}")
    except InsightsError as exc:
        _fail(f"error: {exc}", 2)
    gaps = find_period_gaps(settings, directory, period, Filters())
    path = _save_listing(settings, directory, period, gaps)
    if as_json:
        data = {"listing": str(path), "gaps": [gap_json(g) for g in gaps]}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print(gaps, path)


def _assign(
    settings: Settings, directory: Path, number: int, answer_id: str | None, as_json: bool
) -> None:
    from conversations.errors import StorageUnavailable
    from insights import InsightsError, do_assign_questions
    from knowledge import KnowledgeError, load_answer_base

    if answer_id is None:
        _fail(
            "error: --assign N needs --answer-id ANSWER_ID: the answer to add the questions to", 2
        )
    try:
        gap = _listed_gap(settings, directory, number)
        if load_answer_base(directory).get(answer_id) is None:
            _fail(
                f'error: --answer-id: there is no answer with the id "{answer_id}" in {directory}',
                2,
            )
        questions = [q["text"] for q in gap["questions"]]
        places = _with_database(
            settings,
            lambda db: do_assign_questions(
                db, directory, questions, answer_id, dt.datetime.now(dt.UTC)
            ),
        )
    except InsightsError as exc:
        _fail(f"error: {exc}", 2)
    except (KnowledgeError, StorageUnavailable) as exc:
        _fail(f"error: {exc}\nNothing was written.")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "assigned": [
                        {"question": p.question, "answer_id": p.answer_id, "added": p.added}
                        for p in places
                    ]
                },
                ensure_ascii=False,
            )
        )
        return
    added = sum(p.added for p in places)
    typer.echo(
        f"gap {number}: {added} question(s) added to {answer_id}, "
        f"{len(places) - added} already there"
    )


def _draft(
    settings: Settings,
    directory: Path,
    number: int,
    answer_id: str | None,
    title: str | None,
    as_json: bool,
) -> None:
    from insights import InsightsError, do_write_draft
    from knowledge import KnowledgeError, load_answer_base

    try:
        gap = _listed_gap(settings, directory, number)
        base = load_answer_base(directory)
        language = gap["languages"][0] if gap["languages"] else None
        path = do_write_draft(
            directory,
            base,
            [q["text"] for q in gap["questions"]],
            answer_id=answer_id,
            title=title,
            language=language if language in base.languages else None,
        )
    except InsightsError as exc:
        _fail(f"error: {exc}", 2)
    except ValueError as exc:
        _fail(f"error: {exc}", 2)
    except KnowledgeError as exc:
        _fail(f"error: {exc}\nNothing was written.")
    if as_json:
        typer.echo(json.dumps({"draft": str(path)}))
    else:
        typer.echo(
            f"gap {number}: draft written to {path} "
            "(status: draft; write the answer, then publish it)"
        )
