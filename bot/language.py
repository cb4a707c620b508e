"""Which of the six languages a visitor writes in, with priors for short messages.

lingua alone reads short Norwegian questions as Danish surprisingly often. The detector
multiplies lingua's confidences by priors (the page's language, the conversation so far, the
languages the answer base has) and by marker words and letters that separate bokmål, nynorsk,
Danish and Swedish. The shorter the text, the less lingua's own opinion weighs. The page's prior
yields when the text's markers speak for another language, and names ("Helsinkiin", "Göteborg")
are left out. See docs/decisions/0003-language-detection.md.
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
# The page's weight when the text's own words speak for other languages and none for the page's
# ("kva" on a bokmål page, "hur" on a Danish one): the page settles what the text leaves open, it
# does not overrule what the text says.
CONTRADICTED_PAGE_PRIOR = 1.0
HISTORY_PRIOR = 2.5
BASE_PRIOR = 1.3
DEFAULT_PRIOR = 1.5
MARKER_BOOST = 2.5
FULL_WEIGHT_LETTERS = 25

_TAGS = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "dan": "da", "fin": "fi", "eng": "en"}
_NORDIC = ("nb", "nn", "sv", "da", "fi")


def _marker_table(groups: dict[str, str]) -> dict[str, frozenset[str]]:
    """{"nb da": "jeg ikke"} -> {"jeg": {"nb", "da"}, "ikke": {"nb", "da"}}."""
    table: dict[str, set[str]] = {}
    for langs, words in groups.items():
        for word in words.split():
            table.setdefault(word, set()).update(langs.split())
    return {word: frozenset(langs) for word, langs in table.items()}


# Words frequent in questions that only some of bokmål, nynorsk, Danish and Swedish use. A word
# boosts each language of its group: "jeg" is bokmål or Danish, never nynorsk ("eg") or
# Swedish ("jag"), so it speaks against those two.
_MARKERS = _marker_table(
    {
        "nb": (
            "hva ble noen noe mye fikk nå gjør gjøre dere ennå trenger dager annen annet åpen"
            " åpent åpner finner spørre"
        ),
        "nn": (
            "eg ikkje kva korleis kvifor korfor kven kvar kor noko nokon nokre berre heime heim"
            " vorte vore vert kome komen kjem ein eit ho dei deira dykk dykkar mykje fekk"
            " gjer gjera gjere veit treng tek enno sjølv hjå frå mogleg gløymt gløymd pakkar"
            " butikkar storleik pengane kjøpa endra sletta henta bestilla avbestilla senda"
            " snakka gjekk seier opne opnar spørja spørje allereie"
        ),
        "da": (
            "hvad nogen nogle noget af købe købt meget fik fået leveret jer jeres"
            " hvornår tager tage tilbage ændre ændret gerne brug hjælp hjælpe dage anden andet"
            " endnu muligt gør mit dit vores oprette opretter oprettet spørge bliver siger åben"
            " åbent åbner finder tak varerne"
        ),
        "sv": (
            "hur jag är inte vad varför vem och också någon något några finns ni när vill från"
            " till mycket paketet fungerar kommit än inom bara hittar hitta tack varorna"
        ),
        "nb da": (
            "jeg ikke hvor hvordan hvorfor hvem hvis hvilken hvilke selv bare frem mulig pengene"
            " pakker hjem hjemme allerede"
        ),
        "nb nn": (
            "etter kjøpe kjøpt levert tilbake fått igjen lenge meg deg seg hjelp gjerne endre"
            " varene aldri takk hei"
        ),
        "nb nn da": "også",
        "nb nn sv": "mitt ditt fram",
        "nb da sv": "kommer",
        "nb sv": "vet",
        "nn sv": "betala returnera då att dagar vart",
        "da sv": "aldrig mig dig sig blev efter nu sker hej",
        # English words that no Nordic language uses (not "i", "for", "so", "have" or "to"), so
        # a short English question is not pulled to the base's default language by the priors.
        "en": (
            "the my your you what how does can it please with where why when which an and of"
            " are want would a this that there do"
        ),
    }
)
# Letters that only some of the languages use: æ and ø are Norwegian or Danish, ä and ö Swedish
# or Finnish. Each group counts once per text, and not in names ("Tromsø", "Göteborg").
_LETTERS = (
    (frozenset("æø"), frozenset({"nb", "nn", "da"})),
    (frozenset("äö"), frozenset({"sv", "fi"})),
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]\s*$")


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


def _without_names(text: str) -> list[str]:
    """The words of `text` less the names: a capitalised word that does not start a sentence
    ("Helsinkiin", "Göteborg", "The North Face") says little about the language the visitor
    writes in, and place names mislead lingua. Nothing is left out of a text written mostly in
    capitals, or when only names would be left."""
    found = list(_WORD.finditer(text))
    capitalised = [m for m in found if m.group()[0].isupper()]
    if not found or len(capitalised) * 2 > len(found):
        return [m.group() for m in found]
    kept = [
        m.group()
        for n, m in enumerate(found)
        if not (
            n > 0
            and m.group()[0].isupper()
            and not _SENTENCE_END.search(text, found[n - 1].end(), m.start())
        )
    ]
    return kept or [m.group() for m in found]


def _markers(words: list[str]) -> dict[str, int]:
    """How many marker words and letter groups of `words` (names left out) speak for each
    language. English words count once: Nordic messages quote English titles and product
    names, so they are enough to outweigh the default-language prior, not lingua."""
    found = {lang: 0 for lang in LANGUAGES}
    for word in words:
        for lang in _MARKERS.get(word, ()):
            found[lang] += 1
    found["en"] = min(found["en"], 1)
    letters = set("".join(words))
    for group, langs in _LETTERS:
        if letters & group:
            for lang in langs:
                found[lang] += 1
    return found


def detect_language(
    text: str,
    *,
    page_lang: str | None = None,
    history: Iterable[str] = (),
    base_languages: Iterable[str] = (),
    default: str = "nb",
) -> Detection:
    """The visitor's language among nb, nn, sv, da, fi, en."""
    words = [w.casefold() for w in _without_names(text)]
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
    if not words:
        fallback = page or next((r for r in reversed(recent) if r), None) or default
        return Detection(fallback, 0.0)
    marks = _markers(words)
    if page:
        contradicted = any(marks[lang] > marks[page] for lang in _NORDIC if lang != page)
        prior[page] *= CONTRADICTED_PAGE_PRIOR if contradicted else PAGE_PRIOR
    weight = min(1.0, letters / FULL_WEIGHT_LETTERS)
    lingua = _lingua(" ".join(words))
    boost = {lang: MARKER_BOOST ** marks[lang] for lang in LANGUAGES}
    scores = {lang: (lingua[lang] ** weight) * prior[lang] * boost[lang] for lang in LANGUAGES}
    total = sum(scores.values())
    best = max(scores, key=lambda lang: scores[lang])
    return Detection(best, round(scores[best] / total, 4))
