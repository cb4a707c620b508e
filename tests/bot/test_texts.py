"""What the bot says exists in all six languages and reads as the language it is filed under."""

from __future__ import annotations

import pytest

from bot import ESCALATE_REASONS, detect_language
from bot import texts as bot_texts
from knowledge import LANGUAGES

FLAT = {name: getattr(bot_texts, name) for name in bot_texts.__all__ if name != "ESCALATE"}
ALL = [
    *((name, lang, text) for name, texts in FLAT.items() for lang, text in texts.items()),
    *(
        (f"ESCALATE[{reason}]", lang, text)
        for reason in ESCALATE_REASONS
        for lang, text in bot_texts.ESCALATE[reason].items()
    ),
]


@pytest.mark.parametrize("name", sorted(FLAT))
def test_every_text_has_the_six_languages(name: str) -> None:
    assert tuple(FLAT[name]) == LANGUAGES


def test_every_reason_has_a_hand_off_text() -> None:
    assert set(bot_texts.ESCALATE) == set(ESCALATE_REASONS)
    for reason in ESCALATE_REASONS:
        assert tuple(bot_texts.ESCALATE[reason]) == LANGUAGES


@pytest.mark.parametrize(("name", "lang", "text"), ALL, ids=lambda v: str(v)[:30])
def test_each_text_reads_as_its_language(name: str, lang: str, text: str) -> None:
    assert text.strip() == text and text
    sample = text.format(case="S-1042")
    assert detect_language(sample).lang == lang, (name, lang, text)


def test_the_welcome_back_names_the_case() -> None:
    for text in bot_texts.WELCOME_BACK_CASE.values():
        assert "S-1042" in text.format(case="S-1042")
