"""Adding questions to answer files: only new lines, checked first, all files or none."""

from __future__ import annotations

import os
import pathlib

import pytest

from knowledge import (
    AnswerBaseChanged,
    AnswerBaseInvalid,
    QuestionsNotAdded,
    do_add_questions,
    find_question,
    get_base_fingerprint,
    get_question_owners,
    load_answer_base,
    normalise_question,
)
from tests.builders import make_answer_dict, write_answer_file, write_base

# An answer file as people write them: comments, quoting, a folded text, odd spacing.
TRACKING = """\
# Tracking: owned by the logistics team
id: order-tracking   # never change this id
title: "Sporing av pakke"
status: published
questions:
  - Hvor er pakken min?     # the most common one
  - 'Når kommer pakken?'
  # Swedish and English below
  - "Var är mitt paket?"
  - Where is my parcel?

answer:
  nb: >-
    Du finner sporingen under Mine ordre. Pakken
    kommer vanligvis innen 3 dager.
  en: You find the tracking in My orders.
review_by: 2027-03-01
"""


@pytest.fixture
def base_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    root = write_base(
        tmp_path,
        [
            make_answer_dict(),
            make_answer_dict(
                id="returns",
                title="Retur",
                questions=["Hvordan returnerer jeg en vare?"],
                answer={"nb": "Skriv ut returetiketten."},
            ),
        ],
    )
    write_answer_file(root, TRACKING, "order-tracking.yaml")
    return root


def snapshot(root: pathlib.Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))}


def test_new_questions_are_new_lines_after_the_last_one_and_nothing_else_changes(
    base_dir: pathlib.Path,
) -> None:
    file = base_dir / "order-tracking.yaml"

    places = do_add_questions(
        base_dir, [("hvor  er pakken min nå", "order-tracking"), ("yes", "order-tracking")]
    )

    lines = TRACKING.splitlines(keepends=True)
    expected = "".join([*lines[:10], "  - hvor er pakken min nå\n", "  - 'yes'\n", *lines[10:]])
    assert file.read_text(encoding="utf-8") == expected
    assert [(p.question, p.answer_id, p.line, p.field, p.added) for p in places] == [
        ("hvor er pakken min nå", "order-tracking", 11, "questions[4]", True),
        ("yes", "order-tracking", 12, "questions[5]", True),
    ]
    assert str(places[0]) == f"{file}:11"
    reloaded = load_answer_base(base_dir).get("order-tracking")
    assert reloaded is not None
    assert reloaded.questions[-2:] == ("hvor er pakken min nå", "yes")


def test_line_endings_a_byte_order_mark_and_the_file_mode_are_kept(
    base_dir: pathlib.Path,
) -> None:
    file = base_dir / "order-tracking.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + TRACKING.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(file, 0o644)

    do_add_questions(base_dir, [("Kor er pakka mi?", "order-tracking")])

    raw = file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"  - Where is my parcel?\r\n  - Kor er pakka mi?\r\n\r\nanswer:" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert oct(file.stat().st_mode & 0o777) == oct(0o644)


def test_a_flow_list_is_extended_by_a_round_trip_keeping_comments(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "answers"
    file = write_answer_file(
        root,
        "id: gift-cards  # stable\ntitle: 'Gavekort'\nquestions: [Selger dere gavekort?]\n"
        "answer: {nb: Ja.}\n",
        "gift-cards.yaml",
    )

    do_add_questions(root, [("Kan jeg kjøpe gavekort?", "gift-cards")])

    assert file.read_text(encoding="utf-8") == (
        "id: gift-cards  # stable\ntitle: 'Gavekort'\n"
        "questions: [Selger dere gavekort?, Kan jeg kjøpe gavekort?]\nanswer: {nb: Ja.}\n"
    )


def test_a_question_of_another_answer_is_refused_with_its_file_and_line(
    base_dir: pathlib.Path,
) -> None:
    before = snapshot(base_dir)
    with pytest.raises(QuestionsNotAdded) as caught:
        do_add_questions(
            base_dir,
            [("Hvordan returnerer jeg en ny vare?", "returns"), ("hvor er pakken min", "returns")],
        )

    message = str(caught.value)
    assert f"{base_dir / 'order-tracking.yaml'}:6: questions[0]:" in message
    assert '"hvor er pakken min" already belongs to the answer "order-tracking"' in message
    assert 'cannot be added to "returns"' in message
    assert snapshot(base_dir) == before  # the valid addition was not written either


def test_every_problem_is_listed_and_nothing_is_written(base_dir: pathlib.Path) -> None:
    before = snapshot(base_dir)
    with pytest.raises(QuestionsNotAdded) as caught:
        do_add_questions(
            base_dir,
            [
                ("   ", "returns"),
                ("Kan jeg bytte en vare?", "retruns"),
                ("x" * 2001, "returns"),
                ("Kan jeg bytte?", "returns"),
                ("kan jeg bytte", "payment-declined"),
            ],
        )
    problems = [p.message for p in caught.value.problems]
    assert len(problems) == 4
    assert "an empty question cannot be added" in problems[0]
    assert 'there is no answer with the id "retruns" (did you mean "returns"?)' in problems[1]
    assert "at most 2000" in problems[2]
    assert 'both "returns" (addition 4) and "payment-declined" (addition 5)' in problems[3]
    assert snapshot(base_dir) == before


def test_a_failed_move_puts_back_the_files_already_moved(
    base_dir: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(base_dir)
    real_replace = os.replace
    moves: list[str] = []

    def replace_once(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        moves.append(str(dst))
        if len(moves) == 2:  # the second file's move fails (a full disk, a lost mount)
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(QuestionsNotAdded, match="No space left on device"):
        do_add_questions(
            base_dir,
            [("Hvor er pakken min nå?", "order-tracking"), ("Kan jeg bytte?", "returns")],
        )
    monkeypatch.undo()

    assert snapshot(base_dir) == before
    assert not [p for p in base_dir.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_base_changed_since_the_fingerprint_is_refused_naming_the_file(
    base_dir: pathlib.Path,
) -> None:
    fingerprint = get_base_fingerprint(base_dir)
    assert set(fingerprint) == {"order-tracking.yaml", "payment-declined.yaml", "returns.yaml"}
    (base_dir / "returns.yaml").write_text(
        (base_dir / "returns.yaml").read_text(encoding="utf-8") + "owner: content@shop.example\n",
        encoding="utf-8",
    )
    before = snapshot(base_dir)

    with pytest.raises(AnswerBaseChanged) as caught:
        do_add_questions(base_dir, [("Kan jeg bytte?", "returns")], expected=fingerprint)

    assert caught.value.files == ["returns.yaml"]
    assert snapshot(base_dir) == before


def test_an_invalid_base_is_not_written_to(base_dir: pathlib.Path) -> None:
    write_answer_file(base_dir, "id: broken\ntitle: [\n", "broken.yaml")
    before = snapshot(base_dir)
    with pytest.raises(AnswerBaseInvalid):
        do_add_questions(base_dir, [("Kan jeg bytte?", "returns")])
    assert snapshot(base_dir) == before


def test_a_question_the_answer_has_is_found_not_written_twice(base_dir: pathlib.Path) -> None:
    before = snapshot(base_dir)

    places = do_add_questions(base_dir, [("NÅR kommer pakken", "order-tracking")])

    assert snapshot(base_dir) == before
    assert [(p.question, p.line, p.added) for p in places] == [("Når kommer pakken?", 7, False)]


def test_questions_are_compared_without_case_spacing_and_end_punctuation(
    base_dir: pathlib.Path,
) -> None:
    assert normalise_question("  «Hvor  er pakken MIN?» ") == "hvor er pakken min"
    base = load_answer_base(base_dir)
    owners = get_question_owners(base)
    assert owners["where is my parcel"] == "order-tracking"
    assert owners["retur"] == "returns"  # titles count: retrieval uses them as phrasings
    place = find_question(base, "var är mitt paket")
    assert place is not None
    assert (place.answer_id, place.line, place.field) == ("order-tracking", 9, "questions[2]")
    assert find_question(base, "Selger dere gavekort?") is None


def test_another_answers_title_counts_as_its_question(base_dir: pathlib.Path) -> None:
    with pytest.raises(QuestionsNotAdded) as caught:
        do_add_questions(base_dir, [("retur!", "payment-declined")])
    assert str(caught.value.problems[0]).startswith(
        f'{base_dir / "returns.yaml"}:2: title: the question "retur!" already belongs to the '
        'answer "returns" ("Retur")'
    )
