"""Every page for every role: status, content, role gating, example marks and NHS-style error pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import graphsvc.queries.settings
import graphsvc.web.views
from graphsvc.auth import ROLES
from tests.web.conftest import csrf_token

ASSETS = Path(graphsvc.web.__file__).parent / "static" / "vendor" / "nhsuk" / "assets"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


@pytest.fixture
def demo(seeded, person_as, monkeypatch):
    """The shipped report and demo, judged on the day its planted flags are written for, and a
    signed-in client per role."""
    monkeypatch.setattr(graphsvc.queries.settings, "today", lambda: dt.date(2026, 12, 1))
    return person_as


def page_text(answer) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path, title", [
    ("/", "What needs attention"), ("/search", "Search"), ("/search?q=mentoring", "Search results for mentoring"),
    ("/records/action-a18", "Baseline survey of members' confidence"),
])
def test_every_page_answers_every_role_in_the_nhs_frame(demo, role, path, title):
    answer = demo(role).get(path)
    assert answer.status_code == 200
    html = answer.text
    assert f"<title>{title} – graphsvc</title>".replace("'", "&#39;") in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert '<main class="nhsuk-main-wrapper" id="maincontent">' in html
    assert 'href="#maincontent"' in html and "Skip to main content" in html
    assert f"{role}-token ({role})" in html  # who is signed in, and as what
    assert 'action="/sign-out"' in html and 'name="csrf_token"' in html
    assert 'action="/search"' in html and 'name="q"' in html
    assert not INLINE_SCRIPT.search(html) and "<style" not in html and " style=" not in html


def test_home_lists_what_needs_attention_most_urgent_first_with_links_and_fixes(demo):
    answer = demo("governance").get("/")
    text = page_text(answer)
    headings = re.findall(r'<h2 id="([a-z-]+)"', answer.text)
    assert headings[:5] == ["action-without-owner", "action-overdue", "action-multiple-owners", "owner-left",
                            "recommendation-without-action"]
    assert headings[-1] == "other-flags"
    assert 'href="/records/action-a18"' in answer.text  # the demo's ownerless action
    assert 'href="/records/person-gareth-pimm"' in answer.text  # the owner who has left
    assert 'href="/records/rec-communicate-goals"' in answer.text  # a recommendation nobody acts on
    for overdue in ("action-a02", "action-a06", "action-a08", "action-a10"):
        assert f'href="/records/{overdue}"' in answer.text
    assert 'href="/records/action-a01"' not in answer.text  # past due but done: not flagged
    assert "What to do:" in text and "Nobody is accountable" in text
    assert "Example data" in text


def test_the_other_flags_are_counted_by_rule(demo):
    text = page_text(demo("viewer").get("/"))
    assert "Open action with no due date" in text and "Medium severity" in text


def test_an_empty_search_shows_the_form_only(demo):
    answer = demo("viewer").get("/search?q=+")
    assert answer.status_code == 200
    assert 'id="q"' in answer.text and "records match" not in answer.text and "app-results" not in answer.text


def test_search_finds_records_with_type_label_snippet_and_example_tag(demo):
    answer = demo("viewer").get("/search?q=mentoring")
    text = page_text(answer)
    assert "records match “mentoring”" in text
    assert 'href="/records/' in answer.text and "Initiative" in text
    assert "Example data" in text
    assert 'class="nhsuk-body-s app-snippet"' in answer.text
    assert 'value="mentoring"' in answer.text  # the query stays in the box


def test_search_pages_through_many_results(demo):
    browser = demo("viewer")
    first = browser.get("/search?q=example")
    total = int(re.search(r"(\d+) records match", page_text(first)).group(1))
    assert total > 20
    assert first.text.count('class="app-results__item"') == 20
    assert "page=2" in first.text and "(page 1 of" in page_text(first)
    last_page = -(-total // 20)
    last = browser.get(f"/search?q=example&page={last_page}")
    assert last.text.count('class="app-results__item"') == total - 20 * (last_page - 1)
    assert f"page={last_page - 1}" in last.text


def test_a_too_long_search_is_explained_not_run(demo):
    answer = demo("viewer").get("/search?q=" + "a" * 201)
    assert answer.status_code == 200 and "200 characters or fewer" in answer.text


def test_a_record_page_shows_properties_in_order_readably(demo):
    answer = demo("viewer").get("/records/action-a02")
    text = page_text(answer)
    assert "Produce the CoP Introduction Pack" in text
    labels = re.findall(r'<dt class="nhsuk-summary-list__key"\s*>\s*(.*?)\s*</dt>', answer.text)
    values = re.findall(r'<dd class="nhsuk-summary-list__value"\s*>\s*(.*?)\s*</dd>', answer.text, re.S)
    shown = dict(zip(labels, values, strict=True))
    assert labels.index("Title") < labels.index("Status") < labels.index("Due date")
    assert shown["Due date"] == "31 October 2026"  # a date in words
    assert shown["Status"] == "In progress"  # an enum value as a phrase
    assert "Example data" in text and "This record is fictional" in text


def test_a_record_page_groups_links_by_type_and_direction_with_names(demo):
    answer = demo("viewer").get("/records/action-a02")
    text = page_text(answer)
    assert "Accountable for this action" in text  # incoming: the owner
    assert 'href="/records/person-nadia-farrow">Nadia Farrow</a>' in answer.text
    assert "Implements" in text  # outgoing: the recommendation it answers


def test_an_initiative_page_groups_who_and_what_it_works_on_under_readable_headings(demo):
    answer = demo("viewer").get("/records/init-maternity-equity-hospitals")
    groups = dict(re.findall(r'<h3 class="nhsuk-heading-s">(.*?)</h3>\s*<ul class="nhsuk-list nhsuk-list--bullet">'
                             r"(.*?)</ul>", answer.text, re.S))
    expected = {  # heading: one record listed under it (themes, populations, places, outcomes, who leads...)
        "Leads this initiative": "Example Hospitals NHS Trust", "Partners in this initiative": "Example Voices",
        "Funds this initiative": "North Example Integrated Care Board",
        "Sponsors this initiative": "Grace Adebayo-Lund", "Accountable for this initiative": "Grace Adebayo-Lund",
        "Addresses": "Maternity and neonatal outcomes", "Serves": "Black Caribbean", "Operates in": "Riverside",
        "Contributes to": "Narrower ethnic disparities in maternity and neonatal outcomes",
    }
    for heading, member in expected.items():
        assert member in groups[heading], heading
    assert answer.text.index('id="relationships"') < answer.text.index('id="overlaps"') < answer.text.index(
        'id="history"')  # its possible overlaps follow its links


def test_aligned_initiatives_show_on_both_pages(demo):
    aligned = demo("viewer").get("/records/init-pcref-implementation").text
    assert re.search(r'<h3 class="nhsuk-heading-s">Aligned with</h3>\s*<ul[^>]*>\s*<li>'
                     r'<a href="/records/init-faith-mental-wellbeing-outreach">', aligned)
    other = demo("viewer").get("/records/init-faith-mental-wellbeing-outreach").text
    assert re.search(r'<h3 class="nhsuk-heading-s">Aligned with this initiative</h3>\s*<ul[^>]*>\s*<li>'
                     r'<a href="/records/init-pcref-implementation">', other)


def test_a_record_page_shows_its_open_flags_and_history(demo, client):
    client.patch("/api/v1/actions/action-a02", json={"priority": "low"})
    answer = demo("viewer").get("/records/action-a02")
    text = page_text(answer)
    assert "Open flags" in text and "was due on 2026-10-31" in text
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", answer.text, re.S)
    history = [page_text(type("A", (), {"text": row})) for row in rows[1:]]
    assert "admin-token" in history[0] and "Changed: Priority" in history[0]  # newest first, who and what
    assert "seed" in history[-1] and "Created" in history[-1]


def test_viewers_see_no_email_on_a_person_page_nor_in_its_history(demo, client):
    client.patch("/api/v1/people/person-nadia-farrow", json={"email": "nadia.f@example.org"})
    viewer = demo("viewer").get("/records/person-nadia-farrow")
    assert "@example.org" not in viewer.text and "Email" not in page_text(viewer)
    coordinator = demo("coordinator").get("/records/person-nadia-farrow")
    assert 'href="mailto:nadia.f@example.org"' in coordinator.text
    assert "Changed: Email" in page_text(coordinator)


def test_an_unknown_record_is_an_nhs_404_page(demo):
    answer = demo("viewer").get("/records/no-such-record")
    assert answer.status_code == 404
    assert "Page not found" in answer.text and "nhsuk-header" in answer.text


def test_an_unknown_address_is_an_nhs_404_page_but_the_api_keeps_json(demo, client):
    answer = demo("viewer").get("/no-such-page")
    assert answer.status_code == 404 and "Page not found" in answer.text
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["code"] == 404


def test_a_wrong_method_on_a_page_is_an_nhs_405_page(demo):
    answer = demo("viewer").get("/sign-out")
    assert answer.status_code == 405 and "cannot be done here" in answer.text


def test_a_failure_is_an_nhs_500_page_without_a_traceback(demo, monkeypatch):
    def broken(service):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(graphsvc.web.views, "attention_context", broken)
    answer = demo("viewer").get("/")
    assert answer.status_code == 500
    assert "problem with the service" in answer.text and "secret internals" not in answer.text


def test_api_errors_stay_json_after_the_pages_are_registered(client):
    answer = client.post("/api/v1/organisations", data="not json", content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["code"] == 400


def test_viewers_see_no_edit_controls(demo):
    for path in ("/", "/records/action-a18", "/search?q=survey"):
        html = demo("viewer").get(path).text
        forms = re.findall(r'<form[^>]*action="([^"]*)"[^>]*method="post"', html)
        assert forms == ["/sign-out"]  # the only thing a viewer may post


@pytest.mark.skipif(not ASSETS.exists(), reason="NHS.UK frontend is copied into the package by make")
def test_the_nhs_assets_are_served_where_the_css_expects_them_without_signing_in(app):
    browser = app.test_client()
    assert browser.get("/assets/images/favicon.svg").status_code == 200
    assert browser.get("/static/web/vendor/nhsuk/nhsuk-frontend.min.css").status_code == 200
    assert browser.get("/static/web/app.js").status_code == 200


def test_sign_in_is_an_nhs_form_with_its_label_and_button(app):
    answer = app.test_client().get("/sign-in?next=/search")
    assert answer.status_code == 200
    html = re.sub(r"\s+", " ", answer.text)  # the NHS.UK macros leave much whitespace
    assert re.search(r'<label class="nhsuk-label nhsuk-label--m" for="token" > Access token </label>', html)
    assert re.search(r'<input class="nhsuk-input" id="token" name="token" type="password"', html)
    assert re.search(r'<button class="nhsuk-button"[^>]*type="submit"[^>]*> Sign in </button>', html)
    assert 'action="/sign-in?next=%2Fsearch"' in answer.text
    assert csrf_token(app.test_client())


def test_home_shows_a_bounded_number_of_flags_per_kind(seeded, person_as, monkeypatch):
    from graphsvc.web import pages

    monkeypatch.setattr(pages, "FLAGS_PER_SECTION", 1)
    text = person_as("governance").get("/").text
    # the demo has three overdue actions: one is shown, the other two are counted
    assert "And 2 more of this kind" in text and 'href="/actions"' in text
