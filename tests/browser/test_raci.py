"""Governance adds someone to an action as consulted, then takes them off again, in a real browser
(issue 11, governance journey).

The search shows matches as the person types (picker.js), without pressing Search. The demo's A-06
(`action-a06`) is changed by no other journey, and the journey leaves it as it found it. Comfort
Asante-Reid is a fictional community champion.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page

ACTION = "action-a06"
RECORD = f"/records/{ACTION}"
RACI_PAGE = f"/actions/{ACTION}/raci"
PERSON = "Comfort Asante-Reid"
TYPED = "Asante"
ALREADY_CONSULTED = "Leon Masters"


def test_governance_adds_and_removes_a_consulted_person_found_as_they_type(page: Page, sign_in):
    page.goto(RECORD)
    sign_in(page, "governance")
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))
    page.locator(f"main a[href='{RACI_PAGE}']").click()
    expect(page).to_have_url(re.compile(re.escape(RACI_PAGE) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Responsible, consulted and informed")
    consulted = page.get_by_role("table", name="Consulted for this action")
    expect(consulted).to_contain_text(ALREADY_CONSULTED)
    expect(consulted).not_to_contain_text(PERSON)
    check_page(page)

    find_as_you_type(page)
    check_page(page)

    page.get_by_role("radio", name=PERSON).check()
    page.get_by_role("radio", name="Consulted", exact=True).check()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(RACI_PAGE) + "$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{PERSON} is now consulted for this action.")
    expect(consulted.get_by_role("link", name=PERSON)).to_be_visible()
    expect(consulted).to_contain_text(ALREADY_CONSULTED)
    check_page(page)

    page.get_by_role("button", name=f"Remove {PERSON} as consulted").click()
    expect(page).to_have_url(re.compile(re.escape(RACI_PAGE) + "$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        f"{PERSON} is no longer consulted for this action.")
    expect(consulted).not_to_contain_text(PERSON)
    expect(consulted).to_contain_text(ALREADY_CONSULTED)
    check_page(page)


def find_as_you_type(page: Page) -> None:
    """Type part of the name and wait: the matches come into this page, whose address follows."""
    search = page.get_by_label("Find a person, group or organisation")
    expect(page.locator("#q-hint")).to_have_text("Type part of a name: matches appear below as you type.")
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser loaded another page
    search.press_sequentially(TYPED)
    expect(page.get_by_role("radio", name=PERSON)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^\d+ match(es)? for “{TYPED}”"))
    expect(page).to_have_url(re.compile(re.escape(RACI_PAGE) + rf"\?q={TYPED}#add$"))
    assert page.evaluate("window.stillTheSamePage === true"), "the matches came by loading a new page"
    expect(search).to_be_focused()  # the person can go on typing
