"""A coordinator's journey through the mapping pages in a real browser: an initiative's page and its
possible overlaps, the overlap queue, a decision recorded, then the coverage matrix and one of its cells'
initiatives (issue 11, journey 2)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

HOSPITALS = "init-maternity-equity-hospitals"
HOSPITALS_NAME = "Equitable Maternity Care Programme"
COMMUNITY_NAME = "Maternity Equity and Continuity Project"
NOTE = "Same work in the same places: the two trusts will plan it together."


def test_a_coordinator_reviews_the_maternity_pair_and_follows_coverage_to_initiatives(page: Page, sign_in):
    page.goto("/sign-in")
    sign_in(page, "coordinator")

    # An initiative found by its words names what it may overlap with, and where to review that.
    page.get_by_role("banner").get_by_role("link", name="Initiatives", exact=True).click()
    filters = page.get_by_role("form", name="Filter initiatives")
    filters.get_by_role("searchbox", name="Search").fill("maternity")
    filters.get_by_role("button", name="Apply filters").click()
    page.locator("#initiative-results").get_by_role("link", name=HOSPITALS_NAME).click()
    expect(page).to_have_url(re.compile(rf"/records/{HOSPITALS}$"))
    expect(page.get_by_role("heading", level=2, name="Possible overlaps")).to_be_visible()
    overlap = page.locator(".app-overlaps__item").filter(has_text=COMMUNITY_NAME)
    expect(overlap).to_have_count(1)
    expect(overlap.get_by_role("link", name=COMMUNITY_NAME)).to_be_visible()
    for text in ("Example data", "Shared themes", "Maternity and neonatal outcomes", "Shared places"):
        expect(overlap).to_contain_text(text)
    expect(overlap).to_contain_text(re.compile(r"Strong overlap \(0\.\d\d\)"))
    check_page(page)
    screenshot(page, "initiative")
    page.get_by_role("link", name=f"Review these overlaps of {HOSPITALS_NAME}").click()
    expect(page).to_have_url(re.compile(rf"/overlaps\?id={HOSPITALS}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Overlaps of {HOSPITALS_NAME}")
    expect(page.locator("section.app-pair").filter(has_text=COMMUNITY_NAME)).to_have_count(1)
    check_page(page)

    page.get_by_role("banner").get_by_role("link", name="Overlaps", exact=True).click()
    expect(page).to_have_url(re.compile(r"/overlaps$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Overlap queue")
    pair = page.locator("section.app-pair").filter(has_text=HOSPITALS_NAME).filter(has_text=COMMUNITY_NAME)
    expect(pair).to_have_count(1)
    # Both sides, who leads them and why they overlap, side by side.
    for text in ("Fiona Marchetti", "Ben Carrow", "Maternity and neonatal outcomes", "Shared places",
                 "Text similarity"):
        expect(pair).to_contain_text(text)
    expect(pair.get_by_role("heading", level=2)).to_contain_text(re.compile(r"Strong overlap \(0\.\d\d\)"))
    check_page(page)
    screenshot(page, "overlaps")

    pair.get_by_label("Aligned", exact=True).check()
    pair.get_by_label("Note (optional)").fill(NOTE)
    pair.get_by_role("button", name=re.compile(r"^(Record|Change) decision$")).click()
    expect(page).to_have_url(re.compile(r"/overlaps\?recorded=aligned$"))
    expect(page.get_by_role("status").first).to_contain_text("Your decision (aligned) is recorded.")
    reviewed = page.locator("section.app-pair").filter(has_text=HOSPITALS_NAME).filter(has_text=COMMUNITY_NAME)
    expect(reviewed).to_contain_text("Reviewed: Aligned")
    expect(reviewed).to_contain_text(NOTE)
    check_page(page)

    # Decided, the pair leaves the initiative's possible overlaps; the two now show as aligned.
    reviewed.get_by_role("link", name=HOSPITALS_NAME, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/records/{HOSPITALS}$"))
    expect(page.locator(".app-overlaps__item")).to_have_count(0)
    expect(page.get_by_text("No possible overlaps with other initiatives are waiting for a decision.")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(r"^Aligned with"))).to_be_visible()

    page.get_by_role("banner").get_by_role("link", name="Coverage", exact=True).click()
    expect(page).to_have_url(re.compile(r"/coverage$"))
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Black Caribbean")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Maternity and neonatal outcomes")).to_be_visible()
    expect(table.get_by_role("cell", name="None").first).to_be_visible()
    check_page(page)
    screenshot(page, "coverage")

    cell = table.get_by_role("link", name=re.compile(r"^\d+ initiatives?: Maternity and neonatal outcomes and Black "
                                                      r"Caribbean$"))
    count = int(cell.inner_text())
    cell.click()
    expect(page).to_have_url(re.compile(r"/initiatives\?theme=theme-maternity-neonatal&population="
                                        r"population-black-caribbean&status=active$"))
    results = page.locator("#initiative-results > li")
    expect(results).to_have_count(count)
    expect(page.locator("#initiative-results").get_by_role("link", name=HOSPITALS_NAME)).to_be_visible()
    expect(page.get_by_label("Status")).to_have_value("active")
    expect(page.get_by_label("Theme")).to_have_value("theme-maternity-neonatal")
    check_page(page)
    screenshot(page, "initiatives")
