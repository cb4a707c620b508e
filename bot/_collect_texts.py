"""What the bot says while collecting fields before a hand-off, in the six languages.

Kept apart from `bot.texts` because these are templates (`{label}`, `{detail}`, `{got}`,
`{want}`, `{example}`) and word lists; `tests/bot/test_collect.py` checks every language.
"""

from __future__ import annotations

#: Before the first question of a hand-off.
COLLECT_INTRO = {
    "nb": "Jeg setter deg over til en av oss. Først et spørsmål, så går det raskere:",
    "nn": "Eg set deg over til ein av oss. Først eit spørsmål, så går det raskare:",
    "sv": "Jag kopplar dig vidare till någon av oss. Först en fråga, så går det snabbare:",
    "da": "Jeg sender dig videre til en af os. Først et spørgsmål, så går det hurtigere:",
    "fi": "Ohjaan sinut jollekulle meistä. Ensin yksi kysymys, niin asia etenee nopeammin:",
    "en": "I'll pass you to one of us. First a question, so that it goes faster:",
}

#: The quick reply that skips the field asked for.
SKIP_LABEL = {
    "nb": "Hopp over",
    "nn": "Hopp over",
    "sv": "Hoppa över",
    "da": "Spring over",
    "fi": "Ohita",
    "en": "Skip",
}

#: Whole messages that mean "skip this one" (compared case-insensitively, without punctuation).
SKIP_WORDS = {
    "nb": ("hopp over", "vet ikke", "jeg vet ikke", "har ikke", "har det ikke", "husker ikke"),
    "nn": ("hopp over", "veit ikkje", "eg veit ikkje", "har ikkje", "hugsar ikkje"),
    "sv": ("hoppa över", "vet inte", "jag vet inte", "har inte", "har inget", "minns inte"),
    "da": ("spring over", "ved ikke", "jeg ved ikke", "har ikke", "husker ikke"),
    "fi": ("ohita", "en tiedä", "ei ole", "en muista", "ohitetaan"),
    "en": (
        "skip",
        "skip it",
        "i don't know",
        "don't know",
        "dont know",
        "no idea",
        "i don't have it",
        "i don't have one",
        "don't remember",
    ),
}

#: A reply that does not match the field: `{label}` and a `{detail}` below.
CHECK_FIELD = {
    "nb": "Det ser ikke ut som et gyldig {label}: {detail}",
    "nn": "Det ser ikkje ut som eit gyldig {label}: {detail}",
    "sv": "Det ser inte ut som ett giltigt {label}: {detail}",
    "da": "Det ligner ikke et gyldigt {label}: {detail}",
    "fi": "Tarkista {label}: {detail}",
    "en": "That does not look like a valid {label}: {detail}",
}

FIELD_DIGIT_COUNT = {
    "nb": "det har {got} sifre, men skal ha {want}.",
    "nn": "det har {got} siffer, men skal ha {want}.",
    "sv": "det har {got} siffror, men ska ha {want}.",
    "da": "det har {got} cifre, men skal have {want}.",
    "fi": "siinä on {got} numeroa, mutta pitäisi olla {want}.",
    "en": "it has {got} digits, but should have {want}.",
}

FIELD_DIGITS_ONLY = {
    "nb": "det skal bare ha sifre, for eksempel {example}.",
    "nn": "det skal berre ha siffer, til dømes {example}.",
    "sv": "det ska bara ha siffror, till exempel {example}.",
    "da": "det skal kun have cifre, for eksempel {example}.",
    "fi": "siinä pitäisi olla vain numeroita, esimerkiksi {example}.",
    "en": "it should have digits only, for example {example}.",
}

FIELD_NEEDS_AT = {
    "nb": "det mangler @, som i {example}.",
    "nn": "det manglar @, som i {example}.",
    "sv": "det saknar @, som i {example}.",
    "da": "der mangler @, som i {example}.",
    "fi": "siitä puuttuu @, kuten osoitteessa {example}.",
    "en": "it has no @, as in {example}.",
}

FIELD_LIKE_EXAMPLE = {
    "nb": "det skal se ut som {example}.",
    "nn": "det skal sjå ut som {example}.",
    "sv": "det ska se ut som {example}.",
    "da": "det skal se ud som {example}.",
    "fi": "sen pitäisi näyttää tältä: {example}.",
    "en": "it should look like {example}.",
}

#: After the last failed try: the field is handed over without a value.
FIELD_NOT_GIVEN = {
    "nb": "Det går fint, vi finner ut av det sammen.",
    "nn": "Det går fint, vi finn ut av det saman.",
    "sv": "Det går bra, vi löser det tillsammans.",
    "da": "Det er helt i orden, vi finder ud af det sammen.",
    "fi": "Ei se mitään, selvitetään asia yhdessä.",
    "en": "That's fine, we'll sort it out together.",
}

#: A reply that does not match a field that has no example.
FIELD_TRY_AGAIN = {
    "nb": "prøv gjerne igjen.",
    "nn": "prøv gjerne igjen.",
    "sv": "försök gärna igen.",
    "da": "prøv gerne igen.",
    "fi": "yritä uudelleen.",
    "en": "please try again.",
}
