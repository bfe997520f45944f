"""The board pack page: the pack's sections on screen for any signed-in role, its printable document and
workbook, the form's state in the address, and field errors for bad dates."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def test_the_page_shows_the_pack_with_links_to_print_and_download(seeded, person_as):
    viewer = person_as("viewer")
    page = viewer.get("/board-pack")
    assert page.status_code == 200
    html = page.text
    assert 'class="nhsuk-header__navigation-link" href="/board-pack"' in html  # in the header for viewers
    assert "Clarify the CoP&#39;s purpose" in html and "No action yet" in html  # listed, not left out
    assert "This pack contains example data" in html  # the demo is fictional
    for anchor in ("decisions", "changes", "flags", "indicators"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html
    assert 'href="/board-pack/print?' in html and 'href="/board-pack.xlsx?' in html


def test_the_printable_pack_and_the_workbook_come_from_the_page(seeded, person_as):
    viewer = person_as("viewer")
    printable = viewer.get("/board-pack/print?since=last-meeting")
    assert printable.status_code == 200 and "@page { size: A4;" in printable.text
    assert "script-src" not in printable.headers["Content-Security-Policy"]
    workbook = viewer.get("/board-pack.xlsx")
    assert workbook.status_code == 200
    assert "Progress" in load_workbook(io.BytesIO(workbook.data)).sheetnames


def test_the_page_as_json_carries_the_pack(seeded, person_as):
    data = person_as("viewer").get("/board-pack?format=json").get_json()
    areas = [area["area"] for area in data["pack"]["areas"]]
    assert areas[0] == "Purpose of the CoP" and data["pack"]["contains_examples"] is True
    assert data["pack"]["meeting"]["status"] == "planned"


def test_bad_dates_are_shown_on_their_fields(seeded, person_as):
    page = person_as("viewer").get("/board-pack?since=yesterday&as_of=2026-13-40")
    assert page.status_code == 400
    assert "There is a problem" in page.text and 'href="#since"' in page.text and 'href="#as_of"' in page.text
    assert person_as("viewer").get("/board-pack?group=nobody").status_code == 400


def test_strangers_are_sent_to_sign_in(app):
    answer = app.test_client().get("/board-pack")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
