"""The evidence pack (docs/frameworks.md) in its three formats: items in published order grouped by their
top-level item, the evidence with accountable owners, indicators with their values, "No evidence recorded
yet", the closing list of items without evidence, example records marked, spreadsheet cells formula-safe."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import api_link as link
from tests.helpers import api_post as post

PACK = "/api/v1/frameworks/fw-pack/evidence-pack"
HOSTILE = "=HYPERLINK(\"http://bad.example\",\"click\")"




@pytest.fixture
def framework(client):
    """Domain D1 (outcomes D1.1, D1.2) and domain D2 (outcome D2.1). D1.1: an initiative with an accountable
    owner and a person leading it, and an indicator with two values; D1.2 nothing; D2.1: an example action."""
    post(client, "frameworks", {"id": "fw-pack", "name": "Pack framework", "short_name": "PF",
                                "publication": "The pack publication", "published": "2022"})
    for item, code, number, parent in [("fw-d1", "D1", 1, None), ("fw-d1-1", "D1.1", 2, "fw-d1"),
                                       ("fw-d1-2", "D1.2", 3, "fw-d1"), ("fw-d2", "D2", 4, None),
                                       ("fw-d2-1", "D2.1", 5, "fw-d2")]:
        post(client, "framework_items", {"id": item, "title": f"Item {code}", "code": code, "number": number,
                                         "kind": "outcome" if parent else "domain"})
        link(client, "ITEM_OF", item, "fw-pack")
        if parent:
            link(client, "PART_OF", item, parent)
    post(client, "people", {"id": "p-owner", "name": "Robin Example"})
    post(client, "people", {"id": "p-lead", "name": "Kit Example"})
    post(client, "initiatives", {"id": "init-1", "name": HOSTILE, "status": "active"})
    link(client, "ACCOUNTABLE_FOR", "p-owner", "init-1")
    link(client, "LEADS", "p-lead", "init-1")
    post(client, "indicators", {"id": "ind-1", "name": "Staff survey score", "unit": "%", "baseline": 50,
                                "baseline_date": "2026-01-01", "target": 70, "target_date": "2027-01-01",
                                "direction": "increase"})
    for m, value, date in [("m-1", 52, "2026-03-31"), ("m-2", 61, "2026-06-30")]:
        post(client, "measurements", {"id": m, "period": f"Period {m}", "value": value, "date": date})
        link(client, "MEASUREMENT_OF", m, "ind-1")
    post(client, "actions", {"id": "act-ex", "title": "Fictional action", "status": "in_progress", "example": True})
    for source, target in [("init-1", "fw-d1-1"), ("ind-1", "fw-d1-1"), ("act-ex", "fw-d2-1")]:
        link(client, "EVIDENCES", source, target)
    return "fw-pack"


def pack(client, **query):
    return client.get(PACK, query_string={"judged_on": "2026-12-01", **query})


def test_the_json_pack_has_sections_evidence_and_the_items_without(framework, client_as):
    answer = pack(client_as("viewer"))
    assert answer.status_code == 200
    data = answer.get_json()
    assert [(s["code"], [i["code"] for i in s["items"]]) for s in data["sections"]] == [
        ("D1", ["D1", "D1.1", "D1.2"]), ("D2", ["D2", "D2.1"])]
    item = data["sections"][0]["items"][1]
    assert item["work"][0]["owners"][0]["name"] == "Robin Example" and item["work"][0]["leads"][0]["name"] == "a person"
    indicator = item["indicators"][0]
    assert [p["value"] for p in indicator["series"]] == [52, 61]
    assert indicator["trend"] == "improving" and indicator["on_track"] is True
    assert [i["code"] for i in data["without_evidence"]] == ["D1.2"] and data["flagged"] == ["fw-d1-2"]
    assert data["contains_examples"] is True


def test_the_printable_pack(framework, client_as):
    answer = pack(client_as("viewer"), format="html")
    assert answer.status_code == 200 and answer.content_type.startswith("text/html")
    html = answer.text
    assert "@page { size: A4;" in html and "display: table-header-group" in html and "<script" not in html
    assert "The pack publication" in html and "Judged on</dt><dd>2026-12-01" in html
    assert "4 of 5 items have evidence recorded" in html
    assert "This pack contains example data" in html and "example (fictional)" in html
    assert html.index("Item D1.1") < html.index("Item D1.2") < html.index("Item D2.1")
    assert "No evidence recorded yet" in html and 'id="without-evidence"' in html
    assert "Robin Example" in html and "Kit Example" not in html  # people named only as accountable owners
    assert "On track" in html and "Period m-1" in html and "Improving" in html
    assert "&#34;http://bad.example&#34;" in html or "&quot;http://bad.example&quot;" in html  # escaped


def test_the_workbook(framework, client_as):
    answer = pack(client_as("viewer"), format="xlsx")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="evidence-pack-fw-pack-2026-12-01.xlsx"'
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["Items", "Evidence", "Indicators"]
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)
    items = [[c.value for c in row] for row in book["Items"].iter_rows(min_row=2)]
    assert [row[0] for row in items] == ["D1", "D1.1", "D1.2", "D2", "D2.1"]
    assert items[2][4] == "No evidence recorded yet" and items[2][9] == "framework-item-without-evidence"
    evidence = {row[3]: row for row in ([c.value for c in r] for r in book["Evidence"].iter_rows(min_row=2))}
    assert evidence["Fictional action"][-1] == "example (fictional)"
    hostile = evidence["'" + HOSTILE]  # formula-safe: it stays text
    assert hostile[5] == "Robin Example" and hostile[6] == "a person" and hostile[-1] in ("", None)
    values = [[c.value for c in r] for r in book["Indicators"].iter_rows(min_row=2)]
    assert [(row[4], row[6], row[7]) for row in values] == [("Period m-1", 52, None), ("Period m-2", 61, "Latest")]
    assert values[0][9] == "On track"


def test_examples_false_leaves_example_evidence_out_of_every_format(framework, client_as):
    viewer = client_as("viewer")
    data = pack(viewer, examples="false").get_json()
    assert data["contains_examples"] is False
    assert [i["code"] for i in data["without_evidence"]] == ["D1.2", "D2", "D2.1"]
    assert "Fictional action" not in pack(viewer, examples="false", format="html").text
    book = load_workbook(io.BytesIO(pack(viewer, examples="false", format="xlsx").data))
    assert "Fictional action" not in [c.value for row in book["Evidence"].iter_rows() for c in row]


def test_bad_format_and_unknown_framework(framework, client_as):
    viewer = client_as("viewer")
    assert pack(viewer, format="pdf").status_code == 422
    assert viewer.get("/api/v1/frameworks/nothing/evidence-pack?format=html").status_code == 404
