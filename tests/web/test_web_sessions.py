"""Signing in and out, sessions that end (idle, revoked), CSRF, and the walls between pages and the API."""

from __future__ import annotations

import stat

import pytest

from graphsvc.auth import hash_token
from graphsvc.web import sessions
from graphsvc.web.sessions import secret_key_from_instance
from tests.web.conftest import csrf_token, sign_in


def session_cookie(browser):
    return browser.get_cookie("graphsvc_session")


def test_a_page_without_a_session_sends_the_person_to_sign_in_and_back(app):
    browser = app.test_client()
    answer = browser.get("/search?q=maternity")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=%2Fsearch%3Fq%3Dmaternity"


def test_sign_in_with_a_right_token_goes_to_next_and_keeps_only_its_hash(app, tokens):
    browser = app.test_client()
    answer = sign_in(browser, tokens["viewer"], next_path="/search")
    assert answer.status_code == 302 and answer.headers["Location"] == "/search"
    cookie = session_cookie(browser)
    assert cookie.http_only and cookie.same_site == "Lax"
    stored = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert stored["token_hash"] == hash_token(tokens["viewer"])
    assert tokens["viewer"] not in str(stored)
    page = browser.get("/search")
    assert page.status_code == 200 and "viewer-token (viewer)" in page.text


@pytest.mark.parametrize("target", ["//elsewhere.example", "https://elsewhere.example/", "/\t/elsewhere.example",
                                    "/\\elsewhere.example"])
def test_sign_in_never_sends_a_person_off_site(app, tokens, target):
    answer = sign_in(app.test_client(), tokens["viewer"], next_path=target)
    assert answer.headers["Location"] == "/"


def test_a_wrong_token_shows_the_error_summary_and_field_error_without_echoing_it(app, tokens):
    browser = app.test_client()
    wrong = tokens["viewer"] + "x"
    answer = browser.post("/sign-in", data={"token": wrong, "csrf_token": csrf_token(browser)})
    assert answer.status_code == 400
    assert "nhsuk-error-summary" in answer.text and "There is a problem" in answer.text
    assert 'class="nhsuk-error-message"' in answer.text and "not valid or has been revoked" in answer.text
    assert wrong not in answer.text and tokens["viewer"] not in answer.text
    assert "<title>Error: Sign in – graphsvc</title>" in answer.text
    assert browser.get("/").status_code == 302  # still signed out


def test_an_empty_token_is_asked_for(app):
    browser = app.test_client()
    answer = browser.post("/sign-in", data={"token": "  ", "csrf_token": csrf_token(browser)})
    assert answer.status_code == 400 and "Enter your access token." in answer.text


def test_sign_in_without_a_csrf_token_is_refused_with_an_nhs_page(app, tokens):
    answer = app.test_client().post("/sign-in", data={"token": tokens["admin"]})
    assert answer.status_code == 400
    assert "Sorry, there is a problem with that request" in answer.text and "nhsuk-header" in answer.text
    assert session_cookie(app.test_client()) is None


def test_sign_out_needs_the_csrf_token_and_then_ends_the_session(person_as):
    browser = person_as("coordinator")
    refused = browser.post("/sign-out")
    assert refused.status_code == 400
    assert browser.get("/").status_code == 200  # the forged sign-out did nothing
    answer = browser.post("/sign-out", data={"csrf_token": csrf_token(browser, "/")})
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in"
    assert browser.get("/").status_code == 302


def test_an_idle_session_ends(app, tokens, monkeypatch):
    browser = app.test_client()
    sign_in(browser, tokens["viewer"])
    now = sessions.time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + 59 * 60)
    assert browser.get("/").status_code == 200  # 59 minutes idle: still signed in, and seen again
    monkeypatch.setattr(sessions.time, "time", lambda: now + 59 * 60 + 61 * 60)
    answer = browser.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
    assert "inactive" in browser.get("/sign-in").text


def test_the_idle_limit_is_a_setting(app, tokens, monkeypatch):
    app.config["SESSION_IDLE_MINUTES"] = 5
    browser = app.test_client()
    sign_in(browser, tokens["viewer"])
    now = sessions.time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + 6 * 60)
    assert browser.get("/").status_code == 302


def test_revoking_a_token_ends_its_sessions_at_once(app, service, tokens, person_as):
    browser = person_as("governance")
    assert browser.get("/").status_code == 200
    service.store.revoke_token("governance-token", "test")
    answer = browser.get("/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
    assert session_cookie(browser) is None or "token_hash" not in app.session_interface.get_signing_serializer(
        app).loads(session_cookie(browser).value)


def test_a_session_cookie_never_authorises_the_api(person_as):
    browser = person_as("admin")
    answer = browser.get("/api/v1/gaps")
    assert answer.status_code == 401
    assert answer.get_json()["code"] == 401


def test_pages_have_a_strict_content_security_policy(person_as):
    policy = person_as("viewer").get("/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy


def test_the_api_keeps_its_own_policy(app, client):
    assert "default-src 'none'" in client.get("/api/v1/gaps").headers["Content-Security-Policy"]


def test_pages_are_never_cached(person_as):
    assert person_as("viewer").get("/").headers["Cache-Control"] == "no-store"


def test_the_secret_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    first = secret_key_from_instance(tmp_path / "instance")
    assert len(first) == 64
    assert secret_key_from_instance(tmp_path / "instance") == first
    mode = stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert [path.name for path in (tmp_path / "instance").iterdir()] == ["secret_key"]  # no drafts left


def test_without_a_configured_key_the_first_page_makes_one_in_the_instance_folder(tmp_path, monkeypatch):
    from graphsvc import create_app

    monkeypatch.delenv("GRAPHSVC_SECRET_KEY", raising=False)
    app = create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True})
    app.instance_path = str(tmp_path / "instance")
    assert not (tmp_path / "instance").exists()  # nothing written by create_app
    app.test_client().get("/api/v1/health")
    assert not (tmp_path / "instance").exists()  # nor by the API, which never opens a session
    app.test_client().get("/sign-in")
    assert (tmp_path / "instance" / "secret_key").exists()


def test_the_secret_key_can_come_from_the_environment(tmp_path, monkeypatch):
    from graphsvc import create_app

    monkeypatch.setenv("GRAPHSVC_SECRET_KEY", "from-the-environment")
    app = create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True})
    assert app.secret_key == "from-the-environment"


def test_secure_cookies_are_a_setting(tmp_path, monkeypatch, tokens):
    from graphsvc import create_app

    monkeypatch.setenv("GRAPHSVC_SECURE_COOKIES", "true")
    app = create_app({"DATABASE": str(tmp_path / "graph.sqlite3"), "TESTING": True, "SECRET_KEY": "k"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
