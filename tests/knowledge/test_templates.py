"""Registration templates in templates.yaml: the format and its problems (file:line:field)."""

from __future__ import annotations

import pathlib

import pytest

from knowledge import Template, check_answer_base, get_demo_dir, load_answer_base
from tests.builders import make_answer_dict, write_answer_file, write_base

BASE = """\
default_language: nb
teams: [payments, returns, support]
default_team: support
"""

FIELDS = {
    "order_number": {"prompt": {"nb": "Ordrenummer?"}, "pattern": "^[0-9]{7}$"},
    "product_name": {"prompt": {"nb": "Produkt?"}, "pattern": "^.{2,100}$"},
}

GOOD = """\
- id: card-declined
  title: {nb: Kortet avvist, en: Card declined}
  topic: payment-declined
  fields:
    order_number:
    product_name: Kaffetrakter KT-200
  resolve_at_once: true
- id: return-desk
  title: {nb: Retur i butikken}
  topic: returns
  team: returns
  channel: desk
"""


def base_with(tmp_path: pathlib.Path, templates: str, *extra: dict[str, object]) -> pathlib.Path:
    answers = [
        make_answer_dict(handoff={"team": "payments"}),
        make_answer_dict(id="returns", title="Retur"),
        *extra,
    ]
    root = write_base(tmp_path, answers, fields=FIELDS)
    write_answer_file(root, BASE, "base.yaml")
    write_answer_file(root, templates, "templates.yaml")
    return root


def problems(tmp_path: pathlib.Path, templates: str, *extra: dict[str, object]) -> list[str]:
    found = check_answer_base(base_with(tmp_path, templates, *extra))[1]
    return [str(p).replace(str(tmp_path) + "/", "") for p in found]


def test_templates_are_read_with_their_defaults(tmp_path: pathlib.Path) -> None:
    base = load_answer_base(base_with(tmp_path, GOOD))
    assert base.templates == (
        Template(
            "card-declined",
            {"nb": "Kortet avvist", "en": "Card declined"},
            "payment-declined",
            "payments",  # the topic's hand-off team
            "phone",
            {"order_number": None, "product_name": "Kaffetrakter KT-200"},
            True,
        ),
        Template("return-desk", {"nb": "Retur i butikken"}, "returns", "returns", "desk"),
    )
    assert base.template("return-desk") is base.templates[1]
    assert base.template("nope") is None
    assert base.templates[1].title_for("sv", "nb") == "Retur i butikken"
    assert len(base.answers) == 2  # templates.yaml is no answer file


def test_a_template_without_team_or_topic_team_gets_the_default_team(
    tmp_path: pathlib.Path,
) -> None:
    base = load_answer_base(base_with(tmp_path, "- {id: r, title: {nb: R}, topic: returns}\n"))
    assert base.templates[0].team == "support"


def test_every_problem_names_file_line_and_field(tmp_path: pathlib.Path) -> None:
    text = """\
- id: card-declined
  title: {en: Card declined}
  topic: payment-declind
  team: payment
  channel: email
  fields:
    order_numbr:
    order_number: "12"
  resolve_at_once: "yes"
  colour: red
- id: card-declined
  title: {nb: Igjen}
  topic: returns
- id: Bad_Id
  title: {nb: X}
  topic: returns
- title: {nb: Uten id}
"""
    assert problems(tmp_path, text) == [
        "answers/templates.yaml:2: [0].title: needs a title in nb, the default language of "
        "the answer base",
        'answers/templates.yaml:4: [0].team: unknown team "payment" (did you mean '
        '"payments"?); teams listed in base.yaml: payments, returns, support',
        'answers/templates.yaml:5: [0].channel: the text "email" is not a channel an agent '
        "registers on; use one of phone, desk",
        'answers/templates.yaml:7: [0].fields.order_numbr: the field "order_numbr" is not '
        'defined in fields.yaml (did you mean "order_number"?); fields: order_number, '
        "product_name",
        'answers/templates.yaml:8: [0].fields.order_number: "12" does not match the pattern '
        "of order_number; fix the value or leave it empty for the agent to fill in",
        'answers/templates.yaml:9: [0].resolve_at_once: must be true or false, not the text "yes"',
        "answers/templates.yaml:10: [0].colour: unknown key; allowed keys: id, title, topic, "
        "team, channel, fields, resolve_at_once",
        'answers/templates.yaml:14: [2].id: "Bad_Id" is not a valid template id; use lowercase '
        'letters a-z, digits and single hyphens between them, e.g. "parcel-not-arrived"',
        'answers/templates.yaml:17: [3].id: the required key "id" is missing',
        'answers/templates.yaml:17: [3].topic: the required key "topic" is missing',
    ]


def test_a_repeated_id_names_the_first(tmp_path: pathlib.Path) -> None:
    text = GOOD + "- {id: return-desk, title: {nb: Igjen}, topic: returns}\n"
    assert problems(tmp_path, text) == [
        'answers/templates.yaml:13: [2].id: the template id "return-desk" is already used on '
        "line 8; template ids must be unique"
    ]


def test_the_topic_must_be_a_published_answer_without_a_flow_to_resolve_at_once(
    tmp_path: pathlib.Path,
) -> None:
    draft = make_answer_dict(id="draft-one", title="Draft", status="draft")
    flowing = make_answer_dict(
        id="with-flow",
        title="Flow",
        flow={"steps": [{"id": "done", "message": {"nb": "Ferdig", "en": "Done"}}]},
    )
    text = """\
- {id: a, title: {nb: A}, topic: payment-declind}
- {id: b, title: {nb: B}, topic: draft-one}
- {id: c, title: {nb: C}, topic: with-flow, resolve_at_once: true}
- {id: d, title: {nb: D}, topic: with-flow}
"""
    assert problems(tmp_path, text, draft, flowing) == [
        'answers/templates.yaml:1: [0].topic: there is no answer with the id "payment-declind" '
        '(did you mean "payment-declined"?)',
        'answers/templates.yaml:2: [1].topic: the answer "draft-one" is draft; use a published '
        "answer",
        'answers/templates.yaml:3: [2].topic: the answer "with-flow" is a guided flow, whose '
        "text only introduces its questions: it cannot resolve an inquiry at once; set "
        "resolve_at_once: false",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: x\n", "answers/templates.yaml:1: must be a list (lines starting with '- '), not"),
        ("- [1, 2]\n", "answers/templates.yaml:1: [0]: must be a mapping"),
        ("- {id: x\n", "answers/templates.yaml:"),
    ],
)
def test_a_file_of_the_wrong_shape_is_an_error(
    tmp_path: pathlib.Path, text: str, expected: str
) -> None:
    found = problems(tmp_path, text)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_an_empty_or_missing_file_means_no_templates(tmp_path: pathlib.Path) -> None:
    assert load_answer_base(base_with(tmp_path, "# none yet\n")).templates == ()
    (tmp_path / "answers" / "templates.yaml").unlink()
    assert load_answer_base(tmp_path / "answers").templates == ()


def test_the_demo_base_has_templates_in_its_six_languages() -> None:
    base = load_answer_base(get_demo_dir())
    assert [t.id for t in base.templates] == [
        "where-is-my-parcel",
        "return-an-item",
        "damaged-in-transport",
    ]
    assert all(len(t.titles) == 6 for t in base.templates)
    assert {t.channel for t in base.templates} == {"phone", "desk"}
