"""The demo's maternity indicator in a real browser: uPlot draws its series from the table under the
strict content security policy (any refusal would be a console error, which fails the test), the page
passes axe-core, and a small cell typed into "Record a value" is refused beside `people`, writing nothing.

`indicator-early-antenatal-booking` and its quarterly values are fictional; no other journey changes it.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

INDICATOR = "indicator-early-antenatal-booking"
RECORD = f"/records/{INDICATOR}"
# How many of the chart's pixels are the values' NHS blue (#005eb8).
BLUE_PIXELS = """() => {
  const canvas = document.querySelector("#indicator-chart canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === 0 && data[i + 1] === 94 && data[i + 2] === 184 && data[i + 3] === 255) count++;
  }
  return count;
}"""


def test_the_indicator_page_draws_its_chart_and_refuses_a_small_cell(page: Page, sign_in, request):
    page.goto(RECORD)
    sign_in(page, "coordinator")
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))

    chart = page.locator("#indicator-chart")
    expect(chart).to_be_visible()  # hidden until the script draws it
    expect(chart.locator("canvas")).to_have_count(1)
    assert chart.locator("canvas").bounding_box()["width"] > 300
    expect(page.locator("#indicator-chart-key")).to_be_visible()
    rows = page.locator("#indicator-series tbody tr").count()
    assert rows >= 2
    expect(chart).to_have_attribute("aria-label", re.compile(rf"^Series of {rows} values from .*; target 70% by "))
    assert page.evaluate(BLUE_PIXELS) > 200  # the values' line and points are drawn, not only the axes
    expect(page.locator(".app-indicator-summary")).to_contain_text("Off track")
    check_page(page)
    screenshot(page, "indicator")

    page.get_by_label("Period", exact=True).fill("Q3 2026/27")
    page.get_by_label("Value", exact=True).fill("58")
    when = page.get_by_role("group", name="Date")
    when.get_by_label("Day").fill("30")
    when.get_by_label("Month").fill("9")
    when.get_by_label("Year").fill("2026")
    page.get_by_label("Population the value is for (optional)").select_option(label="Black Caribbean")
    page.get_by_label("People (optional)").fill("6")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("fewer than 10 people is refused")
    expect(page.locator("#people-error")).to_contain_text("fewer than 10 people is refused")
    expect(page.get_by_label("People (optional)")).to_have_value("6")
    request.node.console_watch.forgive(422)  # the form comes back as 422 Unprocessable Content
    check_page(page)

    page.goto(RECORD)
    expect(page.locator("#indicator-series tbody tr")).to_have_count(rows)  # nothing was recorded
