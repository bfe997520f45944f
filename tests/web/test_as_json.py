"""`?format=json` on the main pages: the page's own context, signed-in only, redacted as the page is."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/search?q=sam", "/records/person-sam-whitlock", "/actions"])
def test_each_page_gives_its_context_as_json(seeded, person_as, path):
    browser = person_as("viewer")
    answer = browser.get(path + ("&" if "?" in path else "?") + "format=json")
    assert answer.status_code == 200 and answer.is_json
    assert answer.headers["Cache-Control"] == "no-store"
    assert isinstance(answer.get_json(), dict) and answer.get_json()
    assert browser.get(path).content_type.startswith("text/html")  # the page itself is unchanged


def test_the_json_holds_what_the_page_shows(seeded, person_as):
    browser = person_as("viewer")
    register = browser.get("/actions?format=json&rag=red").get_json()
    assert register["page_title"] == "Action register"
    references = [row["reference"] for group in register["groups"] for row in group["rows"]]
    assert "A-18" in references and "A-01" not in references
    assert register["can_assign"] is False
    record = browser.get("/records/person-sam-whitlock?format=json").get_json()
    assert "Sam Whitlock" in str(record)


def test_json_is_for_signed_in_people_only(seeded, app):
    stranger = app.test_client()
    for path in ("/?format=json", "/actions?format=json", "/records/person-sam-whitlock?format=json"):
        answer = stranger.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")


def test_json_is_redacted_as_the_page_is(seeded, person_as):
    viewer = person_as("viewer").get("/records/person-sam-whitlock?format=json").get_data(as_text=True)
    governance = person_as("governance").get("/records/person-sam-whitlock?format=json").get_data(as_text=True)
    viewer_page = person_as("viewer").get("/records/person-sam-whitlock").text
    assert "@" not in viewer and "@" not in viewer_page
    assert "sam.whitlock@example.org" in governance  # governance sees contact details, in the page and the JSON


def test_an_unknown_record_is_still_the_404_page(seeded, person_as):
    assert person_as("viewer").get("/records/no-such-record?format=json").status_code == 404
