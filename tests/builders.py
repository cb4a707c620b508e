"""Builders for test data: valid defaults, overridden per test."""

from __future__ import annotations

import pathlib
from typing import Any

import yaml


def make_answer_dict(**overrides: Any) -> dict[str, Any]:
    """A valid answer, as read from an answer file; keyword arguments replace keys."""
    answer: dict[str, Any] = {
        "id": "payment-declined",
        "title": "Payment declined",
        "status": "published",
        "questions": [
            "Why was my payment declined?",
            "Betalingen min gikk ikke gjennom",
            "Kortet mitt blir avvist i kassen",
        ],
        "answer": {
            "nb": "Hvis kortet blir avvist, sjekk at kortet er gyldig og har dekning.",
            "en": "If your card is declined, check that it is valid and has funds.",
        },
    }
    answer.update(overrides)
    return answer


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def write_answer_file(
    directory: pathlib.Path, text: str | bytes, name: str = "answer.yaml"
) -> pathlib.Path:
    """Write raw text (UTF-8) or bytes as the file `name` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _file_name(answer: dict[str, Any], index: int, taken: set[str]) -> str:
    answer_id = answer.get("id")
    stem = answer_id if isinstance(answer_id, str) and answer_id else f"answer-{index}"
    name = f"{stem}.yaml"
    if name in taken:
        name = f"{stem}-{index}.yaml"
    taken.add(name)
    return name


def write_base(
    tmp_path: pathlib.Path,
    answers: list[dict[str, Any]],
    *,
    base: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
) -> pathlib.Path:
    """Write an answer base folder `tmp_path/answers` and return it.

    Each answer goes to `<id>.yaml` (`<id>-<n>.yaml` when the id repeats);
    `base` and `fields`, when given, become base.yaml and fields.yaml.
    """
    root = tmp_path / "answers"
    root.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for index, answer in enumerate(answers):
        write_answer_file(root, _dump(answer), _file_name(answer, index, taken))
    if base is not None:
        write_answer_file(root, _dump(base), "base.yaml")
    if fields is not None:
        write_answer_file(root, _dump(fields), "fields.yaml")
    return root


def make_fields_dict(**overrides: Any) -> dict[str, Any]:
    """A valid fields.yaml content with one field, `order_number`."""
    fields: dict[str, Any] = {
        "order_number": {
            "prompt": {"nb": "Hva er ordrenummeret ditt?", "en": "What is your order number?"},
            "pattern": r"\d{6,10}",
            "example": "1234567",
        }
    }
    fields.update(overrides)
    return fields


def _both(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def make_flow_answer_dict(**overrides: Any) -> dict[str, Any]:
    """A published answer with a warranty-claim flow in nb and en: a recalled model is an
    urgent case; bought more than 2 years ago, or damaged by use, gives `paid-repair`;
    otherwise the order number, a photo and an e-mail address go to the returns team.
    Keyword arguments replace keys."""
    answer = make_answer_dict(
        id="warranty-claim",
        title="Warranty claim",
        questions=["Jeg vil reklamere på en vare", "I want to make a warranty claim"],
        answer=_both("Jeg hjelper deg med reklamasjonen.", "I'll help you with the claim."),
        flow={
            "steps": [
                {
                    "id": "model",
                    "ask": _both("Hvilken modell?", "Which model?"),
                    "type": "text",
                    "pattern": "^[A-Za-z]{2}[- ]?[0-9]{3}$",
                    "example": "KT-200",
                },
                {
                    "id": "recall",
                    "decide": [
                        {"when": "model", "in": ["KT-210"], "goto": "recall-email"},
                        {"otherwise": "bought"},
                    ],
                },
                {
                    "id": "bought",
                    "ask": _both("Når kjøpte du den?", "When did you buy it?"),
                    "type": "date",
                    "dates": "past",
                    "label": _both("kjøpsdato", "purchase date"),
                },
                {
                    "id": "age",
                    "decide": [
                        {"when": "bought", "older_than": "2 years", "goto": "paid"},
                        {"otherwise": "cause"},
                    ],
                },
                {
                    "id": "cause",
                    "ask": _both("Skyldes feilen bruk?", "Is it damaged by use?"),
                    "type": "yes_no",
                },
                {
                    "id": "covered",
                    "decide": [
                        {"when": "cause", "is": "yes", "goto": "paid"},
                        {"when": "cause", "is": "no", "goto": "order"},
                    ],
                },
                {"id": "order", "field": "order_number"},
                {
                    "id": "photo",
                    "ask": _both("Sender du et bilde på e-post?", "Will you e-mail a photo?"),
                    "type": "yes_no",
                },
                {
                    "id": "email",
                    "ask": _both("Hvilken e-postadresse?", "Which e-mail address?"),
                    "type": "email",
                    "next": "claim",
                },
                {
                    "id": "recall-email",
                    "ask": _both("Tilbakekalt! E-post?", "Recalled! E-mail?"),
                    "type": "email",
                    "next": "recall-case",
                },
                {"id": "claim", "handoff": {"team": "returns"}},
                {
                    "id": "recall-case",
                    "handoff": {
                        "team": "returns",
                        "urgency": "urgent",
                        "message": _both("Det haster, vi ringer i dag.", "Urgent: we call today."),
                    },
                },
                {"id": "paid", "answer": "paid-repair"},
            ]
        },
    )
    answer.update(overrides)
    return answer


def make_paid_repair_dict() -> dict[str, Any]:
    """The plain answer the flow of `make_flow_answer_dict` ends in past the warranty."""
    return make_answer_dict(
        id="paid-repair",
        title="Paid repair",
        questions=["Kan dere reparere mot betaling?", "Can you repair it for a fee?"],
        answer=_both("Vi reparerer gjerne mot betaling.", "We repair it for a fee."),
    )
