"""Fixtures for the web pages: an app with a fixed secret key, and clients signed in through the form."""

from __future__ import annotations

import re

import pytest

from graphsvc import create_app

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path):
    # A key given here keeps the tests from writing one into the instance folder.
    return create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True,
                       "SECRET_KEY": "a-secret-for-tests-only"})


@pytest.fixture
def person_as(app, tokens):
    """A browser-like client signed in through `/sign-in` with the token of `role`."""
    def make(role: str):
        browser = app.test_client()
        answer = sign_in(browser, tokens[role])
        assert answer.status_code == 302, answer.text
        return browser
    return make


def csrf_token(browser, path: str = "/sign-in") -> str:
    return CSRF_FIELD.search(browser.get(path).text).group(1)


def sign_in(browser, token: str, next_path: str | None = None):
    query = f"?next={next_path}" if next_path else ""
    return browser.post(f"/sign-in{query}", data={"token": token, "csrf_token": csrf_token(browser)})
