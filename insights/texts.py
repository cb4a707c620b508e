"""The report's words in the six languages (the weekly e-mail, and the printed report).

One table: a key per text, each in nb, nn, sv, da, fi and en (a test checks that none is
missing). Values with `{…}` are formatted with the names shown.
"""

from __future__ import annotations

__all__ = ["REPORT_LANGUAGES", "REPORT_TEXTS", "report_language", "say"]

REPORT_LANGUAGES = ("nb", "nn", "sv", "da", "fi", "en")

# fmt: off
REPORT_TEXTS: dict[str, dict[str, str]] = {
    "subject": {
        "nb": "{name}: uke {week} ({start} – {end})",
        "nn": "{name}: veke {week} ({start} – {end})",
        "sv": "{name}: vecka {week} ({start} – {end})",
        "da": "{name}: uge {week} ({start} – {end})",
        "fi": "{name}: viikko {week} ({start} – {end})",
        "en": "{name}: week {week} ({start} – {end})",
    },
    "inquiries": {"nb": "Henvendelser", "nn": "Førespurnader", "sv": "Förfrågningar",
                  "da": "Henvendelser", "fi": "Yhteydenotot", "en": "Inquiries"},
    "conversations": {"nb": "Samtaler", "nn": "Samtalar", "sv": "Samtal", "da": "Samtaler",
                      "fi": "Keskustelut", "en": "Conversations"},
    "self_service_rate": {"nb": "Selvbetjeningsgrad", "nn": "Sjølvbeteningsgrad",
                          "sv": "Självbetjäningsgrad", "da": "Selvbetjeningsgrad",
                          "fi": "Itsepalveluaste", "en": "Self-service rate"},
    "answered": {"nb": "Besvart", "nn": "Svara", "sv": "Besvarade", "da": "Besvaret",
                 "fi": "Vastatut", "en": "Answered"},
    "clarified": {"nb": "Oppklart med valg", "nn": "Oppklart med val",
                  "sv": "Förtydligade med val", "da": "Afklaret med valg",
                  "fi": "Tarkennettu vaihtoehdoilla", "en": "Clarified"},
    "abstained": {"nb": "Ikke besvart", "nn": "Ikkje svara", "sv": "Obesvarade",
                  "da": "Ikke besvaret", "fi": "Vastaamatta", "en": "Abstained"},
    "handoff_rate": {"nb": "Andel overført", "nn": "Del overført", "sv": "Andel överlämnade",
                     "da": "Andel overdraget", "fi": "Siirtoaste", "en": "Hand-off rate"},
    "did_this_help": {"nb": "Var dette til hjelp?", "nn": "Var dette til hjelp?",
                      "sv": "Hjälpte detta?", "da": "Hjalp dette?", "fi": "Auttoiko tämä?",
                      "en": "Did this help?"},
    "yes_no": {"nb": "ja {yes}, nei {no}", "nn": "ja {yes}, nei {no}", "sv": "ja {yes}, nej {no}",
               "da": "ja {yes}, nej {no}", "fi": "kyllä {yes}, ei {no}",
               "en": "yes {yes}, no {no}"},
    "handoffs": {"nb": "Overføringer", "nn": "Overføringar", "sv": "Överlämningar",
                 "da": "Overdragelser", "fi": "Siirrot", "en": "Hand-offs"},
    "first_reply": {"nb": "Første svar (median)", "nn": "Første svar (median)",
                    "sv": "Första svar (median)", "da": "Første svar (median)",
                    "fi": "Ensimmäinen vastaus (mediaani)", "en": "First reply (median)"},
    "resolution": {"nb": "Løst (median)", "nn": "Løyst (median)", "sv": "Löst (median)",
                   "da": "Løst (median)", "fi": "Ratkaistu (mediaani)",
                   "en": "Resolution (median)"},
    "csat": {"nb": "Tilfredshet (1–5)", "nn": "Nøgd (1–5)", "sv": "Nöjdhet (1–5)",
             "da": "Tilfredshed (1–5)", "fi": "Tyytyväisyys (1–5)", "en": "CSAT (1–5)"},
    "reopened": {"nb": "Gjenåpnet innen 7 dager", "nn": "Opna att innan 7 dagar",
                 "sv": "Återöppnade inom 7 dagar", "da": "Genåbnet inden for 7 dage",
                 "fi": "Avattu uudelleen 7 päivässä", "en": "Reopened within 7 days"},
    "returning": {"nb": "Tilbakevendende besøkende", "nn": "Attendevande besøkjande",
                  "sv": "Återkommande besökare", "da": "Tilbagevendende besøgende",
                  "fi": "Palaavat kävijät", "en": "Returning visitors"},
    "of": {"nb": "{part} av {whole}", "nn": "{part} av {whole}", "sv": "{part} av {whole}",
           "da": "{part} af {whole}", "fi": "{part} / {whole}", "en": "{part} of {whole}"},
    "target_line": {
        "nb": "mål {channel} {measure} ≤ {target}: nådd {rate} av {measured}",
        "nn": "mål {channel} {measure} ≤ {target}: nådd {rate} av {measured}",
        "sv": "mål {channel} {measure} ≤ {target}: uppnått {rate} av {measured}",
        "da": "mål {channel} {measure} ≤ {target}: nået {rate} af {measured}",
        "fi": "tavoite {channel} {measure} ≤ {target}: saavutettu {rate} / {measured}",
        "en": "target {channel} {measure} ≤ {target}: met {rate} of {measured}",
    },
    "top_questions": {"nb": "Mest stilte spørsmål", "nn": "Mest stilte spørsmål",
                      "sv": "Vanligaste frågorna", "da": "Mest stillede spørgsmål",
                      "fi": "Kysytyimmät kysymykset", "en": "Top questions"},
    "answers_used": {"nb": "Svar brukt", "nn": "Svar brukte", "sv": "Använda svar",
                     "da": "Brugte svar", "fi": "Käytetyt vastaukset", "en": "Answers used"},
    "largest_gaps": {"nb": "Største hull", "nn": "Største hol", "sv": "Största luckorna",
                     "da": "Største huller", "fi": "Suurimmat aukot", "en": "Largest gaps"},
    "changed_most": {"nb": "Endret mest", "nn": "Endra mest", "sv": "Ändrats mest",
                     "da": "Ændret mest", "fi": "Muuttuneet eniten", "en": "Changed most"},
    "due_for_review": {"nb": "Til gjennomgang", "nn": "Til gjennomgang", "sv": "Ska granskas",
                       "da": "Til gennemgang", "fi": "Tarkistettavat", "en": "Due for review"},
    "not_answered": {"nb": "ikke besvart", "nn": "ikkje svara", "sv": "obesvarad",
                     "da": "ikke besvaret", "fi": "vastaamatta", "en": "not answered"},
    "no_owner": {"nb": "ingen eier", "nn": "ingen eigar", "sv": "ingen ägare",
                 "da": "ingen ejer", "fi": "ei omistajaa", "en": "no owner"},
    "near": {"nb": "nærmest", "nn": "nærast", "sv": "närmast", "da": "nærmest",
             "fi": "lähimmät", "en": "near"},
    "filters": {"nb": "filtre", "nn": "filter", "sv": "filter", "da": "filtre",
                "fi": "suodattimet", "en": "filters"},
    "time_zone": {"nb": "Tidssone {timezone}.", "nn": "Tidssone {timezone}.",
                  "sv": "Tidszon {timezone}.", "da": "Tidszone {timezone}.",
                  "fi": "Aikavyöhyke {timezone}.", "en": "Time zone {timezone}."},
    "inquiries_by_day": {"nb": "Henvendelser per dag", "nn": "Førespurnader per dag",
                         "sv": "Förfrågningar per dag", "da": "Henvendelser pr. dag",
                         "fi": "Yhteydenotot päivittäin", "en": "Inquiries by day"},
    "handoff_targets": {"nb": "Mål for overføringer", "nn": "Mål for overføringar",
                        "sv": "Mål för överlämningar", "da": "Mål for overdragelser",
                        "fi": "Siirtojen tavoitteet", "en": "Hand-off targets"},
    "figure": {"nb": "Tall", "nn": "Tal", "sv": "Nyckeltal", "da": "Tal", "fi": "Luku",
               "en": "Figure"},
    "value": {"nb": "Verdi", "nn": "Verdi", "sv": "Värde", "da": "Værdi", "fi": "Arvo",
              "en": "Value"},
    "count": {"nb": "Antall", "nn": "Tal", "sv": "Antal", "da": "Antal", "fi": "Määrä",
              "en": "Count"},
    "question": {"nb": "Spørsmål", "nn": "Spørsmål", "sv": "Fråga", "da": "Spørgsmål",
                 "fi": "Kysymys", "en": "Question"},
    "answer": {"nb": "Svar", "nn": "Svar", "sv": "Svar", "da": "Svar", "fi": "Vastaus",
               "en": "Answer"},
    "questions": {"nb": "Spørsmål", "nn": "Spørsmål", "sv": "Frågor", "da": "Spørgsmål",
                  "fi": "Kysymyksiä", "en": "Questions"},
    "examples": {"nb": "Eksempler", "nn": "Døme", "sv": "Exempel", "da": "Eksempler",
                 "fi": "Esimerkit", "en": "Examples"},
    "nearest_answers": {"nb": "Nærmeste svar", "nn": "Nærmaste svar", "sv": "Närmaste svar",
                        "da": "Nærmeste svar", "fi": "Lähimmät vastaukset",
                        "en": "Nearest answers"},
    "languages": {"nb": "Språk", "nn": "Språk", "sv": "Språk", "da": "Sprog", "fi": "Kielet",
                  "en": "Languages"},
    "before": {"nb": "Før", "nn": "Før", "sv": "Före", "da": "Før", "fi": "Ennen",
               "en": "Before"},
    "now": {"nb": "Nå", "nn": "No", "sv": "Nu", "da": "Nu", "fi": "Nyt", "en": "Now"},
    "helpful_before": {"nb": "Nyttig før", "nn": "Nyttig før", "sv": "Hjälpsamt före",
                       "da": "Nyttigt før", "fi": "Hyödyllinen ennen", "en": "Helpful before"},
    "helpful_now": {"nb": "Nyttig nå", "nn": "Nyttig no", "sv": "Hjälpsamt nu",
                    "da": "Nyttigt nu", "fi": "Hyödyllinen nyt", "en": "Helpful now"},
    "channel": {"nb": "Kanal", "nn": "Kanal", "sv": "Kanal", "da": "Kanal", "fi": "Kanava",
                "en": "Channel"},
    "measure": {"nb": "Måling", "nn": "Måling", "sv": "Mätning", "da": "Måling",
                "fi": "Mittari", "en": "Measure"},
    "target": {"nb": "Mål", "nn": "Mål", "sv": "Mål", "da": "Mål", "fi": "Tavoite",
               "en": "Target"},
    "median": {"nb": "Median", "nn": "Median", "sv": "Median", "da": "Median",
               "fi": "Mediaani", "en": "Median"},
    "met": {"nb": "Nådd", "nn": "Nådd", "sv": "Uppnått", "da": "Nået", "fi": "Saavutettu",
            "en": "Met"},
    "review_by": {"nb": "Gjennomgås innen", "nn": "Gåast gjennom innan",
                  "sv": "Granskas senast", "da": "Gennemgås senest",
                  "fi": "Tarkistettava viimeistään", "en": "Review by"},
    "owner": {"nb": "Eier", "nn": "Eigar", "sv": "Ägare", "da": "Ejer", "fi": "Omistaja",
              "en": "Owner"},
}
# fmt: on


def report_language(wanted: str | None, default: str) -> str:
    """The report's language: `wanted` (a setting) when given, else the base's default
    language; English for a language the report has no words for."""
    lang = (wanted or default or "en").lower()
    return lang if lang in REPORT_LANGUAGES else "en"


def say(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` (English when the language has none), formatted."""
    texts = REPORT_TEXTS[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text
