"""Personal data found by its context rather than a check digit: names of people, street
addresses and e-mail addresses written to fool a parser (`kari(at)example(dot)no`).

Names are found two ways: the words after a phrase that introduces one ("jeg heter", "my name
is", "nimeni on" …), and a capitalised word that is a common Nordic (or English) first name,
with the capitalised words after it as the surname. The list of first names is small and
written here (no download); names that are also common words ("Per", "Bo", "Mai") are left
out of it, so "Per måned" stays. A street address is a word ending in a Nordic street suffix
(-veien, -gata, -gatan, -vej, -gade, -tie, -katu …) or a capitalised name and a separate
street word ("Karl Johans gate"), then a house number and perhaps a letter.
"""

from __future__ import annotations

import re

__all__ = ["FIRST_NAMES", "find_context"]

_UPPER = "A-ZÆØÅÄÖÜÉ"
_LOWER = "a-zæøåäöüéèáóëïß"
_CAP = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"

_FIRST_NAMES = """
    Agnes Aina Alexander Alma Amalie Andreas Anders Anna Anne Anette Ari Arne Astrid Aksel
    Bjørn Birgitta Birgit Camilla Carl Caroline Cecilie Christian Daniel David Dorthe Eero
    Einar Eirik Elias Elin Elisabeth Ella Ellen Emil Emilia Emma Erik Eva Filip Frida Fredrik
    Gunnar Gustav Hanna Hannah Hans Harald Heidi Helena Helga Helmi Henrik Hilde Ida Ingrid
    Inger Isak Jakob Jan Janne Jens Johan Johanna Johannes Jon Jonas Juha Jukka Julie Jussi
    Kaarina Kari Karin Karl Kasper Katrine Kerstin Kirsten Kjell Knut Kristian Kristina Lars
    Laura Lea Leena Leo Lene Liisa Lina Linnea Lise Lucas Magnus Maja Marit Marja Marius
    Markus Marte Martin Matti Mette Mikael Mikko Nils Noah Nora Oda Olav Ole Oliver Olivia
    Ola Oskar Otto Paula Pekka Petra Pia Pirjo Ragnhild Rasmus Riikka Rune Sanna Sara Satu
    Signe Sigrid Simon Sindre Siri Sofia Sofie Solveig Stina Susanne Sven Svein Terje Thomas
    Tiina Tobias Tone Torbjørn Trine Tuomas Ulla Ulrik Vilde Ville William Aino Eino Onni
    Väinö Jenni Minna Heikki Timo Sami Kalle Lasse Mats Nina Ronja Saga Selma Tuva Wilma
    Oscar Jesper Mads Søren Freja Ida-Marie Peter John Mary James Sarah Michael Emily Jack
"""
FIRST_NAMES = frozenset(_FIRST_NAMES.split())

# What introduces a name, in the six languages; case-insensitive. After "my name is" and its
# equivalents the name may be written in lower case; after a sign-off it must be capitalised.
_SAYS_NAME = (
    r"jeg\s+heter|eg\s+heiter|eg\s+heter|mitt\s+navn\s+er|mitt\s+namn\s+er|"
    r"namnet\s+mitt\s+er|navnet\s+mitt\s+er|jag\s+heter|mitt\s+namn\s+är|jeg\s+hedder|"
    r"mit\s+navn\s+er|nimeni\s+on|minun\s+nimeni\s+on|my\s+name\s+is|name:|navn:|namn:|nimi:"
)
_SIGN_OFF = (
    r"hilsen|helsing|hälsningar|mvh|med\s+vennlig\s+hilsen|venlig\s+hilsen|terveisin|"
    r"regards|best\s+regards|kind\s+regards"
)
_INTRO = re.compile(
    rf"(?i:\b(?:{_SAYS_NAME}))[\s,:]+"
    rf"(?P<name>{_CAP}(?:\s+{_CAP}){{0,2}}|[{_LOWER}]{{2,}}(?:\s+[{_LOWER}]{{2,}})?)"
    rf"|(?i:\b(?:{_SIGN_OFF}))[\s,:]+(?P<signed>{_CAP}(?:\s+{_CAP}){{0,2}})"
)
# A word each phrase above contains, in lower case: a text with none of them (nor a letter that
# the case-insensitive match takes for one of theirs without being it in lower case: "İ", "ı",
# "ſ"; tests/bot/test_privacy_shortcuts.py checks the list) cannot match `_INTRO`, which is slow to
# run over a whole text.
_INTRO_WORDS = (
    "heter",
    "heiter",
    "hedder",
    "navn",
    "namn",
    "nimeni",
    "name",
    "nimi",
    "hilsen",
    "helsing",
    "hälsningar",
    "mvh",
    "terveisin",
    "regards",
)
_FOLDS = ("\u0130", "\u0131", "\u017f")
_CAPITALISED = re.compile(rf"(?<![\w-]){_CAP}(?:\s+{_CAP}){{0,2}}")
# Capitalised words that are no surname: the start of the next sentence or clause.
_NOT_SURNAME_WORDS = """
    Jeg Eg Du Vi De Han Hun Ho Jag Hon Ni Minä Sinä Hän Me Te He I You We They Og Och And
    Ja Nei Nej Kyllä Ei Hei Hej Moi Hi Hello Takk Tack Tak Kiitos Thanks Thank Kan Vil Skal
    Har Er Är Ar Hvor Hva Var Vad Hur Hvordan Miten Mikä Missä How What Where When Why Is
    og och ja and ikke ikkje inte ei not jeg eg jag minä i er är on is har have bestilte
    og att at that som who
"""
_NOT_SURNAME = frozenset(_NOT_SURNAME_WORDS.split())

_SUFFIX = (
    "veien|vegen|vei|veg|gata|gaten|gate|gatan|vägen|väg|gränd|vej|vejen|gade|gaden|allé|alle|"
    "stræde|strædet|plads|torv|plass|plassen|torget|torg|tie|tien|katu|kadun|kuja|polku|"
    "stien|stigen|stig|bakken|backen|lia|street|road|avenue|lane"
)
# A house number, then perhaps a letter (attached, or capital after a space: not "5 i Oslo")
# and a flat number.
_NUMBER = r"\d{1,4}(?:(?:[A-Za-z]|\s[A-Z])(?!\w)(?:\s\d{1,3}(?!\d))?)?"
_ADDRESS = re.compile(
    # Storgata, Nedre Slottsgate, Mannerheimintie, Itäinen Rantakatu; Karl Johans gate
    rf"(?<![\w-])(?:(?:{_CAP}\s+){{0,2}}[{_UPPER}][{_LOWER}\-]*(?:{_SUFFIX})"
    rf"|(?:{_CAP}\s+){{1,2}}(?i:{_SUFFIX}))"
    rf"\s+{_NUMBER}(?![\w])"
)

_AT = r"(?:\s*[\(\[\{]\s*(?:at|ät|alfakrøll|snabel-?a|a)\s*[\)\]\}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\(\[\{]\s*(?:dot|punkt|punktum|prikk|piste)\s*[\)\]\}]\s*|\s+dot\s+|\.)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+",
)
# What every `_AT` without a bracket contains; much faster to look for than `_OBFUSCATED_EMAIL`.
_AT_HINT = re.compile(r"\s(?i:at)\s")
_PLAIN_AT = re.compile(r"(?i)\s+at\s+")
_BRACKET_DOT = re.compile(r"(?i)[\(\[\{]\s*(?:dot|punkt|punktum|prikk|piste)\s*[\)\]\}]|\s+dot\s+")


def _emails(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    if "(" not in text and "[" not in text and "{" not in text and _AT_HINT.search(text) is None:
        return found
    for match in _OBFUSCATED_EMAIL.finditer(text):
        value = match.group()
        # "look at example.com" is no address: a plain " at " needs a spelt-out dot too
        if _PLAIN_AT.search(value) and not _BRACKET_DOT.search(value):
            continue
        if "@" in value:
            continue
        found.append(("email", match.start(), match.end()))
    return found


def _names(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    lower = text.lower()
    if any(word in lower for word in _INTRO_WORDS) or any(fold in text for fold in _FOLDS):
        found += _introduced(text)
    for match in _CAPITALISED.finditer(text):
        words = match.group().split()
        first = next((n for n, word in enumerate(words) if word in FIRST_NAMES), None)
        if first is None:
            continue
        start = match.start() + match.group().index(words[first])
        found.append(("name", *_trimmed(text, start, match.end())))
    return found


def _introduced(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _INTRO.finditer(text):
        group = "name" if match.group("name") is not None else "signed"
        start, end = _trimmed(text, match.start(group), match.end(group))
        if end > start:
            found.append(("name", start, end))
    return found


def _address(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the capitalised words before the street that start a clause
    ("Hei Storgata 5")."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group() not in _NOT_SURNAME:
            return start + word.start(), end
    return start, end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the capitalised words that start the next clause."""
    words = list(re.finditer(r"\S+", text[start:end]))
    kept = 0
    for n, word in enumerate(words):
        if word.group() in _NOT_SURNAME:
            break
        kept = n + 1
    if kept == 0:
        return start, start
    return start, start + words[kept - 1].end()


def find_context(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each name, street address and obfuscated e-mail address."""
    found = _emails(text)
    found += [("address", *_address(text, m.start(), m.end())) for m in _ADDRESS.finditer(text)]
    found += _names(text)
    return found
