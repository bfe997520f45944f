"""The governance journey through the action register: find the ownerless action, hand it to an
accountable owner with the search form, and see the home page's flag go (issue 11, journey 1).

The demo's A-18 (`action-a18`) is planted with no accountable owner; Victor Ambrose is a fictional
member of the governance group.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

ACTION = "/records/action-a18"
ACTION_TITLE = "Baseline survey of members' confidence"
OWNER_NAME = "Victor Ambrose"


def test_governance_gives_the_ownerless_action_an_owner_from_the_register(page: Page, sign_in):
    sign_in(page, "governance")
    home = page.locator("main")
    expect(home.locator(f"a[href='{ACTION}']").first).to_be_visible()  # flagged: no accountable owner

    page.get_by_role("navigation").get_by_role("link", name="Action register").click()
    expect(page).to_have_url(re.compile(r"/actions$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Action register")
    row = page.get_by_role("row").filter(has=page.locator(f"a[href='{ACTION}']"))
    expect(row).to_contain_text("No owner")
    expect(row).to_contain_text("Red")  # RAG in words, not colour alone
    check_page(page)
    screenshot(page, "register")

    # Narrow the register to red actions grouped by area: the state is in the address.
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Group by the report's areas").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/actions\?.*rag=red.*group=area"))
    expect(page.get_by_role("heading", name="Reflection and Impact: Moving from Learning to Action")).to_be_visible()
    check_page(page)

    page.locator(f"main a[href='{ACTION}']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION_TITLE)
    check_page(page)
    page.go_back()

    page.get_by_role("link", name="Change accountable owner of A-18").click()
    expect(page).to_have_url(re.compile(r"/actions/action-a18/owner$"))
    expect(page.locator("#current-owner")).to_have_text("No accountable owner")
    check_page(page)

    search = page.get_by_label("Find a person, group or organisation")
    search.click()
    search.press_sequentially("Victor")
    with page.expect_navigation():  # the Search button still loads the results page, picker or not
        page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"/actions/action-a18/owner\?q=Victor$"))
    check_page(page)
    page.get_by_role("radio", name=OWNER_NAME).check()
    page.get_by_role("button", name="Save owner").click()

    expect(page).to_have_url(re.compile(re.escape(ACTION) + "$"))
    main = page.locator("main")
    expect(main.locator("a[href='/records/person-victor-ambrose']").first).to_have_text(OWNER_NAME)
    # The history says who changed it and when.
    change = main.get_by_role("row").filter(has_text="Links replaced").first
    expect(change).to_contain_text("governance")  # the signed-in person's token name
    expect(change).to_contain_text(re.compile(r"\d{1,2} \w+ \d{4} at \d\d:\d\d UTC"))
    check_page(page)
    screenshot(page, "action")

    page.get_by_role("navigation").get_by_role("link", name="What needs attention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs attention")
    expect(page.locator(f"main a[href='{ACTION}']")).to_have_count(0)  # the flag is gone
    check_page(page)
