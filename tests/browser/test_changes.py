"""A governance member adds a record, then opens Changes and uses "Since the last meeting" to see it there
among everything done since the governance group last met, in a real browser (governance cycle, part 3).

The demo's governance group held its last meeting in November 2026, so the seeding itself and every
journey's edits count as "since" it. The record added here is fictional example data; it is deleted
again through the API at the end, as a program would, so the other journeys find the demo as it was.
"""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

TITLE = "Example checklist for the changes journey"
SINCE_THE_LAST_MEETING = re.compile(r"^Since the last meeting: .+, \d{1,2} [A-Z][a-z]+ \d{4}$")


def test_a_governance_member_sees_their_change_since_the_last_meeting(page: Page, sign_in, live_server):
    page.goto("/records/new")
    sign_in(page, "governance")
    page.get_by_role("link", name="Resource", exact=True).click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Yes").check()  # example data
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{TITLE} has been added.")
    record_id = page.url.rsplit("/", 1)[-1]
    try:
        see_the_change(page)
    finally:
        delete(live_server, record_id)


def see_the_change(page: Page) -> None:
    changes = page.get_by_role("banner").get_by_role("link", name="Changes", exact=True)
    if not changes.filter(visible=True).count():  # the header keeps what does not fit under "More"
        page.get_by_role("banner").get_by_role("button", name="More").click()
    changes.filter(visible=True).click()  # as a person finds it: in the list or the "More" menu
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes")
    check_page(page)

    page.get_by_role("link", name=SINCE_THE_LAST_MEETING).click()
    expect(page).to_have_url(re.compile(r"/changes\?since=last-meeting$"))
    expect(page.locator("h2#summary")).to_contain_text(re.compile(r"^From the start of .+, the day of .+ until now"))
    created = page.get_by_role("table", name=re.compile(r"^Resources created \(\d+\)$"))
    mine = created.get_by_role("row").filter(has_text=TITLE)
    expect(mine).to_contain_text("browser-governance")
    expect(mine).to_contain_text("Example data")
    check_page(page)
    screenshot(page, "changes")

    # Only resources: the form keeps the meeting's day and adds the type, all in the address.
    page.get_by_text("Only some record types").click()
    page.get_by_role("checkbox", name="Resources").check()
    page.get_by_role("button", name="Show changes").click()
    expect(page).to_have_url(re.compile(r"/changes\?since=\d{4}-\d{2}-\d{2}&until=&types=Resource$"))
    expect(page.locator("main")).to_contain_text("Only these record types: Resource.")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Resources"])
    expect(created.get_by_role("row").filter(has_text=TITLE)).to_contain_text("browser-governance")
    check_page(page)


def delete(live_server, record_id: str) -> None:
    with requests.Session() as session:
        session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
        answer = session.delete(f"{live_server.base_url}/api/v1/resources/{record_id}", timeout=10,
                                headers={"Authorization": f"Bearer {live_server.tokens['governance']}"})
    assert answer.status_code == 204, answer.text
