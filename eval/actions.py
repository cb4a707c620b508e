"""The eval package's side effects: writing reports and suites, atomically."""

from __future__ import annotations

import os
from pathlib import Path

from eval.errors import OutputExists

__all__ = ["do_write_text"]


def do_write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file and a rename, so a reader never
    sees half a file and a failed write leaves the old one. Creates missing folders.

    Raises OutputExists when the file exists and `overwrite` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExists(f"{path} exists: pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
