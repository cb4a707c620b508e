"""Loading and validating answer files: every rule, with file, line and field."""

from __future__ import annotations

import datetime
import pathlib

import pytest

from knowledge import (
    AnswerBaseInvalid,
    Ending,
    Field,
    Problem,
    Question,
    check_answer_base,
    collect_digest,
    collect_flow,
    load_answer_base,
)
from tests.builders import make_answer_dict, make_fields_dict, write_answer_file, write_base

TODAY = datetime.date(2026, 1, 15)


def check(root: pathlib.Path) -> list[Problem]:
    base, problems = check_answer_base(root, today=TODAY)
    assert (base is None) == any(problem.severity == "error" for problem in problems)
    return problems


def only_problem(root: pathlib.Path) -> Problem:
    problems = check(root)
    assert len(problems) == 1, [str(problem) for problem in problems]
    return problems[0]


def raw_base(tmp_path: pathlib.Path, text: str | bytes, name: str = "answer.yaml") -> pathlib.Path:
    root = tmp_path / "answers"
    write_answer_file(root, text, name)
    return root


VALID_TEXT = """\
id: payment-declined
title: Payment declined
status: published
questions:
  - Why was my payment declined?
  - Betalingen min gikk ikke gjennom
answer:
  nb: Hvis kortet blir avvist, sjekk kortet.
  en: If your card is declined, check it.
"""


def test_a_valid_base_loads(tmp_path: pathlib.Path) -> None:
    answers = [
        make_answer_dict(
            links=["https://shop.example/help/payment"],
            pages=["/checkout/*", "https://shop.example/help/*"],
            handoff={"team": "payments", "collect": ["order_number"]},
            owner="content@shop.example",
            review_by=datetime.date(2027, 3, 1),
        ),
        make_answer_dict(id="order-tracking", title="Tracking", status="draft"),
        make_answer_dict(id="old-answer", title="Old", status="retired"),
    ]
    root = write_base(
        tmp_path,
        answers,
        base={"name": "Demo shop", "default_language": "nb", "teams": ["payments"]},
        fields=make_fields_dict(),
    )
    base = load_answer_base(root, today=TODAY)
    assert base.path == root
    assert base.config.name == "Demo shop"
    assert [answer.id for answer in base.answers] == [
        "old-answer",
        "order-tracking",
        "payment-declined",
    ]
    assert [answer.id for answer in base.published()] == ["payment-declined"]
    answer = base.get("payment-declined")
    assert answer is not None
    assert answer.questions[1] == "Betalingen min gikk ikke gjennom"
    assert answer.answer["nb"].startswith("Hvis kortet")
    assert answer.pages == ("/checkout/*", "https://shop.example/help/*")
    assert answer.handoff is not None
    assert answer.handoff.team == "payments"
    assert answer.handoff.collect == ("order_number",)
    assert answer.review_by == datetime.date(2027, 3, 1)
    assert answer.source == root / "payment-declined.yaml"
    assert base.fields["order_number"].example == "1234567"
    assert base.languages == frozenset({"nb", "en"})


def test_handoff_collect_is_compiled_into_the_simplest_flow(tmp_path: pathlib.Path) -> None:
    """`collect: [a, b]` stands for a flow of `field:` questions ending in the hand-off to the
    answer's team (decision 0058); the file format is unchanged."""
    answers = [make_answer_dict(handoff={"team": "payments", "collect": ["order_number", "email"]})]
    fields = make_fields_dict(
        email={"prompt": {"nb": "E-post?"}, "pattern": "^\\S+@\\S+$", "label": {"nb": "e-post"}}
    )
    root = write_base(tmp_path, answers, base={"teams": ["payments"]}, fields=fields)
    handoff = load_answer_base(root, today=TODAY).answers[0].handoff
    assert handoff is not None and handoff.flow is not None
    order, email, ending = handoff.flow.steps
    assert isinstance(order, Question) and isinstance(email, Question)
    assert (order.id, order.type, order.field, order.next) == (
        "order_number",
        "text",
        "order_number",
        "email",
    )
    assert (order.pattern, order.example) == (r"\d{6,10}", "1234567")
    assert order.ask["nb"] == "Hva er ordrenummeret ditt?"
    assert (email.field, email.next, email.labels["nb"]) == ("email", "handoff", "e-post")
    assert ending == Ending("handoff", handoff=True, team="payments")
    assert handoff.flow.digest == collect_digest(["order_number", "email"])
    assert collect_digest(["email", "order_number"]) != handoff.flow.digest


def test_a_field_called_like_the_ending_keeps_the_steps_apart() -> None:
    field = Field("handoff", {"nb": "?"}, ".+", None)
    flow = collect_flow(["handoff", "handoff"], {"handoff": field}, None)
    assert [step.id for step in flow.steps] == ["handoff", "handoff_"]


def test_status_defaults_to_published_and_text_is_stripped(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT.replace("status: published\n", "").replace(
        "  nb: Hvis kortet blir avvist, sjekk kortet.\n", "  nb: |\n    Linje en.\n    Linje to.\n"
    )
    base = load_answer_base(raw_base(tmp_path, text), today=TODAY)
    answer = base.answers[0]
    assert answer.status == "published"
    assert answer.answer["nb"] == "Linje en.\nLinje to."


def test_files_are_found_recursively_and_hidden_and_settings_files_are_skipped(
    tmp_path: pathlib.Path,
) -> None:
    root = write_base(tmp_path, [make_answer_dict()], base={"name": "Shop"}, fields={})
    write_answer_file(root / "sub", VALID_TEXT.replace("payment-declined", "nested"), "x.yml")
    write_answer_file(root / ".git", "not: an answer", "config.yaml")
    write_answer_file(root, "not: an answer", ".hidden.yaml")
    write_answer_file(root, "not yaml at all: [", "notes.txt")
    base = load_answer_base(root, today=TODAY)
    assert [answer.id for answer in base.answers] == ["nested", "payment-declined"]


def test_missing_folder_is_a_problem_not_an_exception(tmp_path: pathlib.Path) -> None:
    base, problems = check_answer_base(tmp_path / "nowhere")
    assert base is None
    assert [(p.file, p.message) for p in problems] == [
        (tmp_path / "nowhere", "answer base folder not found")
    ]
    with pytest.raises(AnswerBaseInvalid):
        load_answer_base(tmp_path / "nowhere")


def test_a_file_instead_of_a_folder_is_a_problem(tmp_path: pathlib.Path) -> None:
    path = write_answer_file(tmp_path, VALID_TEXT)
    problem = only_problem(path)
    assert problem.message.startswith("answer base folder not found")


def test_an_empty_folder_is_an_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "answers").mkdir()
    assert "no answer files found" in only_problem(tmp_path / "answers").message


def test_load_raises_with_all_problems(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict(id="Bad Id"), make_answer_dict(id="x", title="")])
    with pytest.raises(AnswerBaseInvalid) as caught:
        load_answer_base(root)
    assert [problem.field for problem in caught.value.problems] == ["id", "title"]
    assert "Bad Id" in str(caught.value)


def test_all_problems_in_a_file_are_reported_at_once(tmp_path: pathlib.Path) -> None:
    text = """\
id: Payment_Declined
title: ""
status: live
questions:
  - Why was my payment declined?
  - ""
answer:
  nb: Hei
  de: Hallo
links:
  - ftp://shop.example/help
pages:
  - checkout/*
review_by: 2026-02-30
extra: 1
"""
    problems = check(raw_base(tmp_path, text))
    located = [(p.file.name, p.line, p.field) for p in problems]
    assert located == [
        ("answer.yaml", 1, "id"),
        ("answer.yaml", 2, "title"),
        ("answer.yaml", 3, "status"),
        ("answer.yaml", 6, "questions[1]"),
        ("answer.yaml", 9, "answer.de"),
        ("answer.yaml", 11, "links[0]"),
        ("answer.yaml", 13, "pages[0]"),
        ("answer.yaml", 14, "review_by"),
        ("answer.yaml", 15, "extra"),
    ]
    assert all(problem.severity == "error" for problem in problems)


def test_problems_across_files_are_sorted_by_file_and_line(tmp_path: pathlib.Path) -> None:
    root = write_base(
        tmp_path,
        [
            make_answer_dict(id="b-answer", status="wrong", title=""),
            make_answer_dict(id="a-answer", questions=[]),
        ],
    )
    problems = check(root)
    assert [(p.file.name, p.line) for p in problems] == [
        ("a-answer.yaml", 4),
        ("b-answer.yaml", 2),
        ("b-answer.yaml", 3),
    ]


@pytest.mark.parametrize("key", ["id", "title", "questions", "answer"])
def test_required_keys(tmp_path: pathlib.Path, key: str) -> None:
    answer = make_answer_dict()
    del answer[key]
    problem = only_problem(write_base(tmp_path, [answer]))
    assert (problem.field, problem.line) == (key, 1)
    assert f'"{key}" is missing' in problem.message


def test_required_key_with_empty_value(tmp_path: pathlib.Path) -> None:
    problem = only_problem(raw_base(tmp_path, VALID_TEXT.replace("Payment declined", "")))
    assert (problem.line, problem.field) == (2, "title")
    assert "empty" in problem.message


@pytest.mark.parametrize("bad_id", ["Payment", "payment_declined", "-x", "x--y", "x-", "æøå"])
def test_id_pattern(tmp_path: pathlib.Path, bad_id: str) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(id=bad_id)]))
    assert problem.field == "id"
    assert "lowercase letters" in problem.message


def test_id_must_be_text(tmp_path: pathlib.Path) -> None:
    problem = only_problem(raw_base(tmp_path, VALID_TEXT.replace("payment-declined", "404")))
    assert (problem.line, problem.field) == (1, "id")
    assert "quotes" in problem.message


def test_duplicate_ids_name_both_files(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict(), make_answer_dict(title="Other")])
    problem = only_problem(root)
    # Files are read in sorted order: "payment-declined-1.yaml" sorts first.
    assert problem.file == root / "payment-declined.yaml"
    assert (problem.line, problem.field) == (1, "id")
    assert f"{root / 'payment-declined-1.yaml'}:1" in problem.message


def test_unknown_key_lists_the_allowed_ones_and_suggests(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT + "qestions:\n  - typo\n"
    problem = only_problem(raw_base(tmp_path, text))
    assert (problem.line, problem.field) == (10, "qestions")
    assert 'did you mean "questions"' in problem.message
    assert "id, title, status, questions, answer, links, pages" in problem.message


def test_status_must_be_known(tmp_path: pathlib.Path) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(status="active")]))
    assert problem.field == "status"
    assert "draft, published, retired" in problem.message


@pytest.mark.parametrize(
    ("questions", "field"),
    [([], "questions"), ("one question", "questions"), (["ok", ""], "questions[1]")],
)
def test_questions_shape(tmp_path: pathlib.Path, questions: object, field: str) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(questions=questions)]))
    assert problem.field == field


def test_question_as_number_is_an_error(tmp_path: pathlib.Path) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(questions=["ok", 42])]))
    assert (problem.line, problem.field) == (6, "questions[1]")


def test_duplicate_questions_are_a_warning(tmp_path: pathlib.Path) -> None:
    questions = ["Where is my parcel?", "Hvor er pakken?", "where is my  parcel?"]
    root = write_base(tmp_path, [make_answer_dict(questions=questions)])
    base, problems = check_answer_base(root, today=TODAY)
    assert base is not None
    assert [(p.line, p.field, p.severity) for p in problems] == [(7, "questions[2]", "warning")]
    assert "questions[0]" in problems[0].message


def test_unknown_language_lists_the_valid_ones(tmp_path: pathlib.Path) -> None:
    answer = make_answer_dict(answer={"nb": "Hei", "no": "Hei", "de": "Hallo"})
    problems = check(write_base(tmp_path, [answer]))
    assert [(p.line, p.field) for p in problems] == [(10, "answer.no"), (11, "answer.de")]
    assert "use nb or nn" in problems[0].message
    assert "nb, nn, sv, da, fi, en" in problems[1].message


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({}, "answer"),
        ("Just text", "answer"),
        ({"nb": ""}, "answer.nb"),
        ({"nb": None}, "answer.nb"),
    ],
)
def test_answer_shape(tmp_path: pathlib.Path, answer: object, field: str) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(answer=answer)]))
    assert problem.field == field


def test_links_must_be_web_addresses(tmp_path: pathlib.Path) -> None:
    links = ["https://shop.example/help", "shop.example/help", "mailto:a@b.c"]
    problems = check(write_base(tmp_path, [make_answer_dict(links=links)]))
    assert [p.field for p in problems] == ["links[1]", "links[2]"]


@pytest.mark.parametrize(
    "pattern", ["checkout/*", "/check out", "/search?q=*", "/faq#top", "https:///x", "ftp://a/b"]
)
def test_bad_page_patterns(tmp_path: pathlib.Path, pattern: str) -> None:
    answer = make_answer_dict(pages=["/ok/*", pattern])
    problem = only_problem(write_base(tmp_path, [answer]))
    assert problem.field == "pages[1]"
    assert pattern in problem.message


def test_handoff_keys_and_fields(tmp_path: pathlib.Path) -> None:
    handoff = {"team": "payments", "collect": ["order_number", "email"], "priority": "high"}
    root = write_base(tmp_path, [make_answer_dict(handoff=handoff)], fields=make_fields_dict())
    problems = check(root)
    assert [(p.line, p.field) for p in problems] == [
        (15, "handoff.collect[1]"),
        (16, "handoff.priority"),
    ]
    collect = next(p for p in problems if p.field == "handoff.collect[1]")
    assert '"email" is not defined in fields.yaml' in collect.message
    assert "defined fields: order_number" in collect.message


def test_handoff_collect_without_fields_file(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict(handoff={"collect": ["order_number"]})])
    problem = only_problem(root)
    assert problem.field == "handoff.collect[0]"
    assert "defined fields: (none)" in problem.message


def test_handoff_team_must_be_listed_when_teams_are_defined(tmp_path: pathlib.Path) -> None:
    answers = [make_answer_dict(handoff={"team": "payment"})]
    base = {"teams": ["payments", {"id": "logistics", "name": "Logistikk"}]}
    problem = only_problem(write_base(tmp_path, answers, base=base))
    assert problem.field == "handoff.team"
    assert "payments, logistics" in problem.message


def test_handoff_team_is_free_when_no_teams_are_defined(tmp_path: pathlib.Path) -> None:
    root = write_base(tmp_path, [make_answer_dict(handoff={"team": "anyone"})])
    assert load_answer_base(root).answers[0].handoff is not None


def test_handoff_must_be_a_mapping(tmp_path: pathlib.Path) -> None:
    problem = only_problem(write_base(tmp_path, [make_answer_dict(handoff=["payments"])]))
    assert problem.field == "handoff"


@pytest.mark.parametrize("value", ["2026-02-30", "01.03.2027", "2027-3-1", "2027-03-01 10:00"])
def test_review_by_must_be_a_date(tmp_path: pathlib.Path, value: str) -> None:
    text = VALID_TEXT + f"review_by: {value}\n"
    problem = only_problem(raw_base(tmp_path, text))
    assert (problem.line, problem.field, problem.severity) == (10, "review_by", "error")


def test_review_by_in_the_past_is_a_warning(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT + "review_by: 2026-01-14\n"
    base, problems = check_answer_base(raw_base(tmp_path, text), today=TODAY)
    assert base is not None
    assert [(p.line, p.field, p.severity) for p in problems] == [(10, "review_by", "warning")]
    assert "2026-01-14" in str(problems[0])
    assert str(problems[0]).startswith(f"{base.path / 'answer.yaml'}:10: warning: review_by:")


def test_review_by_today_is_fine(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT + "review_by: 2026-01-15\n"
    assert check(raw_base(tmp_path, text)) == []


def test_missing_default_language_is_a_warning(tmp_path: pathlib.Path) -> None:
    answer = make_answer_dict(answer={"sv": "Hej", "en": "Hi"})
    base, problems = check_answer_base(write_base(tmp_path, [answer]), today=TODAY)
    assert base is not None
    assert [(p.line, p.field, p.severity) for p in problems] == [(8, "answer", "warning")]
    assert "falls back to sv" in problems[0].message


def test_retired_answers_get_no_warnings(tmp_path: pathlib.Path) -> None:
    answer = make_answer_dict(
        status="retired", answer={"en": "Hi"}, review_by=datetime.date(2020, 1, 1)
    )
    assert check(write_base(tmp_path, [answer])) == []


def test_malformed_yaml_reports_the_parser_line(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT.replace("questions:\n", "questions: [\n")
    problem = only_problem(raw_base(tmp_path, text))
    assert problem.line is not None and problem.line >= 5
    assert "not valid YAML" in problem.message


def test_tab_indentation_reports_its_line(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT.replace("  - Betalingen", "\t- Betalingen")
    problem = only_problem(raw_base(tmp_path, text))
    assert problem.line == 6


def test_duplicate_keys_are_reported(tmp_path: pathlib.Path) -> None:
    problem = only_problem(raw_base(tmp_path, VALID_TEXT + "title: Again\n"))
    assert problem.line == 10
    assert "duplicate key" in problem.message


def test_non_utf8_file_is_a_problem(tmp_path: pathlib.Path) -> None:
    text = VALID_TEXT.replace("Betalingen min", "Betalingen på").encode("latin-1")
    problem = only_problem(raw_base(tmp_path, text))
    assert problem.line == 6
    assert "not UTF-8" in problem.message


def test_utf8_bom_is_accepted(tmp_path: pathlib.Path) -> None:
    root = raw_base(tmp_path, b"\xef\xbb\xbf" + VALID_TEXT.encode("utf-8"))
    assert load_answer_base(root).answers[0].id == "payment-declined"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- id: x\n- id: y\n", "must be a mapping"),
        ("just some text\n", "must be a mapping"),
    ],
)
def test_files_that_are_not_answers(tmp_path: pathlib.Path, text: str, expected: str) -> None:
    problem = only_problem(raw_base(tmp_path, text))
    assert expected in problem.message
    assert problem.line == 1


def test_several_files_with_problems_are_all_reported(tmp_path: pathlib.Path) -> None:
    root = raw_base(tmp_path, "", "a.yaml")
    write_answer_file(root, b"id: \xff\n", "b.yaml")
    write_answer_file(root, "id: [\n", "c.yaml")
    write_answer_file(root, VALID_TEXT, "d.yaml")
    problems = check(root)
    assert [p.file.name for p in problems] == ["a.yaml", "b.yaml", "c.yaml"]
