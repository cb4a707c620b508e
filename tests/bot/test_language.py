"""Which language a visitor writes in: detection, language tags and page URLs."""

from __future__ import annotations

import pytest

from bot import Detection, detect_language, normalise_language_tag, page_language

ALL = ("nb", "nn", "sv", "da", "fi", "en")


def test_short_bokmal_question_on_a_norwegian_page() -> None:
    detection = detect_language("hvor er pakken min?", page_lang="nb")
    assert isinstance(detection, Detection)
    assert detection.lang == "nb"
    assert 0.0 < detection.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Var är mitt paket? Jag har väntat i två veckor.",
        "Hur kan jag följa mitt paket?",
        "Hur lång tid tar leveransen till Stockholm?",
        "Jag kommer inte ihåg lösenordet till mitt konto",
    ],
)
def test_swedish_question_on_a_norwegian_page_is_swedish(text: str) -> None:
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "sv"


def test_clear_nynorsk_sentence() -> None:
    text = "kva kostar det å senda pakken heim til meg?"
    assert detect_language(text).lang == "nn"
    assert detect_language(text, base_languages=ALL).lang == "nn"


def test_clear_nynorsk_sentence_on_a_bokmal_page() -> None:
    text = "Korleis kan eg følgje med på kvar pakken min er no?"
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "nn"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Missä tilaukseni on nyt?", "fi"),
        ("En muista salasanaani, miten saan uuden?", "fi"),
        ("How long does delivery take to Bergen?", "en"),
        ("I can't remember my password, how do I reset it?", "en"),
        ("Hvad er jeres åbningstider i kundeservice?", "da"),
    ],
)
def test_finnish_english_danish(text: str, lang: str) -> None:
    assert detect_language(text).lang == lang
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == lang


@pytest.mark.parametrize("text", ["", "   ", "!!! 123 ???"])
@pytest.mark.parametrize("page", ["sv", "fi", "en"])
def test_no_words_falls_back_to_the_page_language(text: str, page: str) -> None:
    assert detect_language(text, page_lang=page) == Detection(page, 0.0)


def test_no_words_and_no_page_falls_back_to_the_conversation_then_the_default() -> None:
    assert detect_language("", history=["nb", "da"]).lang == "da"
    assert detect_language("").lang == "nb"
    assert detect_language("", default="sv").lang == "sv"


def test_the_conversation_so_far_tips_an_ambiguous_message() -> None:
    assert detect_language("ok", history=["sv", "sv", "sv"]).lang == "sv"


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("NO", "nb"),
        ("nob", "nb"),
        ("nn-NO", "nn"),
        ("sv_SE", "sv"),
        ("da-DK", "da"),
        ("fi", "fi"),
        ("en-GB", "en"),
        (" en ", "en"),
        ("xx", None),
        ("de-DE", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_language_tag(tag: str | None, lang: str | None) -> None:
    assert normalise_language_tag(tag) == lang


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("https://shop.example/en/cart", "en"),
        ("https://shop.example/sv-se/kassa", "sv"),
        ("https://shop.example/help?lang=da", "da"),
        ("https://shop.example/help?page=2&lang=fi", "fi"),
        ("https://shop.fi/x", "fi"),
        ("https://butik.dk/kurv", "da"),
        ("https://shop.example/checkout/payment-failed", None),
        ("/orders/123", None),
        ("/cart", None),
        ("", None),
        (None, None),
    ],
)
def test_page_language(url: str | None, lang: str | None) -> None:
    assert page_language(url) == lang
