"""A coordinator's import in a real browser: a CSV with a bad row is refused with the row located,
the corrected file is previewed (nothing written yet), then applied (issue 11, journey 2)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

HEADER = "id,type,name,baseline\n"
GOOD_ROW = "indicator-browser-import-a,Indicator,Browser import readiness,4\n"
BAD_ROW = "indicator-browser-import-b,Indicator,Browser import uptake,plenty\n"
FIXED_ROW = "indicator-browser-import-b,Indicator,Browser import uptake,7\n"


def choose(page: Page, text: str) -> None:
    page.locator("input[type=file][name=file]").set_input_files(
        {"name": "indicators.csv", "mimeType": "text/csv", "buffer": text.encode()})


def expected_refusal(request, status: int) -> None:
    """The browser logs a 4xx answer as a console error; forgive the one this step expects, no other."""
    watch = request.node.console_watch
    expected = [error for error in watch.errors if f"status of {status} " in error]
    assert expected, f"expected the browser to see a {status}"
    watch.errors = [error for error in watch.errors if error not in expected]


def test_a_coordinator_fixes_a_bad_row_previews_and_applies_an_import(page: Page, sign_in, request):
    page.goto("/sign-in")
    sign_in(page, "coordinator")

    # The header lists Import for a coordinator (under "More" on narrower screens).
    expect(page.get_by_role("banner").locator("a[href='/import']")).to_have_count(1)
    page.goto("/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import records")
    expect(page.get_by_role("link", name="Excel template (.xlsx)")).to_be_visible()
    check_page(page)

    choose(page, HEADER + GOOD_ROW + BAD_ROW)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems with indicators.csv")
    problem = page.locator("table.app-import-problems tbody tr").filter(has_text="baseline")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("indicators.csv")
    expect(problem.locator("td").nth(1)).to_have_text("nodes")
    expect(problem.locator("td").nth(2)).to_have_text("3")
    expect(problem.locator("td").nth(3)).to_have_text("baseline")
    expect(page.get_by_role("button", name="Apply this import")).to_have_count(0)
    expected_refusal(request, 422)  # the preview of a file with problems is a 422 Unprocessable Content
    check_page(page)

    page.get_by_role("link", name="check the file again").click()
    choose(page, HEADER + GOOD_ROW + FIXED_ROW)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check this import")
    expect(page.get_by_role("status")).to_contain_text("Nothing has been written yet")
    created = page.locator(".nhsuk-summary-list__row").filter(has_text="Would be created")
    expect(created.locator("dd")).to_have_text("2")
    check_page(page)
    screenshot(page, "import-preview")

    page.get_by_role("button", name="Apply this import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import applied")
    expect(page.locator(".nhsuk-summary-list__row").filter(has_text="Created").locator("dd")).to_have_text("2")
    check_page(page)

    page.goto("/records/indicator-browser-import-b")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Browser import uptake")
