"""Loading an answer base folder: every file validated, every problem collected."""

from __future__ import annotations

import datetime
import os
import pathlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from knowledge._cache import cached
from knowledge.errors import AnswerBaseInvalid
from knowledge.schema import AnswerBase, Problem

if TYPE_CHECKING:
    from knowledge._answer_file import ParsedAnswer

__all__ = ["check_answer_base", "get_demo_dir", "load_answer_base"]

BASE_FILE = "base.yaml"
FIELDS_FILE = "fields.yaml"
TEMPLATES_FILE = "templates.yaml"
_SUFFIXES = (".yaml", ".yml")


def get_demo_dir() -> pathlib.Path:
    """The demo answer base shipped with Samsvar."""
    return pathlib.Path(__file__).parent / "demo" / "answers"


def check_answer_base(
    path: str | os.PathLike[str], *, today: datetime.date | None = None
) -> tuple[AnswerBase | None, list[Problem]]:
    """Load and validate the answer base in the folder `path`.

    Never raises for content problems. Returns the base and every problem
    found (errors and warnings, sorted by file and line); the base is None when
    any problem is an error. `today` (default: today) dates `review_by`.
    """
    root = pathlib.Path(path)
    if not root.is_dir():
        detail = ": this is a file, not a folder" if root.exists() else ""
        return None, [Problem(root, None, None, f"answer base folder not found{detail}")]
    base, problems = _load(root, today or datetime.date.today())
    problems.sort(key=lambda problem: (str(problem.file), problem.line or 0))
    if any(problem.is_error for problem in problems):
        return None, problems
    return base, problems


def load_answer_base(
    path: str | os.PathLike[str],
    *,
    today: datetime.date | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> AnswerBase:
    """The answer base in the folder `path`; raises AnswerBaseInvalid when it has any error.

    Warnings do not stop loading; use `check_answer_base` to see them. With `cache_dir`, a
    base loaded before from the very same files (and date) is read from there instead of
    parsing the YAML again (a short command's start-up; decision 0101).
    """
    day = today or datetime.date.today()

    def load() -> AnswerBase:
        base, problems = check_answer_base(path, today=day)
        if base is None:
            raise AnswerBaseInvalid(problems)
        return base

    root = pathlib.Path(path)
    if cache_dir is None or not root.is_dir():
        return load()
    found = cached(root, day, pathlib.Path(cache_dir), load)
    if not isinstance(found, AnswerBase):  # a file of another shape under the same name
        return load()
    return found


def _load(root: pathlib.Path, today: datetime.date) -> tuple[AnswerBase, list[Problem]]:
    # The parsers (and the YAML reader) only when the files are read, not for a kept base.
    from knowledge._answer_file import Context, parse_answer_file
    from knowledge._config_files import parse_base_file, parse_fields_file
    from knowledge._flow_graph import check_flow_answers
    from knowledge._proactive import check_suggestions
    from knowledge._templates import check_templates, parse_templates_file
    from knowledge._urgency import check_topics

    base_file = parse_base_file(root / BASE_FILE)
    config, problems = base_file.config, list(base_file.problems)
    fields, field_names, field_problems = parse_fields_file(
        root / FIELDS_FILE, config.default_language
    )
    problems += field_problems
    context = Context(config.default_language, config.teams, field_names, today, fields)
    parsed = []
    for file in answer_files(root):
        answer, file_problems = parse_answer_file(file, context)
        parsed.append(answer)
        problems += file_problems
    problems += _linked_folders(root)
    problems += _duplicate_ids(parsed)
    if not parsed:
        problems.append(_no_answers(root))
    answers = tuple(item.answer for item in parsed if item.answer is not None)
    invalid = frozenset(item.id for item in parsed if item.answer is None and item.id)
    problems += check_suggestions(base_file.rules, answers, root / BASE_FILE, invalid)
    problems += check_topics(base_file.urgency, answers, root / BASE_FILE, invalid)
    flows = [(item.answer, item.flow_answers) for item in parsed if item.answer is not None]
    problems += check_flow_answers(flows, answers, invalid)
    parsed_templates, template_problems = parse_templates_file(
        root / TEMPLATES_FILE, config, fields, field_names
    )
    templates, topic_problems = check_templates(
        parsed_templates, answers, config, root / TEMPLATES_FILE, invalid
    )
    problems += template_problems + topic_problems
    return AnswerBase(root, config, answers, fields, tuple(templates)), problems


def answer_files(root: pathlib.Path) -> list[pathlib.Path]:
    """The answer files under `root`: YAML files, recursively, without hidden ones
    and without base.yaml, fields.yaml and templates.yaml at the top."""
    found = []
    for file in root.rglob("*"):
        relative = file.relative_to(root)
        if file.suffix not in _SUFFIXES or any(part.startswith(".") for part in relative.parts):
            continue
        if str(relative) in (BASE_FILE, FIELDS_FILE, TEMPLATES_FILE) or not file.is_file():
            continue
        found.append(file)
    return sorted(found, key=lambda file: file.relative_to(root).as_posix())


def _linked_folders(root: pathlib.Path) -> list[Problem]:
    """A folder in the base that is a symbolic link is not read: say so (without its target)."""
    return [
        Problem(
            folder,
            None,
            None,
            "the folder is a symbolic link, and links are not followed: put the files "
            "themselves in the answer base",
        )
        for folder in sorted(root.rglob("*"))
        if folder.is_symlink()
        and folder.is_dir()
        and not any(part.startswith(".") for part in folder.relative_to(root).parts)
    ]


def _duplicate_ids(parsed: Iterable[ParsedAnswer]) -> list[Problem]:
    first: dict[str, ParsedAnswer] = {}
    problems = []
    for item in parsed:
        if item.id is None:
            continue
        if item.id in first:
            other = first[item.id]
            where = f"{other.file}:{other.id_line}" if other.id_line else str(other.file)
            message = f'the id "{item.id}" is already used in {where}; ids must be unique'
            problems.append(Problem(item.file, item.id_line, "id", message))
        else:
            first[item.id] = item
    return problems


def _no_answers(root: pathlib.Path) -> Problem:
    return Problem(
        root,
        None,
        None,
        "no answer files found; an answer base is a folder of .yaml files, one answer per file",
    )
