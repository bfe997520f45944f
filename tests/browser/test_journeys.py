"""Journeys through the web pages in a real browser, with real clicks and typing (issue 11).

Each page visited is checked for the shared page frame and by axe-core; any console or page error
fails the test (see conftest.py). The demo data is fictional: Victor Ambrose is the demo borough's
Director of Public Health, working for the borough council and a member of the governance group.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import check_page, screenshot

JOB_TITLE = "Director of Public Health"
PERSON_NAME = "Victor Ambrose"
PERSON_PAGE = "/records/person-victor-ambrose"
PERSON_EMAIL = "victor.ambrose@example.org"
EMPLOYER_PAGE = "/records/org-example-borough-council"
RECORD_LINKS = "main a[href^='/records/']"


def test_governance_signs_in_sees_what_needs_attention_finds_a_person_and_signs_out(page: Page, sign_in):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$|/sign-in\?next=/$"))
    check_page(page)

    sign_in(page, "governance")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))  # back where the visit began
    check_home_lists_what_needs_attention(page)
    check_page(page)
    screenshot(page, "home")
    open_the_first_item_and_come_back(page)

    search_from_the_header(page, JOB_TITLE)
    expect(page).to_have_url(re.compile(r"/search\?q=Director(\+|%20)of(\+|%20)Public(\+|%20)Health"))
    result = page.locator("main").get_by_role("link", name=PERSON_NAME)
    expect(result).to_be_visible()
    check_page(page)
    screenshot(page, "search-results")

    result.click()
    expect(page).to_have_url(re.compile(re.escape(PERSON_PAGE) + "$"))
    check_person_page(page)
    expect(page.locator("main")).to_contain_text(PERSON_EMAIL)  # governance may see contact details
    check_page(page)
    screenshot(page, "record-person")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in|/$"))
    page.goto(PERSON_PAGE)  # the session is over: the record is behind sign-in again
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def test_a_viewer_sees_no_email_on_a_person_page(page: Page, sign_in):
    page.goto(PERSON_PAGE)
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in(page, "viewer")
    expect(page).to_have_url(re.compile(re.escape(PERSON_PAGE) + "$"))  # sent on to `next`
    check_person_page(page)
    expect(page.locator("body")).not_to_contain_text("@example.org")
    expect(page.locator("a[href^='mailto:']")).to_have_count(0)
    check_page(page)


# -- steps ------------------------------------------------------------------------------------------


def check_home_lists_what_needs_attention(page: Page) -> None:
    """At least one item, and every record it links to opens (with this person's session)."""
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    links = page.locator(RECORD_LINKS)
    expect(links.first).to_be_visible()
    for href in sorted(set(links.evaluate_all("links => links.map(link => link.getAttribute('href'))"))):
        answer = page.request.get(href)
        assert answer.status == 200, f"the home page links to {href}, which answers {answer.status}"


def search_from_the_header(page: Page, text: str) -> None:
    box = page.get_by_role("banner").locator("input[name=q]")
    expect(box).to_have_accessible_name(re.compile(r"^Search"))
    box.click()
    box.press_sequentially(text)
    box.press("Enter")


def open_the_first_item_and_come_back(page: Page) -> None:
    item = page.locator(RECORD_LINKS).first
    title = item.inner_text().strip()
    item.click()
    expect(page).to_have_url(re.compile(r"/records/[^/?#]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_page(page)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def check_person_page(page: Page) -> None:
    """Its name, the example-data mark, relationships grouped by type and linked, and its history."""
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(PERSON_NAME)
    expect(main).to_contain_text(JOB_TITLE)
    expect(main.get_by_text("Example data", exact=True).first).to_be_visible()
    expect(main.get_by_role("heading", name="Relationships")).to_be_visible()
    expect(main.get_by_role("heading", name="Works for")).to_be_visible()
    expect(main.locator(f"a[href='{EMPLOYER_PAGE}']")).to_have_text("Example Borough Council")
    expect(main.get_by_role("heading", name="History")).to_be_visible()
    # The seed created the record: the history says who and what.
    expect(main.get_by_role("row").filter(has_text="Created")).to_contain_text("seed")
