"""The changes page (`/changes`): the last-meeting shortcut, the summary in words, empty states, errors, JSON.

The records are fictional; the governance group's meeting was held two days before the test runs, so
the edits the tests make count as "since the last meeting".
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

MEETING_DAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)
MEETING_WORDS = f"{MEETING_DAY.day} {MEETING_DAY:%B %Y}"


@pytest.fixture
def edits(service, tokens) -> dict:
    """A governance group with a held meeting, then an action created, started and handed to an owner."""
    def node(kind, body, actor="setup"):
        return service.create_node(kind, body, actor).id

    group = node("Group", {"name": "Fictional Governance Group", "kind": "governance_group"})
    meeting = node("Meeting", {"title": "Fictional review meeting", "date": MEETING_DAY.isoformat(), "status": "held"})
    service.create_relationship("MEETING_OF", meeting, group, {}, "setup")
    action = node("Action", {"title": "Fictional outreach action", "status": "not_started"}, "coord-person")
    service.update_node(action, {"status": "in_progress"}, "gov-person")
    owner = node("Person", {"name": "Odile Pretend", "example": True})
    service.create_relationship("ACCOUNTABLE_FOR", owner, node("Action", {"title": "Example owned action",
                                                                          "example": True}), {}, "gov-person")
    return {"group": group, "meeting": meeting, "action": action, "owner": owner}


def words(page) -> str:
    """The page's main content as a person reads it: tags gone, spaces collapsed."""
    main = page.text[page.text.index("<main"):page.text.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_since_the_last_meeting_shows_each_kind_of_change_in_words(edits, person_as):
    governance = person_as("governance")
    page = governance.get("/changes")
    assert page.status_code == 200
    shortcut = re.search(r'class="nhsuk-action-link"\s+href="([^"]+)"', page.text)
    assert html.unescape(shortcut.group(1)) == "/changes?since=last-meeting"
    assert f"Since the last meeting: Fictional review meeting, {MEETING_WORDS}" in words(page)

    page = governance.get(html.unescape(shortcut.group(1)))
    text = words(page)
    assert f"From the start of {MEETING_WORDS}, the day of Fictional review meeting until now" in text
    assert re.search(r"Status: Not started → to In progress", text)  # the arrow, and "to" for screen readers
    assert "Fictional outreach action (Action) coord-person" in text  # created, by whom
    for heading in ("Records", "Owner hand-overs", "Status changes", "RAG changes", "Overlap decisions", "Imports",
                    "Links", "Erasures"):
        assert re.search(rf"<h2 id=\"[a-z]+\">{heading}</h2>", page.text), heading
    assert "No progress update changed an action's RAG." in text  # an empty section says so
    assert "Nobody was erased." in text
    # Counts first; the hand-over names the owner with the example mark.
    assert re.search(r"Records created 5 .*Owner hand-overs 1", text)
    assert re.search(r"Example owned action \(Action\) Example data No owner Odile Pretend \(Person\) Example data",
                     text)


def test_a_period_with_no_changes_says_so(edits, person_as):
    text = words(person_as("viewer").get("/changes?since=2020-01-01&until=2020-01-31"))
    assert "Nothing changed in this period." in text
    assert "No records were created, changed or deleted." in text
    assert "No accountable owner was assigned, changed or removed." in text


def test_without_a_held_meeting_the_page_says_there_is_none(service, person_as):
    page = person_as("viewer").get("/changes")
    assert page.status_code == 200
    assert "No meeting of the governance group has been held yet" in words(page)
    assert "nhsuk-action-link" not in page.text


def test_types_are_ticked_and_narrow_the_summary(edits, person_as):
    page = person_as("viewer").get("/changes?since=last-meeting&types=Person")
    assert re.search(r'name="types"\s+type="checkbox"\s+value="Person"\s+checked', page.text)
    assert not re.search(r'name="types"\s+type="checkbox"\s+value="Action"\s+checked', page.text)
    text = words(page)
    assert "Only these record types: Person." in text
    assert "Fictional outreach action" not in text and "Odile Pretend" in text
    # The shortcut keeps the chosen types.
    assert 'href="/changes?since=last-meeting&amp;types=Person"' in page.text


def test_bad_input_comes_back_with_the_field_marked(edits, person_as):
    page = person_as("viewer").get("/changes?since=yesterday&types=Unicorn")
    assert page.status_code == 400
    assert "<title>Error: Changes – graphsvc</title>" in page.text
    assert "There is a problem" in page.text
    assert 'href="#since"' in page.text and 'href="#types"' in page.text
    assert "'yesterday' is none of these" in words(page) and "Unknown type 'Unicorn'" in words(page)
    page = person_as("viewer").get("/changes?since=last-meeting&group=group-nobody")
    assert page.status_code == 400 and "No group has id 'group-nobody'." in words(page)
    assert 'name="group" value="group-nobody"' in page.text  # kept for the next try, as the address had it


def test_the_page_as_data(edits, person_as):
    data = person_as("viewer").get("/changes?since=last-meeting&format=json").json
    assert data["window"]["since"].startswith(f"the start of {MEETING_WORDS}")
    assert data["meeting"]["title"] == "Fictional review meeting"
    actions = next(section for section in data["types"] if section["type"] == "Action")
    created = {row["label"]: row for row in actions["created"]["rows"]}
    assert created["Example owned action"]["example"] is True and created["Fictional outreach action"]["by"] == \
        "coord-person"
    [changed] = actions["changed"]["rows"]
    assert changed["fields"] == [{"name": "Status", "before": "Not started", "after": "In progress"}]
    assert data["tokens"] is None  # not an admin


def test_token_events_are_shown_to_admins_only(edits, person_as):
    admin = words(person_as("admin").get("/changes?since=last-meeting"))
    assert "Access tokens" in admin and "viewer-token Viewer Created test" in admin
    coordinator = person_as("coordinator").get("/changes?since=last-meeting")
    assert "Access tokens" not in words(coordinator) and "viewer-token" not in coordinator.text


def test_changes_is_in_the_navigation_for_viewers(person_as):
    page = person_as("viewer").get("/")
    assert re.search(r'class="nhsuk-header__navigation-link"\s+href="/changes"[^>]*>\s*Changes\s*</a>', page.text)


def test_strangers_are_sent_to_sign_in(app):
    answer = app.test_client().get("/changes")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]
