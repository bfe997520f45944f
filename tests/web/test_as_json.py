"""`?format=json` on the main pages: the page's own context, signed-in only, redacted as the page is."""

from __future__ import annotations

import re

import pytest

MARKUP = re.compile(r"<[a-zA-Z/!]")


def strings(value):
    """Every key and text value in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("path", ["/", "/search?q=sam", "/records/person-sam-whitlock", "/actions", "/initiatives",
                                  "/overlaps", "/coverage", "/records/init-maternity-equity-hospitals"])
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


@pytest.mark.parametrize("path", ["/initiatives?theme=theme-maternity-neonatal", "/overlaps", "/coverage",
                                  "/records/init-maternity-equity-hospitals"])
def test_the_mapping_pages_json_holds_no_forms_nor_markup(seeded, person_as, path):
    data = person_as("coordinator").get(path + ("&" if "?" in path else "?") + "format=json").get_json()
    for text in strings(data):
        assert not MARKUP.search(text), text
        assert "csrf" not in text.lower(), text


def test_the_initiatives_json_is_the_page_and_keeps_its_status(seeded, person_as):
    browser = person_as("viewer")
    page = browser.get("/initiatives?theme=theme-maternity-neonatal").text
    data = browser.get("/initiatives?theme=theme-maternity-neonatal&format=json").get_json()
    shown = re.findall(r'<h2 class="nhsuk-heading-s nhsuk-u-margin-bottom-1"><a href="/records/([^"]+)">', page)
    assert [row["id"] for row in data["initiatives"]] == shown and data["total"] == len(shown)
    refused = browser.get("/initiatives?status=finished&format=json")
    assert refused.status_code == 400 and refused.get_json()["errors"] == {"status": "Select a status from the list."}


def test_the_overlaps_json_is_the_page(seeded, person_as):
    browser = person_as("viewer")
    page = browser.get("/overlaps").text
    data = browser.get("/overlaps?format=json").get_json()
    assert data["page_title"] == "Overlap queue" and data["can_review"] is False
    assert len(data["pairs"]) == data["total"] == len(re.findall(r'class="app-pair nhsuk-card"', page))
    first = data["pairs"][0]
    assert first["score"] in page and first["a"]["name"] in page and first["b"]["name"] in page
    assert [reason["label"] for reason in first["reasons"]] == [
        "Shared themes", "Shared populations", "Shared places", "Shared partners"]


def test_the_coverage_json_is_the_page_and_keeps_its_status(seeded, person_as):
    browser = person_as("viewer")
    page = browser.get("/coverage").text
    data = browser.get("/coverage?format=json").get_json()
    counts = [cell["count"] for row in data["matrix"]["rows"] for cell in row["cells"]]
    assert page.count(">None</td>") == counts.count(0) == data["matrix"]["empty"]
    assert all(f'aria-label="{cell["label"]}">{cell["count"]}</a>' in page
               for row in data["matrix"]["rows"] for cell in row["cells"] if cell["count"])
    refused = browser.get("/coverage?rows=Person&format=json")
    assert refused.status_code == 400
    assert "rows" in refused.get_json()["errors"] and refused.get_json()["matrix"] is None
