"""A coordinator records an amber progress update with a blocker and a revised due date, in a real
browser, and sees it on the action's page with the original due date still visible.

The demo's A-13 (`action-a13`, due 31 March 2027, one seeded update) is changed by no other journey.
Its owner and updates are fictional.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page

ACTION = "action-a13"
RECORD = f"/records/{ACTION}"
FORM = f"/actions/{ACTION}/updates/new"
BLOCKER = "Two voluntary sector networks have not sent their lists."
REASON = "Waiting for the networks' lists."


def test_a_coordinator_records_an_amber_update_that_revises_the_due_date(page: Page, sign_in, request):
    page.goto(RECORD)
    sign_in(page, "coordinator")
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))
    expect(page.locator("#due-dates")).to_have_text("Due 31 March 2027.")
    check_page(page)

    page.get_by_role("button", name="Record a progress update").click()
    expect(page).to_have_url(re.compile(re.escape(FORM) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a progress update")
    check_page(page)

    page.get_by_label("Summary (optional)").fill("Voluntary sector mapping has slipped")
    page.get_by_role("radio", name="Amber").check()
    page.get_by_label("Blockers (optional)").fill(BLOCKER)
    revised = page.get_by_role("group", name="Revised due date (optional)")
    revised.get_by_label("Day").fill("30")
    revised.get_by_label("Month").fill("6")
    revised.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save update").click()
    # The reason is missing: the form says so, keeping what was typed.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the due date moved")
    expect(page.get_by_label("Blockers (optional)")).to_have_value(BLOCKER)
    expect(page.get_by_role("radio", name="Amber")).to_be_checked()
    request.node.console_watch.forgive(422)  # the form comes back as 422 Unprocessable Content
    check_page(page)

    page.get_by_label("Revision reason (optional)").fill(REASON)
    page.get_by_role("button", name="Save update").click()
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "#progress$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Its due date is now 30 June 2027.")
    expect(page.locator("#due-dates")).to_have_text("Due 30 June 2027 (originally 31 March 2027).")
    newest = page.locator(".app-progress-update").first
    expect(newest.get_by_role("heading", level=3)).to_contain_text("Voluntary sector mapping has slipped")
    expect(newest).to_contain_text("Reported RAG: Amber")
    expect(newest).to_contain_text(BLOCKER)
    expect(newest).to_contain_text("Due date revised to 30 June 2027")
    expect(newest).to_contain_text(REASON)
    expect(page.locator(".app-progress-update").nth(1)).to_contain_text("Most initiatives mapped")
    check_page(page)
