"""Strict e-mail addresses (decision 0113): nothing that a mailto: link would read as more
headers, so an address shown to an agent as a link sends to that address only."""

from __future__ import annotations

import datetime

import pytest

from bot import is_email_address
from bot._collecting import check_answer
from bot._values import read_value
from knowledge import Field, Question, get_demo_dir, load_answer_base


@pytest.mark.parametrize(
    "address",
    [
        "kari@example.no",
        "kari.nordmann+kundeservice@example.no",
        "o'brien@shop.co.uk",
        "ola@bøker.no",
        "ola@xn--bker-pra.no",
        "a@b-c.fi",
    ],
)
def test_addresses_people_have_are_accepted(address: str) -> None:
    assert is_email_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "kari@x.no?bcc=ola@y.no",  # a mailto: link with a hidden copy
        "kari@x.no?bcc=ola%40y.no",  # the same, as a mailto: link decodes it
        "kari@x.no&cc=ola@y.no",
        "kari?subject=hei@x.no",
        "kari%40x.no@y.no",
        "kari@x.no#frag",
        "kari/x@y.no",
        "kari@localhost",
        '"kari"@x.no',
        "kari@[127.0.0.1]",
        ".kari@x.no",
        "ka..ri@x.no",
        "kari@x..no",
        "kari@-x.no",
        "kari@x-.no",
        "kari@x_y.no",
        "kari @x.no",
        "kari@x.no\n",
        "k" * 65 + "@x.no",
        "kari@" + "x" * 250 + ".no",
    ],
)
def test_anything_else_is_not_an_address(address: str) -> None:
    assert not is_email_address(address)


def test_a_flow_does_not_take_a_bcc_as_part_of_the_address() -> None:
    question = Question("email", {"nb": "?"}, "email", "x")
    reading = read_value(question, "kari@x.no?bcc=ola@y.no", "nb", datetime.date(2026, 12, 1))
    assert reading.value is None  # two addresses: asked again, never "kari@x.no?bcc=…"
    alone = read_value(question, "er det kari@x.no?", "nb", datetime.date(2026, 12, 1))
    assert alone.value == "kari@x.no"


def test_the_demo_email_field_refuses_a_bcc() -> None:
    field: Field = load_answer_base(get_demo_dir()).fields["email"]
    assert check_answer(field, "kari.nordmann@example.no") == "kari.nordmann@example.no"
    assert check_answer(field, "kari@x.no?bcc=ola@y.no") is None
