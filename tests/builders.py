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
