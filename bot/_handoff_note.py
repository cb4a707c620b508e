"""The hand-off note's parts that need no LLM: parsing its reply, the rule-based fallback."""

from __future__ import annotations

import json
import re

from bot.assisted import URGENCIES
from bot.errors import UngroundedReply

__all__ = ["MAX_SUMMARY_CHARS", "fallback_summary", "higher_urgency", "parse_summary"]

MAX_SUMMARY_CHARS = 800

FALLBACK_SUMMARY = {
    "nb": "Besøkende skriver: «{question}». Svar som er prøvd: {tried}.",
    "nn": "Den besøkjande skriv: «{question}». Svar som er prøvde: {tried}.",
    "sv": "Besökaren skriver: ”{question}”. Svar som har provats: {tried}.",
    "da": "Den besøgende skriver: »{question}«. Svar, der er prøvet: {tried}.",
    "fi": "Kävijä kirjoittaa: ”{question}”. Kokeillut vastaukset: {tried}.",
    "en": 'The visitor writes: "{question}". Answers tried: {tried}.',
}
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def higher_urgency(floor: str, suggested: str | None) -> str:
    if suggested is None or URGENCIES.index(suggested) <= URGENCIES.index(floor):
        return floor
    return suggested


def parse_summary(raw: str) -> tuple[str, str]:
    found = _JSON_OBJECT.search(raw)
    try:
        data = json.loads(found.group() if found else raw)
    except json.JSONDecodeError as exc:
        raise UngroundedReply("the summary is not JSON", "malformed_response") from exc
    summary = data.get("summary") if isinstance(data, dict) else None
    urgency = str(data.get("urgency", "")).strip().lower() if isinstance(data, dict) else ""
    if not isinstance(summary, str) or not summary.strip():
        raise UngroundedReply("the summary is missing", "malformed_response")
    if len(summary) > MAX_SUMMARY_CHARS:
        raise UngroundedReply("the summary is too long", "malformed_response")
    if urgency not in URGENCIES:
        raise UngroundedReply(f"the urgency {urgency!r} is not one of ours", "malformed_response")
    return summary.strip(), urgency


def fallback_summary(lang: str, question: str, tried: list[str]) -> str:
    """A summary without an LLM: the visitor's question and the answers already given."""
    template = FALLBACK_SUMMARY.get(lang, FALLBACK_SUMMARY["en"])
    return template.format(question=question, tried=", ".join(dict.fromkeys(tried)) or "–")
