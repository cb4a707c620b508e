"""Which of the six languages a visitor writes in, with priors for short messages.

lingua alone reads short Norwegian questions as Danish surprisingly often. The detector
multiplies lingua's confidences by priors (the page's language, the conversation so far, the
languages the answer base has) and by a few marker words that separate bokmål, nynorsk and
Danish. The shorter the text, the less lingua's own opinion weighs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Detection", "detect_language", "normalise_language_tag", "page_language"]

LANGUAGES = ("nb", "nn", "sv", "da", "fi", "en")
PAGE_PRIOR = 4.0
HISTORY_PRIOR = 2.5
BASE_PRIOR = 1.3
DEFAULT_PRIOR = 1.5
MARKER_BOOST = 2.5
FULL_WEIGHT_LETTERS = 25

_TAGS = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "dan": "da", "fin": "fi", "eng": "en"}

# Words that occur in one of the close Scandinavian languages and not (or rarely) in the others.
_MARKERS: dict[str, frozenset[str]] = {
    "nb": frozenset(
        ["hva", "ble", "noen", "etter", "kjøpe", "kjøpt", "mye", "fikk", "levert", "nå"]
    ),
    "nn": frozenset(
        [
            "eg",
            "ikkje",
            "kva",
            "korleis",
            "kvifor",
            "kven",
            "noko",
            "nokon",
            "berre",
            "heime",
            "heim",
            "vart",
            "kjøpa",
            "betala",
            "kome",
            "korfor",
            "ein",
            "eit",
            "ho",
            "dei",
        ]
    ),
    "sv": frozenset(
        ["hur", "jag", "är", "inte", "vad", "varför", "och", "också", "någon", "något", "finns"]
    ),
    "da": frozenset(
        [
            "hvad",
            "blev",
            "nogen",
            "nogle",
            "efter",
            "af",
            "købe",
            "købt",
            "meget",
            "fik",
            "leveret",
            "nu",
            "jer",
            "jeres",
            "hvornår",
        ]
    ),
    # English words that no Nordic language uses (not "i", "for", "so", "have" or "to"), so a
    # short English question is not pulled to the base's default language by the priors.
    "en": frozenset(
        [
            "the",
            "my",
            "your",
            "you",
            "what",
            "how",
            "does",
            "can",
            "it",
            "please",
            "with",
            "where",
            "why",
            "when",
            "which",
            "an",
            "and",
            "of",
            "are",
            "want",
            "would",
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Detection:
    """The detected language and how sure the detector is (0–1)."""

    lang: str
    confidence: float


def normalise_language_tag(tag: str | None) -> str | None:
    """'nb-NO' -> 'nb', 'no' -> 'nb', 'sv_SE' -> 'sv'; None for anything else."""
    if not tag:
        return None
    head = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    head = _TAGS.get(head, head)
    return head if head in LANGUAGES else None


_TLDS = {"no": "nb", "se": "sv", "dk": "da", "fi": "fi"}


def page_language(url: str | None) -> str | None:
    """A page's language from its URL when it says so: '/en/…', '/sv-se/…', '?lang=da', '.fi'."""
    if not url:
        return None
    parts = urlsplit(url if "://" in url or url.startswith("/") else f"//{url}")
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if key in ("lang", "language", "hl") and normalise_language_tag(value):
            return normalise_language_tag(value)
    first = parts.path.strip("/").split("/", 1)[0]
    if 2 <= len(first) <= 5 and normalise_language_tag(first):
        return normalise_language_tag(first)
    host = (parts.hostname or "").rsplit(".", 1)[-1]
    return _TLDS.get(host)


@cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(
        Language.BOKMAL,
        Language.NYNORSK,
        Language.SWEDISH,
        Language.DANISH,
        Language.FINNISH,
        Language.ENGLISH,
    ).build()


def _lingua(text: str) -> dict[str, float]:
    values = {lang: 1e-3 for lang in LANGUAGES}
    for item in _detector().compute_language_confidence_values(text):
        code = item.language.iso_code_639_1.name.lower()
        values[code] = max(float(item.value), 1e-3)
    return values


def _markers(words: list[str]) -> dict[str, float]:
    boost = {lang: 1.0 for lang in LANGUAGES}
    for word in words:
        for lang, only in _MARKERS.items():
            if word in only:
                boost[lang] *= MARKER_BOOST
    # Nordic messages quote English titles and product names ("The North Face"), so English
    # words count once: enough to outweigh the default-language prior, not lingua.
    boost["en"] = min(boost["en"], MARKER_BOOST)
    return boost


def detect_language(
    text: str,
    *,
    page_lang: str | None = None,
    history: Iterable[str] = (),
    base_languages: Iterable[str] = (),
    default: str = "nb",
) -> Detection:
    """The visitor's language among nb, nn, sv, da, fi, en."""
    words = [w.casefold() for w in _WORD.findall(text)]
    letters = sum(len(w) for w in words)
    prior = {lang: 1.0 for lang in LANGUAGES}
    for lang in set(base_languages) & set(LANGUAGES):
        prior[lang] *= BASE_PRIOR
    if default in prior:
        prior[default] *= DEFAULT_PRIOR
    recent = [normalise_language_tag(h) for h in history]
    for lang in [r for r in recent[-3:] if r]:
        prior[lang] *= HISTORY_PRIOR
    page = normalise_language_tag(page_lang)
    if page:
        prior[page] *= PAGE_PRIOR
    if letters == 0:
        fallback = page or next((r for r in reversed(recent) if r), None) or default
        return Detection(fallback, 0.0)
    weight = min(1.0, letters / FULL_WEIGHT_LETTERS)
    lingua = _lingua(text)
    marks = _markers(words)
    scores = {lang: (lingua[lang] ** weight) * prior[lang] * marks[lang] for lang in LANGUAGES}
    total = sum(scores.values())
    best = max(scores, key=lambda lang: scores[lang])
    return Detection(best, round(scores[best] / total, 4))
