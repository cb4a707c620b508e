"""Writing an answer file in the documented key order, with unicode kept as is."""

from __future__ import annotations

import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from knowledge.schema import LANGUAGES


def _dumper() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# Plain words that YAML 1.1 readers (PyYAML, many editors) take for true/false/null.
_AMBIGUOUS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def _scalar(text: str) -> str:
    styled: str = text
    if "\n" in text:
        styled = LiteralScalarString(text)
    elif text.lower() in _AMBIGUOUS:
        styled = SingleQuotedScalarString(text)
    return styled


def answer_yaml(answer_id: str, title: str, questions: list[str], answers: dict[str, str]) -> str:
    """The YAML text of a published answer: id, title, status, questions, answer."""
    doc = CommentedMap()
    doc["id"] = answer_id
    doc["title"] = _scalar(title)
    doc["status"] = "published"
    doc["questions"] = [_scalar(question) for question in questions]
    doc["answer"] = CommentedMap(
        (lang, _scalar(answers[lang])) for lang in LANGUAGES if lang in answers
    )
    stream = io.StringIO()
    _dumper().dump(doc, stream)
    return stream.getvalue()


def question_item(question: str) -> str:
    """One question as the text of a `questions:` item, after its "- " (quoted when needed).

    A question holds no line breaks (`knowledge.phrasings` joins its whitespace), so this is
    one line.
    """
    stream = io.StringIO()
    _dumper().dump([_scalar(question)], stream)
    return stream.getvalue().strip().removeprefix("- ")


def add_by_round_trip(text: str, questions: list[str]) -> str:
    """`text` (an answer file) with `questions` appended to its `questions:` list, by a
    ruamel round trip: comments, key order and quoting are kept, indentation is the
    documented one. Raises ruamel's YAMLError or ValueError."""
    yaml = _dumper()
    yaml.preserve_quotes = True
    doc = yaml.load(text)
    for question in questions:
        doc["questions"].append(_scalar(question))
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()
