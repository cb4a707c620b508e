"""Reading YAML with ruamel.yaml so that every value keeps its line number.

Timestamps are not resolved: `2027-03-01` is read as text and checked by the
validator, so an impossible date becomes a problem with a line number instead
of an exception from the YAML library.
"""

from __future__ import annotations

import pathlib
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError

from knowledge._report import Report

__all__ = [
    "EMPTY",
    "LINKED",
    "TOO_DEEP",
    "Map",
    "Seq",
    "TextDates",
    "item_line",
    "key_line",
    "node_line",
    "parse_text",
    "read_yaml",
    "to_plain",
]

Map = CommentedMap
Seq = CommentedSeq


class TextDates(RoundTripConstructor):
    """The round-trip constructor, with timestamps left as text."""


TextDates.add_constructor("tag:yaml.org,2002:timestamp", TextDates.construct_yaml_str)


#: Why a document nested hundreds of levels deep is refused (the YAML reader recurses per level;
#: an answer base nests a few levels).
TOO_DEEP = "it nests too deeply to be read (hundreds of levels); an answer base needs a few"


#: Why a file that is a symbolic link is not read (its target is not named: it may be private).
LINKED = (
    "the file is a symbolic link, and links are not followed: put the file itself in the "
    "answer base"
)


class _Empty:
    """The value of an empty YAML file (nothing but comments or whitespace)."""

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()


def _loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = TextDates
    return yaml


def _decode(raw: bytes, report: Report) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
        report.error(
            line,
            None,
            f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be read); "
            "save it with UTF-8 encoding",
        )
        return None


def _parse_problem(exc: Exception, text: str) -> tuple[int | None, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line: int | None = mark.line + 1
    elif isinstance(getattr(exc, "position", None), int):
        line = text[: exc.position].count("\n") + 1  # type: ignore[attr-defined]
    else:
        line = None
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    detail = ": ".join(str(part) for part in parts if part) or str(exc).splitlines()[0]
    return line, detail


def parse_text(text: str) -> Any:
    """The YAML document in `text`, read as `read_yaml` reads files (timestamps as text).

    Raises ruamel's YAMLError or ValueError for text that is not valid YAML (ValueError for
    text nested too deeply to be read).
    """
    try:
        return _loader().load(text)
    except RecursionError as exc:
        raise ValueError(TOO_DEEP) from exc


def read_yaml(path: pathlib.Path, report: Report) -> Any:
    """The YAML document in `path`, EMPTY for an empty file, or None after reporting why not.

    A symbolic link is not followed (decision 0113): the answer base is what is inside its
    folder, and a link could make `answers check` read, and quote, any file on the machine.
    """
    if path.is_symlink():
        report.error(None, None, LINKED)
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error(None, None, f"cannot read the file: {exc.strerror}")
        return None
    text = _decode(raw, report)
    if text is None:
        return None
    try:
        data = _loader().load(text)
    except (YAMLError, ValueError) as exc:
        line, detail = _parse_problem(exc, text)
        report.error(line, None, f"the file is not valid YAML: {detail}")
        return None
    except RecursionError:  # the reader recurses once per level: a few hundred at most
        report.error(None, None, f"the file is not valid YAML: {TOO_DEEP}")
        return None
    return EMPTY if data is None else data


def node_line(node: Any) -> int | None:
    """1-based line where a mapping or list starts; None for plain values."""
    lc = getattr(node, "lc", None)
    line = getattr(lc, "line", None)
    return line + 1 if isinstance(line, int) else None


def key_line(node: Any, key: Any) -> int | None:
    """1-based line of `key` in the mapping `node`."""
    try:
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return node_line(node)


def item_line(node: Any, index: int) -> int | None:
    """1-based line of item `index` in the list `node`."""
    try:
        return int(node.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return node_line(node)


def to_plain(value: Any) -> Any:
    """`value` as plain Python data: dict, list, str, int, float, bool or None."""
    if isinstance(value, dict):
        return {to_plain(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return str(value) if value is not None else None
