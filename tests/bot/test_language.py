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


# --- a page in another language, dialect markers and place names ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kor lang tid tek det å få pengane tilbake?",
        "Kva kostar frakta?",
        "Korleis kan eg returnera ei vare?",
        "Eg vil endra bestillinga mi",
        "Kvar er pakken min?",
        "Når kjem pakken fram?",
        "Pakken kom aldri fram, kva no?",
        "Eg fekk feil vare",
        "KVA KOSTAR FRAKTA?",
    ],
)
def test_nynorsk_question_on_a_bokmal_page_is_nynorsk(text: str) -> None:
    """The page says Norwegian; the words say which written standard."""
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "nn"


@pytest.mark.parametrize(
    "text",
    [
        "Hvor lang tid tar det å få pengene tilbake?",
        "Hva koster frakten?",
        "Jeg vil endre bestillingen min",
        "Når kommer pakken frem?",
        "Kan jeg avbestille ordren?",
        "Varene kom i to pakker",
    ],
)
def test_bokmal_stays_bokmal_on_a_bokmal_page_and_on_a_nynorsk_page(text: str) -> None:
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "nb"
    assert detect_language(text, page_lang="nn", base_languages=ALL).lang == "nb"


@pytest.mark.parametrize(
    "text",
    [
        "Hvad koster fragten?",
        "Hvornår kommer min pakke?",
        "Jeg vil ændre min bestilling",
        "Kan jeg få en faktura til vores firma?",
        "Mit gavekort virker ikke",
        "Jeg vil gerne slette min konto",
    ],
)
def test_danish_stays_danish_on_a_norwegian_page(text: str) -> None:
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "da"
    assert detect_language(text, page_lang="nn", base_languages=ALL).lang == "da"


@pytest.mark.parametrize("text", ["Vad kostar frakten?", "Var hittar jag returetiketten?"])
def test_swedish_with_one_marker_beats_a_norwegian_page(text: str) -> None:
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "sv"
    assert detect_language(text, page_lang="nn", base_languages=ALL).lang == "sv"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hvor lang tid tar leveringen til Jyväskylä?", "nb"),
        ("Kor lang tid tek det å senda til Göteborg?", "nn"),
        ("Kva kostar frakta til Jyväskylä?", "nn"),
        ("Hur lång tid tar leveransen till Tromsø?", "sv"),
        ("Vad kostar frakten till Trøndelag?", "sv"),
        ("Kuinka kauan toimitus kestää Helsinkiin?", "fi"),
        ("How long does delivery take to Tromsø?", "en"),
        ("What does shipping to Jyväskylä cost?", "en"),
    ],
)
def test_place_names_do_not_decide_the_language(text: str, lang: str) -> None:
    """A Finnish or Swedish place name in a Norwegian question (and a Norwegian one in a
    Swedish or English question) is a name, not the visitor's language."""
    assert detect_language(text, base_languages=ALL).lang == lang
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == lang


def test_a_page_still_settles_a_text_that_could_be_either() -> None:
    """Words that bokmål and Danish share leave it to the page."""
    text = "Hvordan kan jeg returnere en vare?"
    assert detect_language(text, page_lang="nb", base_languages=ALL).lang == "nb"
    assert detect_language(text, page_lang="da", base_languages=ALL).lang == "da"
