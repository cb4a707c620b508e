"""`samsvar privacy export | erase | retention` (docs/privacy.md): thin commands over
`privacy`, which does the work."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from privacy import Subject

__all__ = ["privacy_app"]

privacy_app = typer.Typer(
    help="Export and erase a person's data; apply the retention policy.", no_args_is_help=True
)

VisitorOpt = Annotated[
    str | None, typer.Option("--visitor", metavar="ID", help="The visitor's id.")
]
EmailOpt = Annotated[
    str | None,
    typer.Option(
        "--email",
        metavar="ADDR",
        help="Every visitor whose case has this contact address or who wrote it.",
    ),
]
CustomerOpt = Annotated[
    str | None,
    typer.Option(
        "--customer",
        metavar="ID",
        help="The site's customer id (signed identity): every visitor linked to it.",
    ),
]
PhoneOpt = Annotated[
    str | None,
    typer.Option(
        "--phone",
        metavar="NUMBER",
        help="The visitor a channel (phone, SMS, the channel API) linked this number to.",
    ),
]
CaseOpt = Annotated[
    str | None,
    typer.Option("--case", metavar="NUMBER", help="The visitor of this case (S-2026-000123)."),
]


def _fail(message: str, code: int = 1) -> NoReturn:
    from app.cli import _fail as fail

    fail(message, code)


def _subject(
    visitor: str | None,
    email: str | None,
    customer: str | None,
    case: str | None,
    phone: str | None = None,
) -> Subject:
    from privacy import BadSubject, Subject

    try:
        return Subject(visitor=visitor, email=email, customer=customer, case=case, phone=phone)
    except BadSubject as exc:
        _fail(
            f"error: {exc.message} (--visitor ID, --email ADDR, --phone NUMBER, --customer ID "
            "or --case NUMBER)",
            2,
        )


def _on_database(work: Any) -> Any:
    from app.cli import _settings
    from app.migrate import on_database
    from conversations.errors import StorageUnavailable

    settings = _settings()
    try:
        return on_database(settings, lambda db: work(db, settings))
    except StorageUnavailable as exc:
        _fail(f"error: {exc}")


def _vector_dir(settings: Any) -> Path:
    return Path(settings.data_dir) / "insights"


@privacy_app.command("export")
def privacy_export(
    visitor: VisitorOpt = None,
    email: EmailOpt = None,
    customer: CustomerOpt = None,
    phone: PhoneOpt = None,
    case: CaseOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the JSON here (default: stdout)."),
    ] = None,
) -> None:
    """Everything stored about one person, as JSON (recorded in the audit log)."""
    from privacy import CLI, export_subject

    subject = _subject(visitor, email, customer, case, phone)
    now = dt.datetime.now(dt.UTC)
    data = _on_database(lambda db, _settings: export_subject(db, subject, now, by=CLI))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"error: cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote the data of {len(data['visitors'])} visitor(s) to {out}", err=True)


@privacy_app.command("erase")
def privacy_erase(
    visitor: VisitorOpt = None,
    email: EmailOpt = None,
    customer: CustomerOpt = None,
    phone: PhoneOpt = None,
    case: CaseOpt = None,
) -> None:
    """Erase everything stored about one person, in one transaction (recorded in the audit
    log); prints the counts."""
    from privacy import CLI, do_erase

    subject = _subject(visitor, email, customer, case, phone)
    done = _on_database(
        lambda db, settings: do_erase(
            db,
            subject,
            dt.datetime.now(dt.UTC),
            by=CLI,
            vector_dir=_vector_dir(settings),
            vacuum_full=settings.privacy_vacuum_full,
        )
    )
    typer.echo(json.dumps(done.as_json(), ensure_ascii=False, indent=2))
    if not done.visitors:
        typer.echo("nothing stored about this subject", err=True)


@privacy_app.command("retention")
def privacy_retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be erased; change nothing.")
    ] = False,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, help="Use this many days instead of CHAT_RETENTION_DAYS."),
    ] = None,
) -> None:
    """Apply the retention policy now: erase conversations whose last message is older than
    CHAT_RETENTION_DAYS and audit log entries older than CHAT_AUDIT_RETENTION_DAYS; prints
    the counts (recorded in the audit log unless a dry run)."""
    from privacy import CLI, do_retention

    def work(db: Any, settings: Any) -> Any:
        keep = days if days is not None else settings.retention_days
        if not keep and not settings.audit_retention_days:
            _fail(
                "error: CHAT_RETENTION_DAYS and CHAT_AUDIT_RETENTION_DAYS are 0 "
                "(no retention policy); pass --days",
                2,
            )
        return do_retention(
            db,
            keep,
            dt.datetime.now(dt.UTC),
            by=CLI,
            audit_days=settings.audit_retention_days,
            dry_run=dry_run,
            vector_dir=_vector_dir(settings),
            vacuum_full=settings.privacy_vacuum_full,
        )

    done = _on_database(work)
    typer.echo(json.dumps({"dry_run": dry_run, **done.as_json()}, ensure_ascii=False, indent=2))
