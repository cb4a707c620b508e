"""What the bot says in a guided flow, in the six languages, and the words it reads.

Templates (`{date}`, `{options}`, `{low}`, `{high}`) and word lists; `tests/bot/test_flows.py`
checks that every one has all six languages.
"""

from __future__ import annotations

#: The buttons of a yes/no question (the visitor may also write the words in a sentence).
YES_LABEL = {"nb": "Ja", "nn": "Ja", "sv": "Ja", "da": "Ja", "fi": "Kyllä", "en": "Yes"}
NO_LABEL = {"nb": "Nei", "nn": "Nei", "sv": "Nej", "da": "Nej", "fi": "Ei", "en": "No"}

#: Words that mean yes or no anywhere in a reply, when only one kind is there ("ja, den falt
#: i gulvet"); negations count as no ("den har ikke falt").
YES_WORDS = frozenset(
    [
        "ja",
        "jepp",
        "japp",
        "jada",
        "joda",
        "javisst",
        "jovisst",
        "absolutt",
        "stemmer",
        "jaa",
        "jeps",
        "stämmer",
        "precis",
        "rigtigt",
        "selvfølgelig",
        "kyllä",
        "joo",
        "juu",
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "correct",
        "definitely",
    ]
)
NO_WORDS = frozenset(
    [
        "nei",
        "nope",
        "neida",
        "aldri",
        "ikke",
        "ikkje",
        "inte",
        "icke",
        "nej",
        "aldrig",
        "eikä",
        "never",
        "not",
        "nah",
    ]
)
#: Words that mean yes or no only as the first word of a reply: elsewhere they are ordinary
#: words in another language ("jo" is an adverb, "ei" an article, "no" is "now" in nynorsk).
FIRST_YES_WORDS = frozenset(["jo", "visst", "ok", "okay", "pitää"])
FIRST_NO_WORDS = frozenset(["ei", "no", "en"])

#: A reply with no date in it.
NO_DATE = {
    "nb": "Jeg fant ingen dato i svaret. Skriv den gjerne som 14.3.2025, «i mars i fjor» eller "
    "«for to år siden».",
    "nn": "Eg fann ingen dato i svaret. Skriv han gjerne som 14.3.2025, «i mars i fjor» eller "
    "«for to år sidan».",
    "sv": "Jag hittade inget datum i svaret. Skriv det gärna som 14.3.2025, ”i mars i fjol” "
    "eller ”för två år sedan”.",
    "da": "Jeg fandt ingen dato i svaret. Skriv den gerne som 14.3.2025, »i marts sidste år« "
    "eller »for to år siden«.",
    "fi": "En löytänyt vastauksesta päivämäärää. Kirjoita se esimerkiksi 14.3.2025, ”viime "
    "vuonna maaliskuussa” tai ”kaksi vuotta sitten”.",
    "en": 'I found no date in that. Write it like 14.3.2025, "in March last year" or '
    '"two years ago".',
}

#: Two different dates in one reply.
TWO_DATES = {
    "nb": "Jeg fant mer enn én dato i svaret. Hvilken av dem mener du?",
    "nn": "Eg fann meir enn éin dato i svaret. Kva for ein av dei meiner du?",
    "sv": "Jag hittade mer än ett datum i svaret. Vilket av dem menar du?",
    "da": "Jeg fandt mere end én dato i svaret. Hvilken af dem mener du?",
    "fi": "Löysin vastauksesta useamman kuin yhden päivämäärän. Kumpaa tarkoitat?",
    "en": "I found more than one date in that. Which one do you mean?",
}

#: A date after today where only past dates make sense (a purchase date).
FUTURE_DATE = {
    "nb": "{date} er fram i tid, så det kan ikke stemme.",
    "nn": "{date} er fram i tid, så det kan ikkje stemme.",
    "sv": "{date} ligger i framtiden, så det kan inte stämma.",
    "da": "{date} ligger ude i fremtiden, så det kan ikke passe.",
    "fi": "{date} on tulevaisuudessa, joten se ei voi pitää paikkaansa.",
    "en": "{date} is in the future, so that can't be right.",
}

#: A date before today where only future dates make sense.
PAST_DATE = {
    "nb": "{date} har allerede vært, og her trenger jeg en dato fram i tid.",
    "nn": "{date} har alt vore, og her treng eg ein dato fram i tid.",
    "sv": "{date} har redan varit, och här behöver jag ett datum framåt i tiden.",
    "da": "{date} er allerede passeret, og her skal jeg bruge en dato ude i fremtiden.",
    "fi": "{date} on jo mennyt, ja tarvitsen tähän tulevan päivämäärän.",
    "en": "{date} has already passed, and this needs a date ahead.",
}

#: A reply that is neither yes nor no.
NOT_YES_NO = {
    "nb": "Jeg skjønte ikke om det var ja eller nei.",
    "nn": "Eg skjønte ikkje om det var ja eller nei.",
    "sv": "Jag förstod inte om det var ja eller nej.",
    "da": "Jeg forstod ikke, om det var ja eller nej.",
    "fi": "En ymmärtänyt, oliko vastaus kyllä vai ei.",
    "en": "I couldn't tell whether that was a yes or a no.",
}

#: A reply with no number, or with several.
NOT_A_NUMBER = {
    "nb": "Skriv det gjerne som ett tall, for eksempel 2.",
    "nn": "Skriv det gjerne som eitt tal, til dømes 2.",
    "sv": "Skriv det gärna som ett tal, till exempel 2.",
    "da": "Skriv det gerne som ét tal, for eksempel 2.",
    "fi": "Kirjoita se yhtenä numerona, esimerkiksi 2.",
    "en": "Please write it as one number, for example 2.",
}

#: A number outside what the question accepts.
NUMBER_RANGE = {
    "nb": "Tallet må være mellom {low} og {high}.",
    "nn": "Talet må vere mellom {low} og {high}.",
    "sv": "Talet måste vara mellan {low} och {high}.",
    "da": "Tallet skal være mellem {low} og {high}.",
    "fi": "Luvun pitää olla välillä {low}–{high}.",
    "en": "The number must be between {low} and {high}.",
}

#: A reply that matches none of the options (or several).
NOT_AN_OPTION = {
    "nb": "Velg gjerne ett av disse: {options}.",
    "nn": "Vel gjerne eitt av desse: {options}.",
    "sv": "Välj gärna ett av de här: {options}.",
    "da": "Vælg gerne en af disse: {options}.",
    "fi": "Valitse jokin näistä: {options}.",
    "en": "Please pick one of these: {options}.",
}

#: A reply with no e-mail address in it.
NO_EMAIL = {
    "nb": "Jeg fant ingen e-postadresse i svaret; den ser ut som kari@example.no.",
    "nn": "Eg fann inga e-postadresse i svaret; ho ser ut som kari@example.no.",
    "sv": "Jag hittade ingen e-postadress i svaret; den ser ut som karin@example.se.",
    "da": "Jeg fandt ingen e-mailadresse i svaret; den ser ud som karen@example.dk.",
    "fi": "En löytänyt vastauksesta sähköpostiosoitetta; se näyttää tältä: kaisa@example.fi.",
    "en": "I found no e-mail address in that; it looks like kari@example.com.",
}

#: A reply with no phone number in it.
NO_PHONE = {
    "nb": "Jeg fant ikke noe telefonnummer i svaret. Skriv det gjerne som 912 34 567.",
    "nn": "Eg fann ikkje noko telefonnummer i svaret. Skriv det gjerne som 912 34 567.",
    "sv": "Jag hittade inget telefonnummer i svaret. Skriv det gärna som 070-123 45 67.",
    "da": "Jeg fandt ikke noget telefonnummer i svaret. Skriv det gerne som 12 34 56 78.",
    "fi": "En löytänyt vastauksesta puhelinnumeroa. Kirjoita se esimerkiksi 040 123 4567.",
    "en": "I found no phone number in that. Write it like +47 912 34 567.",
}

#: The flow was edited while the visitor was in it: start its new version.
FLOW_CHANGED = {
    "nb": "Spørsmålene her er endret mens vi snakket, så vi begynner på nytt.",
    "nn": "Spørsmåla her er endra medan vi snakka, så vi byrjar på nytt.",
    "sv": "Frågorna här har ändrats medan vi pratade, så vi börjar om.",
    "da": "Spørgsmålene her er blevet ændret, mens vi talte sammen, så vi starter forfra.",
    "fi": "Näitä kysymyksiä on muutettu keskustelumme aikana, joten aloitetaan alusta.",
    "en": "These questions were changed while we talked, so let's start again.",
}

#: Going back to a flow the visitor left for another question.
FLOW_RESUMED = {
    "nb": "Da fortsetter vi der vi slapp.",
    "nn": "Då held vi fram der vi slapp.",
    "sv": "Då fortsätter vi där vi slutade.",
    "da": "Så fortsætter vi, hvor vi slap.",
    "fi": "Jatketaan siitä, mihin jäimme.",
    "en": "Let's go on where we left off.",
}

#: With the answer to a question asked in the middle of a flow: how to go back to it.
RESUME_NOTE = {
    "nb": "Skriv «fortsett» når du vil gå tilbake til spørsmålene mine.",
    "nn": "Skriv «fortset» når du vil gå tilbake til spørsmåla mine.",
    "sv": "Skriv ”fortsätt” när du vill gå tillbaka till mina frågor.",
    "da": "Skriv »fortsæt«, når du vil vende tilbage til mine spørgsmål.",
    "fi": "Kirjoita ”jatka”, kun haluat palata kysymyksiini.",
    "en": 'Write "continue" when you want to go back to my questions.',
}

#: Whole messages that go back to the flow the visitor left.
RESUME_WORDS = frozenset(
    [
        "fortsett",
        "fortsette",
        "fortset",
        "halde fram",
        "hald fram",
        "fortsätt",
        "fortsätta",
        "fortsæt",
        "fortsætte",
        "jatka",
        "jatketaan",
        "continue",
        "resume",
        "go on",
        "gå videre",
        "gå vidare",
    ]
)

#: A decision needs a value the visitor did not give: a person takes it from here.
FLOW_MISSING = {
    "nb": "Uten det kan jeg ikke avgjøre saken selv, så jeg sender den til en av oss.",
    "nn": "Utan det kan eg ikkje avgjere saka sjølv, så eg sender henne til ein av oss.",
    "sv": "Utan det kan jag inte avgöra ärendet själv, så jag skickar det till någon av oss.",
    "da": "Uden det kan jeg ikke afgøre sagen selv, så jeg sender den til en af os.",
    "fi": "Ilman sitä en voi ratkaista asiaa itse, joten välitän sen jollekulle meistä.",
    "en": "Without that I can't settle it myself, so I'm passing it to one of us.",
}

ALL_TEXTS = {
    "YES_LABEL": YES_LABEL,
    "NO_LABEL": NO_LABEL,
    "NO_DATE": NO_DATE,
    "TWO_DATES": TWO_DATES,
    "FUTURE_DATE": FUTURE_DATE,
    "PAST_DATE": PAST_DATE,
    "NOT_YES_NO": NOT_YES_NO,
    "NOT_A_NUMBER": NOT_A_NUMBER,
    "NUMBER_RANGE": NUMBER_RANGE,
    "NOT_AN_OPTION": NOT_AN_OPTION,
    "NO_EMAIL": NO_EMAIL,
    "NO_PHONE": NO_PHONE,
    "FLOW_CHANGED": FLOW_CHANGED,
    "FLOW_RESUMED": FLOW_RESUMED,
    "RESUME_NOTE": RESUME_NOTE,
    "FLOW_MISSING": FLOW_MISSING,
}
