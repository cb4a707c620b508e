"""A real PostgreSQL 15 for tests, started from Debian's binaries in a temporary folder.

`initdb` refuses to run as root, so the server runs as the `postgres` user in a folder under
/tmp that it can reach. It listens on 127.0.0.1 only, with fsync off (test data), and is
stopped and removed at the end.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be started here, or None."""
    if not (PG_BIN / "initdb").is_file():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb is missing; CI installs it)"
    if shutil.which("runuser") is None:
        return "runuser is missing (needed to run PostgreSQL as the postgres user)"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


class PostgresServer:
    """A throw-away server in its own folder under /tmp; `stop()` and `start()` again keep
    its data and port (a restart)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="samsvar-pg-", dir="/tmp"))
        shutil.chown(self.root, "postgres", "postgres")
        self.data, self.port = self.root / "data", _free_port()
        try:
            _as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            )
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                     str(self.root / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def restartable_postgres() -> Iterator[PostgresServer]:
    """Start a throw-away server; yields it (user postgres, database postgres)."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Start a throw-away server; yields its URL (user postgres, database postgres)."""
    with restartable_postgres() as server:
        yield server.url


async def create_database(url: str, name: str) -> str:
    """A new empty database on the server at `url`; returns its URL."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return url.rsplit("/", 1)[0] + f"/{name}"
