"""What the hand-off says to visitors, in the six languages: the acknowledgement, an agent
joining, resolution and the rating, reopening. Every mapping has the six languages."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "ACK_ASSIGNED",
    "ACK_OFF_HOURS",
    "ACK_QUEUE",
    "ACK_QUEUE_NO_ESTIMATE",
    "EMAIL_SAVED",
    "JOINED",
    "RATED",
    "REOPENED",
    "RESOLVED",
    "format_opening",
]

ACK_QUEUE = {
    "nb": "Saken din har nummer {case}. Du er nummer {place} i køen, og ventetiden er omtrent {wait} min.",
    "nn": "Saka di har nummer {case}. Du er nummer {place} i køen, og ventetida er omtrent {wait} min.",
    "sv": "Ditt ärende har nummer {case}. Du är nummer {place} i kön, och väntetiden är ungefär {wait} min.",
    "da": "Din sag har nummer {case}. Du er nummer {place} i køen, og ventetiden er cirka {wait} min.",
    "fi": "Asiasi numero on {case}. Olet jonossa sijalla {place}, ja odotusaika on noin {wait} min.",
    "en": "Your case number is {case}. You are number {place} in the queue; the wait is about {wait} min.",
}

ACK_QUEUE_NO_ESTIMATE = {
    "nb": "Saken din har nummer {case}. Du er nummer {place} i køen. En av oss svarer deg her.",
    "nn": "Saka di har nummer {case}. Du er nummer {place} i køen. Ein av oss svarar deg her.",
    "sv": "Ditt ärende har nummer {case}. Du är nummer {place} i kön. Någon av oss svarar dig här.",
    "da": "Din sag har nummer {case}. Du er nummer {place} i køen. En af os svarer dig her.",
    "fi": "Asiasi numero on {case}. Olet jonossa sijalla {place}. Joku meistä vastaa sinulle tässä.",
    "en": "Your case number is {case}. You are number {place} in the queue. One of us will answer here.",
}

ACK_ASSIGNED = {
    "nb": "Saken din har nummer {case}. {agent} svarer deg her om et øyeblikk.",
    "nn": "Saka di har nummer {case}. {agent} svarar deg her om eit augeblink.",
    "sv": "Ditt ärende har nummer {case}. {agent} svarar dig här om ett ögonblick.",
    "da": "Din sag har nummer {case}. {agent} svarer dig her om et øjeblik.",
    "fi": "Asiasi numero on {case}. {agent} vastaa sinulle tässä hetken kuluttua.",
    "en": "Your case number is {case}. {agent} will answer you here in a moment.",
}

ACK_OFF_HOURS = {
    "nb": "Saken din har nummer {case}. Vi er ikke på jobb nå, men svarer deg {when}. Legg gjerne igjen e-postadressen din, så får du svaret der også.",
    "nn": "Saka di har nummer {case}. Vi er ikkje på jobb no, men svarar deg {when}. Legg gjerne igjen e-postadressa di, så får du svaret der òg.",
    "sv": "Ditt ärende har nummer {case}. Vi är inte på plats just nu, men svarar dig {when}. Lämna gärna din e-postadress, så får du svaret där också.",
    "da": "Din sag har nummer {case}. Vi er ikke på arbejde lige nu, men svarer dig {when}. Efterlad gerne din e-mailadresse, så får du også svaret der.",
    "fi": "Asiasi numero on {case}. Emme ole nyt paikalla, mutta vastaamme sinulle {when}. Voit jättää sähköpostiosoitteesi, niin saat vastauksen myös sinne.",
    "en": "Your case number is {case}. We are not at work right now, but will answer you {when}. Leave your e-mail address if you like, and you will get the answer there too.",
}

JOINED = {
    "nb": "{agent} har tatt over samtalen.",
    "nn": "{agent} har teke over samtalen.",
    "sv": "{agent} har tagit över samtalet.",
    "da": "{agent} har overtaget samtalen.",
    "fi": "{agent} jatkaa keskustelua kanssasi.",
    "en": "{agent} has joined the conversation.",
}

RESOLVED = {
    "nb": "Saken {case} er løst. Hvor fornøyd er du med hjelpen? Gi gjerne en karakter fra 1 til 5.",
    "nn": "Saka {case} er løyst. Kor nøgd er du med hjelpa? Gi gjerne ein karakter frå 1 til 5.",
    "sv": "Ärendet {case} är löst. Hur nöjd är du med hjälpen? Ge gärna ett betyg från 1 till 5.",
    "da": "Sagen {case} er løst. Hvor tilfreds er du med hjælpen? Giv gerne en karakter fra 1 til 5.",
    "fi": "Asia {case} on ratkaistu. Kuinka tyytyväinen olit saamaasi apuun? Anna arvosana 1–5.",
    "en": "Your case {case} is resolved. How happy are you with the help? Please rate it from 1 to 5.",
}

RATED = {
    "nb": "Takk for tilbakemeldingen!",
    "nn": "Takk for tilbakemeldinga!",
    "sv": "Tack för din återkoppling!",
    "da": "Tak for din tilbagemelding!",
    "fi": "Kiitos palautteestasi!",
    "en": "Thank you for your feedback!",
}

REOPENED = {
    "nb": "Vi har åpnet saken {case} igjen. En av oss svarer deg her.",
    "nn": "Vi har opna saka {case} igjen. Ein av oss svarar deg her.",
    "sv": "Vi har öppnat ärendet {case} igen. Någon av oss svarar dig här.",
    "da": "Vi har genåbnet sagen {case}. En af os svarer dig her.",
    "fi": "Avasimme asian {case} uudelleen. Joku meistä vastaa sinulle tässä.",
    "en": "We have reopened your case {case}. One of us will answer you here.",
}

EMAIL_SAVED = {
    "nb": "Takk! Vi sender svaret til {email} også.",
    "nn": "Takk! Vi sender svaret til {email} òg.",
    "sv": "Tack! Vi skickar svaret till {email} också.",
    "da": "Tak! Vi sender også svaret til {email}.",
    "fi": "Kiitos! Lähetämme vastauksen myös osoitteeseen {email}.",
    "en": "Thank you! We will send the answer to {email} too.",
}

_WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "søndag"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "fi": (
        "maanantaina",
        "tiistaina",
        "keskiviikkona",
        "torstaina",
        "perjantaina",
        "lauantaina",
        "sunnuntaina",
    ),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WHEN = {
    "nb": "{weekday} {day}.{month}. kl. {time}",
    "nn": "{weekday} {day}.{month}. kl. {time}",
    "sv": "{weekday} {day}/{month} kl. {time}",
    "da": "{weekday} d. {day}.{month}. kl. {time}",
    "fi": "{weekday} {day}.{month}. klo {time}",
    "en": "on {weekday} {day} {month_name} at {time}",
}


def format_opening(when: dt.datetime, lang: str) -> str:
    """ "mandag 4.1. kl. 08:00", "on Monday 4 January at 08:00" (`when` in local time)."""
    return _WHEN[lang].format(
        weekday=_WEEKDAYS[lang][when.weekday()],
        day=when.day,
        month=when.month,
        month_name=_MONTHS_EN[when.month - 1],
        time=when.strftime("%H:%M") if lang != "fi" else f"{when.hour}.{when.minute:02d}",
    )
