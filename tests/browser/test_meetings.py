"""A governance member opens the board pack "since the last meeting", goes to the meeting held today, records
a decision at it (its owner chosen with the search-as-you-type picker), marks the meeting held, and sees the
decision in the next board pack, in a real browser (governance cycle, part 7).

This module runs its own server (it replaces the shared one here), so that marking a meeting held today does
not change "since the last meeting" for other journeys: the demo, plus a planned meeting of the demo's
governance group dated today. The meeting, the group and the owner are fictional example data.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from graphsvc import create_app
from graphsvc.app import get_service
from tests.browser.live_server import seed_database, start_server
from tests.browser.pages import check_page

MEETING = "meeting-browser-today"
TITLE = "Governance Group meeting, today"
DECISION = "Ask every partner for a named sponsor by the next meeting"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("meetings-server")
    database = directory / "graph.sqlite3"
    tokens = seed_database(database)
    service = get_service(create_app({"DATABASE": str(database)}))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    service.create_node("Meeting", {"id": MEETING, "title": TITLE, "date": today, "status": "planned",
                                    "format": "online", "example": True}, "journey-setup")
    service.create_relationship("MEETING_OF", MEETING, "group-governance", {}, "journey-setup")
    service.store.close()
    server = start_server(database, tokens, directory / "server.log")
    yield server
    server.stop()


def test_a_decision_recorded_at_a_meeting_appears_in_the_next_board_pack(page: Page, sign_in):
    page.goto("/board-pack")
    sign_in(page, "governance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    expect(page.get_by_text("Governance Group meeting, November 2026", exact=False).first).to_be_visible()
    check_page(page)

    page.goto("/meetings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    check_page(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(f"/meetings/{MEETING}$"))
    expect(page.get_by_role("heading", name="Agenda")).to_be_visible()
    expect(page.get_by_role("link", name="Decisions of earlier meetings now due")).to_be_visible()
    check_page(page)

    page.get_by_role("searchbox", name=re.compile("Accountable owner")).fill("Ellery")
    owner = page.get_by_role("radio", name="Margaret Ellery")
    expect(owner).to_be_visible()  # came as the person typed: the picker fetched the same page's results
    owner.check()
    page.get_by_label("Title").fill(DECISION)
    page.get_by_role("radio", name="Agreed action").check()
    page.get_by_text("What the decision concerns (optional)").click()
    page.get_by_role("checkbox", name=re.compile("^A-08 ")).check()
    check_page(page)
    page.get_by_role("button", name="Save decision").click()

    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"Decision recorded: {DECISION}.")
    row = page.locator("#decisions + table tr").filter(has_text=DECISION)
    expect(row).to_contain_text("Margaret Ellery")
    expect(row).to_contain_text("Agreed action")
    expect(row).to_contain_text("Each partner organisation names an executive sponsor")
    expect(row).to_contain_text("Example data")
    check_page(page)

    page.get_by_role("button", name="Mark as held").click()
    expect(page.locator("#meeting-status")).to_have_text("Held")
    check_page(page)

    page.goto("/board-pack")
    expect(page.get_by_text(f"the day of {TITLE}")).to_be_visible()  # since the meeting just held
    taken = page.get_by_role("table", name="Taken since the last meeting")
    expect(taken.get_by_role("row").filter(has_text=DECISION)).to_contain_text("Margaret Ellery")
    check_page(page)
