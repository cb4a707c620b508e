"""An LLM-written reply streamed into the widget: a pending bubble grows sentence by sentence
and is replaced by the stored message.

Real Chromium, the real widget and a real server whose engine talks to the OpenAI-compatible
test server on loopback (`tests/llm_server.py`), which writes the reply slowly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from knowledge import get_demo_dir
from tests.llm_server import FakeLLM, Text
from tests.server import LiveServer, llm_settings, start_server
from tests.web_widget.widget import Widget

if TYPE_CHECKING:
    from app.engine import Engine
    from tests.web_widget.conftest import OpenPage, Shot

pytestmark = pytest.mark.slow

QUESTION = "Hvorfor ble betalingen min avvist?"
SENTENCES = [
    "Sjekk at kortnummer, utløpsdato og CVC er riktig [payment-declined].",
    " Kortet må være åpnet for netthandel [payment-declined].",
    " Du kan også prøve Vipps eller Klarna [payment-declined].",
]
FIRST = "Sjekk at kortnummer, utløpsdato og CVC er riktig"
WHOLE = "".join(SENTENCES).replace(" [payment-declined]", "")


@pytest.fixture(scope="module")
def llm_site(
    demo_data_dir: Path, llm_server_session: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    from app.engine import open_engine

    engine: Engine = open_engine(
        llm_settings(demo_data_dir, llm_server_session.url), get_demo_dir()
    )
    settings = llm_settings(tmp_path_factory.mktemp("llm-site"), llm_server_session.url)
    with start_server(settings, engine=engine) as live:
        yield live


def test_a_streamed_reply_shows_as_a_pending_bubble_then_settles_as_the_message(
    open_page: OpenPage, shot: Shot, llm_site: LiveServer, llm_server: FakeLLM
) -> None:
    llm_server.script(Text("".join(SENTENCES), chunk_delay=0.3))  # about 8 s for the reply
    page = open_page("/", base=llm_site.url)
    widget = Widget(page)
    widget.open()
    widget.ask(QUESTION)
    bot = page.locator("samsvar-chat .msg.bot")
    draft = page.locator("samsvar-chat .msg.bot[aria-hidden=true]")
    # The first checked sentence shows while the rest is still being written; screen readers
    # skip the bubble (the log announces the final message once).
    expect(draft).to_have_text(FIRST)
    expect(bot).to_have_count(1)
    shot(page, "streaming")
    expect(draft).to_contain_text("netthandel")
    # The stored message replaces the bubble: one bot message with the whole text, no draft.
    expect(draft).to_have_count(0, timeout=20_000)
    expect(bot).to_have_count(1)
    expect(widget.shown(WHOLE)).to_have_count(1)
    expect(widget.log.get_by_role("group", name=widget.text("helped"))).to_be_visible()
    shot(page, "settled")
    [request] = llm_server.requests
    assert request.body["stream"] is True
