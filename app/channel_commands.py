"""`samsvar apikeys create`, `list` and `revoke`: the channel API's keys from the command line
(audit-logged as `cli`, like the agents' commands; docs/channel-api.md)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the channels and the database are imported by the command that runs
    from app.settings import Settings
    from channels import ApiKeyInfo, Who
    from conversations.storage import Database

__all__ = ["apikeys_app"]

apikeys_app = typer.Typer(
    help="The keys other systems call the channel API with (docs/channel-api.md).",
    no_args_is_help=True,
)


def _cli() -> Who:
    from channels import Who

    return Who("cli")


def _settings() -> Settings:
    from app.cli import _settings as settings

    return settings()


def _row(info: ApiKeyInfo) -> str:
    when = info.last_used_at.isoformat(timespec="seconds") if info.last_used_at else "never"
    state = (
        f"revoked {info.revoked_at.isoformat(timespec='seconds')}" if info.revoked_at else "active"
    )
    return (
        f"{info.id}\t{info.name}\t{','.join(info.channels) or 'all channels'}\t"
        f"last used {when}\t{state}"
    )


@apikeys_app.command("create")
def apikeys_create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'phone platform'.")],
    channel: Annotated[
        list[str] | None,
        typer.Option("--channel", help="A channel it may post on (repeat; none: every channel)."),
    ] = None,
) -> None:
    """Create a key: prints it once (only its hash is stored)."""

    from app.migrate import on_database
    from channels import ChannelError, do_create_api_key

    async def create(db: Database) -> tuple[ApiKeyInfo, str]:
        return await do_create_api_key(db, name, channel or (), dt.datetime.now(dt.UTC), by=_cli())

    try:
        info, secret = on_database(_settings(), create)
    except ChannelError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"API key {info.id} ({info.name}) for {', '.join(info.channels) or 'every channel'}."
    )
    typer.echo("Give it to the other system now; it is shown only this once:")
    typer.echo(secret)


@apikeys_app.command("list")
def apikeys_list() -> None:
    """The keys, newest first: id, name, channels, last use, revoked or active."""
    from app.migrate import on_database
    from channels import get_api_keys

    for info in on_database(_settings(), get_api_keys):
        typer.echo(_row(info))


@apikeys_app.command("revoke")
def apikeys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (samsvar apikeys list).")],
) -> None:
    """Revoke a key: every later call with it gets 401."""

    from app.migrate import on_database
    from channels import ChannelError, do_revoke_api_key

    async def revoke(db: Database) -> ApiKeyInfo:
        return await do_revoke_api_key(db, key_id, dt.datetime.now(dt.UTC), by=_cli())

    try:
        info = on_database(_settings(), revoke)
    except ChannelError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"API key {info.id} ({info.name}) is revoked")
