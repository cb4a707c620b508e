"""The dashboard in Debian's Chromium: an admin signs in at the console, opens the dashboard,
picks a period and reads the figures and charts, acts on two gaps with the keyboard, switches
the language; an agent without the admin role is told the dashboard is not for them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from playwright.sync_api import expect

from tests.agents import PASSWORD, Clock, add_agent
from tests.insights.conftest import shop_answers
from tests.insights.test_gaps import unanswered_week
from tests.server import LiveServer, make_settings, start_server
from tests.web_widget.conftest import SCREENSHOTS, VIEWPORT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    folder = tmp_path_factory.mktemp("dashboard")
    root = shop_answers(folder)
    settings = make_settings(folder / "var", answers_dir=root)
    with start_server(
        settings, clock=Clock(dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC))
    ) as live:
        live.run(unanswered_week(live.db))
        add_agent(live, "anne", ["payments"], admin=True)
        add_agent(live, "per", ["payments"])
        yield live, root


@pytest.fixture
def page_of(browser: Browser, request: pytest.FixtureRequest) -> Iterator[object]:
    contexts = []
    errors: list[str] = []

    def open_(live: LiveServer, name: str) -> Page:
        ctx = browser.new_context(viewport=VIEWPORT, locale="nb-NO")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live.url + "/console/")
        page.get_by_label("Navn").fill(name)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
        return page

    yield open_
    for number, ctx in enumerate(contexts):
        for page in ctx.pages:
            page.screenshot(path=SCREENSHOTS / f"{request.node.name}-{number}.png", full_page=True)
        ctx.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


def show_week(page: Page) -> None:
    # the default period (the last 7 days) is shown first
    expect(page.get_by_role("status").first).to_contain_text("Tall for")
    page.get_by_label("Fra").fill("2026-12-07")
    page.get_by_label("Til").fill("2026-12-13")
    page.get_by_label("Til").press("Enter")  # the form is submitted from the keyboard
    expect(page.get_by_role("status").first).to_have_text("Tall for 2026-12-07 – 2026-12-13.")


def test_an_admin_reads_the_figures_and_acts_on_gaps(
    page_of: object, dash_server: tuple[LiveServer, Path]
) -> None:
    live, root = dash_server
    page: Page = page_of(live, "anne")  # type: ignore[operator]
    link = page.get_by_role("link", name="Innsikt")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Innsikt", level=1)).to_be_visible()
    show_week(page)
    tile = page.locator(".tile", has_text="Henvendelser")
    expect(tile.locator(".value")).to_have_text("16")
    charts = page.get_by_role("img")
    expect(charts).to_have_count(5)  # by day, what the bot did, by hour, answers, languages
    expect(page.get_by_role("img", name=re.compile("Henvendelser per dag"))).to_be_visible()
    assert "16 henvendelser" in page.locator("#by-day desc").text_content()
    # the gaps: the largest first, in five languages
    gaps = page.locator("#gaps > li")
    expect(gaps.first.get_by_role("heading")).to_contain_text("10 spørsmål")
    # a draft answer from the first gap, from the keyboard
    gaps.first.get_by_role("button", name="Start et nytt svar").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("gavekort")  # the id field has the focus
    page.keyboard.press("Enter")
    expect(gaps.first.get_by_role("status")).to_have_text(
        "Utkast skrevet: drafts/gavekort.yaml. Skriv svaret, og publiser det."
    )
    assert (
        yaml.safe_load((root / "drafts" / "gavekort.yaml").read_text("utf-8"))["status"] == "draft"
    )
    # the opening-hours gap's questions to an existing answer
    opening = gaps.filter(has_text="What time do you open on Saturday?")
    opening.get_by_role("button", name="Legg til et svar").click()
    opening.get_by_label("Svar-id").fill("order-tracking")
    opening.get_by_label("Svar-id").press("Enter")
    expect(opening.get_by_role("status")).to_have_text("2 spørsmål lagt til order-tracking.")
    # another language, the same figures
    page.get_by_role("combobox", name="Språk").select_option("en")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(page.locator(".tile", has_text="Inquiries").locator(".value")).to_have_text("16")


def test_every_language_has_every_dashboard_text(
    page_of: object, dash_server: tuple[LiveServer, Path]
) -> None:
    live, _ = dash_server
    page: Page = page_of(live, "anne")  # type: ignore[operator]
    missing = page.evaluate(
        """async () => {
            const { INSIGHTS_TEXTS } = await import("./insights-texts.js");
            const keys = Object.keys(INSIGHTS_TEXTS.en);
            return Object.entries(INSIGHTS_TEXTS).flatMap(([lang, table]) =>
                keys.filter((k) => !table[k]).map((k) => `${lang}.${k}`));
        }"""
    )
    assert missing == []


def test_an_agent_without_the_admin_role_is_told_so(
    page_of: object, dash_server: tuple[LiveServer, Path]
) -> None:
    live, _ = dash_server
    page: Page = page_of(live, "per")  # type: ignore[operator]
    expect(page.get_by_role("link", name="Innsikt")).to_be_hidden()
    page.goto(live.url + "/console/insights.html")
    expect(page.get_by_role("alert")).to_have_text(
        "Oversikten er for kundebehandlere med administratorrolle."
    )
    expect(page.locator("#figures")).to_be_hidden()
