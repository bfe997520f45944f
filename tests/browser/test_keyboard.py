"""A keyboard-only journey (WCAG 2.1.1 Keyboard, 2.4.1 Bypass blocks, 2.4.7 Focus visible): sign in,
skip to the content, search from the header, and hand an ownerless action to an owner, pressing only
Tab, Shift+Tab, Space and Enter and typing; no clicks.

The demo's only ownerless action (A-18) is the register journey's (test_actions.py), so this journey
first makes its own fictional, ownerless action through the API, and nothing else depends on its owner.
Kwame Hollis is a fictional member of the demo borough.
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.pages import check_page

ACTION_ID = "action-example-keyboard-journey"
ACTION_TITLE = "Publish an easy-read summary of the action log"
RECORD = f"/records/{ACTION_ID}"
OWNER_PAGE = f"/actions/{ACTION_ID}/owner"
OWNER_NAME = "Kwame Hollis"
MOST_PRESSES = 80  # Tab presses to reach any control on these pages; more means focus is lost
# Whether the focused control shows it: an outline that can be seen, or a box shadow. NHS.UK radios hide
# the input and draw its focus on the label's ::before.
FOCUS_SHOWN = """() => {
  const element = document.activeElement;
  const radio = element.matches(".nhsuk-radios__input") && element.labels.length;
  const style = radio ? getComputedStyle(element.labels[0], "::before") : getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  return outline || style.boxShadow !== "none";
}"""


@pytest.fixture(scope="module")
def ownerless_action(live_server) -> str:
    """A fictional action with no accountable owner, made as a program would make one."""
    with requests.Session() as session:
        session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
        answer = session.post(f"{live_server.base_url}/api/v1/actions", timeout=10,
                              headers={"Authorization": f"Bearer {live_server.tokens['governance']}"},
                              json={"id": ACTION_ID, "title": ACTION_TITLE, "reference": "A-90",
                                    "status": "not_started", "priority": "low", "example": True})
    assert answer.status_code == 201, answer.text
    return ACTION_ID


def test_governance_hands_an_ownerless_action_to_an_owner_with_the_keyboard_alone(
        page: Page, live_server, ownerless_action):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in_with_the_keyboard(page, live_server.tokens["governance"])
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs attention")

    press_until(page, "Tab", "a.nhsuk-skip-link")  # the first thing on the page
    check_focus_shown(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#maincontent")).to_be_focused()

    press_until(page, "Shift+Tab", "header input[name=q]")  # back up from the content to the header search
    check_focus_shown(page)
    page.keyboard.type(ACTION_TITLE)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    check_page(page)

    press_until(page, "Tab", f"main a[href='{RECORD}']")
    check_focus_shown(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION_TITLE)

    press_until(page, "Tab", f"main a[href='{OWNER_PAGE}']")
    check_focus_shown(page)
    page.keyboard.press("Enter")
    expect(page.locator("#current-owner")).to_have_text("No accountable owner")
    check_page(page)

    choose_the_owner_with_the_keyboard(page)
    expect(page).to_have_url(re.compile(re.escape(RECORD) + "$"))
    expect(page.locator("main").get_by_role("link", name=OWNER_NAME).first).to_be_visible()
    check_page(page)


def sign_in_with_the_keyboard(page: Page, token: str) -> None:
    press_until(page, "Tab", "main input[name=token]")
    check_focus_shown(page)
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def choose_the_owner_with_the_keyboard(page: Page) -> None:
    """Type the name (the matches come as you type), Tab past Search to the choices, Space, then Save."""
    press_until(page, "Tab", "main input#q")
    check_focus_shown(page)
    page.keyboard.type(OWNER_NAME)
    choice = page.get_by_role("radio", name=OWNER_NAME)
    expect(choice).to_be_visible()  # waiting, not pressing: the picker fetches after a pause
    # The answer to the whole name has come (not only to the first letters), so nothing swaps under the Tab.
    expect(page).to_have_url(re.compile(re.escape(OWNER_PAGE) + r"\?q=Kwame\+Hollis$"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search", exact=True).last).to_be_focused()
    check_focus_shown(page)
    page.keyboard.press("Tab")
    expect(choice).to_be_focused()
    check_focus_shown(page)
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save owner")).to_be_focused()
    check_focus_shown(page)
    page.keyboard.press("Enter")


def press_until(page: Page, key: str, selector: str) -> None:
    """Press `key` until the focused element matches `selector`; fail if it never does."""
    for _ in range(MOST_PRESSES):
        page.keyboard.press(key)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{MOST_PRESSES} presses of {key} on {page.url} never reached {selector}", pytrace=False)


def check_focus_shown(page: Page) -> None:
    # Waited for rather than read once: NHS.UK's focus styles have no transition, but a busy machine
    # may apply them a moment after the key press.
    try:
        page.wait_for_function(FOCUS_SHOWN, timeout=2_000)
    except PlaywrightError:
        focused = page.evaluate("document.activeElement.outerHTML.slice(0, 160)")
        pytest.fail(f"the focused element shows no outline or box shadow on {page.url}: {focused}", pytrace=False)
