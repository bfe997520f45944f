"""A governance member opens "Flags over time" from the home page and uses "Since the last meeting" to see
which flags opened and which are still open since the governance group last met, in a real browser
(governance cycle, part 5).

The shared server's demo is seeded on the day the tests run, so at any of its meetings the map was empty
and every flag would read as new. This module's server holds the same demo with a history: seeded on
1 September 2026 (before the meetings of 15 September and 17 November), with a due date agreed for A-14
on 20 November, which closes its "no due date" flag. Judged today, A-08 (due 30 November) has become
overdue since the November meeting, and A-10 (due 31 August) was overdue at both meetings.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from graphsvc import create_app
from graphsvc.app import get_service
from tests.browser.live_server import seed_database, start_server
from tests.browser.pages import check_page, screenshot

# Everything that stamps the change log (as tests/test_changes.py clocks it).
CLOCKED = ("graphsvc.store.logged", "graphsvc.store.sqlite", "graphsvc.store.sqlite_tokens",
           "graphsvc.importing.nodes", "graphsvc.importing.engine", "graphsvc.store.model")
SINCE_THE_LAST_MEETING = "Since the last meeting: Governance Group meeting, November 2026, 17 November 2026"


class Clock:
    def __init__(self, start: str):
        self.moment = dt.datetime.fromisoformat(start)

    def __call__(self) -> str:
        self.moment += dt.timedelta(microseconds=1)
        return self.moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """This module's own server (it replaces the shared one here): the demo with a past."""
    directory = tmp_path_factory.mktemp("flag-changes-server")
    database = directory / "graph.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        clock = Clock("2026-09-01T09:00:00")
        for module in CLOCKED:
            patch.setattr(f"{module}.utc_now", clock)
        tokens = seed_database(database)
        clock.moment = dt.datetime(2026, 11, 20, 10, 0)
        app = create_app({"DATABASE": str(database)})
        service = get_service(app)
        service.update_node("action-a14", {"due_date": "2027-03-31"}, "history-script")
        service.store.close()
    server = start_server(database, tokens, directory / "server.log")
    yield server
    server.stop()


def test_a_governance_member_sees_flags_opened_and_still_open_since_the_last_meeting(page: Page, sign_in):
    page.goto("/")
    sign_in(page, "governance")
    page.get_by_role("link", name=re.compile(r"^Flags over time")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flags over time")
    check_page(page)

    page.get_by_role("link", name=SINCE_THE_LAST_MEETING).click()
    expect(page).to_have_url(re.compile(r"/gaps/changes\?since=last-meeting$"))
    expect(page.locator("h2#summary")).to_have_text(
        "From the start of 17 November 2026, the day of Governance Group meeting, November 2026 until now")
    overdue = "Open action past its due date"
    opened = page.get_by_role("table", name=re.compile(r"^Opened flags \(\d+\)$"))
    became_overdue = opened.get_by_role("row").filter(has_text=overdue).filter(
        has_text="Each partner organisation names an executive sponsor")
    expect(became_overdue).to_contain_text("Opened in this period")
    expect(became_overdue).to_contain_text("High severity")
    expect(became_overdue).to_contain_text("Example data")
    still_open = page.get_by_role("table", name=re.compile(r"^Still open flags \(\d+\)$"))
    expect(still_open.get_by_role("row").filter(has_text=overdue).filter(
        has_text="Move past session recordings onto the Resource Hub")).to_contain_text(
        re.compile(r"At every meeting since 15 September 2026 \(Governance Group meeting, September 2026\): "
                   r"at least \d+ days"))
    closed = page.get_by_role("table", name=re.compile(r"^Closed flags \(\d+\)$"))
    agreed = closed.get_by_role("row").filter(has_text="Open action with no due date").filter(
        has_text="Agree how the two maternity equity programmes will align")
    expect(agreed).to_contain_text("Changed by history-script, 20 November 2026 at 10:00 UTC")
    check_page(page)
    screenshot(page, "flag-changes")

    # Another period, chosen in the form: since the September meeting's day, kept in the address.
    page.get_by_label("From").fill("2026-09-15")
    page.get_by_role("button", name="Show flags").click()
    expect(page).to_have_url(re.compile(r"/gaps/changes\?since=2026-09-15&until=$"))
    expect(page.locator("h2#summary")).to_contain_text("15 September 2026")
    expect(page.get_by_role("table", name=re.compile(r"^Still open flags")).get_by_role("row").filter(
        has_text=overdue).filter(has_text="Move past session recordings onto the Resource Hub")).to_contain_text(
        "At every meeting since 15 September 2026")
    check_page(page)
