"""The LLM's suggested urgency beside the rules' (issue 6, "handoff help"): the rules' level is
the floor, and the agent sees both."""

from __future__ import annotations

from bot import HandoffNote
from conversations.handoffs import with_suggestion
from handoff import Urgency, UrgencyReason

RULES = Urgency("normal", (UrgencyReason("failures", "normal", "2 unresolved turns"),))


def note(suggested: str | None, *, by_llm: bool = True) -> HandoffNote:
    return HandoffNote("Kortet avvises fortsatt.", "nb", "normal", "normal", suggested, by_llm)


def test_a_higher_suggestion_raises_the_level_and_shows_what_the_rules_gave() -> None:
    urgency = with_suggestion(RULES, note("high"))
    assert urgency.level == "high"
    assert urgency.reasons[0] == RULES.reasons[0]
    assert urgency.reasons[1].rule == "llm_suggestion"
    assert urgency.reasons[1].level == "high"
    assert "the rules gave normal" in urgency.reasons[1].detail


def test_a_lower_suggestion_never_lowers_the_level_but_is_shown() -> None:
    urgency = with_suggestion(RULES, note("low"))
    assert urgency.level == "normal"
    assert [r.rule for r in urgency.reasons] == ["failures", "llm_suggestion"]
    assert urgency.reasons[1].level == "low"


def test_without_an_llm_or_a_valid_suggestion_the_rules_stand_alone() -> None:
    assert with_suggestion(RULES, note(None)) == RULES
    assert with_suggestion(RULES, note("high", by_llm=False)) == RULES
    assert with_suggestion(RULES, note("catastrophic")) == RULES
