"""The harness's own checks must be able to fail: a console error and an inaccessible page are caught."""

from __future__ import annotations

import pytest

from tests.browser.pages import ConsoleWatch, check_accessibility

ACCESSIBLE = """<!doctype html><html lang="en"><head><title>Fine – graphsvc</title></head>
<body><main><h1>Fine</h1><label for="q">Search</label><input id="q" name="q"></main></body></html>"""
INACCESSIBLE = """<!doctype html><html><head><title>Broken</title></head>
<body><main><h1>Broken</h1><input name="q"><img src="data:,"></main></body></html>"""


@pytest.fixture
def blank_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_console_and_page_errors_are_recorded(blank_page):
    watch = ConsoleWatch(blank_page)
    # Two scripts: the throw in the second must not stop the first from logging. Both run before
    # the load event that set_content waits for, so their reports have arrived when it returns.
    blank_page.set_content("<script>console.error('logged')</script><script>throw new Error('thrown')</script>")
    assert any("logged" in error for error in watch.errors), watch.errors
    assert any("thrown" in error for error in watch.errors), watch.errors


def test_axe_passes_an_accessible_page_and_lists_each_violation_of_another(blank_page):
    blank_page.set_content(ACCESSIBLE)
    check_accessibility(blank_page)

    blank_page.set_content(INACCESSIBLE)
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(blank_page)
    for rule in ("html-has-lang", "label", "image-alt"):
        assert rule in str(failure.value), str(failure.value)
