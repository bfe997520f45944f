"""The flags-over-time page (`/gaps/changes`): the last-meeting shortcut, the three lists in words, empty
states, errors and JSON. The scripted history is tests/test_flag_changes.py's (fictional, on a fake clock).
"""

from __future__ import annotations

import html
import re

import pytest

from tests.test_flag_changes import UNTIL, install_clock, write_history


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


@pytest.fixture
def script(service, clock, tokens) -> dict:
    return write_history(service, clock)


def words(page) -> str:
    """The page's main content as a person reads it: tags gone, spaces collapsed."""
    main = page.text[page.text.index("<main"):page.text.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def row_of(page, *texts: str) -> str:
    """The words of the one table row that holds every one of ``texts``."""
    rows = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row)))
            for row in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", page.text, re.S)]
    found = [row for row in rows if all(text in row for text in texts)]
    assert len(found) == 1, (texts, found)
    return found[0]


def test_since_the_last_meeting_lists_opened_closed_and_still_open_flags_in_words(script, person_as):
    governance = person_as("governance")
    page = governance.get("/gaps/changes")
    assert page.status_code == 200
    shortcut = re.search(r'class="nhsuk-action-link"\s+href="([^"]+)"', page.text)
    assert html.unescape(shortcut.group(1)) == "/gaps/changes?since=last-meeting"
    assert "Since the last meeting: November oversight meeting, 17 November 2026" in words(page)

    page = governance.get(f"/gaps/changes?since=last-meeting&until={UNTIL}")
    text = words(page)
    assert "From the start of 17 November 2026, the day of November oversight meeting until 7 December 2026" in text
    assert re.search(r"Opened \d+ Closed 2 Still open \d+", text)  # the counts, each linking to its list
    for anchor, heading in (("opened", "Opened"), ("closed", "Closed"), ("still-open", "Still open")):
        assert re.search(rf'<h2 id="{anchor}">{heading} <span', page.text), heading

    overdue = row_of(page, "Open action past its due date")
    assert "Fictional action already overdue (Action)" in overdue and "High severity" in overdue
    assert "Opened in this period" in overdue
    assert f'<a href="/records/{script["new"]}">Fictional action already overdue</a>' in page.text
    long = row_of(page, "Open action with no accountable owner", "'Long-standing fictional action'")
    assert ("At every meeting since 15 September 2026 (September oversight meeting): at least 83 days"
            in long)
    owner = row_of(page, "Open action with no accountable owner", "Fictional action awaiting an owner")
    assert "Linked by gov-1, 20 November 2026 at 10:00 UTC." in owner
    assert "It had been open at every meeting since 15 September 2026" in owner
    assert "Nothing about it changed: a date passed" in row_of(page, "No event on 'Fictional lapsing theme'")
    assert "Example data" in row_of(page, "Open action with no accountable owner", "Example fictional action")


def test_a_deleted_subject_is_named_but_not_linked(script, service, clock, person_as):
    clock.set("2026-12-01T09:00:00")
    service.delete_node(script["wait"], "gov-1")
    page = person_as("viewer").get(f"/gaps/changes?since=2026-11-17&until={UNTIL}")
    row = row_of(page, "Open action with no accountable owner", "Fictional action awaiting an owner")
    assert "Deleted by gov-1, 1 December 2026 at 09:00 UTC." in row
    assert f'href="/records/{script["wait"]}"' not in page.text


def test_a_period_without_flags_says_so_in_each_list(script, person_as):
    text = words(person_as("viewer").get("/gaps/changes?since=2020-01-01&until=2020-01-31"))
    assert "No flag opened in this period." in text
    assert "No flag closed in this period." in text
    assert "No flag that was open at the start is still open." in text


def test_bad_dates_are_shown_beside_their_fields(script, person_as):
    viewer = person_as("viewer")
    page = viewer.get("/gaps/changes?since=yesterday")
    assert page.status_code == 400
    assert "<title>Error: Flags over time" in page.text and "There is a problem" in page.text
    assert re.search(r'<a href="#since"\s*>\s*Use a date', page.text)  # the summary links to the field
    assert re.search(r'id="since-error"\s*>\s*<span[^>]*>Error: </span>Use a date', page.text)
    page = viewer.get("/gaps/changes?since=2026-11-17&until=2026-11-01")
    assert page.status_code == 400 and "Must not be before since." in words(page)
    assert 'value="2026-11-01"' in page.text  # what was typed stays in the box


def test_without_a_held_meeting_there_is_no_shortcut(service, person_as):
    page = person_as("viewer").get("/gaps/changes")
    assert page.status_code == 200
    assert "No meeting of the governance group has been held yet" in words(page)
    assert "nhsuk-action-link" not in page.text


def test_format_json_gives_the_rows_the_page_shows(script, person_as):
    data = person_as("viewer").get(f"/gaps/changes?since=last-meeting&until={UNTIL}&format=json").json
    sections = {section["name"]: section for section in data["sections"]}
    assert sections["closed"]["count"] == 2
    closed = {row["subject"]["name"]: row for row in sections["closed"]["rows"]}
    assert closed["Fictional action awaiting an owner"]["closed_by"].startswith("Linked by gov-1")
    assert data["meeting"]["title"] == "November oversight meeting"


def test_the_home_page_links_to_it(person_as):
    assert 'href="/gaps/changes"' in person_as("viewer").get("/").text


def test_strangers_are_sent_to_sign_in(app):
    answer = app.test_client().get("/gaps/changes")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")
