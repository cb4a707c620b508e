"""What the bot itself says, in the six languages.

Every mapping has all six languages (`tests/bot/test_texts.py` checks it). Texts with
`{case}` are formatted with a case number.
"""

from __future__ import annotations

__all__ = [
    "ABSTAIN",
    "CLARIFY",
    "ESCALATE",
    "FALLBACK_NOTE",
    "MACHINE_TRANSLATED_NOTE",
    "PAGE_OFFER",
    "SORRY",
    "THANKS",
    "WELCOME_BACK_CASE",
    "WELCOME_BACK_PLAIN",
    "WELCOME_BACK_TOPICS",
]

CLARIFY = {
    "nb": "Jeg er ikke helt sikker på hva du mener. Gjelder det ett av disse?",
    "nn": "Eg er ikkje heilt sikker på kva du meiner. Gjeld det eitt av desse?",
    "sv": "Jag är inte helt säker på vad du menar. Gäller det något av dessa?",
    "da": "Jeg er ikke helt sikker på, hvad du mener. Drejer det sig om et af disse?",
    "fi": "En ole aivan varma, mitä tarkoitat. Koskeeko kysymyksesi jotakin näistä?",
    "en": "I'm not quite sure what you mean. Is it one of these?",
}

ABSTAIN = {
    "nb": "Det har jeg dessverre ikke et sikkert svar på. Vil du snakke med en av oss?",
    "nn": "Det har eg dessverre ikkje eit sikkert svar på. Vil du snakke med ein av oss?",
    "sv": "Tyvärr har jag inget säkert svar på det. Vill du prata med någon av oss?",
    "da": "Det har jeg desværre ikke et sikkert svar på. Vil du tale med en af os?",
    "fi": "Valitettavasti minulla ei ole tähän varmaa vastausta. Haluatko jutella kanssamme?",
    "en": "I'm afraid I don't have a reliable answer to that. Would you like to talk to one of us?",
}

FALLBACK_NOTE = {
    "nb": "Dette svaret finnes ikke på ditt språk ennå.",
    "nn": "Dette svaret finst ikkje på språket ditt enno.",
    "sv": "Det här svaret finns inte på ditt språk ännu.",
    "da": "Dette svar findes ikke på dit sprog endnu.",
    "fi": "Tätä vastausta ei ole vielä saatavilla kielelläsi.",
    "en": "This answer is not available in your language yet.",
}

#: Handing over, by `Escalate.reason`.
ESCALATE = {
    "asked_for_human": {
        "nb": "Jeg henter en person som kan hjelpe deg. Skriv gjerne mer om saken mens du venter.",
        "nn": "Eg hentar ein person som kan hjelpe deg. Skriv gjerne meir om saka medan du ventar.",
        "sv": "Jag hämtar en person som kan hjälpa dig. Skriv gärna mer om ärendet medan du "
        "väntar.",
        "da": "Jeg henter en medarbejder, der kan hjælpe dig. Skriv gerne mere om din sag, "
        "mens du venter.",
        "fi": "Pyydän paikalle ihmisen, joka voi auttaa sinua. Voit kertoa asiastasi lisää "
        "sillä välin, kun odotat.",
        "en": "I'll get a person to help you. Feel free to tell us more while you wait.",
    },
    "unresolved": {
        "nb": "Dette klarer jeg ikke å hjelpe deg godt nok med, så jeg henter en person som "
        "kan. Skriv gjerne mer om saken mens du venter.",
        "nn": "Dette klarer eg ikkje å hjelpe deg godt nok med, så eg hentar ein person som "
        "kan. Skriv gjerne meir om saka medan du ventar.",
        "sv": "Det här kan jag inte hjälpa dig tillräckligt bra med, så jag hämtar en person "
        "som kan. Skriv gärna mer om ärendet medan du väntar.",
        "da": "Det kan jeg ikke hjælpe dig godt nok med, så jeg henter en medarbejder, der kan. "
        "Skriv gerne mere om din sag, mens du venter.",
        "fi": "En pysty auttamaan tässä tarpeeksi hyvin, joten pyydän paikalle ihmisen, joka "
        "pystyy. Voit kertoa asiastasi lisää sillä välin, kun odotat.",
        "en": "I can't help you well enough with this, so I'll get a person who can. Feel free "
        "to tell us more while you wait.",
    },
}
ESCALATE["accepted_offer"] = ESCALATE["asked_for_human"]
# A channel without a dialogue (e-mail, the channel API): the question goes to a person.
ESCALATE["unanswered"] = {
    "nb": "Takk for henvendelsen. Vi har registrert saken din, og en medarbeider svarer deg "
    "så snart som mulig.",
    "nn": "Takk for førespurnaden. Vi har registrert saka di, og ein medarbeidar svarar deg "
    "så snart som mogleg.",
    "sv": "Tack för ditt meddelande. Vi har registrerat ditt ärende och en medarbetare svarar "
    "dig så snart som möjligt.",
    "da": "Tak for din henvendelse. Vi har registreret din sag, og en medarbejder svarer dig "
    "hurtigst muligt.",
    "fi": "Kiitos yhteydenotostasi. Olemme kirjanneet asiasi, ja asiakaspalvelumme vastaa "
    "sinulle mahdollisimman pian.",
    "en": "Thank you for your message. We have registered your case, and a member of our "
    "team will answer you as soon as possible.",
}
# The end of a guided flow, when the flow gives no message of its own.
ESCALATE["flow"] = {
    "nb": "Takk! Jeg har sendt saken videre med det du har fortalt, og en av oss tar den.",
    "nn": "Takk! Eg har sendt saka vidare med det du har fortalt, og ein av oss tek henne.",
    "sv": "Tack! Jag har skickat ärendet vidare med det du har berättat, och någon av oss tar det.",
    "da": "Tak! Jeg har sendt sagen videre med det, du har fortalt, og en af os tager den.",
    "fi": "Kiitos! Välitin asian eteenpäin kertomiesi tietojen kanssa, ja joku meistä hoitaa sen.",
    "en": "Thank you! I've passed this on with what you told me, and one of us will take it.",
}

#: After "did this help?": yes.
THANKS = {
    "nb": "Så bra at det hjalp! Er det noe mer jeg kan hjelpe deg med?",
    "nn": "Så bra at det hjelpte! Er det noko meir eg kan hjelpe deg med?",
    "sv": "Vad bra att det hjälpte! Är det något mer jag kan hjälpa dig med?",
    "da": "Godt, at det hjalp! Er der andet, jeg kan hjælpe dig med?",
    "fi": "Hienoa, että siitä oli apua! Voinko auttaa jossain muussa?",
    "en": "Glad that helped! Is there anything else I can help you with?",
}

#: After "did this help?": no.
SORRY = {
    "nb": "Beklager at det ikke hjalp. Prøv gjerne å spørre på en annen måte, eller snakk med "
    "en av oss.",
    "nn": "Orsak at det ikkje hjelpte. Prøv gjerne å spørje på ein annan måte, eller snakk med "
    "ein av oss.",
    "sv": "Förlåt att det inte hjälpte. Försök gärna fråga på ett annat sätt, eller prata med "
    "någon av oss.",
    "da": "Beklager, at det ikke hjalp. Prøv gerne at spørge på en anden måde, eller tal med "
    "en af os.",
    "fi": "Pahoittelen, ettei siitä ollut apua. Voit kysyä toisin sanoin tai jutella kanssamme.",
    "en": "Sorry that didn't help. Try asking in another way, or talk to one of us.",
}

#: A proactive offer from the answers' `pages` patterns.
PAGE_OFFER = {
    "nb": "Trenger du hjelp? Kanskje er det noe av dette du lurer på:",
    "nn": "Treng du hjelp? Kanskje er det noko av dette du lurer på:",
    "sv": "Behöver du hjälp? Kanske är det här vad du undrar över:",
    "da": "Har du brug for hjælp? Måske er det her, hvad du leder efter:",
    "fi": "Tarvitsetko apua? Ehkä etsit tätä:",
    "en": "Need a hand? Perhaps this is what you're looking for:",
}

#: Welcome back after a conversation that was handed off (with its case number).
WELCOME_BACK_CASE = {
    "nb": "Velkommen tilbake! Gjelder det saken din {case}?",
    "nn": "Velkomen tilbake! Gjeld det saka di {case}?",
    "sv": "Välkommen tillbaka! Gäller det ditt ärende {case}?",
    "da": "Velkommen tilbage! Drejer det sig om din sag {case}?",
    "fi": "Tervetuloa takaisin! Koskeeko asiasi tapaustasi {case}?",
    "en": "Welcome back! Is this about your case {case}?",
}

#: Welcome back after an unresolved conversation, with its topics as choices.
WELCOME_BACK_TOPICS = {
    "nb": "Velkommen tilbake! Sist fikk vi ikke helt løst det du lurte på. Gjelder det noe av "
    "dette?",
    "nn": "Velkomen tilbake! Sist fekk vi ikkje heilt løyst det du lurte på. Gjeld det noko av "
    "dette?",
    "sv": "Välkommen tillbaka! Förra gången löste vi inte riktigt det du undrade över. Gäller "
    "det något av det här?",
    "da": "Velkommen tilbage! Sidst fik vi ikke helt løst det, du spurgte om. Drejer det sig om "
    "noget af dette?",
    "fi": "Tervetuloa takaisin! Viimeksi emme saaneet asiaasi aivan ratkaistua. Koskeeko se "
    "jotakin näistä?",
    "en": "Welcome back! Last time we didn't quite solve what you asked about. Is it one of these?",
}

#: Welcome back after an unresolved conversation with no topic to suggest.
WELCOME_BACK_PLAIN = {
    "nb": "Velkommen tilbake! Sist fikk vi ikke helt løst det du lurte på. Skriv gjerne hva det "
    "gjelder, så prøver vi igjen.",
    "nn": "Velkomen tilbake! Sist fekk vi ikkje heilt løyst det du lurte på. Skriv gjerne kva det "
    "gjeld, så prøver vi igjen.",
    "sv": "Välkommen tillbaka! Förra gången löste vi inte riktigt det du undrade över. Skriv "
    "gärna vad det gäller, så försöker vi igen.",
    "da": "Velkommen tilbage! Sidst fik vi ikke helt løst det, du spurgte om. Skriv gerne, hvad "
    "det drejer sig om, så prøver vi igen.",
    "fi": "Tervetuloa takaisin! Viimeksi emme saaneet asiaasi aivan ratkaistua. Kerro, mitä asia "
    "koskee, niin yritetään uudelleen.",
    "en": "Welcome back! Last time we didn't quite solve what you asked about. Tell me what it's "
    "about and we'll try again.",
}

# Shown with an answer the LLM wrote or translated from another language than the visitor's.
MACHINE_TRANSLATED_NOTE = {
    "nb": "Dette svaret er maskinoversatt.",
    "nn": "Dette svaret er omsett av ein maskin.",
    "sv": "Det här svaret är maskinöversatt.",
    "da": "Dette svar er oversat af en maskine.",
    "fi": "Tämä vastaus on konekäännetty.",
    "en": "This answer was machine-translated.",
}
