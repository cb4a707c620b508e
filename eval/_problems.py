"""Reading a suite's YAML and collecting its problems, each located as 'file:line: field: …'."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from eval.errors import SuiteInvalid


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """The 1-based line of a mapping key, a list item, or the node itself (None if unknown)."""
    try:
        if key is None:
            return int(node.lc.line) + 1
        pos = node.lc.key(key) if isinstance(key, str) else node.lc.item(key)
        return int(pos[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


class Problems(list[str]):
    """The problems found in one file, in the order they were found."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def add(self, line: int | None, field: str, message: str) -> None:
        where = f"{self.path}:{line}" if line else str(self.path)
        self.append(f"{where}: {field}: {message}")


def read_yaml(path: Path) -> Any:
    """The file's YAML (round-trip nodes, which know their lines); SuiteInvalid if unreadable."""
    if not path.is_file():
        raise SuiteInvalid([f"{path}: suite file not found"])
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SuiteInvalid([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    except YAMLError as exc:
        raise SuiteInvalid([_yaml_problem(path, exc)]) from exc
    except RecursionError as exc:  # the reader recurses once per level
        raise SuiteInvalid(
            [f"{path}: malformed YAML: it nests too deeply to be read (hundreds of levels)"]
        ) from exc


def _yaml_problem(path: Path, exc: YAMLError) -> str:
    """'file:line: malformed YAML: …' for any ruamel error (marked, or a bad character)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    position = getattr(exc, "position", None)
    line: int | None = None
    if mark is not None:
        line = mark.line + 1
    elif isinstance(position, int):
        line = path.read_text(encoding="utf-8")[:position].count("\n") + 1
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark is not mark:
        context = f"{context} (line {context_mark.line + 1})"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    detail = ": ".join(str(part) for part in (context, problem) if part)
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: malformed YAML: {detail}"
