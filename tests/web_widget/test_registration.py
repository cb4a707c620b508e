"""Registering phone and desk inquiries in the console, in a real Chromium against the real
server (docs/console.md, "Registering an inquiry"), and the customer across channels.

Kari registers a call about a parcel, resolved at once (the curated answer comes back to copy
or to mail), and a desk visit left open for the returns team, with the keyboard where it
counts; Ola of returns finds the open case in his queue, live, and sees the customer's other
case on another channel in "Denne kunden"; the dashboard counts both inquiries on their
channels; the customer route answers only agents who may see the case.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from knowledge import get_demo_dir, load_answer_base
from tests.web_widget.console import AgentClient, Desk

if TYPE_CHECKING:
    from tests.server import LiveServer
    from tests.web_widget.conftest import OpenPage, Shot

pytestmark = pytest.mark.slow

CUSTOMER = "ola.nordmann@example.no"
NUMBER = re.compile(r"S-\d{4}-\d{6}")


def open_desk(open_page: OpenPage, desk_server: LiveServer, name: str) -> Desk:
    page = open_page(None, base=desk_server.url)
    page.goto(desk_server.url + "/console/")
    desk = Desk(page)
    desk.sign_in(name)
    desk.signed_in()
    return desk


def test_a_call_resolved_at_once_and_a_desk_visit_left_open(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient], shot: Shot
) -> None:
    tracking = load_answer_base(get_demo_dir()).get("order-tracking")
    assert tracking is not None
    kari = open_desk(open_page, desk_server, "kari")
    page = kari.page
    register = page.get_by_role("button", name="Registrer henvendelse", exact=True)
    register.click()
    dialog = page.get_by_role("dialog", name="Registrer en henvendelse")
    expect(dialog).to_be_visible()
    search = dialog.get_by_role("searchbox", name="Finn en mal")
    expect(search).to_be_focused()
    templates = dialog.get_by_role("listbox", name="Mal")
    expect(templates.get_by_role("option")).to_have_count(3)

    # A call: type part of the title, Enter, the order number, the customer, "Løs nå".
    page.keyboard.type("pakken")
    expect(templates.get_by_role("option")).to_have_text(["Hvor er pakken min?"])
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("textbox", name="ordrenummer")).to_be_focused()
    page.keyboard.type("1234567")
    dialog.get_by_role("combobox", name="Kunde: e-post, telefon eller kundenummer").fill(CUSTOMER)
    shot(page, "filled-in")
    dialog.get_by_role("button", name="Løs nå", exact=True).click()
    done = dialog.get_by_text(re.compile(r"^Registrert og løst: sak S-\d{4}-\d{6}\."))
    expect(done).to_be_focused()
    first = NUMBER.search(done.inner_text())
    assert first is not None
    answer = dialog.get_by_role("textbox", name="Svaret som skal sendes (SMS eller e-post)")
    expect(answer).to_have_value(re.compile("^" + re.escape(tracking.answer["nb"])))
    mail = dialog.get_by_role("link", name=f"Skriv en e-post til {CUSTOMER}")
    expect(mail).to_have_attribute("href", re.compile(rf"^mailto:{re.escape(CUSTOMER)}\?subject="))
    shot(page, "resolved")
    expect(page.locator("#alert-tray")).not_to_contain_text(first.group())  # no "new case"

    # A desk visit left open: the customer is suggested now, the note is the question.
    dialog.get_by_role("button", name="Registrer en til", exact=True).click()
    expect(search).to_be_focused()
    expect(dialog.locator("#register-customers option")).to_have_attribute(
        "value", f"email:{CUSTOMER}"
    )
    page.keyboard.type("retur")
    page.keyboard.press("ArrowDown")
    expect(templates).to_be_focused()
    page.keyboard.press("Enter")
    customer = dialog.get_by_role("combobox", name="Kunde: e-post, telefon eller kundenummer")
    expect(customer).to_be_focused()
    customer.fill(f"email:{CUSTOMER}")
    dialog.get_by_role("textbox", name="Kundens spørsmål eller et notat (valgfritt)").fill(
        "Vil levere tilbake en lampe i butikken"
    )
    dialog.get_by_role("button", name="Opprett sak", exact=True).click()
    opened = dialog.get_by_text(re.compile(r"^Registrert: sak S-\d{4}-\d{6} er åpen for Retur"))
    expect(opened).to_be_visible()
    second = NUMBER.search(opened.inner_text())
    assert second is not None
    expect(dialog.get_by_role("button", name="Vis saken")).to_be_hidden()  # not Kari's team
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(register).to_be_focused()

    # Ola of returns: the open case in his queue; the customer's other case, on the phone.
    ola = open_desk(open_page, desk_server, "ola")
    ola.case_in(ola.queue, second.group()).click()
    expect(ola.heading(second.group())).to_be_visible()
    panel = ola.page.get_by_role("region", name="Denne kunden")
    expect(panel.get_by_role("listitem").filter(has_text=f"e-post: {CUSTOMER}")).to_be_visible()
    expect(panel.get_by_role("listitem").filter(has_text=first.group())).to_contain_text(
        "telefon · Løst"
    )
    expect(panel.get_by_role("listitem").filter(has_text=second.group())).to_contain_text("skranke")
    shot(ola.page, "this-customer")

    # The route: team-scoped like the case itself.
    customer_of = f"/cases/{second.group()}/customer"
    seen = agents["ola"].call("GET", customer_of)
    assert seen["refs"] == [f"email:{CUSTOMER}"]
    assert {c["channel"] for c in seen["cases"]} == {"phone", "desk"}
    assert "visitor_id" not in seen
    assert agents["kari"].call("GET", customer_of, status=403)["code"] == "forbidden"
    assert agents["ola"].call("GET", "/cases/S-2026-999999/customer", status=404)["ok"] is False

    # Both inquiries count, on their channels.
    report = agents["sjef"].call("GET", "/insights")["report"]
    assert report["by_channel"].get("phone", 0) >= 1
    assert report["by_channel"].get("desk", 0) >= 1


def test_bad_input_says_what_is_wrong_in_the_form(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient]
) -> None:
    kari = open_desk(open_page, desk_server, "kari")
    page = kari.page
    page.get_by_role("button", name="Registrer henvendelse", exact=True).click()
    dialog = page.get_by_role("dialog", name="Registrer en henvendelse")
    dialog.get_by_role("searchbox", name="Finn en mal").fill("skadet")
    dialog.get_by_role("textbox", name="ordrenummer").fill("12")
    dialog.get_by_role("button", name="Opprett sak", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("order_number: '12' is not a valid")
    expect(dialog.get_by_role("button", name="Opprett sak", exact=True)).to_be_visible()
    assert agents["kari"].call(
        "POST", "/registrations", {"template": "nope", "key": "k"}, status=404
    )["code"] == ("unknown_template")


def test_every_language_has_every_registration_text(
    open_page: OpenPage, desk_server: LiveServer, agents: dict[str, AgentClient]
) -> None:
    kari = open_desk(open_page, desk_server, "kari")
    page = kari.page
    texts = page.evaluate(
        """async () => {
          const { REGISTER_TEXTS } = await import(new URL("register-texts.js", location.href));
          return REGISTER_TEXTS;
        }"""
    )
    keys = set(texts["en"])
    assert {lang: set(table) ^ keys for lang, table in texts.items()} == {
        lang: set() for lang in ("en", "nb", "nn", "sv", "da", "fi")
    }
    for lang in ("en", "sv", "da", "fi", "nn", "nb"):
        language = re.compile("^(Språk|Language|Kieli|Sprog)$")
        page.get_by_role("combobox", name=language).select_option(lang)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        button = page.get_by_role("button", name=texts[lang]["register"], exact=True)
        expect(button).to_be_visible()
        button.click()
        dialog = page.get_by_role("dialog", name=texts[lang]["registerHeading"])
        expect(dialog.get_by_role("button", name=texts[lang]["resolveNow"])).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
