"""One-time sign-in links from `graphsvc token create --link` (issue 11, sign-in)."""

from __future__ import annotations

import re

import pytest
from itsdangerous import TimestampSigner

from tests.web.conftest import csrf_token

LINK = re.compile(r"http://[^/\s]+(/sign-in/link/\S+)")


def created_link(runner, role: str = "governance", name: str = "linked-person") -> tuple[str, str]:
    result = runner.invoke(args=["token", "create", "--name", name, "--role", role, "--link"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("gsv_")  # the token itself stays the first line, alone
    return lines[0], LINK.search(result.output).group(1)


def use(browser, path: str):
    return browser.post(path, data={"csrf_token": csrf_token(browser, path)})


@pytest.fixture
def app(app, tmp_path):
    app.config["SIGN_IN_LINKS_FOLDER"] = str(tmp_path / "used-links")  # not the real instance folder
    return app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_used_links_are_kept_in_the_configured_folder(app, runner, tmp_path):
    _, path = created_link(runner)
    assert use(app.test_client(), path).status_code == 302
    assert len(list((tmp_path / "used-links").iterdir())) == 1


def test_the_link_signs_the_person_in_once(app, runner):
    _, path = created_link(runner)
    browser = app.test_client()
    opened = browser.get(path)
    assert opened.status_code == 200 and "Sign in with your link" in opened.text
    assert browser.get("/").status_code == 302  # opening the link alone signs nobody in
    answer = use(browser, path)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    # A second use, from this browser or any other, is refused with the sign-in page.
    stranger = app.test_client()
    again = stranger.get(path)
    assert again.status_code == 400 and "already been used" in again.text and "<h1>Sign in</h1>" in again.text
    assert use(stranger, path).status_code == 400
    assert stranger.get("/").status_code == 302


def test_the_cli_prints_the_given_host(runner):
    result = runner.invoke(args=["token", "create", "--name", "x", "--role", "viewer", "--link",
                                 "--base-url", "https://graph.example.org/"])
    assert "https://graph.example.org/sign-in/link/" in result.output


def test_an_expired_link_is_refused(app, runner, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 16 * 60)
    _, path = created_link(runner)  # signed 16 minutes ago
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    browser = app.test_client()
    answer = use(browser, path)
    assert answer.status_code == 400 and "expired" in answer.text and "There is a problem" in answer.text
    assert browser.get("/").status_code == 302


def test_a_tampered_link_is_refused(app, runner):
    _, path = created_link(runner)
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    browser = app.test_client()
    answer = use(browser, tampered)
    assert answer.status_code == 400 and "not valid" in answer.text
    assert browser.get("/").status_code == 302
    # Signed with another key: refused too.
    other = app.test_client()
    assert "not valid" in other.get("/sign-in/link/" + "eyJoIjoiYSJ9.abc.def").text


def test_a_link_for_a_revoked_token_is_refused(app, runner, service):
    _, path = created_link(runner, name="leaver")
    service.store.revoke_token("leaver", "test")
    browser = app.test_client()
    answer = use(browser, path)
    assert answer.status_code == 400 and "revoked" in answer.text
    assert browser.get("/").status_code == 302


def test_using_a_link_needs_the_csrf_token(app, runner):
    _, path = created_link(runner)
    browser = app.test_client()
    assert browser.post(path).status_code == 400
    assert use(browser, path).status_code == 302  # not spent by the refused attempt
