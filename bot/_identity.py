"""Check digits of the numbers that identify a person or an account.

Each function takes the digits (and letters) of one candidate, separators already removed
where the format allows that, and says whether it is a well-formed number of its kind.
Sources: the Norwegian tax administration (fødselsnummer, D- and H-numbers, synthetic test
numbers), Skatteverket (personnummer, samordningsnummer), the Danish CPR office (CPR and the
modulus-11 note), the Finnish Digital and Population Data Services Agency (henkilötunnus,
including the 2023 century signs), ISO 13616 (IBAN) and ISO/IEC 7812 (Luhn).
"""

from __future__ import annotations

import datetime

__all__ = [
    "dk_cpr_is_valid",
    "fi_hetu_is_valid",
    "iban_is_valid",
    "luhn_is_valid",
    "no_fnr_is_valid",
    "se_pnr_is_valid",
]

# IBAN lengths of the Nordic and nearby countries; any other country: 15–34 characters.
IBAN_LENGTHS = {
    "NO": 15,
    "SE": 24,
    "DK": 18,
    "FI": 18,
    "IS": 26,
    "FO": 18,
    "GL": 18,
    "EE": 20,
    "LV": 21,
    "LT": 20,
    "DE": 22,
    "NL": 18,
    "GB": 22,
    "FR": 27,
    "ES": 24,
    "PL": 28,
}
HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
HETU_CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


# Days in each month of a common year.
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# A digit doubled, less 9 when that makes two digits: what every second digit adds to Luhn's sum.
_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _is_date(year: int, month: int, day: int) -> bool:
    """Whether `datetime.date(year, month, day)` exists (without raising: this runs for most
    numbers in a text, and an exception costs more than the check)."""
    if not (datetime.MINYEAR <= year <= datetime.MAXYEAR and 1 <= month <= 12 and day >= 1):
        return False
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return day <= 29
    return day <= _MONTH_DAYS[month - 1]


def luhn_is_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers and Swedish personnummer."""
    if not digits.isdigit():
        return False
    backwards = digits[::-1]
    doubled = map(_LUHN_DOUBLED.__getitem__, map(int, backwards[1::2]))
    return (sum(map(int, backwards[::2])) + sum(doubled)) % 10 == 0


def iban_is_valid(text: str) -> bool:
    """ISO 13616: country code, two check digits, the account part; mod 97 equals 1."""
    iban = text.replace(" ", "").upper()
    country = iban[:2]
    if not (country.isalpha() and iban[2:4].isdigit() and iban[4:].isalnum()):
        return False
    expected = IBAN_LENGTHS.get(country)
    if (expected is not None and len(iban) != expected) or not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def _no_centuries(year2: int, individual: int) -> tuple[int, ...]:
    centuries: list[int] = []
    if individual <= 499:
        centuries.append(1900)
    if 500 <= individual <= 749 and year2 >= 54:
        centuries.append(1800)
    if individual >= 500 and year2 <= 39:
        centuries.append(2000)
    if individual >= 900 and year2 >= 40:
        centuries.append(1900)
    return tuple(centuries)


def no_fnr_is_valid(digits: str) -> bool:
    """Norwegian fødselsnummer (11 digits): a date and both modulus-11 check digits.

    Accepts D-numbers (day + 40), H-numbers (month + 40) and the synthetic test numbers of
    the tax administration's test environment (month + 80).
    """
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(char) for char in digits]
    k1 = 11 - sum(w * v for w, v in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d, strict=False)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(w * v for w, v in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d, strict=False)) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or k1 != d[9] or k2 != d[10]:
        return False
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    day = day - 40 if day > 40 else day
    month = month - 80 if month > 80 else month - 40 if month > 40 else month
    return any(
        _is_date(century + year2, month, day) for century in _no_centuries(year2, int(digits[6:9]))
    )


def se_pnr_is_valid(digits: str) -> bool:
    """Swedish personnummer or samordningsnummer (day + 60), 10 or 12 digits, Luhn-checked."""
    if len(digits) not in (10, 12) or not digits.isdigit():
        return False
    short = digits[-10:]
    if not luhn_is_valid(short):
        return False
    month, day = int(short[2:4]), int(short[4:6])
    day = day - 60 if day > 60 else day
    if len(digits) == 12:
        return _is_date(int(digits[:4]), month, day)
    year2 = int(short[:2])
    return any(_is_date(century + year2, month, day) for century in (1900, 2000))


def _dk_century(year2: int, seventh: int) -> int:
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year2 <= 36 else 1900
    return 2000 if year2 <= 57 else 1800


def dk_cpr_is_valid(digits: str) -> bool:
    """Danish CPR number (10 digits): a valid birth date, with the century from the 7th digit.

    The modulus-11 check is not applied: since 2007 CPR numbers are issued that fail it,
    so requiring it would let real numbers through unredacted.
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    day, month, year2 = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    return _is_date(_dk_century(year2, int(digits[6])) + year2, month, day)


def fi_hetu_is_valid(text: str) -> bool:
    """Finnish henkilötunnus DDMMYY C NNN Q: century sign (with the 2023 additions) and check."""
    if len(text) != 11:
        return False
    birth, sign, individual, check = text[:6], text[6].upper(), text[7:10], text[10].upper()
    if not (birth.isdigit() and individual.isdigit()) or sign not in HETU_CENTURY:
        return False
    if not 2 <= int(individual) <= 999:
        return False
    year = HETU_CENTURY[sign] + int(birth[4:6])
    if not _is_date(year, int(birth[2:4]), int(birth[0:2])):
        return False
    return HETU_CHECK[int(birth + individual) % 31] == check
