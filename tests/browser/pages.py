"""Helpers the journeys share: accessibility checks, screenshots, and watching the browser console."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, expect

# Every run saves its screenshots in an ignored folder, so running the tests leaves the work tree as it was;
# GRAPHSVC_SCREENSHOTS=docs saves them over the README's pictures instead, when those should change.
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS_SETTING = "GRAPHSVC_SCREENSHOTS"

_axe = Axe()


def check_page(page: Page) -> None:
    """What every page promises (the shared page frame), then axe-core's verdict."""
    expect(page).to_have_title(re.compile(r"\S – graphsvc$"))
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("main#maincontent")).to_have_count(1)
    expect(page.locator("a[href='#maincontent']")).to_have_count(1)  # the skip link
    check_accessibility(page)


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it stands; fail listing every violation unless there are none."""
    results = _axe.run(page)
    violations = results.response["violations"]
    if violations:
        pytest.fail(f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
                    + "\n".join(_describe(violation) for violation in violations), pytrace=False)


def _describe(violation: dict) -> str:
    where = "".join(f"\n    at {' '.join(map(str, node['target']))}: {node['html'][:160]}"
                    for node in violation["nodes"])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}{where}"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG of the page as <name>.png in `screenshots_folder()`."""
    folder = screenshots_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def screenshots_folder(environ=os.environ) -> Path:
    """tests/browser/screenshots/ (ignored by git), or docs/screenshots/ (the README's) when
    GRAPHSVC_SCREENSHOTS is "docs"; any other value is a mistake worth stopping for."""
    setting = environ.get(SCREENSHOTS_SETTING, "").strip().lower()
    if setting in ("", "tests"):
        return SCREENSHOTS
    if setting == "docs":
        return DOCS_SCREENSHOTS
    pytest.fail(f'{SCREENSHOTS_SETTING} is "docs" (refresh the README\'s screenshots) or unset, not {setting!r}.',
                pytrace=False)


class ConsoleWatch:
    """Collects console errors and uncaught page errors; the test fails afterwards if there were any.

    A CSP refusal of an inline script, a missing stylesheet or a JavaScript exception all surface
    here, where a person would only notice a page that looks or behaves slightly wrong.
    """

    def __init__(self, page: Page):
        self.errors: list[str] = []
        self.pages: dict[str, list[str]] = {}  # each error -> the pages it happened on
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._record(f"page error: {error.message}", page.url))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._record(f"console error: {message.text}", message.location.get("url") or "")

    def _record(self, error: str, where: str) -> None:
        if error not in self.pages:
            self.errors.append(error)
        self.pages.setdefault(error, []).append(where)

    def forgive(self, status: int) -> None:
        """The browser logs a 4xx answer as a console error: forgive those of a refusal the test expects
        (failing if there was none), and no other error."""
        expected = [error for error in self.errors if f"status of {status} " in error]
        assert expected, f"expected the browser to see a {status}"
        self.errors = [error for error in self.errors if error not in expected]
        for error in expected:
            del self.pages[error]  # so that the same refusal later, unexpected, is caught again

    def report(self) -> str:
        # The same error on every page of a journey is one problem: say it once, with where.
        return "\n".join(f"- {error}\n  on {', '.join(dict.fromkeys(self.pages[error]))}" for error in self.errors)
