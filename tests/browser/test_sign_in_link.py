"""Signing in with a one-time link from `graphsvc token create --link`, in a real browser (issue 11, sign-in).

Opening the link changes nothing; its one button signs the person in; the same link opened again, from
any browser, is refused and signs nobody in.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.browser.live_server import create_sign_in_link
from tests.browser.pages import ConsoleWatch, check_page

SIGN_IN_PAGE = re.compile(r"/sign-in\?next=")


def test_a_sign_in_link_signs_the_person_in_once(page: Page, browser, live_server):
    # A name of its own, so this test needs nothing from the others and can run again on one server.
    link = create_sign_in_link(live_server, f"browser-link-{secrets.token_hex(4)}", "governance")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your link")
    expect(page.locator("main").get_by_role("button")).to_have_count(1)
    check_page(page)
    page.goto("/")
    expect(page).to_have_url(SIGN_IN_PAGE)  # opening the link alone signs nobody in

    page.goto(link)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs attention")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    check_page(page)

    stranger = browser.new_context(base_url=live_server.base_url, locale="en-GB")
    try:
        again = stranger.new_page()
        watch = ConsoleWatch(again)
        again.goto(link)
        expect(again.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(again.locator("main")).to_contain_text("That sign-in link has already been used")
        check_page(again)
        watch.forgive(400)  # the refusal is answered 400 Bad Request, which the browser logs
        again.goto("/")
        expect(again).to_have_url(SIGN_IN_PAGE)
        assert not watch.errors, watch.report()
    finally:
        stranger.close()
