"""A coordinator follows a recommendation to its effect in a real browser: from the recommendation's
record to its trace, along the chain to an indicator's chart, then to the EDS 2022 coverage grid, where
the same indicator evidences outcome 3A and the items with no evidence say so. axe-core checks each page.

The recommendation and EDS 2022 are real (the report and seeds/frameworks/); the actions, outcome,
indicator, its values and the links to EDS 2022 are the fictional demo's, marked as example on every page.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

RECOMMENDATION = "rec-engage-senior-leaders"
INDICATOR = "indicator-exec-sponsors"
INDICATOR_NAME = "Partner organisations with a named executive sponsor for anti-racism"


def test_a_coordinator_follows_a_recommendation_to_its_indicator_and_the_eds_2022_grid(page: Page, sign_in):
    page.goto(f"/records/{RECOMMENDATION}")
    sign_in(page, "coordinator")
    page.get_by_role("link", name=re.compile("^Trace to impact")).click()
    expect(page).to_have_url(re.compile(f"/recommendations/{RECOMMENDATION}/trace$"))
    expect(page.get_by_text("Trace to impact: recommendation")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("9. Engage senior leaders")
    chain = page.locator("main")
    expect(chain.locator(".app-trace-action")).to_have_count(2)
    action = chain.locator(".app-trace-action").filter(has_text="Each partner organisation names an executive sponsor")
    expect(action).to_contain_text("Accountable:")
    expect(action).to_contain_text("RAG:")
    indicator = chain.locator(".app-trace-indicator").filter(has_text=INDICATOR_NAME).first
    expect(indicator).to_contain_text("Latest value: 7")
    expect(indicator).to_contain_text("On track")
    expect(page.get_by_text("Example data").first).to_be_visible()
    check_page(page)
    screenshot(page, "trace")

    indicator.get_by_role("link", name=INDICATOR_NAME).click()
    expect(page).to_have_url(re.compile(f"/records/{INDICATOR}$"))
    chart = page.locator("#indicator-chart")
    expect(chart).to_be_visible()  # hidden until the script has drawn it from the table
    expect(chart.locator("canvas")).to_have_count(1)
    values = page.locator("#indicator-series tbody tr")
    assert values.count() >= 3
    expect(values.last).to_contain_text("7")
    expect(chart).to_have_attribute("aria-label", re.compile(rf"^Series of {values.count()} values"))
    check_page(page)

    header = page.locator("header.nhsuk-header")
    more = header.get_by_role("button", name=re.compile("More"))
    if more.is_visible():  # the header folds its last items into "More" when they do not fit
        more.click()
    header.get_by_role("link", name="Frameworks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frameworks")
    check_page(page)
    page.get_by_role("link", name=re.compile("^EDS 2022")).click()
    expect(page).to_have_url(re.compile("/frameworks/framework-eds-2022$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("EDS 2022: coverage")
    outcome_3a = page.locator("#item-eds-2022-3a")
    expect(outcome_3a.get_by_role("link", name=INDICATOR_NAME)).to_be_visible()
    expect(outcome_3a).to_contain_text("On track")
    expect(page.locator("#item-eds-2022-2a")).to_contain_text("Flagged")  # the workforce domain is thin here
    expect(page.locator("#item-eds-2022-3a")).not_to_contain_text("Flagged")
    check_page(page)
    screenshot(page, "framework-coverage")
