"""Whether a visitor's message says that their problem is still not solved, in six languages.

After a person has resolved a case, a message that says so ("det er fortsatt ikke løst", "it
still doesn't work", "paketet har inte kommit") continues that case; any other message is a
new question for the bot (`app` decides, with the time since the resolution). The rule is
over words, like the request for a person (`bot/_human.py`):

- a *negation* within three words of a *solved word* (solved, fixed, works, helped, arrived;
  løst, fikset, virker, fungerer, hjalp, kommet; löst, fungerar, hjälpte, kommit; ratkennut,
  toimi, auttanut, saapunut): "ikke løst", "virker ikke", "hasn't arrived", "ei toimi";
- or a *still word* and a negation anywhere in the message: "pengene er fortsatt ikke
  tilbake", "still nothing", "edelleen ei".

A question that merely contains a negation ("kan jeg returnere en vare som ikke passer?") is
not a continuation. See docs/decisions/0057-reopening-a-resolved-case.md.
"""

from __future__ import annotations

import re

__all__ = ["says_not_solved"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPAN = 3


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


_NEGATIONS = _words(
    "not no never nothing don doesn didn isn hasn haven wasn won aren t",
    "ikke ikkje ingenting inget inte ej icke aldri aldrig intet",
    "ei eikä eivät",
)
_SOLVED = _words(
    "solved resolved fixed sorted working work works worked helped help arrived came come",
    "løst løyst fikset fiksa ordnet ordna hjulpet hjelpte hjelpt hjalp virker verkar fungerer"
    " fungerar funker kommet kome komme kom tilbake",
    "löst fixat ordnat hjälpt hjälpte kommit fungerade",
    "løst klaret hjulpet virket fungeret",
    "ratkennut ratkaistu ratkesi korjattu toimi toimii auttanut auttoi saapunut tullut",
)
_STILL = _words(
    "still yet again",
    "fortsatt fremdeles framleis enno ennå igjen stadig stadigvæk endnu igen fortfarande ännu",
    "edelleen vieläkään yhä taas",
)


def says_not_solved(text: str) -> bool:
    """True when `text` says the visitor's problem is still not solved."""
    words = _WORD.findall(text.casefold())
    negations = [i for i, word in enumerate(words) if word in _NEGATIONS]
    if not negations:
        return False
    if any(word in _STILL for word in words):
        return True
    solved = [i for i, word in enumerate(words) if word in _SOLVED]
    return any(abs(i - j) <= _SPAN for i in negations for j in solved)
