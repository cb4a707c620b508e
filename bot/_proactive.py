"""Proactive help: whether to open with an offer before the visitor asks, and what to suggest.

Three sources, tried in this order; the first that has an offer not yet made wins:

1. the operator's rules in `base.yaml` (`proactive:`), in file order: the page matches one of
   the rule's patterns, the visitor is of the rule's kind, and has been on the page at least
   `after_seconds`;
2. the visitor's history (`welcome-back`): the most recent earlier conversation ended
   unresolved or handed off; the offer names its case number and suggests the topics asked
   before;
3. the answers' `pages` patterns (`pages:<answer id>`): the answers whose patterns match the
   page, the most specific first, at most three. A tie that would need more than three is left
   out, so a page that many answers match equally (`/orders/*`) offers nothing rather than an
   arbitrary three.

No offer is made twice in a conversation (`VisitorContext.offers_made`; a page offer's id names
all the answers it suggested, none of which is suggested by a page offer again), and at most
`MAX_OFFERS` are made in one. No offer interrupts the bot while it asks the visitor for a field
(`VisitorContext.collecting`): an offer the visitor's answer then made stale showed its text
("…du lurer på:") without its choices. See docs/decisions/0009-proactive-offers.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from bot._labels import Labels
from bot.conversation import EarlierConversation, Page, VisitorContext
from bot.replies import Choice, Proactive
from bot.texts import PAGE_OFFER, WELCOME_BACK_CASE, WELCOME_BACK_PLAIN, WELCOME_BACK_TOPICS
from knowledge import AnswerBase, ProactiveRule, match_page, pattern_specificity

MAX_CHOICES = 3
MAX_OFFERS = 3
WELCOME_BACK = "welcome-back"
PAGES = "pages:"
WELCOME_BACK_DAYS = 30
UNFINISHED = ("unresolved", "handed_off")


@dataclass(frozen=True)
class Offer:
    """What to say before it becomes a `Proactive`: the text, the answers and the rule."""

    text: str
    answer_ids: tuple[str, ...]
    rule_id: str
    case_number: str | None = None


class Proactivity:
    """The proactive offers of one answer base."""

    def __init__(self, base: AnswerBase, labels: Labels) -> None:
        self._base = base
        self._labels = labels

    def offer(
        self,
        page: Page,
        visitor: VisitorContext,
        lang: str,
        now: datetime.datetime | None = None,
    ) -> Offer | None:
        if visitor.collecting or len(visitor.offers_made) >= MAX_OFFERS:
            return None
        for offer in self._offers(page, visitor, lang, now):
            if offer.rule_id not in visitor.offers_made:
                return offer
        return None

    def choices(self, offer: Offer, lang: str) -> tuple[Choice, ...]:
        return tuple(Choice(a, self._labels.get(a, lang)) for a in offer.answer_ids)

    def timers(self, page: Page) -> tuple[int, ...]:
        """The distinct `after_seconds` still ahead of the visitor on this page."""
        seconds = {
            rule.after_seconds
            for rule in self._base.config.proactive
            if rule.after_seconds > page.seconds_on_page and _on_page(rule, page.url)
        }
        return tuple(sorted(seconds))

    def _offers(
        self, page: Page, visitor: VisitorContext, lang: str, now: datetime.datetime | None
    ) -> Iterator[Offer]:
        for rule in self._base.config.proactive:
            if _fires(rule, page, visitor):
                yield Offer(self._message(rule, lang), self._published(rule.suggest), rule.id)
        welcome = self._welcome_back(visitor, lang, now)
        if welcome is not None:
            yield welcome
        page_offer = self._page_offer(page.url, visitor.offers_made, lang)
        if page_offer is not None:
            yield page_offer

    def _message(self, rule: ProactiveRule, lang: str) -> str:
        default = self._base.config.default_language
        return (
            rule.message.get(lang) or rule.message.get(default) or next(iter(rule.message.values()))
        )

    def _published(self, answer_ids: tuple[str, ...]) -> tuple[str, ...]:
        picked: list[str] = []
        for answer_id in answer_ids:
            answer = self._base.get(answer_id)
            if answer is not None and answer.status == "published" and answer_id not in picked:
                picked.append(answer_id)
        return tuple(picked[:MAX_CHOICES])

    def _welcome_back(
        self, visitor: VisitorContext, lang: str, now: datetime.datetime | None
    ) -> Offer | None:
        if not visitor.earlier:
            return None
        last = visitor.earlier[0]
        if last.outcome not in UNFINISHED or _too_old(last, now):
            return None
        topics = self._published(_topics(visitor.earlier))
        if last.case_number:
            text = WELCOME_BACK_CASE[lang].format(case=last.case_number)
        else:
            text = (WELCOME_BACK_TOPICS if topics else WELCOME_BACK_PLAIN)[lang]
        return Offer(text, topics, WELCOME_BACK, last.case_number)

    def _page_offer(self, url: str | None, made: tuple[str, ...], lang: str) -> Offer | None:
        if not url:
            return None
        ranked: dict[tuple[int, int, int], list[str]] = {}
        offered = {
            a for rule_id in made if rule_id.startswith(PAGES) for a in _page_answers(rule_id)
        }
        for answer in self._base.published():
            if answer.id in offered:
                continue
            matching = [pattern_specificity(p) for p in answer.pages if match_page(p, url)]
            if matching:
                ranked.setdefault(max(matching), []).append(answer.id)
        picked: list[str] = []
        for specificity in sorted(ranked, reverse=True):
            tier = ranked[specificity]
            if len(picked) + len(tier) > MAX_CHOICES:
                break
            picked += tier
        if not picked:
            return None
        return Offer(PAGE_OFFER[lang], tuple(picked), PAGES + ",".join(picked))


def _page_answers(rule_id: str) -> list[str]:
    """The answers a page offer suggested: `pages:a,b` (one answer: `pages:a`)."""
    return rule_id.removeprefix(PAGES).split(",")


def _on_page(rule: ProactiveRule, url: str | None) -> bool:
    if not rule.pages:
        return True
    return url is not None and any(match_page(pattern, url) for pattern in rule.pages)


def _fires(rule: ProactiveRule, page: Page, visitor: VisitorContext) -> bool:
    if rule.visitor != "any" and (rule.visitor == "returning") != visitor.returning:
        return False
    return page.seconds_on_page >= rule.after_seconds and _on_page(rule, page.url)


def _too_old(earlier: EarlierConversation, now: datetime.datetime | None) -> bool:
    if now is None:
        return False
    return now - earlier.updated_at > datetime.timedelta(days=WELCOME_BACK_DAYS)


def _topics(earlier: tuple[EarlierConversation, ...]) -> tuple[str, ...]:
    """Topics asked before, most recent conversation first, each once."""
    seen: dict[str, None] = {}
    for conversation in earlier:
        for answer_id in conversation.answer_ids:
            seen.setdefault(answer_id, None)
    return tuple(seen)


def to_proactive(offer: Offer, choices: tuple[Choice, ...], lang: str, ms: float) -> Proactive:
    return Proactive(
        lang,
        1.0,
        (),
        ms,
        text=offer.text,
        choices=choices,
        rule_id=offer.rule_id,
        case_number=offer.case_number,
    )
