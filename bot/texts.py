"""What the bot itself says, in the six languages."""

from __future__ import annotations

__all__ = ["ABSTAIN", "CLARIFY", "FALLBACK_NOTE"]

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
