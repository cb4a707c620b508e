"""Personal data out of every text sent to an LLM, and back into what it returns.

`find_personal_data` finds e-mail addresses, phone numbers in Nordic and international
formats, payment card numbers (Luhn), IBANs (mod 97), and the national identity numbers of
Norway (fødselsnummer, D- and H-numbers), Sweden (personnummer, samordningsnummer), Denmark
(CPR) and Finland (henkilötunnus). A candidate with a wrong check digit is not a match: it is
most likely an order number, and redacting it would only make the LLM less useful.

A `Redactor` replaces each finding by a placeholder such as `[EMAIL_1]` or `[ID_2]` (the same
value gets the same placeholder every time) and `restore` puts the values back into the LLM's
text. Placeholders are upper case with an underscore, so they can never be mistaken for a
citation of an answer id (`[payment-declined]`).
"""

from __future__ import annotations

import re
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

__all__ = ["PLACEHOLDER", "Finding", "Redactor", "find_personal_data"]

PLACEHOLDER = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|ID)_(\d{1,4})\]", re.IGNORECASE)

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
}

_EDGE_L = r"(?<![\w@+])"
_EDGE_R = r"(?![\w@])"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(
    _EDGE_L + r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?" + _EDGE_R
)
_HETU = re.compile(_EDGE_L + r"\d{6}[-+ABCDEFUVWXYabcdefuvwxy]\d{3}[0-9A-Ya-y]" + _EDGE_R)
_FNR = re.compile(_EDGE_L + r"\d{6} ?\d{5}" + _EDGE_R)
_PNR = re.compile(_EDGE_L + r"(?:\d{2})?\d{6}[-+]?\d{4}" + _EDGE_R)
_CARD = re.compile(_EDGE_L + r"\d(?:[ -]?\d){12,18}" + _EDGE_R)
_PHONE_INTL = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}[ -]?(?:\(0\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}" + _EDGE_R
)
_PHONE_ZERO = re.compile(_EDGE_L + r"0\d{1,3}(?:[ -]?\d{2,4}){1,4}" + _EDGE_R)
_PHONE_EIGHT = re.compile(
    _EDGE_L + r"[2-9](?:\d{7}|\d{3} \d{4}|\d{2} \d{2} \d{3}|\d \d{2} \d{2} \d{2})" + _EDGE_R
)
_NOT_DIGIT = re.compile(r"\D")

# Earlier kinds win when two findings overlap and are equally long.
PRIORITY = ("email", "iban", "fi_hetu", "no_fnr", "se_pnr", "card", "dk_cpr", "phone")


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


def _candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    for pattern, kinds in _DETECTORS:
        if pattern is _EMAIL and "@" not in text:
            continue
        for match in pattern.finditer(text):
            value = match.group()
            kind = next((k for k, valid in kinds if valid is None or valid(value)), None)
            if kind is not None:
                found.append(Finding(kind, match.start(), match.end(), value))
    return found


def find_personal_data(text: str) -> tuple[Finding, ...]:
    """Every piece of personal data in `text`, in order; overlaps resolved to the longest."""
    if _ANY.search(text) is None:
        return ()
    ranked = sorted(
        _candidates(text), key=lambda f: (-(f.end - f.start), PRIORITY.index(f.kind), f.start)
    )
    chosen: list[Finding] = []
    taken = bytearray(len(text))
    for finding in ranked:
        if taken.find(1, finding.start, finding.end) == -1:
            taken[finding.start : finding.end] = b"\x01" * (finding.end - finding.start)
            chosen.append(finding)
    return tuple(sorted(chosen, key=lambda f: f.start))


def _key(finding: Finding) -> str:
    if finding.kind == "email":
        return finding.value.casefold()
    if finding.kind in ("iban", "fi_hetu"):
        return finding.value.replace(" ", "").upper()
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
        for finding in find_personal_data(text):
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
