"""Redaction: each kind of personal data with valid and invalid check digits, and restoring."""

from __future__ import annotations

import itertools

import pytest

from bot import Redactor, find_personal_data


def _fnr(birth: str, first_individual: int = 123) -> str:
    """A fødselsnummer found by brute force from the defining property of its check digits:
    the weighted sums including them are divisible by 11. Some individual numbers have no
    valid check digits; the next one is tried then."""
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    for individual in range(first_individual, first_individual + 20):
        for k1, k2 in itertools.product(range(10), repeat=2):
            number = f"{birth}{individual:03d}{k1}{k2}"
            digits = [int(c) for c in number]
            if sum(w * d for w, d in zip(w1, digits, strict=False)) % 11 == 0 and (
                sum(w * d for w, d in zip(w2, digits, strict=False)) % 11 == 0
            ):
                return number
    raise AssertionError(f"no fødselsnummer for {birth}")  # pragma: no cover


def _wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


def test_email_addresses() -> None:
    text = "Skriv til kari.nordmann+ordre@example.no eller ola@post.shop.example."
    assert [f.value for f in find_personal_data(text)] == [
        "kari.nordmann+ordre@example.no",
        "ola@post.shop.example",
    ]


@pytest.mark.parametrize(
    "phone",
    [
        "+47 912 34 567",
        "0047 22334455",
        "912 34 567",
        "22 33 44 55",
        "91234567",
        "+46 70 123 45 67",
        "070-123 45 67",
        "08-123 456 78",
        "+46 (0)8 123 456 78",
        "+45 32 12 34 56",
        "+358 40 123 4567",
        "040 123 4567",
        "09 1234 567",
    ],
)
def test_nordic_phone_numbers(phone: str) -> None:
    assert kinds(f"Ring meg på {phone}, takk") == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "Den koster 1 299 kr, eller 12 999,- for settet.",
        "Ordrenummer 123456 kom 2026-03-01 kl. 08–20.",
        "Leveringen tar 3–5 virkedager, 14 dager angrerett.",
        "Åpent 08:00–16:00, 10.00–14.00 på lørdag.",
    ],
)
def test_prices_dates_and_order_numbers_are_not_personal_data(text: str) -> None:
    assert find_personal_data(text) == ()


@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "4012888888881881"]
)
def test_payment_cards_with_a_valid_luhn_digit(card: str) -> None:
    assert kinds(f"Kortet {card} ble avvist") == ["card"]


@pytest.mark.parametrize("card", ["4111 1111 1111 1112", "5555-5555-5555-4445", "378282246310006"])
def test_card_like_numbers_failing_luhn_are_not_cards(card: str) -> None:
    assert "card" not in kinds(f"Kortet {card} ble avvist")


@pytest.mark.parametrize(
    "iban",
    [
        "NO93 8601 1117 947",
        "NO9386011117947",
        "SE45 5000 0000 0583 9825 7466",
        "DK50 0040 0440 1162 43",
        "FI21 1234 5600 0007 85",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_ibans_with_valid_check_digits(iban: str) -> None:
    assert kinds(f"Konto {iban}.") == ["iban"]
    assert kinds(f"Konto {iban.lower()}.") == ["iban"]


@pytest.mark.parametrize(
    "iban", ["NO94 8601 1117 947", "SE45 5000 0000 0583 9825 7467", "FI21 1234 5600 0007 8"]
)
def test_ibans_with_wrong_check_digits_or_length_are_not_redacted(iban: str) -> None:
    assert "iban" not in kinds(f"Konto {iban}.")


@pytest.mark.parametrize(
    "birth",
    [
        "010190",  # 1 January 1990
        "290200",  # 29 February 2000, a leap year
        "410190",  # D-number: day + 40
        "014190",  # H-number: month + 40
        "018190",  # synthetic test number: month + 80
    ],
)
def test_norwegian_fodselsnummer_with_both_check_digits(birth: str) -> None:
    fnr = _fnr(birth, 123 if birth != "290200" else 523)
    assert kinds(f"Fødselsnummer {fnr}") == ["no_fnr"]
    assert kinds(f"Fødselsnummer {fnr[:6]} {fnr[6:]}") == ["no_fnr"]


def test_norwegian_fodselsnummer_with_a_wrong_check_digit_is_not_redacted() -> None:
    fnr = _fnr("150190")
    wrong_k1 = fnr[:9] + str((int(fnr[9]) + 1) % 10) + fnr[10]
    assert kinds(_wrong_last_digit(fnr)) == []
    assert "no_fnr" not in kinds(wrong_k1)


def test_norwegian_fodselsnummer_with_an_impossible_date_is_not_redacted() -> None:
    assert kinds(_fnr("300290")) == []  # 30 February


@pytest.mark.parametrize(
    "pnr",
    [
        "811218-9876",
        "8112189876",
        "19811218-9876",
        "198112189876",
        "121212+1212",  # 100 years or older
        "701063-2391",  # samordningsnummer: day + 60
    ],
)
def test_swedish_personnummer(pnr: str) -> None:
    assert kinds(f"Mitt personnummer är {pnr}") == ["se_pnr"]


@pytest.mark.parametrize("pnr", ["811218-9875", "19811218-9877", "811318-9876"])
def test_swedish_personnummer_with_wrong_luhn_or_date_is_not_a_personnummer(pnr: str) -> None:
    assert "se_pnr" not in kinds(f"Mitt personnummer är {pnr}")


@pytest.mark.parametrize(
    "cpr",
    [
        "070761-4285",  # passes the old modulus-11 check
        "010180-1235",  # fails it, as CPR numbers issued since 2007 may
        "2902004321",  # 29 February 2000 (7th digit 4, year 00: born 2000)
    ],
)
def test_danish_cpr_numbers_with_a_valid_date(cpr: str) -> None:
    assert kinds(f"CPR {cpr}") in (["dk_cpr"], ["se_pnr"])  # both are redacted as ID


@pytest.mark.parametrize("cpr", ["320180-1235", "311380-1235", "2902011235"])
def test_danish_cpr_numbers_with_an_impossible_date_are_not_redacted(cpr: str) -> None:
    # 32 January; month 13; 29 February 1901 (7th digit 1: born in the 1900s)
    assert kinds(f"CPR {cpr}") == []


def test_a_cpr_number_failing_luhn_is_still_found_as_cpr() -> None:
    assert kinds("CPR 010180-1235") == ["dk_cpr"]


@pytest.mark.parametrize(
    "hetu",
    [
        "131052-308T",
        "010594Y9021",  # century signs added in 2023
        "020594X903P",
        "010516A902W",
        "010516B903X",
        "020516C903K",
    ],
)
def test_finnish_henkilotunnus_with_a_valid_check_character(hetu: str) -> None:
    assert kinds(f"Henkilötunnukseni on {hetu}.") == ["fi_hetu"]


@pytest.mark.parametrize("hetu", ["131052-308U", "010594Y9022", "310252-308T", "131052G308T"])
def test_finnish_henkilotunnus_with_a_wrong_check_or_sign_is_not_redacted(hetu: str) -> None:
    assert kinds(f"Henkilötunnukseni on {hetu}.") == []


def test_redactor_replaces_and_restores_everything() -> None:
    text = (
        "Jeg er kari@example.no, tlf 912 34 567, kort 4111 1111 1111 1111, "
        "konto NO93 8601 1117 947, fnr " + _fnr("010190") + ". Mail kari@example.no igjen."
    )
    redactor = Redactor()
    redacted = redactor.redact(text)
    assert redacted == (
        "Jeg er [EMAIL_1], tlf [PHONE_1], kort [CARD_1], konto [IBAN_1], fnr [ID_1]. "
        "Mail [EMAIL_1] igjen."
    )
    assert redactor.restore(redacted) == text
    assert redactor.restore("Vi sender til [email_1].") == "Vi sender til kari@example.no."
    assert redactor.unknown("Se [ID_1] og [PHONE_9]") == ("[PHONE_9]",)


def test_the_same_value_written_differently_gets_the_same_placeholder() -> None:
    redactor = Redactor()
    assert redactor.redact("912 34 567") == redactor.redact("91234567") == "[PHONE_1]"
    assert redactor.redact("KARI@example.no") == redactor.redact("kari@EXAMPLE.no")


def test_a_disabled_redactor_changes_nothing() -> None:
    text = "kari@example.no 912 34 567"
    redactor = Redactor(enabled=False)
    assert redactor.redact(text) == text
    assert redactor.placeholders == frozenset()


def test_placeholders_are_not_found_again() -> None:
    redactor = Redactor()
    once = redactor.redact("ring 912 34 567")
    assert redactor.redact(once) == once


# Masking for storage (decision 0110) and the broader redaction before the LLM.


def test_masking_keeps_the_last_digits_and_the_separators() -> None:
    from bot import mask_personal_data

    text = "Kort 4111 1111 1111 1111, konto NO93 8601 1117 947, pnr 811218-9876."
    assert mask_personal_data(text) == (
        "Kort •••• •••• •••• 1111, konto •••• •••• •••7 947, pnr ••••••-••76."
    )
    assert mask_personal_data(mask_personal_data(text)) == mask_personal_data(text)


def test_masking_leaves_e_mails_phones_and_numbers_failing_their_checks() -> None:
    from bot import mask_personal_data

    text = "Ring 912 34 567 eller kari@example.no om ordre 1234 5678 9012 3456."
    assert mask_personal_data(text) == text


def test_a_sixteen_digit_number_failing_luhn_is_not_half_redacted() -> None:
    text = "Kortet 1234 5678 9012 3456 virker ikke"
    assert find_personal_data(text) == ()
    assert find_personal_data(text, broad=True) == ()
    assert Redactor().redact(text) == text


def test_two_phone_numbers_in_a_sentence_are_still_found() -> None:
    assert kinds("Ring 912 34 567 eller 22 33 44 55") == ["phone", "phone"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hei, jeg heter Kari Nordmann og lurer på noe", "Kari Nordmann"),
        ("Eg heiter Sigrun Haugland.", "Sigrun Haugland"),
        ("Hej, jag heter Åsa Lindqvist", "Åsa Lindqvist"),
        ("Mit navn er Søren Kjærgaard", "Søren Kjærgaard"),
        ("Nimeni on Matti Virtanen", "Matti Virtanen"),
        ("My name is John Smith. I need help", "John Smith"),
        ("Takk for hjelpen. Mvh Ola Nordmann", "Ola Nordmann"),
        ("Ingrid Hansen her, hvor er pakken?", "Ingrid Hansen"),
    ],
)
def test_names_are_redacted_for_the_llm(text: str, name: str) -> None:
    found = [f.value for f in find_personal_data(text, broad=True) if f.kind == "name"]
    assert found == [name]
    assert "[NAME_1]" in Redactor().redact(text)
    assert find_personal_data(text) == ()  # the narrow set (and storage) keeps names


@pytest.mark.parametrize(
    "text",
    ["Per måned koster det 99 kr.", "Hvor er Oslo-butikken?", "Jeg heter ikke noe spesielt"],
)
def test_words_that_look_like_names_are_not(text: str) -> None:
    assert [f for f in find_personal_data(text, broad=True) if f.kind == "name"] == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Send det til Storgata 5B, 0155 Oslo", "Storgata 5B"),
        ("Jeg bor i Karl Johans gate 22", "Karl Johans gate 22"),
        ("Adressen är Drottninggatan 12", "Drottninggatan 12"),
        ("Leveres til Nørregade 3", "Nørregade 3"),
        ("Osoite on Mannerheimintie 10 A 5.", "Mannerheimintie 10 A 5"),
        ("Osoite on Aleksanterinkatu 15", "Aleksanterinkatu 15"),
        ("Hjemme i Bygdøy allé 7", "Bygdøy allé 7"),
    ],
)
def test_street_addresses(text: str, address: str) -> None:
    assert [f.value for f in find_personal_data(text, broad=True)] == [address]


@pytest.mark.parametrize(
    ("text", "ip"),
    [
        ("Min IP er 192.168.10.4.", "192.168.10.4"),
        ("IPv6 2001:db8::8a2e:370:7334 ble blokkert", "2001:db8::8a2e:370:7334"),
    ],
)
def test_ip_addresses(text: str, ip: str) -> None:
    assert [(f.kind, f.value) for f in find_personal_data(text, broad=True)] == [("ip", ip)]


@pytest.mark.parametrize("text", ["Klokka 12:30:45", "Versjon 300.1.2.3", "Pris 1.299,00"])
def test_times_and_versions_are_no_ip_addresses(text: str) -> None:
    assert find_personal_data(text, broad=True) == ()


@pytest.mark.parametrize(
    "email",
    [
        "kari(at)example(dot)no",
        "kari [at] example [dot] no",
        "ola.hansen (at) firma.se",
        "kari at example dot no",
    ],
)
def test_obfuscated_email_addresses(email: str) -> None:
    text = f"Skriv til {email} takk"
    assert [(f.kind, f.value) for f in find_personal_data(text, broad=True)] == [("email", email)]


def test_a_plain_at_is_no_email_address() -> None:
    assert find_personal_data("Look at example.com for more", broad=True) == ()


def test_names_and_addresses_are_restored_in_the_reply() -> None:
    redactor = Redactor()
    sent = redactor.redact("Jeg heter Kari Nordmann, Storgata 5")
    assert sent == "Jeg heter [NAME_1], [ADDRESS_1]"
    assert redactor.restore("Hei [NAME_1], vi sender til [ADDRESS_1].") == (
        "Hei Kari Nordmann, vi sender til Storgata 5."
    )


def test_a_name_in_lower_case_after_my_name_is_is_found_but_not_after_a_sign_off() -> None:
    assert [f.value for f in find_personal_data("jeg heter kari nordmann og", broad=True)] == [
        "kari nordmann"
    ]
    assert find_personal_data("med vennlig hilsen fra oss alle", broad=True) == ()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Jeg bor i Kyrkjegata 3 i Volda", "Kyrkjegata 3"),
        ("Adressen er Nedre Slottsgate 8.", "Nedre Slottsgate 8"),
        ("Hei Storgata 5 er feil adresse", "Storgata 5"),
    ],
)
def test_street_names_of_several_words_and_no_word_after_the_number(
    text: str, address: str
) -> None:
    assert [f.value for f in find_personal_data(text, broad=True)] == [address]
