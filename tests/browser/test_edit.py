"""A coordinator adds, changes and deletes a record through the generated forms, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

NAME = "Example walking group for carers"


def expected_refusal(request, status: int) -> None:
    """The browser logs a 4xx answer as a console error; forgive the one this step expects, no other."""
    watch = request.node.console_watch
    expected = [error for error in watch.errors if f"status of {status} " in error]
    assert expected, f"expected the browser to see a {status}"
    watch.errors = [error for error in watch.errors if error not in expected]


def test_a_coordinator_creates_edits_and_deletes_an_initiative(page: Page, sign_in, request):
    page.goto("/records/new")
    sign_in(page, "coordinator")
    expect(page).to_have_url(re.compile(r"/records/new$"))
    check_page(page)
    page.get_by_role("link", name="Initiative", exact=True).click()
    expect(page.locator("h1")).to_have_text("Add an initiative")
    check_page(page)

    # A first try with a bad date: the summary lists it and the field says what is wrong.
    page.get_by_label("Name", exact=True).fill(NAME)
    start = page.get_by_role("group", name="Start date (optional)")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("group", name="Status (optional)").get_by_label("Active").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Start date: Enter a real date")
    expect(page.get_by_label("Name", exact=True)).to_have_value(NAME)  # nothing typed is lost
    expected_refusal(request, 422)  # the form comes back as 422 Unprocessable Content
    check_page(page)
    screenshot(page, "edit-form")

    summary.get_by_role("link", name=re.compile("Start date")).click()
    expect(start.get_by_label("Day")).to_be_focused()
    start.get_by_label("Day").fill("28")
    page.get_by_label("Yes").check()  # example data
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/records/initiative-[0-9a-f]+$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{NAME} has been added.")
    details = page.locator(".nhsuk-summary-list")
    expect(details).to_contain_text("28 February 2026")
    expect(details).to_contain_text("Active")
    check_page(page)
    record_url = page.url

    page.get_by_role("link", name=f"Edit {NAME}").click()
    expect(page.locator("h1")).to_have_text(f"Change {NAME}")
    check_page(page)
    page.get_by_label("Description (optional)").fill("Example: a weekly walk for unpaid carers.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(record_url)
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{NAME} has been changed.")
    expect(details).to_contain_text("a weekly walk for unpaid carers")

    page.get_by_role("link", name=f"Delete {NAME}").click()
    expect(page.locator("h1")).to_have_text(f"Delete {NAME}?")
    check_page(page)
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page).to_have_url(re.compile(r"/records/deleted$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{NAME} has been deleted")
    check_page(page)
    page.goto(record_url)
    expect(page.locator("h1")).to_have_text("Page not found")
    expected_refusal(request, 404)
