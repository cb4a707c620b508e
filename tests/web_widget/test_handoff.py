"""The widget's side of a hand-off in a real Chromium against the real server (docs/widget.md).

The bot asks for the order number (a wrong one is explained, and it can be skipped), hands off
with a case number and the place in the queue, the case line follows the case live as an agent
(over the real agent API) takes it, types and answers; after resolution the visitor rates the
help, also after a reload; writing again reopens the case. Outside business hours the line says
when someone will answer and offers the e-mail field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.server import running_clock
from tests.web_widget.conftest import serve_desk
from tests.web_widget.console import AgentClient
from tests.web_widget.widget import Widget

if TYPE_CHECKING:
    from pathlib import Path

    from app.engine import Engine
    from tests.conftest import RunSamsvar
    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, Shot

pytestmark = pytest.mark.slow

CHARGED_TWICE = "Jeg er trukket to ganger for samme ordre"
CASE_NUMBER = re.compile(r"S-\d{4}-\d{6}")


def ask_for_a_person_about_a_double_charge(widget: Widget) -> None:
    widget.open()
    widget.ask(CHARGED_TWICE)
    expect(widget.log.get_by_role("group", name=widget.text("helped"))).to_be_visible()
    widget.ask("Jeg vil snakke med et menneske")
    expect(widget.shown("Hva er ordrenummeret ditt?")).to_have_count(1)


def case_number(widget: Widget) -> str:
    line = widget.status("Sak S-")
    expect(line).to_be_visible()
    found = CASE_NUMBER.search(line.inner_text())
    assert found, line.inner_text()
    return found.group(0)


def test_collect_hand_off_agent_and_rating(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    page = open_page("/", base=desk_server.url)
    widget = Widget(page)
    ask_for_a_person_about_a_double_charge(widget)
    skip = widget.log.get_by_role("button", name="Hopp over")
    expect(skip).to_be_visible()

    # A wrong value is explained, and the question comes again with its skip.
    widget.ask("12345678")
    expect(widget.shown("8 sifre")).to_have_count(1)
    shot(page, "wrong-value")
    expect(skip).to_have_count(1)  # only the latest question's skip is offered
    skip.click()
    expect(widget.textbox).to_be_focused()

    # The hand-off: the server's acknowledgement and the live case line.
    number = case_number(widget)
    expect(widget.log.get_by_text(number)).to_be_visible()
    expect(widget.status(f"Sak {number} · Du er nummer 1 i køen")).to_be_visible()
    expect(widget.log.get_by_role("button", name=widget.text("human"))).to_have_count(0)
    shot(page, "queued")

    kari = agents["kari"]
    kari.connect()
    row = kari.find_case(number)
    view = kari.case(row["id"])
    (field,) = view["case"]["fields"]
    assert (field["name"], field["status"], field["value"]) == ("order_number", "skipped", None)

    # The agent takes it, types and answers; the widget follows live.
    kari.claim(row["id"])
    expect(widget.status(f"Sak {number} · Kari hjelper deg")).to_be_visible()
    kari.send({"type": "typing", "case_id": row["id"], "on": True})
    expect(widget.status(f"Kari {widget.text('typing')}")).to_be_visible()
    kari.reply(row["id"], "Hei, jeg ser på saken din nå.")
    answer = widget.shown("Hei, jeg ser på saken din nå.")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("Kari")
    expect(widget.status(f"Kari {widget.text('typing')}")).to_have_count(0)

    # The visitor's typing reaches the agent, then the message.
    widget.textbox.press_sequentially("Ordrenummeret er 1234567")
    typing = kari.expect("typing", case_id=row["id"])
    assert typing["on"] is True
    widget.textbox.press("Enter")
    message = kari.expect("message", case_id=row["id"])["message"]
    assert (message["role"], message["text"]) == ("visitor", "Ordrenummeret er 1234567")
    shot(page, "with-agent")

    # Resolved: the rating, still there after a reload, and gone once given.
    kari.resolve(row["id"])
    expect(widget.status(f"Sak {number} · Saken er løst")).to_be_visible()
    rating = widget.root.get_by_role("group", name="Hvordan var hjelpen?")
    expect(rating).to_be_visible()
    expect(rating.get_by_role("button")).to_have_count(5)
    page.reload()  # the chat comes back open (without taking the focus), rating and all
    expect(widget.textbox).to_be_visible()
    expect(rating).to_be_visible()
    shot(page, "rating")
    rating.get_by_role("button", name="4 av 5").click()
    expect(widget.status(f"Sak {number} · Takk for vurderingen!")).to_be_visible()
    expect(rating).to_be_hidden()
    assert kari.case(row["id"])["case"]["rating"]["score"] == 4

    # Writing again soon after the resolution (within the reopen window) reopens the same case.
    widget.ask("Beløpet er fortsatt trukket to ganger.")
    expect(widget.status(f"Sak {number} · Du er nummer 1 i køen")).to_be_visible()
    assert kari.case(row["id"])["case"]["status"] == "reopened"
    shot(page, "reopened")


def test_the_rating_and_the_case_line_in_english(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    page = open_page("/en/", base=desk_server.url, locale="en-GB")
    widget = Widget(page, "en")
    widget.open()
    widget.ask("I want to talk to a human")
    number = CASE_NUMBER.search(widget.status("Case S-").inner_text())
    assert number
    kari = agents["kari"]
    row = kari.find_case(number.group(0))
    kari.claim(row["id"])
    expect(widget.status("Kari is helping you")).to_be_visible()
    kari.reply(row["id"], "Hello! How can I help?")
    expect(widget.shown("Hello! How can I help?")).to_contain_text("Kari")
    kari.resolve(row["id"])
    rating = widget.root.get_by_role("group", name="How was the help?")
    rating.get_by_role("button", name="5 of 5").click()
    expect(widget.status("Thanks for your rating!")).to_be_visible()
    shot(page, "rated")


# Sunday 6 December 2026, 03:00 in Oslo: closed (the demo base opens Monday at 08:00).
SUNDAY_NIGHT = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def closed_desk(
    demo_engine: Engine, tmp_path: Path, run_samsvar: RunSamsvar
) -> Iterator[LiveServer]:
    clock = running_clock(SUNDAY_NIGHT)  # Sunday night, moving on in real time
    with serve_desk(demo_engine, tmp_path / "data", run_samsvar, clock) as live:
        yield live


def test_outside_business_hours_the_line_says_when_and_offers_email(
    open_page: OpenPage, closed_desk: LiveServer, shot: Shot
) -> None:
    page = open_page("/", base=closed_desk.url, timezone_id="Europe/Oslo")
    widget = Widget(page)
    widget.open()
    widget.ask("Jeg vil snakke med et menneske")
    line = widget.status("Vi svarer fra")
    expect(line).to_contain_text("mandag 7. desember")
    expect(line).to_contain_text("08:00")
    number = case_number(widget)
    expect(widget.status("i køen")).to_have_count(0)  # no place in a queue nobody serves now
    mail = widget.root.get_by_role("textbox", name="E-post for svar (valgfritt)")
    expect(mail).to_be_visible()
    shot(page, "closed")

    mail.fill("ikke en adresse")
    mail.press("Enter")  # the browser checks the shape: nothing is sent
    expect(mail).to_be_visible()
    assert (
        page.evaluate(
            "() => document.querySelector('samsvar-chat').shadowRoot"
            ".getElementById('samsvar-mail').validity.valid"
        )
        is False
    )
    mail.fill("besoker@example.no")
    mail.press("Enter")
    expect(widget.status(f"Sak {number}")).to_contain_text("08:00 · Vi svarer på e-post")
    expect(widget.shown("Vi sender svaret til besoker@example.no")).to_have_count(1)
    expect(mail).to_be_hidden()

    kari = AgentClient(closed_desk.url, "kari")
    try:
        kari.sign_in()
        row = kari.find_case(number)
        assert kari.case(row["id"])["case"]["contact_email"] == "besoker@example.no"
    finally:
        kari.close()
    shot(page, "email-given")


def test_closed_case_line_in_the_bases_time_zone_and_the_conversations_language(
    open_page: OpenPage, closed_desk: LiveServer, shot: Shot
) -> None:
    # A Swedish visitor in London on the Norwegian shop: the acknowledgement says 08:00 (Oslo,
    # the base's time zone), and so must the line, in Swedish, not 07:00 in bokmål.
    page = open_page("/", base=closed_desk.url, locale="sv-SE", timezone_id="Europe/London")
    widget = Widget(page)  # the page says nb: the widget starts in bokmål
    widget.open()
    widget.ask("Jag vill prata med en människa")
    expect(widget.shown("08:00")).to_have_count(1)  # the server's acknowledgement
    line = widget.status("Ärende S-")
    expect(line).to_contain_text("Vi svarar från")
    expect(line).to_contain_text("måndag 7 december")
    expect(line).to_contain_text("08:00")
    expect(line).not_to_contain_text("07:00")
    expect(widget.status("Sak S-")).to_have_count(0)
    shot(page, "swedish-line")
