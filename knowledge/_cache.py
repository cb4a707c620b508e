"""A validated answer base kept between runs of a command, so that a short command
(`samsvar report`) does not parse every YAML file again.

The key is a hash of everything the result depends on: every file under the base's folder
(names and bytes) and where the folder is, the date that dates `review_by`, the Python
version, and the source of this package (a change of the loader's rules is a new key). A hit
is read with `pickle`; the folder it is read from is the operator's own data folder (the one
that also holds the database), and the file is written by this process only (mode 0600,
written aside and renamed). Anything that goes wrong with the cache (unreadable, stale
format, no space) only means loading again.
"""

from __future__ import annotations

import copyreg
import datetime
import hashlib
import io
import logging
import os
import pathlib
import pickle
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

log = logging.getLogger(__name__)

FORMAT = b"answer-base-cache 1"
PREFIX = "answer-base-"
_PACKAGE = pathlib.Path(__file__).parent


def _frozen(items: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(items)


def _key(root: pathlib.Path, today: datetime.date) -> str | None:
    """The hash of what the loaded base depends on; None when the cache must not be used (a
    symbolic link in the folder: the loader reports it, so the base is loaded every time)."""
    digest = hashlib.sha256(FORMAT)
    digest.update(f"{sys.version_info[:3]}|{today.isoformat()}|{root.resolve()}".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    for file in sorted(root.rglob("*")):
        if file.is_symlink():
            return None
        if file.is_file():
            digest.update(b"\0" + file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:40]


def cached(
    root: pathlib.Path, today: datetime.date, folder: pathlib.Path, load: Callable[[], Any]
) -> Any:
    """`load()` (which raises for an invalid base, and then nothing is kept), or what it
    returned before for the same files and date."""
    try:
        key = _key(root, today)
    except OSError:
        key = None
    if key is None:
        return load()
    path = folder / f"{PREFIX}{key}.pickle"
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or foreign file: load again and replace it
        log.warning("the answer base cache %s could not be read (%s); loading the base", path, exc)
    base = load()
    _write(folder, path, base)
    return base


def _write(folder: pathlib.Path, path: pathlib.Path, base: Any) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[MappingProxyType] = lambda view: (_frozen, (dict(view),))
    aside = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        pickler.dump(base)
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(aside, path)
        for old in folder.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        log.warning("the answer base could not be cached in %s (%s)", folder, exc)
        aside.unlink(missing_ok=True)
