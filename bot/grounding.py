"""Checks an LLM's text against the curated answers it was given, before a visitor sees it.

A grounded reply must cite at least one of the answers it was given (`[answer-id]`) and no
other, and every number, price, date, time, URL, e-mail address and phone number in it must
be in the answers it cites (compared after normalising, see `bot._facts`). It must not promise
what no cited answer promises (refunds, compensation, discounts, something free, guarantees),
talk about its own instructions, repeat the rules it was given, echo personal data, or be in
another language than the visitor's. Every failure raises `UngroundedReply` with the check's
code.

`ReplyGate` applies the same checks to a streamed reply: text is held back until a citation
closes it, checked against the answers cited so far, and only then released. What it releases
therefore always passes the checks; if a later part fails, the caller withdraws the released
text and sends the curated answer instead (see docs/decisions/0041-streaming-checked-replies.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from bot._facts import CITATION, Fact, allowed_values, extract_facts, strip_markers
from bot._lexicon import COMMITMENTS, META
from bot.errors import UngroundedReply
from bot.language import detect_language
from bot.privacy import PLACEHOLDER
from knowledge import Answer

__all__ = [
    "Grounds",
    "ReplyGate",
    "check_facts",
    "check_reply",
    "check_translation",
    "get_citations",
    "visible_text",
]

NONE_MARKER = "none"
LEAK_SHINGLE = 6  # words in a row copied from the rules count as a leak
LANGUAGE_MIN_LETTERS = 60  # shorter texts are not language-checked
# Languages close enough that a reply in one is not a failure for a visitor writing another.
_CLOSE = {"nb": {"nb", "nn", "da"}, "nn": {"nn", "nb", "da"}, "da": {"da", "nb", "nn"}}
_MARKER_RUN = re.compile(r"[ \t]*" + CITATION.pattern)
_WORDS = re.compile(r"[^\W_]+")

_KIND_NAMES = {
    "n": "the number",
    "m": "the month",
    "w": "the weekday",
    "c": "the currency",
    "u": "the URL",
    "e": "the e-mail address",
    "p": "the phone number",
    "x": "the identity or account number",
}


def get_citations(text: str) -> tuple[str, ...]:
    """The answer ids cited in `text`, in order of first citation."""
    seen: dict[str, None] = {}
    for match in CITATION.finditer(text):
        for answer_id in re.split(r"\s*[,;]\s*", match.group(1)):
            seen.setdefault(answer_id, None)
    return tuple(seen)


def visible_text(text: str) -> str:
    """What the visitor sees: the text without citation markers."""
    return _MARKER_RUN.sub("", text)


@lru_cache(maxsize=1024)
def _answer_values(answer: Answer) -> frozenset[str]:
    texts: list[tuple[str, str | None]] = [(answer.title, None)]
    texts += [(text, lang) for lang, text in answer.answer.items()]
    texts += [(link, None) for link in answer.links]
    return allowed_values(texts)


def _concepts(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in COMMITMENTS.items() if pattern.search(text))


@lru_cache(maxsize=1024)
def _answer_concepts(answer: Answer) -> frozenset[str]:
    everything = " ".join([answer.title, *answer.answer.values()])
    found = set(_concepts(everything))
    if META.search(everything):
        found.add("meta")
    return frozenset(found)


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = [w.casefold() for w in _WORDS.findall(text)]
    return frozenset(
        tuple(words[i : i + LEAK_SHINGLE]) for i in range(len(words) - LEAK_SHINGLE + 1)
    )


@dataclass(frozen=True)
class Grounds:
    """What one LLM text is checked against.

    `answers`: the curated answers the LLM was given, by id. `lang`: the language the text must
    be in. `rules`: the instructions the LLM was given (copying them is a leak). `personal`:
    the visitor's personal data as fact values (`bot._facts`), which the text must not contain
    in the clear. `placeholders`: those issued for it (`bot.privacy`); the text may repeat them
    (they are put back only for the visitor's own eyes) but not make up others.
    """

    answers: Mapping[str, Answer]
    lang: str
    rules: str = ""
    personal: frozenset[str] = frozenset()
    placeholders: frozenset[str] = frozenset()
    _rule_shingles: frozenset[tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rule_shingles", _shingles(self.rules))

    def copies_rules(self, text: str) -> bool:
        """True when `text` repeats a run of words from the rules."""
        return bool(_shingles(text) & self._rule_shingles)

    def values(self, cited: Iterable[str]) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for answer_id in cited:
            found |= _answer_values(self.answers[answer_id])
        return found

    def concepts(self, cited: Iterable[str]) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for answer_id in cited:
            found |= _answer_concepts(self.answers[answer_id])
        return found


def _fail(code: str, message: str) -> UngroundedReply:
    return UngroundedReply(message, code)


def _check_cited(text: str, grounds: Grounds) -> tuple[str, ...]:
    cited = get_citations(text)
    if cited == (NONE_MARKER,):
        raise _fail("model_declined", "the model said the answers do not cover the question")
    unknown = [answer_id for answer_id in cited if answer_id not in grounds.answers]
    if unknown:
        raise _fail("unknown_citation", f"cites {unknown[0]!r}, which it was not given")
    return cited


def _describe(fact: Fact) -> str:
    kind = next(iter(fact.readings[0]))[0]
    return f"{_KIND_NAMES.get(kind, 'the fact')} {fact.text.strip()!r}"


def check_facts(text: str, lang: str, allowed: frozenset[str], personal: frozenset[str]) -> None:
    """Raise unless every fact in `text` is among `allowed` (and none is personal data)."""
    for fact in extract_facts(text, lang):
        if fact.supported_by(allowed):
            continue
        values = set().union(*fact.readings)
        if values & personal or any(v.startswith("x:") for v in values):
            raise _fail("personal_data", f"repeats personal data ({_describe(fact)})")
        raise _fail("invented_fact", f"adds {_describe(fact)}, which no cited answer has")


def _check_placeholders(text: str, grounds: Grounds) -> None:
    for match in PLACEHOLDER.finditer(text):
        if f"[{match.group(1).upper()}_{match.group(2)}]" not in grounds.placeholders:
            raise _fail("invented_fact", f"uses the placeholder {match.group()!r}, never issued")


def _check_manner(text: str, grounds: Grounds, cited: Iterable[str]) -> None:
    concepts = grounds.concepts(cited)
    extra = sorted(_concepts(text) - concepts)
    if extra:
        raise _fail("unsupported_commitment", f"mentions {extra[0]}, which no cited answer offers")
    if ("meta" not in concepts and META.search(text)) or grounds.copies_rules(text):
        raise _fail("prompt_leak", "talks about or repeats its own instructions")


def _check_language(text: str, lang: str) -> None:
    plain = visible_text(strip_markers(text))
    if sum(len(w) for w in _WORDS.findall(plain)) < LANGUAGE_MIN_LETTERS:
        return
    found = detect_language(plain, default=lang).lang
    if found not in _CLOSE.get(lang, {lang}):
        raise _fail("wrong_language", f"is written in {found}, not {lang}")


def check_reply(text: str, grounds: Grounds) -> tuple[str, ...]:
    """The ids `text` cites; raises UngroundedReply when any check fails."""
    cited = _check_cited(text, grounds)
    if not visible_text(text).strip():
        raise _fail("empty_reply", "the reply is empty")
    if not cited:
        raise _fail("no_citation", "cites none of the answers it was given")
    _check_placeholders(text, grounds)
    check_facts(text, grounds.lang, grounds.values(cited), grounds.personal)
    _check_manner(text, grounds, cited)
    _check_language(text, grounds.lang)
    return cited


def check_translation(text: str, source: Answer, source_lang: str, grounds: Grounds) -> None:
    """A translation adds no fact and drops none of the source text's facts."""
    if not text.strip():
        raise _fail("empty_reply", "the translation is empty")
    check_facts(text, grounds.lang, grounds.values([source.id]), grounds.personal)
    _check_manner(text, grounds, [source.id])
    _check_language(text, grounds.lang)
    have = allowed_values([(text, grounds.lang)])
    for fact in extract_facts(source.answer[source_lang], source_lang):
        if not fact.supported_by(have):
            raise _fail("dropped_fact", f"drops {_describe(fact)} from the curated answer")


class ReplyGate:
    """Releases a streamed reply one checked part at a time (a part ends with a citation)."""

    def __init__(self, grounds: Grounds) -> None:
        self.grounds = grounds
        self.raw = ""
        self._pending = ""
        self._cited: dict[str, None] = {}
        self._released = ""
        self._language_checked = False

    def feed(self, delta: str) -> str:
        """Add a delta; return the visible text released by it ("" while held back)."""
        self.raw += delta
        self._pending += delta
        closed = [match.end() for match in CITATION.finditer(self._pending)]
        if not closed:
            return ""
        part, self._pending = self._pending[: closed[-1]], self._pending[closed[-1] :]
        for answer_id in _check_cited(part, self.grounds):
            self._cited.setdefault(answer_id, None)
        check_facts(
            part, self.grounds.lang, self.grounds.values(self._cited), self.grounds.personal
        )
        _check_manner(part, self.grounds, self._cited)
        visible = visible_text(part)
        if not self._released:
            visible = visible.lstrip()
        if not self._language_checked and len(self._released + visible) >= LANGUAGE_MIN_LETTERS:
            _check_language(self._released + visible, self.grounds.lang)
            self._language_checked = True
        self._released += visible
        return visible

    @property
    def released(self) -> str:
        """The visible text released so far."""
        return self._released

    def finish(self) -> tuple[str, tuple[str, ...]]:
        """Check the whole reply; return (the rest of the visible text, the cited ids)."""
        cited = check_reply(self.raw, self.grounds)
        rest = visible_text(self._pending).rstrip()
        if not self._released:
            rest = rest.lstrip()
        self._released += rest
        return rest, cited
