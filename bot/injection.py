"""The obvious prompt-injection attempts, in the six languages.

A visitor who tells the bot to ignore its rules, show its prompt, play another role, or
promise a refund or compensation does not get an LLM-written reply for that turn: the bot
answers with the curated answer word for word (or abstains), which is always safe. A false
alarm costs little (the visitor gets the curated text); the rest of the attempts are caught
by the checks on the LLM's output (`bot.grounding`). The patterns look for an instruction
verb near an object that only an attack would name ("your instructions", "system prompt"),
so that "ignore my last message" or "what are the return rules?" pass.
"""

from __future__ import annotations

import re

__all__ = ["detect_injection"]

_GAP = r"[^.!?\n]{0,50}?"


def _any(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


_RULES = _any(
    r"instructions?",
    r"rules",
    r"guidelines",
    r"prompt",
    r"instruks\w*",
    r"regl\w*",
    r"retningslinj\w*",
    r"instruktion\w*",
    r"riktlinj\w*",
    r"ohje\w*",
    r"sään\w*",
    r"kehot\w*",
)
_IGNORE = _any(
    r"ignore",
    r"disregard",
    r"forget",
    r"override",
    r"bypass",
    r"ignor[eé]r\w*",
    r"glem",
    r"gløym",
    r"se bort fra",
    r"sjå bort frå",
    r"ignorera",
    r"glöm",
    r"strunta i",
    r"bortse fra",
    r"unohda",
    r"ohita",
    r"älä välitä",
    r"sivuuta",
)
_REVEAL = _any(
    r"reveal",
    r"show",
    r"print",
    r"repeat",
    r"output",
    r"tell me",
    r"what (?:is|are)",
    r"vis",
    r"avslør",
    r"gjenta",
    r"skriv ut",
    r"fortell",
    r"kva er",
    r"hva er",
    r"visa",
    r"avslöja",
    r"upprepa",
    r"berätta",
    r"vad är",
    r"afslør",
    r"gentag",
    r"fortæl",
    r"hvad er",
    r"näytä",
    r"paljasta",
    r"toista",
    r"kerro",
    r"mitkä ovat",
    r"mikä on",
)
_INSTRUCTIONS = _any(
    r"instructions?",
    r"prompt",
    r"guidelines",
    r"instruks\w*",
    r"instruktion\w*",
    r"kehot\w*",
)
_YOUR = _any(
    r"your",
    r"the system",
    r"system",
    r"hidden",
    r"dine",
    r"dina",
    r"systemets",
    r"original",
)
_OWN = _any(
    r"system ?prompt\w*",
    r"instruksjonene dine",
    r"reglene dine",
    r"instruksane dine",
    r"reglane dine",
    r"instruktionerna",
    r"dina instruktioner",
    r"instruktionerne",
    r"dine instruktioner",
    r"ohjeesi",
    r"sääntösi",
    r"järjestelmäkehot\w*",
    r"kehotteesi",
)
_ROLE = _any(
    r"you are now",
    r"from now on,? you",
    r"act as (?:if you|though you|an? (?:ai|assistant|chatbot|model|unfiltered|unrestricted))",
    r"pretend (?:to be|you)",
    r"developer mode",
    r"jailbreak",
    r"\bDAN\b",
    r"du er nå",
    r"du er no",
    r"du er nu",
    r"fra nå av er du",
    r"late som",
    r"lat som",
    r"oppfør deg som",
    r"du är nu",
    r"från och med nu är du",
    r"låtsas",
    r"lad som om",
    r"opfør dig som",
    r"olet nyt",
    r"tästä lähtien olet",
    r"esitä ole\w*",
    r"teeskentele",
)
_PROMISE = _any(
    r"promise",
    r"guarantee",
    r"confirm",
    r"commit to",
    r"lov\w*",
    r"garanter\w*",
    r"bekreft\w*",
    r"stadfest\w*",
    r"bekräfta\w*",
    r"bekræft\w*",
    r"lupaa\w*",
    r"lupaat",
    r"takaa\w*",
    r"vahvista\w*",
)
_MONEY = _any(
    r"refund\w*",
    r"money back",
    r"compensation",
    r"reimburse\w*",
    r"refusjon\w*",
    r"pengane? tilbake",
    r"erstatning",
    r"kompensasjon",
    r"återbetalning\w*",
    r"pengarna tillbaka",
    r"ersättning",
    r"kompensation",
    r"refusion\w*",
    r"pengene tilbage",
    r"hyvity\w*",
    r"rahat takaisin",
    r"korvau\w*",
    r"rahojen palautu\w*",
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("ignore_rules", rf"\b{_IGNORE}\b{_GAP}\b{_RULES}"),
        ("reveal_prompt", rf"\b{_REVEAL}\b{_GAP}\b(?:{_YOUR}\s+{_INSTRUCTIONS}|{_OWN})"),
        ("reveal_prompt", rf"\b{_OWN}"),
        ("role_play", rf"\b{_ROLE}"),
        ("commitment", rf"\b{_PROMISE}\b{_GAP}\b{_MONEY}"),
        ("delimiter", r"</?\s*(?:visitor_message|conversation|answer|system)\b|<\|[a-z_]+\|>"),
        ("delimiter", r"(?m)^\s*(?:system|assistant)\s*:"),
    )
)


def detect_injection(text: str) -> str | None:
    """The kind of injection attempt in `text`, or None.

    Kinds: ignore_rules, reveal_prompt, role_play, commitment, delimiter.
    """
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return None
