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
do not ask. A negation counts only in the verb's own clause, so a request that follows a
negated sentence still asks ("Pakken min har ikke kommet, kan jeg snakke med en person?").
See docs/decisions/0007-asking-for-a-person.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]+|[,.;:!?]", re.UNICODE)
_BREAK = ","  # a clause boundary: every punctuation mark becomes this token
_JOINED = {
    "customer service": "customerservice",
    "customer support": "customerservice",
    "customer care": "customerservice",
    "help desk": "helpdesk",
}


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


def _lexicon(by_lang: dict[str, str]) -> dict[str, frozenset[str]]:
    """Word -> the languages it belongs to."""
    langs: dict[str, set[str]] = {}
    for lang, words in by_lang.items():
        for word in words.split():
            langs.setdefault(word, set()).add(lang)
    return {word: frozenset(found) for word, found in langs.items()}


_STRONG_VERBS = _lexicon(
    {
        "en": "talk speak chat connect transfer put",
        "nb": "snakke snakk prate prat tale koble kople sett overfør",
        "nn": "snakke snakka snakk prate prata prat tala kople sett",
        "da": "snakke snak tale tal stil",
        "sv": "prata tala snacka chatta koppla",
        "fi": "puhua puhumaan jutella juttelemaan keskustella keskustelemaan yhdistä yhdistäkää",
    }
)
_WEAK_VERBS = _lexicon(
    {
        "en": "want need",
        "nb": "ha få trenger ønsker",
        "nn": "ha få treng ønskjer",
        "da": "have få brug ønsker",
        "sv": "ha få behöver önskar",
    }
)
_HUMAN_WORDS = _lexicon(
    {
        "en": "human humans person persons people agent agents operator representative rep"
        " employee manager supervisor advisor adviser",
        "nb": "menneske mennesker mennesket person personen personer medarbeider kundebehandler"
        " kundebehandleren saksbehandler rådgiver kundeservicemedarbeider operatør",
        "nn": "menneske menneska mennesket person personen medarbeidar kundebehandlar"
        " saksbehandlar sakshandsamar rådgjevar",
        "da": "menneske mennesker mennesket person personen medarbejder medarbejderen rådgiver"
        " kundeservicemedarbejder",
        "sv": "människa människor människan person personal medarbetare rådgivare handläggare"
        " kundtjänstmedarbetare",
    }
)
_HUMAN_PREFIXES = ("ihmi", "henkilö", "asiakaspalvelij", "työntekijä", "virkailij", "edustaj")
_ORG_WORDS = _lexicon(
    {
        "en": "customerservice support helpdesk someone somebody anyone anybody",
        "nb": "kundeservice kundeservicen kundesenter kundesenteret kundestøtte noen",
        "nn": "kundeservice kundeservicen kundesenter nokon",
        "da": "kundeservice kundeservicen kundesupport nogen",
        "sv": "kundtjänst kundtjänsten kundservice support någon",
        "fi": "joku jonkun jonkin asiakastuki asiakastukeen",
    }
)
_ORG_PREFIXES = ("asiakaspalvel",)
_FINNISH = frozenset({"fi"})
_YOU = _words("you dere dykk jer er teidän teistä")  # "one of you" only
_OF = _words("of av af")
_FILLERS = _words(
    "to with a an the real actual live proper some one of your me through directly please for",
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
    # How pressing it is says nothing about what it is about: "I want a person, it's urgent".
    "it s its is this that very really urgent urgently asap quickly fast immediately right away",
    "det er dette haster hast veldig fort raskt straks snarest omgående hurtigt meget nu",
    "är detta brådskande bråttom snabbt mycket väldigt genast",
    "on tämä kiire kiireellinen kiireinen heti nopeasti todella",
)
_NEGATION_SPAN = 4
# An inverted modal and pronoun ("kan jeg", "can I", "kan jag") opens a new clause, also
# without a comma: "pakken har ikke kommet kan jeg snakke med en person".
_MODALS = _words(
    "can could may might will would shall kan kunne kunde vil ville får fikk skal skulle",
    "voinko voisinko saanko",
)
_PRONOUNS = _words("i we you jeg eg jag vi me du dere de ni dykk")
_QUESTION_WORDS = 2  # content words beyond the request that make the message a question too


@dataclass(frozen=True, slots=True)
class HumanRequest:
    """A request for a person.

    `langs` are the languages its words belong to ("talk to a human": en), a strong hint on
    messages too short for language detection. `question` is the rest of the message when it
    says what it is about ("my card was declined, I want a person"), else None.
    """

    langs: frozenset[str]
    question: str | None


def _tokens(text: str) -> list[str]:
    """The words of `text`, casefolded, with `_BREAK` where a punctuation mark was."""
    lowered = text.casefold()
    for phrase, joined in _JOINED.items():
        lowered = lowered.replace(phrase, joined)
    return [word if word.isalpha() else _BREAK for word in _WORD.findall(lowered)]


def _human_langs(word: str) -> frozenset[str] | None:
    if word.startswith(_HUMAN_PREFIXES):
        return _FINNISH
    return _HUMAN_WORDS.get(word)


def _org_langs(words: list[str], at: int) -> frozenset[str] | None:
    word = words[at]
    if word in _YOU:
        return frozenset() if at > 0 and words[at - 1] in _OF else None
    if word.startswith(_HUMAN_PREFIXES):
        return None
    if word.startswith(_ORG_PREFIXES):
        return _FINNISH
    return _ORG_WORDS.get(word)


def _clause_before(words: list[str], at: int) -> list[str]:
    """Up to `_NEGATION_SPAN` words before `at`, in the verb's own clause: a punctuation mark
    or an inverted modal and pronoun ("kan jeg") ends the look back."""
    start = max(0, at - _NEGATION_SPAN)
    for index in range(at - 1, start - 1, -1):
        if words[index] == _BREAK:
            return words[index + 1 : at]
        if index + 1 < at and words[index] in _MODALS and words[index + 1] in _PRONOUNS:
            return words[index:at]
    return words[start:at]


def _negated(words: list[str], at: int, langs: frozenset[str]) -> bool:
    """A negation in the verb's own clause: "jeg vil ikke snakke med et menneske" is negated,
    "pakken har ikke kommet, kan jeg snakke med en person?" is not."""
    negations = _FINNISH_NEGATIONS if langs == _FINNISH else _NEGATIONS
    return bool(set(_clause_before(words, at)) & negations)


def _object_of(words: list[str], at: int) -> tuple[int, frozenset[str]] | None:
    """The person word after the verb at `at` (skipping small words) and its languages."""
    strong = words[at] in _STRONG_VERBS
    for index in range(at + 1, len(words)):
        langs = _human_langs(words[index])
        if langs is None and strong:
            langs = _org_langs(words, index)
        if langs is not None:
            return index, langs
        if words[index] not in _FILLERS:
            return None
    return None


def _langs(verb: frozenset[str], person: frozenset[str]) -> frozenset[str]:
    return (verb & person) or verb | person


def _span(words: list[str]) -> tuple[int, int, frozenset[str]] | None:
    for at, word in enumerate(words):
        verb = _STRONG_VERBS.get(word) or _WEAK_VERBS.get(word)
        if verb is None:
            continue
        found = _object_of(words, at)
        if found is not None and not _negated(words, at, verb):
            end, person = found
            return at, end, _langs(verb, person)
    return None


def _alone(words: list[str]) -> HumanRequest | None:
    """A message that is only a person word and polite words: "menneske takk", "agent!"."""
    words = [word for word in words if word != _BREAK]
    if not words:
        return None
    langs = [_human_langs(word) for word in words]
    found = [lang for lang in langs if lang is not None]
    if not found or any(
        lang is None and w not in _POLITE for w, lang in zip(words, langs, strict=True)
    ):
        return None
    return HumanRequest(frozenset.intersection(*found) or frozenset.union(*found), None)


def find_human_request(text: str) -> HumanRequest | None:
    """The request for a person in `text`, or None when it does not ask for one."""
    words = _tokens(text)
    span = _span(words)
    if span is None:
        return _alone(words) if words else None
    start, end, langs = span
    rest = [word for word in words[:start] + words[end + 1 :] if word != _BREAK]
    content = [w for w in rest if w not in _FRAME and w not in _FILLERS]
    question = " ".join(rest) if len(content) >= _QUESTION_WORDS else None
    return HumanRequest(langs, question)
