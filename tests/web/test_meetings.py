"""The meeting pages: the list, one meeting with its agenda and decisions, recording a decision (roles, CSRF,
errors kept beside the fields), marking a meeting held, and `?format=json`."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import csrf_token

TODAY = dt.datetime.now(dt.UTC).date()
LATER = TODAY + dt.timedelta(days=30)


@pytest.fixture
def meetings(service):
    def node(type_name, **body):
        return service.create_node(type_name, body, "setup").id

    node("Group", id="g-gov", name="Governance group", kind="governance_group")
    node("Recommendation", id="r-1", title="Map the initiatives", number=1, area="Alignment")
    node("Action", id="a-1", reference="A-01", title="Publish the programme", due_date=LATER.isoformat())
    node("Person", id="p-1", name="Robin Fictional")
    node("Meeting", id="m-old", title="Governance group, spring", date="2026-03-10", status="held")
    node("Meeting", id="m-now", title="Governance group, today", date=TODAY.isoformat(), status="planned")
    node("Meeting", id="m-next", title="Governance group, next", date=LATER.isoformat(), status="planned")
    node("Meeting", id="m-off", title="Governance group, cancelled", date="2026-05-10", status="cancelled")
    for meeting in ("m-old", "m-now", "m-next", "m-off"):
        service.create_relationship("MEETING_OF", meeting, "g-gov", {}, "setup")
    service.create_relationship("IMPLEMENTS", "a-1", "r-1", {}, "setup")
    return service


def _post(browser, path, data, token_from):
    return browser.post(path, data={**data, "csrf_token": csrf_token(browser, token_from)})


def test_the_list_puts_planned_meetings_first_then_held_then_cancelled(meetings, person_as):
    viewer = person_as("viewer")
    page = viewer.get("/meetings")
    assert page.status_code == 200 and 'href="/meetings"' in page.text  # in the navigation
    order = [page.text.index(f'data-id="{m}"') for m in ("m-now", "m-next", "m-old", "m-off")]
    assert order == sorted(order)
    assert "Add a meeting" not in page.text
    assert 'href="/records/new?type=Meeting"' in person_as("coordinator").get("/meetings").text
    data = viewer.get("/meetings?format=json").get_json()
    assert [(m["id"], m["status_text"], m["decisions"]) for m in data["meetings"]][:2] == [
        ("m-now", "Planned", 0), ("m-next", "Planned", 0)]


def test_a_meeting_page_shows_its_agenda_from_the_pack_and_the_form_only_to_governance(meetings, person_as):
    viewer = person_as("viewer")
    page = viewer.get("/meetings/m-next")
    assert page.status_code == 200
    for item in ("Apologies", "Decisions of earlier meetings now due", "Progress by area",
                 "Flags opened and closed", "What changed since the last meeting", "Any other business"):
        assert item in page.text
    assert 'href="/board-pack?group=g-gov#area-1">Alignment</a>: 1 red, 0 amber, 0 green' in page.text
    assert 'href="/meetings/m-next/board-pack/print"' in page.text
    assert "Record a decision" not in page.text and "Mark as held" not in page.text
    governance = person_as("governance").get("/meetings/m-next").text
    assert "Record a decision" in governance and 'value="a-1"' in governance  # the agenda's open action
    assert "Mark as held" not in governance  # dated later than today
    assert "Mark as held" in person_as("governance").get("/meetings/m-now").text
    assert "it has no agenda" in viewer.get("/meetings/m-off").text
    assert viewer.get("/meetings/nope").status_code == 404
    data = viewer.get("/meetings/m-next?format=json").get_json()
    assert data["meeting"]["status"] == "planned" and "form" not in data
    assert [item["title"] for item in data["agenda"]][0] == "Apologies"


def test_the_owner_picker_searches_on_the_same_page(meetings, person_as):
    page = person_as("governance").get("/meetings/m-next?q=Robin")
    assert 'name="owner"' in page.text and 'value="p-1"' in page.text and "Robin Fictional" in page.text


def test_recording_a_decision_shows_it_on_the_page_and_in_the_json(meetings, person_as):
    governance = person_as("governance")
    saved = _post(governance, "/meetings/m-now/decisions",
                  {"title": "Publish the programme by May", "kind": "decision", "owner": "p-1", "concerns": ["a-1"],
                   "due_date-day": "1", "due_date-month": "5", "due_date-year": str(TODAY.year + 1), "q": "Robin"},
                  "/meetings/m-now")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/meetings/m-now#decisions")
    page = governance.get("/meetings/m-now")
    assert "Decision recorded: Publish the programme by May." in page.text
    decisions = governance.get("/meetings/m-now?format=json").get_json()["decisions"]
    assert [(d["title"], d["owner"]["id"], [c["id"] for c in d["concerns"]], d["status"]) for d in decisions] == [
        ("Publish the programme by May", "p-1", ["a-1"], "open")]


def test_form_errors_keep_what_was_typed(meetings, person_as):
    governance = person_as("governance")
    answer = _post(governance, "/meetings/m-now/decisions",
                   {"title": "", "description": "Kept text", "kind": "escalation", "owner": "a-1",
                    "due_date-day": "31", "due_date-month": "2", "due_date-year": "2027"}, "/meetings/m-now")
    assert answer.status_code == 422
    text = answer.text
    assert "There is a problem" in text and "Enter title" in text
    assert "cannot be accountable for a decision" in text
    assert "Kept text" in text and 'value="escalation" checked' in text
    assert meetings.store.count_incoming("DECIDED_AT", ["m-now"]).get("m-now", 0) == 0


def test_posts_need_csrf_and_the_governance_role(meetings, person_as):
    governance = person_as("governance")
    refused = governance.post("/meetings/m-now/decisions", data={"title": "No token"})
    assert refused.status_code == 400
    coordinator = person_as("coordinator")
    assert _post(coordinator, "/meetings/m-now/decisions", {"title": "T"}, "/meetings/m-now").status_code == 403
    viewer = person_as("viewer")
    assert _post(viewer, "/meetings/m-now/held", {}, "/meetings/m-now").status_code == 403
    assert meetings.get_node("m-now").properties["status"] == "planned"


def test_marking_a_meeting_held_pins_its_pack(meetings, person_as):
    governance = person_as("governance")
    answer = _post(governance, "/meetings/m-now/held", {}, "/meetings/m-now")
    assert answer.status_code == 302
    properties = meetings.get_node("m-now").properties
    assert properties["status"] == "held" and properties["pack_judged_on"] == TODAY.isoformat()
    page = governance.get("/meetings/m-now").text
    assert "pinned when the meeting was held" in page and "Mark as held" not in page
    printed = governance.get("/meetings/m-now/board-pack/print")
    assert printed.status_code == 200 and printed.content_type.startswith("text/html")
    again = _post(governance, "/meetings/m-next/held", {}, "/meetings/m-next")  # dated later than today
    assert again.status_code == 422 and "after today" in again.text
