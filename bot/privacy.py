"""Personal data out of every text sent to an LLM, and back into what it returns.

`find_personal_data` finds e-mail addresses, phone numbers in Nordic and international
formats, payment card numbers (Luhn), IBANs (mod 97), and the national identity numbers of
Norway (fødselsnummer, D- and H-numbers), Sweden (personnummer, samordningsnummer), Denmark
(CPR) and Finland (henkilötunnus). A candidate with a wrong check digit is not a match: it is
most likely an order number, and redacting it would only make the LLM less useful.

With `broad=True` it also finds what has no check digit but still names a person: names after
"my name is" and its Nordic equivalents or starting with a common Nordic first name, street
addresses with a Nordic street suffix and a number, IP addresses (v4 and v6), and e-mail
addresses written as `kari(at)example(dot)no`. Those are sent to no LLM, but they are not
masked in storage (an agent needs the visitor's name and address).

A `Redactor` replaces each finding by a placeholder such as `[EMAIL_1]` or `[ID_2]` (the same
value gets the same placeholder every time) and `restore` puts the values back into the LLM's
text. Placeholders are upper case with an underscore, so they can never be mistaken for a
citation of an answer id (`[payment-declined]`).

`mask_personal_data` is what storage uses: card numbers, IBANs and national identity numbers
become `•` but for their last digits (decision 0110), with the same detector.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from bot._identity import (
    dk_cpr_is_valid,
    fi_hetu_is_valid,
    iban_is_valid,
    luhn_is_valid,
    no_fnr_is_valid,
    se_pnr_is_valid,
)
from bot._names import find_context

__all__ = [
    "MASKED_KINDS",
    "PLACEHOLDER",
    "Finding",
    "Redactor",
    "find_personal_data",
    "mask_personal_data",
]

PLACEHOLDER = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|ID|NAME|ADDRESS|IP)_(\d{1,4})\]", re.IGNORECASE)

#: kind of finding -> the label of its placeholder
LABELS = {
    "email": "EMAIL",
    "phone": "PHONE",
    "card": "CARD",
    "iban": "IBAN",
    "no_fnr": "ID",
    "se_pnr": "ID",
    "dk_cpr": "ID",
    "fi_hetu": "ID",
    "name": "NAME",
    "address": "ADDRESS",
    "ip": "IP",
}
#: kind -> how many of its last letters and digits stay visible when masked for storage
MASKED_KINDS = {
    "card": 4,
    "iban": 4,
    "no_fnr": 2,
    "se_pnr": 2,
    "dk_cpr": 2,
    "fi_hetu": 2,
}
MASK = "•"

_EDGE_R = r"(?![\w@])"


def _edged(first: str, rest: str, before: str = r"[\w@+]") -> re.Pattern[str]:
    """`first` (one character) then `rest`, and no `before` right ahead of `first`. The look
    back comes after `first` so that the search can skip to where `first` is (some 2-3 times
    faster than looking back at every position of the text)."""
    return re.compile(rf"{first}(?<!{before}{first}){rest}")


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = _edged(
    "[A-Za-z]", r"[A-Za-z]\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?" + _EDGE_R
)
_HETU = _edged(r"\d", r"\d{5}[-+ABCDEFUVWXYabcdefuvwxy]\d{3}[0-9A-Ya-y]" + _EDGE_R)
_FNR = _edged(r"\d", r"\d{5} ?\d{5}" + _EDGE_R)
_PNR = _edged(r"\d", r"(?:\d{2})?\d{5}[-+]?\d{4}" + _EDGE_R)
_CARD = _edged(r"\d", r"(?:[ -]?\d){12,18}" + _EDGE_R)
# "+" or "00"
_PHONE_INTL = _edged(
    "[+0]",
    r"(?:(?<=\+)|(?<=0)0)[1-9]\d{0,2}[ -]?(?:\(0\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}" + _EDGE_R,
    before=r"[\w+]",
)
_PHONE_ZERO = _edged("0", r"\d{1,3}(?:[ -]?\d{2,4}){1,4}" + _EDGE_R)
_PHONE_EIGHT = _edged(
    "[2-9]", r"(?:\d{7}|\d{3} \d{4}|\d{2} \d{2} \d{3}|\d \d{2} \d{2} \d{2})" + _EDGE_R
)
_NOT_DIGIT = re.compile(r"\D")
# (?:\d{1,3}\.){3}\d{1,3} or [0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}, less their first character
_IP_CANDIDATE = _edged(
    "[0-9A-Fa-f:]",
    r"(?:(?<=\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}"
    r"|(?<=[0-9A-Fa-f])[0-9A-Fa-f]{0,3}(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"|(?<=:)[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){1,6})(?![\w:]|\.\d)",
    before=r"[\w.:]",
)

# A run of 12 or more digits (single spaces or dashes between them): a number of its own. A
# finding strictly inside one (an 8-digit "phone number" in a 16-digit number failing Luhn) is
# dropped: such a number is redacted whole or not at all.
_LONG_NUMBER = _edged(r"\d", r"(?:[ -]?\d){11,}(?!\w)", before=r"[\w+]")

# Earlier kinds win when two findings overlap and are equally long.
PRIORITY = (
    "email",
    "iban",
    "fi_hetu",
    "no_fnr",
    "se_pnr",
    "card",
    "dk_cpr",
    "ip",
    "phone",
    "address",
    "name",
)
_RANK = {kind: rank for rank, kind in enumerate(PRIORITY)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its kind and where it is in the text."""

    kind: str
    start: int
    end: int
    value: str


def _digits(text: str) -> str:
    return _NOT_DIGIT.sub("", text)


def _phone_ok(text: str) -> bool:
    count = len(_digits(text))
    if text.startswith(("+", "00")):
        return 8 <= count <= 15
    return 7 <= count <= 11 if text.startswith("0") else count == 8


def _pnr_ok(text: str) -> bool:
    return se_pnr_is_valid(_digits(text))


def _cpr_ok(text: str) -> bool:
    digits = _digits(text)
    return len(digits) == 10 and "+" not in text and dk_cpr_is_valid(digits)


Valid = Callable[[str], bool] | None

# One scan per pattern; a candidate becomes the first kind whose check it passes.
_DETECTORS: tuple[tuple[re.Pattern[str], tuple[tuple[str, Valid], ...]], ...] = (
    (_EMAIL, (("email", None),)),
    (_IBAN, (("iban", iban_is_valid),)),
    (_HETU, (("fi_hetu", fi_hetu_is_valid),)),
    (_FNR, (("no_fnr", lambda text: no_fnr_is_valid(_digits(text))),)),
    (_PNR, (("se_pnr", _pnr_ok), ("dk_cpr", _cpr_ok))),
    (_CARD, (("card", lambda text: luhn_is_valid(_digits(text))),)),
    (_PHONE_INTL, (("phone", _phone_ok),)),
    (_PHONE_ZERO, (("phone", _phone_ok),)),
    (_PHONE_EIGHT, (("phone", _phone_ok),)),
)
_ANY = re.compile(r"[\d@]")


# A candidate: (kind, start, end); a `Finding` is made only for those chosen.
_Span = tuple[str, int, int]


def _candidates(text: str) -> list[_Span]:
    found: list[_Span] = []
    for pattern, kinds in _DETECTORS:
        if pattern is _EMAIL and "@" not in text:
            continue
        for match in pattern.finditer(text):
            value = match.group()
            for kind, valid in kinds:
                if valid is None or valid(value):
                    found.append((kind, match.start(), match.end()))
                    break
    return found


def _inside_long_numbers(text: str, found: list[_Span]) -> list[_Span]:
    """`found` less the findings strictly inside a long number that no finding covers."""
    runs = [m.span() for m in _LONG_NUMBER.finditer(text)]
    if not runs:
        return found
    # The runs do not overlap and come in order, so the only run that can hold a finding is
    # the last one starting at or before it, and those a finding covers follow one another.
    starts = [start for start, _ in runs]
    covered = [False] * len(runs)
    for _, start, end in found:
        n = bisect_left(starts, start)
        while n < len(runs) and runs[n][1] <= end:
            covered[n] = True
            n += 1
    kept: list[_Span] = []
    for span in found:
        n = bisect_right(starts, span[1]) - 1
        if n < 0 or covered[n] or span[2] > runs[n][1]:
            kept.append(span)
    return kept


def find_personal_data(text: str, *, broad: bool = False) -> tuple[Finding, ...]:
    """Every piece of personal data in `text`, in order; overlaps resolved to the longest.

    `broad`: names, street addresses, IP addresses and obfuscated e-mail addresses too
    (`bot._names`); these have no check digit, so they are found by their context.
    """
    if broad:
        candidates = _candidates(text) + _broad_candidates(text)
    elif _ANY.search(text) is None:
        return ()
    else:
        candidates = _candidates(text)
    ranked = sorted(
        _inside_long_numbers(text, candidates),
        key=lambda span: (span[1] - span[2], _RANK[span[0]], span[1]),
    )
    chosen: list[_Span] = []
    taken = bytearray(len(text))
    for span in ranked:
        _, start, end = span
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(span)
    chosen.sort(key=lambda span: span[1])
    return tuple(Finding(kind, start, end, text[start:end]) for kind, start, end in chosen)


def _broad_candidates(text: str) -> list[_Span]:
    found = find_context(text)
    for match in _IP_CANDIDATE.finditer(text):
        value = match.group()
        try:
            ipaddress.ip_address(value)
        except ValueError:
            continue
        if ":" in value and value.count(":") < 2:
            continue
        found.append(("ip", match.start(), match.end()))
    return found


def mask_personal_data(text: str) -> str:
    """`text` with card numbers, IBANs and national identity numbers masked for storage:
    every letter and digit but the last few becomes `•`, separators stay
    (`•••• •••• •••• 1234`). Masking a masked text changes nothing."""
    findings = [f for f in find_personal_data(text) if f.kind in MASKED_KINDS]
    if not findings:
        return text
    parts: list[str] = []
    last = 0
    for finding in findings:
        parts += [text[last : finding.start], _masked(finding.value, MASKED_KINDS[finding.kind])]
        last = finding.end
    parts.append(text[last:])
    return "".join(parts)


def _masked(value: str, keep: int) -> str:
    shown = sum(char.isalnum() for char in value) - keep
    out: list[str] = []
    for char in value:
        if char.isalnum() and shown > 0:
            out.append(MASK)
            shown -= 1
        else:
            out.append(char)
    return "".join(out)


def _key(finding: Finding) -> str:
    if finding.kind == "email":
        return finding.value.casefold()
    if finding.kind in ("iban", "fi_hetu"):
        return finding.value.replace(" ", "").upper()
    if finding.kind in ("name", "address", "ip"):
        return " ".join(finding.value.split()).casefold()
    return _digits(finding.value)


@dataclass
class Redactor:
    """Placeholders for one turn's texts; the same value always gets the same placeholder.

    Not thread-safe: make one per turn (it is cheap).
    """

    enabled: bool = True
    _by_key: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _values: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def redact(self, text: str) -> str:
        """`text` with every finding replaced by its placeholder (unchanged when disabled)."""
        if not self.enabled:
            return text
        parts: list[str] = []
        last = 0
        for finding in find_personal_data(text, broad=True):
            parts += [text[last : finding.start], self._placeholder(finding)]
            last = finding.end
        parts.append(text[last:])
        return "".join(parts)

    def _placeholder(self, finding: Finding) -> str:
        key = f"{LABELS[finding.kind]}:{_key(finding)}"
        if key not in self._by_key:
            label = LABELS[finding.kind]
            self._counts[label] = self._counts.get(label, 0) + 1
            placeholder = f"[{label}_{self._counts[label]}]"
            self._by_key[key] = placeholder
            self._values[placeholder] = finding.value
        return self._by_key[key]

    @property
    def placeholders(self) -> frozenset[str]:
        """The placeholders issued so far."""
        return frozenset(self._values)

    def restore(self, text: str) -> str:
        """`text` with every placeholder this redactor issued replaced by its value."""
        if not self._values:
            return text

        def value(match: re.Match[str]) -> str:
            placeholder = f"[{match.group(1).upper()}_{match.group(2)}]"
            return self._values.get(placeholder, match.group())

        return PLACEHOLDER.sub(value, text)

    def unknown(self, text: str) -> tuple[str, ...]:
        """Placeholders in `text` that this redactor never issued."""
        return tuple(
            m.group()
            for m in PLACEHOLDER.finditer(text)
            if f"[{m.group(1).upper()}_{m.group(2)}]" not in self._values
        )
