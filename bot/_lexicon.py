"""Words that carry facts or commitments, in the six languages.

Number words are per language ("to" is 2 in Norwegian and Danish, a preposition in English).
Words for 1 are left out everywhere: they are also articles and pronouns ("en", "ett", "ein",
"one", "yksi" as in "one of us"). Month and weekday names are matched in every language (they
do not collide across the six), with Finnish case endings by prefix. Commitment concepts are
what a visitor may try to make the bot promise: a reply may name one only when a cited answer
does too.
"""

from __future__ import annotations

import re

__all__ = [
    "COMMITMENTS",
    "CURRENCIES",
    "META",
    "MONTHS",
    "NUMBER_WORDS",
    "WEEKDAYS",
    "month_of",
    "weekday_of",
]

_SCANDINAVIAN_TEENS = "elleve tolv tretten fjorten femten seksten sytten atten nitten"


def _numbered(words: str, start: int) -> dict[str, int]:
    return {word: start + index for index, word in enumerate(words.split())}


def _tens(words: str) -> dict[str, int]:
    return {word: 10 * (index + 2) for index, word in enumerate(words.split())}


_NB = {
    **_numbered("to tre fire fem seks sju åtte ni ti", 2),
    "syv": 7,
    **_numbered(_SCANDINAVIAN_TEENS, 11),
    **_tens("tjue tretti førti femti seksti sytti åtti nitti"),
    "tyve": 20,
    "hundre": 100,
    "tusen": 1000,
}
_NN = {**_NB, "tjuge": 20}
_SV = {
    **_numbered("två tre fyra fem sex sju åtta nio tio elva tolv", 2),
    **_numbered("tretton fjorton femton sexton sjutton arton nitton", 13),
    **_tens("tjugo trettio fyrtio femtio sextio sjuttio åttio nittio"),
    "hundra": 100,
    "tusen": 1000,
}
_DA = {
    **_numbered("to tre fire fem seks syv otte ni ti", 2),
    **_numbered(_SCANDINAVIAN_TEENS, 11),
    **_tens("tyve tredive fyrre halvtreds tres halvfjerds firs halvfems"),
    "hundrede": 100,
    "tusind": 1000,
}
_EN = {
    **_numbered("two three four five six seven eight nine ten eleven twelve", 2),
    **_numbered("thirteen fourteen fifteen sixteen seventeen eighteen nineteen", 13),
    **_tens("twenty thirty forty fifty sixty seventy eighty ninety"),
    "hundred": 100,
    "thousand": 1000,
}

# Finnish: nominative, genitive, partitive and the common local cases of 2–10.
_FI_UNITS = {
    2: ("kaksi", "kahden", "kahta", "kahdessa", "kahdesta", "kahteen"),
    3: ("kolme", "kolmen", "kolmea", "kolmessa", "kolmesta", "kolmeen"),
    4: ("neljä", "neljän", "neljää", "neljässä", "neljästä", "neljään"),
    5: ("viisi", "viiden", "viittä", "viidessä", "viidestä", "viiteen"),
    6: ("kuusi", "kuuden", "kuutta", "kuudessa", "kuudesta", "kuuteen"),
    7: ("seitsemän", "seitsemää", "seitsemässä", "seitsemästä", "seitsemään"),
    8: ("kahdeksan", "kahdeksaa", "kahdeksassa", "kahdeksasta", "kahdeksaan"),
    9: ("yhdeksän", "yhdeksää", "yhdeksässä", "yhdeksästä", "yhdeksään"),
    10: ("kymmenen", "kymmentä", "kymmenessä", "kymmenestä", "kymmeneen"),
}


def _finnish() -> dict[str, int]:
    words = {form: value for value, forms in _FI_UNITS.items() for form in forms}
    for value in range(2, 10):
        nominative, genitive = _FI_UNITS[value][0], _FI_UNITS[value][1]
        for stem in (nominative, genitive):
            words[f"{stem}toista"] = 10 + value
            words[f"{stem}kymmentä"] = 10 * value
            words[f"{stem}kymmenen"] = 10 * value
    words |= {"yksitoista": 11, "yhdentoista": 11, "sata": 100, "sadan": 100, "sataa": 100}
    words |= {"tuhat": 1000, "tuhannen": 1000, "tuhatta": 1000}
    return words


NUMBER_WORDS: dict[str, dict[str, int]] = {
    "nb": _NB,
    "nn": _NN,
    "sv": _SV,
    "da": _DA,
    "fi": _finnish(),
    "en": _EN,
}

MONTHS: dict[str, int] = {
    **_numbered(
        "januar februar mars april mai juni juli august september oktober november desember", 1
    ),
    **_numbered("januari februari mars april maj juni juli augusti", 1),
    "marts": 3,
    "december": 12,
    **_numbered("january february march april _ june july august september october november", 1),
}
MONTHS.pop("_")
_FI_MONTHS = [
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
]

_WEEKDAY_STEMS: dict[str, int] = {
    **_numbered("monday tuesday wednesday thursday friday saturday sunday", 1),
    **_numbered("mandag tirsdag onsdag torsdag fredag lørdag søndag", 1),
    **_numbered("måndag tysdag onsdag torsdag fredag laurdag sundag", 1),
    **_numbered("måndag tisdag onsdag torsdag fredag lördag söndag", 1),
    **_numbered("maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai", 1),
}
WEEKDAYS = _WEEKDAY_STEMS


def month_of(word: str) -> int | None:
    """The month (1–12) a lower-case word names, or None ("may" is handled by the caller)."""
    if word in MONTHS:
        return MONTHS[word]
    for index, stem in enumerate(_FI_MONTHS):
        if word.startswith(stem):
            return index + 1
    return None


def weekday_of(word: str) -> int | None:
    """The weekday (1 = Monday) a lower-case word starts with ("fredags", "maanantaisin")."""
    for stem, day in _WEEKDAY_STEMS.items():
        if word.startswith(stem):
            return day
    return None


CURRENCIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "krone",
        re.compile(
            r"(?<!\w)(?:kr\.?|kroner|kronor|krone|krona|kruunu\w*)(?!\w)|\b(?:NOK|SEK|DKK)\b|,-"
        ),
    ),
    ("euro", re.compile(r"€|\bEUR\b|(?<!\w)euro\w*", re.IGNORECASE)),
    ("dollar", re.compile(r"\$|\bUSD\b|(?<!\w)dollar\w*", re.IGNORECASE)),
    ("pound", re.compile(r"£|\bGBP\b|(?<!\w)(?:pounds?|pund)(?!\w)", re.IGNORECASE)),
)


def _stems(*stems: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(stems) + ")", re.IGNORECASE)


COMMITMENTS: dict[str, re.Pattern[str]] = {
    "refund": _stems(
        "refund",
        "reimburs",
        "money back",
        "refusjon",
        "refunder",
        "pengene tilbake",
        "tilbakebetal",
        "återbetal",
        "pengarna tillbaka",
        "refusion",
        "pengene tilbage",
        "tilbagebetal",
        "hyvit",
        "rahat takaisin",
        "rahojen palaut",
    ),
    "compensation": _stems(
        "compensat", "kompensasjon", "kompensation", "erstatning", "ersättning", "korvau"
    ),
    "discount": _stems("discount", "rabatt", "rabat", "alennu", "alenn"),
    "free": _stems(
        "free of charge",
        "for free",
        "at no cost",
        "no charge",
        "gratis",
        "kostnadsfri",
        "omkostningsfri",
        "ilmai",
        "maksuton",
        "veloituksetta",
    ),
    "guarantee": _stems("guarant", "garant", "takuu", "takaa", "taataan"),
    "promise": _stems(
        "promise",
        "i assure",
        "jeg lover",
        "vi lover",
        "eg lovar",
        "me lovar",
        "jag lovar",
        "vi lovar",
        "lover deg",
        "lover dig",
        "lovar dig",
        "lupaa",
        "lupaan",
        "lupaamme",
    ),
}

# Talk about the bot's own rules: a sign that the model follows an injected instruction.
META = _stems(
    "system prompt",
    "systemprompt",
    "my instructions",
    "my rules",
    "these rules",
    "instruksjonene mine",
    "reglene mine",
    "mine instruksjoner",
    "mine regler",
    "mina instruktioner",
    "mina regler",
    "mine instruktioner",
    "ohjeeni",
    "sääntöni",
    "järjestelmäkehot",
    "visitor_message",
    "<answer",
)
