"""End-to-end fixtures: Debian's chromium driven by Playwright against a real, seeded ``graphsvc serve``.

* ``live_server`` (session): the service on a temporary database holding the report and the demo,
  with a token per role.
* ``browser`` (module): one headless chromium; ``page`` gives each test a fresh context (no cookies
  shared between tests) and fails the test if the browser logged any console or page error.
* ``sign_in(page, role)`` signs in through the form, as a person would.

Without chromium the tests here are skipped, saying how to install it; with ``CI=true`` they fail
instead, since CI must run them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.live_server import seed_database, start_server
from tests.browser.pages import ConsoleWatch

HERE = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# These machines have no internet: nothing may phone home, update itself or wait for a GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ACTION_TIMEOUT_MS = 10_000  # each click, fill or expectation
NAVIGATION_TIMEOUT_MS = 15_000
SIGN_IN_PAGE = re.compile(r"/sign-in(\?|$)")

expect.set_options(timeout=ACTION_TIMEOUT_MS)  # Playwright's 5 s is tight on a busy two-core CI machine


def pytest_collection_modifyitems(items):
    """Mark every test in this directory ``browser``, so ``-m browser`` / ``-m 'not browser'`` select them."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = os.environ.get("GRAPHSVC_CHROMIUM") or DEFAULT_CHROMIUM
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    message = (f"The browser tests need chromium at {path} (set GRAPHSVC_CHROMIUM to use another). "
               "Install it with: apt-get install chromium")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)  # CI installs chromium, so a missing one is a broken build
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _chromium_or_skip(chromium_executable):
    """Decide skip or fail before anything costly (the server) starts."""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live-server")
    tokens = seed_database(directory / "graph.sqlite3")
    server = start_server(directory / "graph.sqlite3", tokens, directory / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(chromium_executable):
    # Per module, not per session: while Playwright's sync API is running, asyncio.run() fails in
    # this process, and the rest of the suite runs after these tests.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.base_url, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    request.node.console_watch = ConsoleWatch(page)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a test body that passed, fail it if the browser logged errors meanwhile.

    Here rather than in the fixture's teardown so that it counts as the test failing, not as an
    error tearing it down.
    """
    result = yield
    watch = getattr(item, "console_watch", None)
    if watch is not None and watch.errors:
        pytest.fail(f"The browser reported errors during the test:\n{watch.report()}", pytrace=False)
    return result


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, role)``: paste the role's token into the sign-in form and submit it."""

    def sign_in_as(page: Page, role: str) -> None:
        if "/sign-in" not in page.url:
            page.goto("/sign-in")
        # The field's name is the shared contract; its label's wording is the page's to choose.
        page.locator("input[name=token]").fill(live_server.tokens[role])
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(SIGN_IN_PAGE)

    return sign_in_as
