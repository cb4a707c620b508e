"""`says_not_solved`: whether a message after a resolved case continues it (decision 0057)."""

from __future__ import annotations

import pytest

from bot import says_not_solved

NOT_SOLVED = [
    "Det er fortsatt ikke løst",
    "Pengene er fortsatt ikke tilbake",
    "Det virker ikke",
    "Pakken har ikke kommet",
    "Det er ikkje løyst enno",
    "Det fungerar fortfarande inte",
    "Nej, det hjalp ikke",
    "It still doesn't work",
    "My refund hasn't arrived",
    "Not solved",
    "Ongelma ei ole ratkennut",
    "Se ei toimi edelleenkään",
]

NEW_QUESTIONS = [
    "Hvor lang tid tar det å få pengene tilbake etter en retur?",
    "Hvor er pakken min?",
    "Takk, det hjalp!",
    "Kan jeg returnere en vare som ikke passer?",
    "Hvorfor kan jeg ikke logge inn?",
    "Jag vill inte att ni ringer mig, kan jag få svar på e-post?",
    "How long does delivery to Sweden take?",
]


@pytest.mark.parametrize("text", NOT_SOLVED)
def test_a_message_that_says_it_is_not_solved_continues_the_case(text: str) -> None:
    assert says_not_solved(text)


@pytest.mark.parametrize("text", NEW_QUESTIONS)
def test_a_new_question_or_thanks_does_not(text: str) -> None:
    assert not says_not_solved(text)
