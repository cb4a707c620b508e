"""New phrasings: adding questions to answers by writing them into the answer files.

Questions learnt from real traffic (`samsvar answers learn`, and the console's screen for the
same operation) become new items of an answer's `questions:`. The answer base stays the one
source of truth: the change is a few added lines in a YAML file, reviewable in git.

- `normalise_question` is how two questions are compared: case, spacing and punctuation at
  either end do not count.
- `get_question_owners` maps every question (and title) of a base to its answer;
  `find_question` says where one is: the answer, the file and the line.
- `get_base_fingerprint` hashes the files of a base, so that a choice made on one version of
  it is never written into another.
- `do_add_questions` checks every addition first, then writes each changed file beside itself
  and moves it into place. Only the new lines are added: every other byte of the file (comments,
  order, quoting, line endings) stays as it was, and the result is read back and compared
  before anything is written. On any problem nothing changes.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import hashlib
import os
import pathlib
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.error import YAMLError

from knowledge._answer_writer import add_by_round_trip, question_item
from knowledge._questions import normalise_question
from knowledge._report import Report
from knowledge._yaml import Map, Seq, item_line, key_line, parse_text, read_yaml, to_plain
from knowledge.errors import AnswerBaseChanged, QuestionsNotAdded
from knowledge.loading import BASE_FILE, FIELDS_FILE, answer_files, load_answer_base
from knowledge.schema import Answer, AnswerBase, Problem

__all__ = [
    "MAX_QUESTION_CHARS",
    "QuestionPlace",
    "do_add_questions",
    "find_question",
    "get_base_fingerprint",
    "get_question_owners",
    "normalise_question",
]

#: The longest question that may be added (the bot's limit for a visitor message).
MAX_QUESTION_CHARS = 2000


def clean_question(text: str) -> str:
    """A question as it is written into a file: its whitespace runs made one space."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class QuestionPlace:
    """Where a question is in an answer base: the answer, its file, the line and the field
    (`questions[3]`, or `title`). `added` says whether `do_add_questions` just wrote it."""

    question: str
    answer_id: str
    file: pathlib.Path | None
    line: int | None
    field: str
    added: bool = False

    def __str__(self) -> str:
        if self.file is None:
            return f"answer {self.answer_id}"
        return f"{self.file}:{self.line}" if self.line is not None else str(self.file)


def get_question_owners(base: AnswerBase) -> dict[str, str]:
    """normalised question → the id of the answer that has it, for every question and title of
    every answer (all statuses). A question that two answers share maps to the first by id."""
    return {key: holders[0] for key, holders in _holders(base).items()}


def _holders(base: AnswerBase) -> dict[str, list[str]]:
    """normalised question → the ids of the answers that have it (as a question or title)."""
    holders: dict[str, list[str]] = {}
    for answer in base.answers:
        for text in (*answer.questions, answer.title):
            ids = holders.setdefault(normalise_question(text), [])
            if answer.id not in ids:
                ids.append(answer.id)
    return holders


def find_question(base: AnswerBase, question: str) -> QuestionPlace | None:
    """Where `question` (compared by `normalise_question`) already is in the base, or None.

    A question of an answer is found before a title; the line is read from the file.
    """
    for answer in base.answers:
        place = _place_in(answer, normalise_question(question), titles=False)
        if place is not None:
            return place
    for answer in base.answers:
        place = _place_in(answer, normalise_question(question), titles=True)
        if place is not None:
            return place
    return None


def _place_in(answer: Answer, key: str, *, titles: bool = True) -> QuestionPlace | None:
    """Where the answer has the question `key` (normalised): a question, else its title."""
    for index, text in enumerate(answer.questions):
        if normalise_question(text) == key:
            return _place(answer, text, ("questions", index))
    if titles and normalise_question(answer.title) == key:
        return _place(answer, answer.title, ("title", None))
    return None


def _place(answer: Answer, text: str, where: tuple[str, int | None]) -> QuestionPlace:
    key, index = where
    field = key if index is None else f"{key}[{index}]"
    line = None
    if answer.source is not None:
        doc = read_yaml(answer.source, Report(answer.source))
        if isinstance(doc, Map) and key in doc:
            line = key_line(doc, key) if index is None else item_line(doc[key], index)
    return QuestionPlace(text, answer.id, answer.source, line, field)


def get_base_fingerprint(path: str | os.PathLike[str]) -> dict[str, str]:
    """Relative path (with /) → SHA-256 of the bytes, for every file of the answer base in
    `path` (answer files, base.yaml, fields.yaml); empty when the folder does not exist."""
    root = pathlib.Path(path)
    if not root.is_dir():
        return {}
    files = answer_files(root) + [root / name for name in (BASE_FILE, FIELDS_FILE)]
    fingerprint = {}
    for file in files:
        try:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
        except FileNotFoundError:
            continue
        except OSError:
            digest = "unreadable"
        fingerprint[file.relative_to(root).as_posix()] = digest
    return dict(sorted(fingerprint.items()))


def _changed_files(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """The files added, removed or changed between two fingerprints, sorted."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def do_add_questions(
    path: str | os.PathLike[str],
    additions: Iterable[tuple[str, str]],
    *,
    expected: Mapping[str, str] | None = None,
    today: datetime.date | None = None,
) -> list[QuestionPlace]:
    """Add each (question, answer id) of `additions` to that answer's `questions:` in its file.

    `expected` is the base's fingerprint (`get_base_fingerprint`) when the questions were
    chosen: if the files differ now, AnswerBaseChanged is raised and nothing is written. The
    base must be valid (else AnswerBaseInvalid). Every addition is checked before anything is
    written, and QuestionsNotAdded lists every problem: an unknown answer, an empty question,
    one too long or with control characters, one that already belongs to another answer (its
    file and line), one asked for two answers at once, a file whose `questions:` cannot be
    extended line by line. A question the answer already has is not written again.

    Returns where each question is now, in the order of `additions` (`added` for new ones).
    """
    root = pathlib.Path(path)
    before = get_base_fingerprint(root)
    if expected is not None and dict(expected) != before:
        raise AnswerBaseChanged(root, _changed_files(expected, before))
    base = load_answer_base(root, today=today)
    plan = _plan(base, list(additions))
    edits: dict[pathlib.Path, tuple[bytes, bytes]] = {}
    problems: list[Problem] = []
    for answer_id, questions in plan.new.items():
        answer = base.get(answer_id)
        assert answer is not None and answer.source is not None
        edited = _edit_file(answer.source, questions, problems)
        if edited is not None:
            edits[answer.source] = edited
    if problems:
        raise QuestionsNotAdded(problems)
    _replace_all(root, edits, before)
    return [_written(base, place) if place.added else place for place in plan.places]


@dataclass
class _Plan:
    new: dict[str, list[str]]  # answer id → the questions to write, in order
    places: list[QuestionPlace]  # one per addition


def _plan(base: AnswerBase, additions: list[tuple[str, str]]) -> _Plan:
    holders = _holders(base)
    chosen: dict[str, tuple[str, int]] = {}  # normalised question → (answer id, position)
    plan = _Plan({}, [])
    problems: list[Problem] = []
    for position, (question, answer_id) in enumerate(additions):
        text = clean_question(question)
        answer = base.get(answer_id)
        key = normalise_question(text)
        others = [other for other in holders.get(key, []) if other != answer_id]
        problem = _question_problem(text, base) or _answer_problem(answer_id, answer, base)
        if problem is None and others:
            problem = _taken(base, text, others[0], answer_id)
        elif problem is None and chosen.get(key, (answer_id, 0))[0] != answer_id:
            problem = _twice(base, text, chosen[key], (answer_id, position))
        if problem is not None:
            problems.append(problem)
            continue
        assert answer is not None
        found = _place_in(answer, key) if key in holders else None
        if found is not None:  # the answer has it already
            plan.places.append(found)
            continue
        if key not in chosen:
            chosen[key] = (answer_id, position)
            plan.new.setdefault(answer_id, []).append(text)
        plan.places.append(QuestionPlace(text, answer_id, answer.source, None, "", added=True))
    if problems:
        raise QuestionsNotAdded(problems)
    return plan


def _twice(base: AnswerBase, text: str, first: tuple[str, int], then: tuple[str, int]) -> Problem:
    return Problem(
        base.path,
        None,
        None,
        f'"{text}" is to be added to both "{first[0]}" (addition {first[1] + 1}) and '
        f'"{then[0]}" (addition {then[1] + 1}); a question belongs to one answer',
    )


def _question_problem(text: str, base: AnswerBase) -> Problem | None:
    message = None
    if not text:
        message = "an empty question cannot be added"
    elif len(text) > MAX_QUESTION_CHARS:
        message = (
            f'"{text[:60]}…" has {len(text)} characters; a question may have at most '
            f"{MAX_QUESTION_CHARS}"
        )
    elif any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        message = f"{text!r} holds control characters; a question is plain text"
    return None if message is None else Problem(base.path, None, None, message)


def _answer_problem(answer_id: str, answer: Answer | None, base: AnswerBase) -> Problem | None:
    if answer is not None:
        return None
    ids = [a.id for a in base.answers]
    close = difflib.get_close_matches(answer_id, ids, n=1, cutoff=0.7)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return Problem(base.path, None, None, f'there is no answer with the id "{answer_id}"{hint}')


def _taken(base: AnswerBase, text: str, holder: str, answer_id: str) -> Problem:
    other = base.get(holder)
    assert other is not None
    place = _place_in(other, normalise_question(text))
    assert place is not None
    return Problem(
        place.file or base.path,
        place.line,
        place.field,
        f'the question "{text}" already belongs to the answer "{place.answer_id}" '
        f'("{place.question}"), so it cannot be added to "{answer_id}"',
    )


def _written(base: AnswerBase, place: QuestionPlace) -> QuestionPlace:
    answer = base.get(place.answer_id)
    assert answer is not None and answer.source is not None
    doc = read_yaml(answer.source, Report(answer.source))
    questions = doc["questions"] if isinstance(doc, Map) else []
    key = normalise_question(place.question)
    for index, text in enumerate(questions):
        if isinstance(text, str) and normalise_question(text) == key:
            return QuestionPlace(
                text,
                answer.id,
                answer.source,
                item_line(questions, index),
                f"questions[{index}]",
                added=True,
            )
    return place


# -- editing one file -------------------------------------------------------------------------


def _edit_file(
    file: pathlib.Path, questions: list[str], problems: list[Problem]
) -> tuple[bytes, bytes] | None:
    """(the file's bytes, its bytes with `questions` added), or None after adding a problem."""
    try:
        raw = file.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, None, None, f"cannot read the file: {exc}"))
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    edited = _inserted(text, questions)
    if edited is None:
        problems.append(
            Problem(
                file,
                None,
                "questions",
                "the new questions cannot be added line by line here (write questions: as a "
                "block list, one '- question' a line); add them by hand",
            )
        )
        return None
    data = edited.replace("\n", newline).encode("utf-8")
    return raw, (b"\xef\xbb\xbf" + data if bom else data)


def _inserted(text: str, questions: list[str]) -> str | None:
    """`text` with `questions` added to its `questions:` list, checked by reading it back;
    None when that cannot be done.

    A block list gets the new items as lines after its last item, so every other line stays
    exactly as it was. Any other list (a flow list, `[a, b]`) is extended by a ruamel
    round trip, which keeps comments, order and quoting, though it may re-indent lines.
    """
    try:
        doc = parse_text(text)
    except (YAMLError, ValueError):
        return None
    if not isinstance(doc, Map) or not isinstance(doc.get("questions"), Seq):
        return None
    items: Seq = doc["questions"]
    result = _inserted_lines(doc, items, text, questions) if items else None
    if result is None or not _same_but_questions(doc, result, questions):
        result = _round_trip(text, questions)
    if result is None or not _same_but_questions(doc, result, questions):
        return None
    return result


def _inserted_lines(doc: Map, items: Seq, text: str, questions: list[str]) -> str | None:
    if items.fa.flow_style():
        return None
    lines = text.split("\n")
    first = int(items.lc.item(len(items) - 1)[0])
    dash = _dash(lines[first])
    if dash is None:
        return None
    at = _end_of_last_item(doc, lines, first, len(dash) - len(dash.lstrip()))
    new_lines = [f"{dash}{question_item(question)}" for question in questions]
    return "\n".join([*lines[:at], *new_lines, *lines[at:]])


def _end_of_last_item(doc: Map, lines: list[str], first: int, indent: int) -> int:
    """The index of the line after the last question: before the next key, without the
    blank lines and the comments (not indented past the items) in between."""
    keys = list(doc)
    after = keys.index("questions") + 1
    end = int(doc.lc.key(keys[after])[0]) if after < len(keys) else len(lines)
    while end - 1 > first and _between(lines[end - 1], indent):
        end -= 1
    return end


def _dash(line: str) -> str | None:
    """The indentation, dash and gap of a list item's first line (`"  - "`)."""
    stripped = line.lstrip(" ")
    gap = len(stripped[1:]) - len(stripped[1:].lstrip(" "))
    if not stripped.startswith("-") or gap == 0:
        return None
    return line[: len(line) - len(stripped)] + "-" + " " * gap


def _between(line: str, indent: int) -> bool:
    """A blank line, or a comment that belongs to no deeper value (a block text's content)."""
    stripped = line.lstrip(" ")
    return not stripped or (stripped.startswith("#") and len(line) - len(stripped) <= indent)


def _round_trip(text: str, questions: list[str]) -> str | None:
    try:
        return add_by_round_trip(text, questions)
    except (YAMLError, ValueError):
        return None


def _same_but_questions(doc: Map, result: str, questions: list[str]) -> bool:
    try:
        again = parse_text(result)
    except (YAMLError, ValueError):
        return False
    wanted: dict[str, Any] = to_plain(doc)
    wanted["questions"] = [*wanted["questions"], *questions]
    return bool(to_plain(again) == wanted)


# -- writing ----------------------------------------------------------------------------------


def _replace_all(
    root: pathlib.Path,
    edits: Mapping[pathlib.Path, tuple[bytes, bytes]],
    before: Mapping[str, str],
) -> None:
    """Write every edited file beside itself, then move them all into place; when the base
    changed meanwhile, or a move fails, put back what was moved and raise."""
    staged: dict[pathlib.Path, pathlib.Path] = {}
    try:
        for file, (_, data) in edits.items():
            staged[file] = _stage(file, data)
        now = get_base_fingerprint(root)
        if now != before:
            raise AnswerBaseChanged(root, _changed_files(before, now))
        moved: list[pathlib.Path] = []
        try:
            for file, temporary in staged.items():
                os.replace(temporary, file)
                moved.append(file)
        except OSError:
            for file in moved:
                _stage_and_move(file, edits[file][0])
            raise
    except OSError as exc:
        raise QuestionsNotAdded(
            [Problem(pathlib.Path(exc.filename or root), None, None, f"cannot write: {exc}")]
        ) from exc
    finally:
        for temporary in staged.values():
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def _stage(file: pathlib.Path, data: bytes) -> pathlib.Path:
    """`data` in a hidden temporary file beside `file` (never read as an answer file), with
    the file's permissions."""
    handle, name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    temporary = pathlib.Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(file.stat().st_mode))
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _stage_and_move(file: pathlib.Path, data: bytes) -> None:
    with contextlib.suppress(OSError):
        os.replace(_stage(file, data), file)
