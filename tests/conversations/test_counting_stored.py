"""The visitor's message limit counts stored messages only (decision 0113): writes that fail
(a conversation that is not theirs, an empty text) cost nothing, resends cost nothing, and
the limit still holds for what is stored."""

from __future__ import annotations

from typing import Any

import pytest

from conversations.errors import ConversationError, RateLimited
from conversations.services import Services
from tests.conversations.conftest import InServices


def test_failed_writes_do_not_count_against_the_limit(in_services: InServices[Any]) -> None:
    async def scenario(services: Services) -> list[str]:
        owner = await services.visits.do_visitor(None)
        theirs = await services.visits.do_start(owner, None)
        visitor = await services.visits.do_visitor(None)
        mine = await services.visits.do_start(visitor, None)
        codes = []
        for n in range(25):  # the limit in these services is 20 a minute
            with pytest.raises(ConversationError) as refused:
                await services.chat.do_send(visitor.id, theirs.id, f"x{n}", "Hei")
            codes.append(refused.value.code)
        for n in range(20):
            await services.chat.do_send(visitor.id, mine.id, f"m{n}", f"Melding {n}")
            await services.chat.do_send(visitor.id, mine.id, f"m{n}", f"Melding {n}")  # resend
        with pytest.raises(RateLimited) as limited:
            await services.chat.do_send(visitor.id, mine.id, "m20", "En for mye")
        codes.append(limited.value.code)
        return codes

    assert in_services(scenario) == ["forbidden"] * 25 + ["rate_limited"]
