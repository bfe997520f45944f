"""The framework pages: the list with counts and links, the coverage grid (rows in published order, evidence
in words, links to records and to the evidence pack, example records tagged), its JSON, the printable pack and
the workbook, and the 404 for an unknown framework."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import api_link as link
from tests.helpers import api_post as post


@pytest.fixture
def framework(client):
    """`fw-web`: domain 1 with outcomes 1A (an example initiative, an indicator) and 1B (nothing); `fw-idle`."""
    post(client, "frameworks", {"id": "fw-web", "name": "Web framework", "short_name": "WF",
                                "publication": "The web publication"})
    for item, code, number, parent in [("w-1", "1", 1, None), ("w-1b", "1B", 3, "w-1"), ("w-1a", "1A", 2, "w-1")]:
        post(client, "framework_items", {"id": item, "title": f"Item {code}", "code": code, "number": number})
        link(client, "ITEM_OF", item, "fw-web")
        if parent:
            link(client, "PART_OF", item, parent)
    post(client, "frameworks", {"id": "fw-idle", "name": "Idle framework"})
    post(client, "framework_items", {"id": "idle-1", "title": "Idle item"})
    link(client, "ITEM_OF", "idle-1", "fw-idle")
    post(client, "initiatives", {"id": "init-ex", "name": "Fictional project", "status": "active", "example": True})
    post(client, "indicators", {"id": "ind-web", "name": "Uptake", "unit": "%", "latest_value": 35,
                                "latest_date": "2026-06-30", "baseline": 30, "baseline_date": "2026-01-01",
                                "target": 50, "target_date": "2026-12-31", "direction": "increase"})
    link(client, "EVIDENCES", "init-ex", "w-1a")
    link(client, "EVIDENCES", "ind-web", "w-1a")
    return "fw-web"


def test_the_list_links_each_framework_with_its_counts(framework, person_as):
    page = person_as("viewer").get("/frameworks")
    assert page.status_code == 200
    html = page.text
    assert 'href="/frameworks/fw-web"' in html and 'href="/frameworks/fw-idle"' in html
    assert "The web publication" in html and "(not in use here yet)" in html
    data = person_as("viewer").get("/frameworks?format=json").get_json()
    counts = {f["id"]: (f["summary"]["items"], f["summary"]["with_evidence"]) for f in data["frameworks"]}
    assert counts == {"fw-web": (3, 2), "fw-idle": (1, 0)}


def test_the_grid_shows_each_item_and_its_evidence_in_words(framework, person_as):
    page = person_as("viewer").get("/frameworks/fw-web")
    assert page.status_code == 200
    html = page.text
    assert html.index("1 Item 1<") < html.index("1A Item 1A") < html.index("1B Item 1B")  # published order
    assert "2 of 3 items have evidence recorded" in html
    assert 'href="/records/init-ex"' in html and 'href="/records/ind-web"' in html
    assert "Example data" in html and "This grid includes example data" in html
    assert "35 % (30 June 2026): <strong>Off track</strong>" in html
    assert "No evidence yet" in html and "Evidence recorded" in html and "through its parts" in html
    assert 'href="/frameworks/fw-web/evidence-pack"' in html and 'href="/frameworks/fw-web/evidence-pack.xlsx"' in html
    assert "<script>" not in html and "style=" not in html


def test_a_framework_not_in_use_says_so(framework, person_as):
    html = person_as("viewer").get("/frameworks/fw-idle").text
    assert "Not in use here yet" in html and "Flagged" not in html


def test_the_grid_as_json(framework, person_as):
    data = person_as("viewer").get("/frameworks/fw-web?format=json").get_json()
    assert [row["code"] for row in data["rows"]] == ["1", "1A", "1B"]
    assert [row["evidence_words"] for row in data["rows"]] == ["Evidence recorded", "Evidence recorded",
                                                              "No evidence yet"]
    assert data["rows"][2]["flags"] == ["framework-item-without-evidence"]


def test_the_pack_prints_and_downloads_from_the_page(framework, person_as):
    viewer = person_as("viewer")
    printable = viewer.get("/frameworks/fw-web/evidence-pack")
    assert printable.status_code == 200 and "@page { size: A4;" in printable.text
    assert "script-src" not in printable.headers["Content-Security-Policy"]
    workbook = viewer.get("/frameworks/fw-web/evidence-pack.xlsx")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.data)).sheetnames == ["Items", "Evidence", "Indicators"]


def test_unknown_framework_and_strangers(framework, person_as, app):
    assert person_as("viewer").get("/frameworks/nothing").status_code == 404
    assert person_as("viewer").get("/frameworks/nothing/evidence-pack").status_code == 404
    answer = app.test_client().get("/frameworks/fw-web")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
