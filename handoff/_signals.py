"""The built-in urgency signals in the six languages: urgency words, anger, security.

Each entry is matched at the start of a word, case-insensitively; an entry ending in `*`
also matches longer words ("forbanna*" matches "forbannade"). Anger also counts a shouted
message (mostly capitals) and three or more exclamation marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["find_signal"]

URGENT_WORDS = (
    # nb / nn
    "haster",
    "hastar",
    "snarest",
    "snarast",
    "akutt",
    "straks",
    "med en gang",
    "med ein gong",
    "umiddelbart",
    "nødsituasjon",
    # sv
    "brådskande",
    "bråttom",
    "akut",
    "omedelbart",
    "genast",
    "snarast möjligt",
    # da
    "hurtigst muligt",
    "med det samme",
    "omgående",
    # fi
    "kiire*",
    "kiireellinen",
    "heti",
    "välittömästi",
    "pikaisesti",
    "hätä*",
    # en
    "urgent*",
    "asap",
    "immediately",
    "emergency",
    "right now",
    "right away",
)

ANGER_WORDS = (
    # nb / nn
    "elendig*",
    "ubrukelig*",
    "håpløs*",
    "latterlig*",
    "skandale*",
    "forbanna*",
    "sint",
    "irritert",
    "drittbutikk*",
    "svindel*",
    "frekt",
    "uakseptabel*",
    "klage*",
    # sv
    "värdelös*",
    "skandal*",
    "förbannad*",
    "arg",
    "oacceptabel*",
    "bedrövlig*",
    "skämt",
    # da
    "elendigt",
    "ubrugelig*",
    "utilfreds",
    "vred",
    "uacceptabel*",
    "tåbelig*",
    # fi
    "surkea*",
    "kelvoton*",
    "vihainen",
    "raivo*",
    "törkeä*",
    "naurettava*",
    "hävytön*",
    # en
    "useless",
    "ridiculous",
    "terrible",
    "worst",
    "furious",
    "angry",
    "unacceptable",
    "disgrace*",
    "pathetic",
    "scam*",
)

SECURITY_WORDS = (
    # nb / nn
    "hacket",
    "hakka",
    "svindel*",
    "misbrukt",
    "bedrageri*",
    "kapret",
    "uautorisert*",
    "noen har brukt kortet",
    "stjålet",
    "stole",
    "ID-tyveri",
    # sv
    "hackad*",
    "bedrägeri*",
    "kapad*",
    "obehörig*",
    "stulen",
    "stulet",
    # da
    "hacket",
    "svindel*",
    "misbrug*",
    "uautoriseret*",
    "stjålet",
    # fi
    "hakkeroitu*",
    "huijaus*",
    "petos*",
    "luvaton*",
    "varastettu*",
    "kaapattu*",
    # en
    "hacked",
    "fraud*",
    "unauthori*",
    "stolen",
    "phishing",
    "someone used my card",
    "identity theft",
)


def _compile(entries: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for entry in entries:
        stem = entry.rstrip("*").casefold()
        tail = r"\w*" if entry.endswith("*") else ""
        parts.append(re.escape(stem).replace(r"\ ", r"\s+") + tail)
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


_PATTERNS = {
    "urgent_words": _compile(URGENT_WORDS),
    "anger": _compile(ANGER_WORDS),
    "security_words": _compile(SECURITY_WORDS),
}
_SHOUTED_LETTERS = 12


def _shouted(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= _SHOUTED_LETTERS and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        return "capitals"
    return "!!!" if "!!!" in text else None


def find_signal(signal: str, texts: Iterable[str]) -> str | None:
    """What in `texts` shows `signal` (the word, or "capitals"/"!!!" for anger), or None."""
    pattern = _PATTERNS[signal]
    for text in texts:
        found = pattern.search(text)
        if found:
            return found.group(0)
        if signal == "anger" and (shout := _shouted(text)):
            return shout
    return None


def find_words(words: Iterable[str], texts: Iterable[str]) -> str | None:
    """The first of an operator's `words` found in `texts` (whole words, any case)."""
    pattern = _compile(words)
    for text in texts:
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None
