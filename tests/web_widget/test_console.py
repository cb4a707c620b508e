"""The agent console in a real Chromium against the real server (docs/console.md).

An agent signs in, a visitor in a second browser context (the real widget) or over a real
WebSocket hands off, and the case appears live in the console; the agent opens it, reads the
context, inserts a curated answer, sends it (the visitor's widget shows it), writes a note
that the visitor never sees, and resolves (the visitor's widget asks for a rating). Also: a
wrong password, a sign-in that ends elsewhere, the queue with the keyboard only, a transfer
between teams, every UI language and AA contrast.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from knowledge import AnswerBase, get_demo_dir, load_answer_base
from tests.web_widget.console import (
    DESK_UI,
    AgentClient,
    Desk,
    assert_focus_ring,
    escalate,
    focused_in,
    focused_text,
    tab_to,
)
from tests.web_widget.widget import CONTRAST_JS, Widget, stored_messages

if TYPE_CHECKING:
    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, Shot

pytestmark = pytest.mark.slow

CHARGED_TWICE = "Jeg er trukket to ganger for samme ordre"  # a question of double-charged
ORDER_NUMBER = "7654321"

# Counts every oscillator the page starts and every notification it shows: the browser's own
# APIs, observed from outside (nothing of the console is replaced).
SPY_JS = """
(() => {
  window.__chimes = 0;
  window.__notifications = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__chimes += 1;
    return start.apply(this, args);
  };
  if (window.Notification) {
    const Native = window.Notification;
    window.Notification = class extends Native {
      constructor(title, options) { super(title, options); window.__notifications.push(title); }
    };
    Object.defineProperty(window.Notification, "permission", { get: () => Native.permission });
    window.Notification.requestPermission = (...args) => Native.requestPermission(...args);
  }
})();
"""


@pytest.fixture(scope="module")
def demo_base() -> AnswerBase:
    return load_answer_base(get_demo_dir())


def open_desk(open_page: OpenPage, desk_server: LiveServer, **context: object) -> Desk:
    page = open_page(None, base=desk_server.url, **context)
    page.add_init_script(SPY_JS)
    page.goto(desk_server.url + "/console/")
    return Desk(page)


def visitor_hands_off(open_page: OpenPage, desk_server: LiveServer) -> tuple[Widget, str]:
    """A visitor asks about a double charge, asks for a person, gives the order number."""
    page = open_page("/", base=desk_server.url)
    widget = Widget(page)
    widget.open()
    widget.ask(CHARGED_TWICE)
    expect(widget.log.get_by_role("group", name=widget.text("helped"))).to_be_visible()
    widget.log.get_by_role("button", name=widget.text("yes"), exact=True).last.wait_for()
    widget.log.get_by_role("button", name="Nei", exact=True).last.click()
    widget.ask("Jeg vil snakke med et menneske")
    expect(widget.shown("ordrenummer").last).to_be_visible()
    widget.ask(ORDER_NUMBER)
    line = widget.status("S-20")
    expect(line).to_be_visible()
    number = re.search(r"S-\d{4}-\d{6}", line.inner_text())
    assert number, line.inner_text()
    return widget, number.group(0)


def test_the_console_works_at_its_address_without_the_slash(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient]
) -> None:
    """`/console` is the documented address: it lands on `/console/`, where the page's relative
    links to its CSS and modules resolve, and the console works."""
    page = open_page(None, base=desk_server.url)
    page.goto(desk_server.url + "/console?lang=en")
    desk = Desk(page)
    expect(desk.name_box).to_be_focused()  # the modules ran
    assert page.url == desk_server.url + "/console/?lang=en"
    styled = page.evaluate(
        "[...document.styleSheets].some(s => (s.href || '').endsWith('/console/console.css')"
        " && s.cssRules.length > 0)"
    )
    assert styled
    desk.sign_in("kari")
    desk.signed_in()


def test_an_agent_with_a_second_factor_is_asked_for_the_code(
    open_page: OpenPage, desk_server: LiveServer
) -> None:
    import pyotp

    from handoff import do_set_totp
    from tests.agents import PASSWORD as AGENT_PASSWORD
    from tests.agents import add_agent

    secret = pyotp.random_base32()
    tone = add_agent(desk_server, "tone", ["support"])

    async def enrol() -> None:
        async with desk_server.db.writing() as session, session.begin():
            await do_set_totp(session, tone, secret)

    desk_server.run(enrol())
    desk = open_desk(open_page, desk_server)
    code_box = desk.page.get_by_label("Kode fra autentiseringsappen", exact=True)
    expect(code_box).to_be_hidden()
    desk.sign_in("tone", AGENT_PASSWORD)
    expect(desk.alert("Skriv inn den sekssifrede koden fra autentiseringsappen.")).to_be_visible()
    expect(code_box).to_be_focused()
    expect(desk.password_box).to_have_value(AGENT_PASSWORD)  # kept: only the code is added
    code_box.fill(pyotp.TOTP(secret).at(desk_server.app.state.desk.clock()))
    desk.sign_in_button.click()
    desk.signed_in()
    # away again: an available agent would be given the next tests' cases
    status = desk.page.get_by_role("combobox", name=desk.text("status"))
    status.select_option("away")
    expect(status).to_have_value("away")


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    desk = open_desk(open_page, desk_server)
    expect(desk.name_box).to_be_focused()
    desk.sign_in_button.click()  # nothing written
    expect(desk.alert("Skriv både navnet og passordet ditt.")).to_be_visible()
    desk.sign_in("kari", "feil-passord")
    expect(desk.alert(desk.text("bad_credentials"))).to_be_visible()
    expect(desk.password_box).to_be_focused()
    expect(desk.password_box).to_have_value("feil-passord")  # selected, to type over
    shot(desk.page, "wrong-password")
    desk.sign_in("ingen-slik", "feil-passord")  # an unknown name reads the same
    expect(desk.alert(desk.text("bad_credentials"))).to_be_visible()
    desk.sign_in("kari")
    desk.signed_in()
    expect(desk.page.get_by_text("Logget inn som Kari")).to_be_visible()
    expect(desk.page.get_by_role("combobox", name=desk.text("status"))).to_have_value("away")
    shot(desk.page, "signed-in")


def test_too_many_wrong_passwords_say_how_long_to_wait(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient]
) -> None:
    desk = open_desk(open_page, desk_server)
    error = desk.page.locator("#signin-error")
    for _ in range(3):  # a name's first three failures are free
        desk.sign_in("gjetter", "feil-passord")
        expect(desk.alert(desk.text("bad_credentials"))).to_be_visible()
        error.evaluate("el => { el.textContent = ''; }")
    # then each failure makes the next try wait longer (1 s, 2 s, 4 s …) on the server's
    # running clock: one of the next tries falls inside its wait, however slow the machine
    for _ in range(6):
        desk.sign_in("gjetter", "feil-passord")
        expect(error).not_to_be_empty()
        if "For mange forsøk." in error.inner_text():
            break
        error.evaluate("el => { el.textContent = ''; }")
    expect(desk.alert("For mange forsøk.")).to_contain_text(re.compile(r"Vent \d+ sekunder"))
    expect(desk.name_box).to_be_visible()


def test_a_new_case_from_the_widget_is_handled_in_the_console(
    open_page: OpenPage,
    desk_server: LiveServer,
    agents: dict[str, AgentClient],
    demo_base: AnswerBase,
    shot: Shot,
) -> None:
    desk = open_desk(open_page, desk_server)
    desk.sign_in("kari")
    desk.signed_in()
    desk.page.get_by_role("checkbox", name="Lyd ved nye saker").check()  # a gesture: sound may play

    widget, number = visitor_hands_off(open_page, desk_server)

    # The case appears live, announced, with sound, and with an in-page alert (no permission).
    item = desk.case_in(desk.queue, number)
    expect(item).to_be_visible()
    expect(item).to_contain_text("Høy")  # payment-topics: the urgency is written, not only coloured
    expect(item).to_contain_text(CHARGED_TWICE[:30])
    expect(desk.status(f"Ny sak {number}")).to_have_count(1)
    alert = desk.page.get_by_role("group", name=desk.text("new_case", number=number))
    expect(alert).to_be_visible()
    assert desk.page.evaluate("window.__chimes") >= 2  # two tones
    shot(desk.page, "new-case")

    # Open it: the context the bot gathered.
    alert.get_by_role("button", name=re.compile(number)).click()
    expect(desk.heading(number)).to_be_focused()
    expect(alert).to_have_count(0)
    expect(desk.context_row("Spørsmål")).to_have_text(CHARGED_TWICE)
    expect(desk.context_row("Språk")).to_contain_text("bokmål")
    expect(desk.context_row("Side")).to_contain_text("127.0.0.1")
    expect(desk.context_row("Det boten prøvde")).to_contain_text("hjalp ikke")
    expect(desk.context_row("Innhentet")).to_contain_text(ORDER_NUMBER)
    expect(desk.context_row("Hvorfor denne hastegraden")).to_contain_text("payment-topics")
    expect(desk.transcript.get_by_text(CHARGED_TWICE)).to_be_visible()
    expect(desk.reply_box).to_be_disabled()
    shot(desk.page, "case")

    # Claim, then insert the curated answer the search found for the visitor's question.
    desk.button("claim").click()
    expect(desk.status(f"Du har tatt sak {number}.")).to_be_visible()
    expect(desk.reply_box).to_be_focused()
    curated = demo_base.get("double-charged")
    assert curated is not None
    insert = desk.page.get_by_role("listitem", name=curated.title).get_by_role(
        "button", name="Sett inn på norsk bokmål"
    )
    insert.click()
    expect(desk.reply_box).to_have_value(curated.answer["nb"])
    expect(desk.reply_box).to_be_focused()
    desk.reply_box.press("End")
    desk.reply_box.type(" Jeg har sjekket ordren din.")
    desk.button("send").click()
    sent = curated.answer["nb"] + " Jeg har sjekket ordren din."
    expect(desk.transcript.get_by_text(sent)).to_have_count(1)

    # The visitor's widget shows it under the agent's name; the bot says nothing more.
    from_agent = widget.shown("Jeg har sjekket ordren din.")
    expect(from_agent).to_have_count(1)
    expect(from_agent).to_contain_text("Kari")
    expect(widget.status("Kari hjelper deg")).to_be_visible()
    widget.ask("Takk, det var raskt!")
    expect(desk.transcript.get_by_text("Takk, det var raskt!")).to_be_visible()

    # A note stays with the agents.
    desk.page.get_by_role("textbox", name=desk.text("note")).fill("Refundert i nettbanken.")
    desk.button("add_note").click()
    expect(
        desk.page.get_by_role("listitem").filter(has_text="Refundert i nettbanken.")
    ).to_be_visible()
    expect(widget.shown("Refundert")).to_have_count(0)
    state = widget.stored()
    texts = [
        m["text"]
        for m in stored_messages(desk_server.url, state["visitor_id"], state["conversation_id"])
    ]
    assert not any("Refundert" in text for text in texts)
    shot(desk.page, "answered")

    # Resolve: the visitor is asked for a rating, and the rating reaches the console.
    desk.button("resolve").click()
    expect(desk.status(f"Sak {number} er løst.")).to_be_visible()
    expect(desk.case_in(desk.mine, number)).to_have_count(0)
    rating = widget.root.get_by_role("group", name="Hvordan var hjelpen?")
    expect(rating).to_be_visible()
    rating.get_by_role("button", name="5 av 5").click()
    expect(widget.status("Takk for vurderingen!")).to_be_visible()
    expect(desk.context_row(desk.text("rating"))).to_contain_text("5 av 5")
    shot(desk.page, "resolved")
    shot(widget.page, "rated")


def test_the_queue_with_the_keyboard_only(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    numbers = [
        escalate(desk_server, "Kan jeg snakke med et menneske?"),
        escalate(desk_server, "Kontoen min er hacket! Jeg vil snakke med et menneske"),
    ]
    desk = open_desk(open_page, desk_server)
    page = desk.page
    expect(desk.name_box).to_be_focused()
    page.keyboard.type("kari")
    page.keyboard.press("Tab")
    page.keyboard.type("rett-passord-123")
    page.keyboard.press("Enter")
    desk.signed_in()
    for number in numbers:
        expect(desk.case_in(desk.queue, number)).to_be_visible()
    # The urgent case (security words) comes first, whatever its age.
    order = [
        desk.queue.get_by_role("button").nth(i).inner_text()
        for i in range(desk.queue.get_by_role("button").count())
    ]
    positions = [next(i for i, text in enumerate(order) if number in text) for number in numbers]
    assert positions[1] < positions[0], order

    tab_to(page, lambda: focused_in(page, "#queue"))
    first = focused_text(page)
    page.keyboard.press("ArrowDown")
    assert focused_text(page) != first
    page.keyboard.press("Home")
    assert focused_text(page) == first
    target = numbers[1]
    while target not in focused_text(page):
        page.keyboard.press("ArrowDown")
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(desk.heading(target)).to_be_focused()
    tab_to(page, lambda: focused_text(page) == desk.text("claim"))
    page.keyboard.press("Enter")
    expect(desk.reply_box).to_be_focused()
    expect(desk.case_in(desk.mine, target)).to_be_visible()
    page.keyboard.type("Vi sperrer kontoen nå.")
    page.keyboard.press("Control+Enter")
    expect(desk.transcript.get_by_text("Vi sperrer kontoen nå.")).to_have_count(1)
    shot(page, "keyboard")


def test_with_notifications_allowed_a_new_case_is_a_browser_notification(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    desk = open_desk(open_page, desk_server, permissions=["notifications"])
    desk.sign_in("kari")
    desk.signed_in()
    assert desk.page.evaluate("Notification.permission") == "granted"
    number = escalate(desk_server, "Jeg vil snakke med et menneske")
    expect(desk.case_in(desk.queue, number)).to_be_visible()
    expect(desk.status(f"Ny sak {number}")).to_have_count(1)  # screen readers hear it too
    desk.page.wait_for_function(
        "n => window.__notifications.some((title) => title.includes(n))", arg=number
    )
    # The system notification replaces the in-page alert.
    expect(desk.page.get_by_role("group", name=desk.text("new_case", number=number))).to_have_count(
        0
    )
    shot(desk.page, "notified")


def test_a_sign_in_that_ends_elsewhere_returns_to_the_form(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    desk = open_desk(open_page, desk_server)
    desk.sign_in("ola")
    desk.signed_in()
    other = desk.page.context.new_page()  # the same browser: the same cookie
    other.goto(desk_server.url + "/console/")
    Desk(other).signed_in()
    Desk(other).button("sign_out").click()
    expect(Desk(other).status(desk.text("signed_out"))).to_be_visible()
    expect(desk.status(desk.text("expired"))).to_be_visible()  # the first tab follows
    expect(desk.name_box).to_be_visible()
    shot(desk.page, "signed-out")
    desk.sign_in("ola")
    desk.signed_in()


def test_a_transfer_moves_the_case_to_the_other_teams_console(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    number = escalate(desk_server, "Kan jeg snakke med et menneske?")
    kari = open_desk(open_page, desk_server)
    kari.sign_in("kari")
    kari.case_in(kari.queue, number).click()
    kari.button("claim").click()
    expect(kari.case_in(kari.mine, number)).to_be_visible()
    ola = open_desk(open_page, desk_server)
    ola.sign_in("ola")
    ola.signed_in()
    expect(ola.case_in(ola.queue, number)).to_have_count(0)  # not Ola's team

    kari.button("transfer").click()
    dialog = kari.page.get_by_role("dialog", name=f"Overfør sak {number}")
    expect(dialog).to_be_visible()
    dialog.get_by_role("combobox", name="Team").select_option("returns")
    dialog.get_by_role("button", name="Overfør", exact=True).click()
    expect(dialog).to_be_hidden()
    moved = f"Sak {number} er overført til Retur og reklamasjon."
    closed = kari.page.get_by_role("main").get_by_text(moved, exact=True)
    expect(closed).to_be_visible()  # Kari's view closes and says why
    expect(kari.status(moved)).to_have_count(1)  # and a screen reader hears it
    expect(kari.heading(number)).to_be_hidden()
    expect(kari.case_in(kari.mine, number)).to_have_count(0)
    expect(ola.case_in(ola.queue, number)).to_be_visible()  # live, without a reload
    shot(ola.page, "transferred")


@pytest.mark.parametrize("lang", ["en", "sv", "da", "fi", "nn", "nb"])
def test_every_ui_language_has_every_text_and_aa_contrast(
    open_page: OpenPage,
    desk_server: LiveServer,
    agents: dict[str, AgentClient],
    lang: str,
    shot: Shot,
) -> None:
    desk = open_desk(open_page, desk_server, locale={"nb": "nb-NO", "en": "en-GB"}.get(lang, lang))
    page = desk.page
    expect(page.locator("html")).to_have_attribute("lang", lang)
    missing = page.evaluate(
        """async () => {
          const { TEXTS } = await import(new URL("texts.js", location.href));
          const all = Object.keys(TEXTS.en);
          const gaps = (t) => all.filter((k) => !(k in t))
            .concat(Object.keys(t).filter((k) => !all.includes(k)));
          return Object.fromEntries(Object.entries(TEXTS).map(([lang, t]) => [lang, gaps(t)]));
        }"""
    )
    assert all(not keys for keys in missing.values()), missing
    if lang in DESK_UI:
        Desk(page, lang).sign_in("kari")
        Desk(page, lang).signed_in()
    else:
        page.locator("#signin-name").fill("kari")
        page.locator("#signin-password").fill("rett-passord-123")
        page.locator("#signin-submit").click()
        expect(page.locator("#desk")).to_be_visible()
    texts = page.locator("body").evaluate(CONTRAST_JS)
    low = [c for c in texts if c["ratio"] < c["needed"]]
    assert not low, low
    shot(page, lang)
