"""The e-mail channel's own words, in every language the widget speaks (nb, nn, sv, da, fi,
en): the line under an answer, the acknowledgement with the case number (sent before the
bot has read the mail, so it promises an answer, not a person), and the subject of a mail
that came without one."""

from __future__ import annotations

__all__ = ["LANGUAGES", "mail_language", "say"]

LANGUAGES = ("nb", "nn", "sv", "da", "fi", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "answer_footer": {
        "nb": "Svar på denne e-posten hvis du trenger mer hjelp, så får en av oss saken.",
        "nn": "Svar på denne e-posten om du treng meir hjelp, så får ein av oss saka.",
        "sv": "Svara på det här mejlet om du behöver mer hjälp, så tar någon av oss ärendet.",
        "da": "Svar på denne e-mail, hvis du har brug for mere hjælp, så får en af os sagen.",
        "fi": "Vastaa tähän viestiin, jos tarvitset lisää apua, niin joku meistä hoitaa asian.",
        "en": "Reply to this e-mail if you need more help, and one of us will take it on.",
    },
    "acknowledgement": {
        "nb": "Takk for e-posten din. Vi har registrert den som sak {case}, og du får svar "
        "på e-post så snart vi kan. Svar på denne e-posten hvis du vil legge til noe.",
        "nn": "Takk for e-posten din. Vi har registrert han som sak {case}, og du får svar "
        "på e-post så snart vi kan. Svar på denne e-posten om du vil leggje til noko.",
        "sv": "Tack för ditt mejl. Vi har registrerat det som ärende {case}, och du får svar "
        "via mejl så snart vi kan. Svara på det här mejlet om du vill lägga till något.",
        "da": "Tak for din e-mail. Vi har registreret den som sag {case}, og du får svar på "
        "e-mail, så snart vi kan. Svar på denne e-mail, hvis du vil tilføje noget.",
        "fi": "Kiitos viestistäsi. Olemme kirjanneet sen asiaksi {case}, ja saat vastauksen "
        "sähköpostitse niin pian kuin voimme. Vastaa tähän viestiin, jos haluat lisätä "
        "jotain.",
        "en": "Thank you for your e-mail. We have registered it as case {case}, and you will "
        "get an answer by e-mail as soon as we can. Reply to this e-mail if you want to add "
        "something.",
    },
    "added": {
        "nb": "Takk, vi har lagt meldingen din til sak {case}.",
        "nn": "Takk, vi har lagt meldinga di til sak {case}.",
        "sv": "Tack, vi har lagt till ditt meddelande i ärende {case}.",
        "da": "Tak, vi har føjet din besked til sag {case}.",
        "fi": "Kiitos, lisäsimme viestisi asiaan {case}.",
        "en": "Thank you, we have added your message to case {case}.",
    },
    "agent_footer": {
        "nb": "Svar på denne e-posten for å svare oss; svaret ditt kommer til sak {case}.",
        "nn": "Svar på denne e-posten for å svare oss; svaret ditt kjem til sak {case}.",
        "sv": "Svara på det här mejlet för att svara oss; ditt svar hamnar i ärende {case}.",
        "da": "Svar på denne e-mail for at svare os; dit svar kommer med i sag {case}.",
        "fi": "Vastaa tähän viestiin vastataksesi meille; vastauksesi liitetään asiaan {case}.",
        "en": "Reply to this e-mail to answer us; your reply joins case {case}.",
    },
    "subject": {
        "nb": "Din henvendelse",
        "nn": "Førespurnaden din",
        "sv": "Ditt ärende",
        "da": "Din henvendelse",
        "fi": "Yhteydenottosi",
        "en": "Your inquiry",
    },
}


def mail_language(*candidates: str | None) -> str:
    """The first of `candidates` that the mails are written in, else English."""
    for lang in candidates:
        if lang and lang.lower()[:2] in LANGUAGES:
            return lang.lower()[:2]
    return "en"


def say(key: str, lang: str, **values: str) -> str:
    return _TEXTS[key][mail_language(lang)].format(**values)
