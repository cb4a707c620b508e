"""`samsvar report`: the figures of a period, printed and written as JSON, HTML and CSV
(docs/insights.md). The figures are `insights`'; this module reads the options, opens the
database and writes the files."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from app.settings import Settings
    from insights import Filters, Period
    from knowledge import AnswerBase

__all__ = ["report"]

DEFAULT_DAYS = 7


def _fail(message: str, code: int = 1) -> NoReturn:
    from app.cli import _fail as fail

    fail(message, code)


def report_period(base: AnswerBase, start: str | None, end: str | None, today: dt.date) -> Period:
    """The period of `--from`/`--to` in the base's time zone; by default the 7 days that end
    today. Raises BadPeriod."""
    from insights import base_timezone, check_period, parse_date

    last = parse_date(end, "--to") if end else today
    first = parse_date(start, "--from") if start else last - dt.timedelta(days=DEFAULT_DAYS - 1)
    return check_period(first, last, base_timezone(base))


def build_report(
    settings: Settings,
    base: AnswerBase,
    period: Period,
    filters: Filters,
    gaps: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    from conversations.storage import (
        database_may_exist,
        get_database_url,
    )
    from insights import get_report

    url = get_database_url(settings.database_url, settings.data_dir)
    if not database_may_exist(url):
        _fail(
            f"error: there is no conversation database at {url.database} yet: nothing to "
            "report (`samsvar serve` creates it; CHAT_DATABASE_URL names another)"
        )

    from app.migrate import on_database

    return on_database(settings, lambda db: get_report(db, base, period, filters, gaps=gaps))


def report(
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="First day, YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last day, YYYY-MM-DD (default: today)."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", metavar="OUT", help="Write the report as JSON.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", metavar="OUT", help="Write the report as HTML.")
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv", metavar="DIR", help="Write one CSV file per table.")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel (e.g. widget).")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's topics and cases.")] = None,
    language: Annotated[str | None, typer.Option(help="Only this language (nb … en).")] = None,
    answer: Annotated[str | None, typer.Option(help="Only this answer id.")] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="Answer base folder (default: CHAT_ANSWERS_DIR or the demo)."
        ),
    ] = None,
    gaps: Annotated[
        bool,
        typer.Option(
            "--gaps/--no-gaps",
            help="Group the unanswered questions by meaning (loads the model; slower).",
        ),
    ] = True,
) -> None:
    """The figures of a period: inquiries, self-service, hand-offs, gaps; printed, and
    written with --json, --html, --csv. The default period is the last 7 days."""
    from app.cli import _settings
    from conversations.errors import StorageUnavailable
    from insights import Filters, InsightsError, check_filters, report_html, report_text, write_csv
    from knowledge import AnswerBaseInvalid, get_demo_dir, load_answer_base

    settings = _settings()
    directory = answers or settings.answers_dir or get_demo_dir()  # as app.engine.answers_path
    try:
        base = load_answer_base(directory, cache_dir=settings.data_dir / "cache")
    except AnswerBaseInvalid as exc:
        _fail(f"error: {exc}")
    try:
        period = report_period(base, start, end, dt.datetime.now(dt.UTC).date())
        filters = check_filters(Filters(channel, team, language, answer), base)
    except InsightsError as exc:
        _fail(f"error: {exc}", 2)
    found = _gaps(settings, directory, period, filters) if gaps else None
    try:
        data = build_report(settings, base, period, filters, found)
    except StorageUnavailable as exc:
        _fail(f"error: {exc}")
    name = base.config.name
    typer.echo(report_text(data, name), nl=False)
    for path, text in (
        (json_out, json.dumps(data, ensure_ascii=False, indent=2) + "\n" if json_out else ""),
        (html_out, report_html(data, name) if html_out else ""),
    ):
        if path is not None:
            _write(path, text)
    if csv_dir is not None:
        try:
            written = write_csv(data, csv_dir)
        except OSError as exc:
            _fail(f"error: cannot write the CSV files to {csv_dir}: {exc.strerror or exc}")
        typer.echo(f"wrote {len(written)} CSV files to {csv_dir}", err=True)
    # All is written, and what the command made goes with the process: frozen, the
    # interpreter's last collections at exit skip it (0.12 s of a run: docs/benchmarks.md).
    # Modules are still torn down and the streams flushed; only cycles among these objects
    # are left for the system to reclaim.
    gc.freeze()


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"error: cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"wrote {path}", err=True)


def _gaps(
    settings: Settings, directory: Path, period: Period, filters: Filters
) -> list[dict[str, Any]] | None:
    """The period's gaps as JSON (opens the engine: the model and the retriever)."""
    from app.gap_commands import find_period_gaps
    from insights import gap_json

    return [gap_json(gap) for gap in find_period_gaps(settings, directory, period, filters)]
