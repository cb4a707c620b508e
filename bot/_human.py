"""Recognising a visitor who asks for a person, in the six languages.

A message asks for a person when a *talk verb* is followed by a *person word*, with only small
words between them ("snakke med et ekte menneske", "talk to one of your agents"), and the verb
is not negated ("I don't want to talk to a human"). Two strengths of verb:

- strong verbs (talk, speak, chat, connect, transfer; snakke, prate, tale; prata, tala;
  puhua, jutella, yhdistää) accept a human word or an organisation word: "snakke med
  kundeservice", "talk to someone";
- weak verbs (want, need; ha, få, trenge; ha, få, behöva) accept only a human word: "jeg vil ha
  et menneske", but not "jeg vil ha kundeservice sitt nummer".

A message that is nothing but a human word and polite words ("menneske takk", "agent!") asks
too. Contact verbs (contact, call, e-mail, kontakte, ringe, nå) are not talk verbs, so "how do I
contact customer service?" is a question for the answer base. Present-tense and past forms are
left out ("snakker jeg med et menneske?", "I talked to an agent yesterday"): they describe, they
do not ask. See docs/decisions/0007-asking-for-a-person.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_JOINED = {
    "customer service": "customerservice",
    "customer support": "customerservice",
    "customer care": "customerservice",
    "help desk": "helpdesk",
}


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


_STRONG_VERBS = _words(
    "talk speak chat connect transfer put",  # en
    "snakke snakka snakk prate prata prat tale tal koble kople kobl sett overfør stil",  # no, da
    "tala snacka chatta koppla",  # sv
    "puhua puhumaan jutella juttelemaan keskustella keskustelemaan yhdistä yhdistäkää",  # fi
)
_WEAK_VERBS = _words("want need", "ha få trenger treng trænger ønsker ønskjer", "önskar behöver")
_FINNISH_VERBS = _words(
    "puhua puhumaan jutella juttelemaan keskustella keskustelemaan yhdistä yhdistäkää"
)
_HUMAN_WORDS = _words(
    "human humans person persons agent agents operator representative rep employee manager",
    "supervisor advisor adviser",
    "menneske mennesker mennesket personen personer medarbeider medarbeidar medarbejder",
    "medarbejderen kundebehandler kundebehandlar kundebehandleren saksbehandler",
    "saksbehandlar sakshandsamar rådgiver rådgjevar kundeservicemedarbeider",
    "kundeservicemedarbejder operatør",
    "människa människor människan medarbetare rådgivare handläggare kundtjänstmedarbetare",
)
_HUMAN_PREFIXES = ("ihmi", "henkilö", "asiakaspalvelij", "työntekijä", "virkailij", "edustaj")
_ORG_WORDS = _words(
    "customerservice support helpdesk someone somebody anyone anybody",
    "kundeservice kundeservicen kundesenter kundesenteret kundestøtte kundesupport noen nokon",
    "nogen kundtjänst kundtjänsten kundservice någon",
    "joku jonkun jonkin asiakastuki asiakastukeen",
)
_ORG_PREFIXES = ("asiakaspalvel",)
_YOU = _words("you dere dykk jer er teidän teistä")  # "one of you" only
_OF = _words("of av af")
_FILLERS = _words(
    "to with a an the real actual live proper some one of your me through directly please",
    "med til en et ei ein eit ekte virkelig verkeleg levende levande rigtig rigtigt av af",
    "deres dykkar jeres meg mig over videre om gjerne gerne bare berre kun direkte fysisk",
    "till ett riktig riktiga verklig era över vidare gärna bara direkt",
    "minut minua oikean oikea oikealle aidon aidolle jonkun",
)
_NEGATIONS = _words("not never don dont doesn didn won wont ikke ikkje aldri inte aldrig icke")
_FINNISH_NEGATIONS = _words("en et ei emme ette eivät älä älkää")
_POLITE = _words(
    "please pls plz now thanks thank thx ok okay hi hello hey yes",
    "takk tack tak kiitos nå nu hei hallo hej moi terve ja",
)
# Words that frame a request ("can I", "I would like to"): not part of a question.
_FRAME = _POLITE | _words(
    "can could may would like i want wants not don t bot robot chatbot",
    "kan kunne vil ville jeg eg jag få gjerne gerne gärna å att at og och and ikke ikkje inte",
    "haluan haluaisin voinko saanko voisinko voisin chatbotti botti ei en",
)
_NEGATION_SPAN = 4
_QUESTION_WORDS = 2  # content words beyond the request that make the message a question too


@dataclass(frozen=True, slots=True)
class HumanRequest:
    """A request for a person; `has_question` when the message says what it is about."""

    has_question: bool


def _tokens(text: str) -> list[str]:
    lowered = text.casefold()
    for phrase, joined in _JOINED.items():
        lowered = lowered.replace(phrase, joined)
    return _WORD.findall(lowered)


def _is_human(word: str) -> bool:
    return word in _HUMAN_WORDS or word.startswith(_HUMAN_PREFIXES)


def _is_org(words: list[str], at: int) -> bool:
    word = words[at]
    if word in _YOU:
        return at > 0 and words[at - 1] in _OF
    if word.startswith(_HUMAN_PREFIXES):
        return False
    return word in _ORG_WORDS or word.startswith(_ORG_PREFIXES)


def _negated(words: list[str], at: int) -> bool:
    before = set(words[max(0, at - _NEGATION_SPAN) : at])
    negations = _FINNISH_NEGATIONS if words[at] in _FINNISH_VERBS else _NEGATIONS
    return bool(before & negations)


def _object_of(words: list[str], at: int) -> int | None:
    """Where the person word after the verb at `at` is, skipping small words; else None."""
    strong = words[at] in _STRONG_VERBS
    for index in range(at + 1, len(words)):
        if _is_human(words[index]) or (strong and _is_org(words, index)):
            return index
        if words[index] not in _FILLERS:
            return None
    return None


def _span(words: list[str]) -> tuple[int, int] | None:
    for at, word in enumerate(words):
        if word not in _STRONG_VERBS and word not in _WEAK_VERBS:
            continue
        end = _object_of(words, at)
        if end is not None and not _negated(words, at):
            return at, end
    return None


def find_human_request(text: str) -> HumanRequest | None:
    """The request for a person in `text`, or None when it does not ask for one."""
    words = _tokens(text)
    span = _span(words)
    if span is None:
        if (
            words
            and any(map(_is_human, words))
            and all(_is_human(w) or w in _POLITE for w in words)
        ):
            return HumanRequest(has_question=False)
        return None
    start, end = span
    rest = words[:start] + words[end + 1 :]
    content = [w for w in rest if w not in _FRAME and w not in _FILLERS]
    return HumanRequest(has_question=len(content) >= _QUESTION_WORDS)
