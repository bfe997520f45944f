"""Creating, editing and deleting records through forms generated from the vocabulary."""

from __future__ import annotations

import re

import pytest

from graphsvc.errors import NotFound
from tests.web.conftest import csrf_token

ACTION = {"title": "Example action: publish the example pledge", "status": "in_progress", "example": True}


def field_group(html: str, name: str) -> str:
    """The NHS.UK form group holding the control (or fieldset) for property `name`."""
    # Each field's outer group starts a line (a date's day, month and year groups are indented in it).
    groups = re.split(r'\n<div class="nhsuk-form-group', html)
    found = [group for group in groups if re.search(rf'(id|for)="{re.escape(name)}(-day)?"', group)]
    assert found, f"no form group for {name}"
    return found[0]


def summary(html: str) -> str:
    match = re.search(r'nhsuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert match, "no error summary"
    return match.group(1)


@pytest.fixture
def coordinator(person_as):
    return person_as("coordinator")


@pytest.fixture
def action(service):
    return service.create_node("Action", ACTION, "test")


def post(browser, path: str, data: dict, token_from: str | None = None):
    return browser.post(path, data={"csrf_token": csrf_token(browser, token_from or path), **data})


# -- the form is generated from the vocabulary ----------------------------------------------------

def test_each_property_type_gets_its_control(coordinator):
    action_form = coordinator.get("/records/new?type=Action").text
    assert re.search(r'<input[^>]*id="title"[^>]*type="text"', field_group(action_form, "title"))
    assert "<textarea" in field_group(action_form, "description")
    assert 'type="radio"' in field_group(action_form, "priority")
    assert "Not set" in field_group(action_form, "priority")  # optional enums can be left unset
    due = field_group(action_form, "due_date")
    assert all(f'name="due_date-{part}"' in due for part in ("day", "month", "year"))
    assert 'type="checkbox"' in field_group(action_form, "example")
    assert re.search(r"<label[^>]*>\s*Title\s*</label>", action_form)  # required: no "(optional)"
    assert "Description (optional)" in action_form

    source_form = coordinator.get("/records/new?type=Source").text
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in field_group(source_form, "published")
    assert re.search(r'type="url"', field_group(source_form, "url"))
    assert 'inputmode="numeric"' in field_group(coordinator.get("/records/new?type=Finding").text, "number")
    assert 'inputmode="decimal"' in field_group(coordinator.get("/records/new?type=Indicator").text, "baseline")
    assert "<select" in field_group(coordinator.get("/records/new?type=Initiative").text, "kind")  # many values
    person_form = coordinator.get("/records/new?type=Person").text
    assert 'type="email"' in field_group(person_form, "email")  # contact details: coordinators and above
    assert "Description: External code" not in person_form


def test_a_governance_only_property_is_disabled_below_governance(coordinator, person_as):
    status = field_group(coordinator.get("/records/new?type=Action").text, "status")
    assert "disabled" in status and "Only the governance role can change this" in status
    assert "disabled" not in field_group(person_as("governance").get("/records/new?type=Action").text, "status")


def test_add_a_record_lists_every_type_and_is_in_the_navigation(coordinator, service, person_as):
    page = coordinator.get("/records/new").text
    for name in service.vocabulary.node_types:
        assert f'href="/records/new?type={name}"' in page
    assert 'href="/records/new"' in coordinator.get("/").text
    assert 'href="/records/new"' not in person_as("viewer").get("/").text
    assert coordinator.get("/records/new?type=NoSuchType").status_code == 404


# -- create, edit, delete ---------------------------------------------------------------------------

def test_a_coordinator_creates_a_record(coordinator, service):
    answer = post(coordinator, "/records/new?type=Initiative", {
        "name": "Example health walks", "description": "Line one\nline two", "status": "active",
        "start_date-day": "7", "start_date-month": "3", "start_date-year": "2026", "example": "yes",
        "end_date-day": "", "end_date-month": "", "end_date-year": ""})
    assert answer.status_code == 302
    record_id = answer.headers["Location"].removeprefix("/records/")
    node = service.get_node(record_id)
    assert node.type == "Initiative"
    assert node.properties == {"name": "Example health walks", "description": "Line one\nline two",
                               "status": "active", "start_date": "2026-03-07", "example": True}
    page = coordinator.get(answer.headers["Location"]).text
    assert "Example health walks has been added." in page
    assert "has been added" not in coordinator.get(answer.headers["Location"]).text  # shown once


def test_a_coordinator_edits_a_record_and_blank_removes_a_value(coordinator, service):
    node = service.create_node("Initiative", {"name": "Example clinic", "description": "Old words",
                                              "status": "active", "example": True}, "test")
    form = coordinator.get(f"/records/{node.id}/edit").text
    assert 'value="Example clinic"' in form and "Old words" in form and 'name="version" value="&#34;v1&#34;"' in form
    answer = post(coordinator, f"/records/{node.id}/edit", {
        "version": '"v1"', "name": "Example clinic", "description": "New words", "status": "", "example": "yes"})
    assert answer.status_code == 302 and answer.headers["Location"] == f"/records/{node.id}"
    assert service.get_node(node.id).properties == {"name": "Example clinic", "description": "New words",
                                                    "example": True}
    assert "Example clinic has been changed." in coordinator.get(f"/records/{node.id}").text


def test_record_page_links_to_edit_and_delete_for_coordinators_only(coordinator, person_as, action):
    page = coordinator.get(f"/records/{action.id}").text
    assert f'href="/records/{action.id}/edit"' in page and f'href="/records/{action.id}/delete"' in page
    viewer_page = person_as("viewer").get(f"/records/{action.id}").text
    assert f"/records/{action.id}/edit" not in viewer_page and f"/records/{action.id}/delete" not in viewer_page


def test_a_coordinator_deletes_a_record_after_confirming(coordinator, service):
    walk = service.create_node("Initiative", {"name": "Example walk", "example": True}, "test")
    theme = service.create_node("Theme", {"name": "Example theme", "example": True}, "test")
    link = service.create_relationship("ADDRESSES", walk.id, theme.id, {}, "test")
    confirm = coordinator.get(f"/records/{walk.id}/delete")
    assert confirm.status_code == 200
    assert "Delete Example walk?" in confirm.text and "Example theme" in confirm.text  # what goes with it
    assert service.get_node(walk.id)  # asking is not deleting
    answer = post(coordinator, f"/records/{walk.id}/delete", {"version": '"v1"'})
    assert answer.status_code == 302 and answer.headers["Location"] == "/records/deleted"
    assert "Example walk has been deleted" in coordinator.get("/records/deleted").text
    assert coordinator.get(f"/records/{walk.id}").status_code == 404
    assert service.graph().has_node(theme.id) and not service.graph().has_edge(walk.id, theme.id)
    with pytest.raises(NotFound):
        service.get_relationship(link.id)


# -- who may, and forged requests ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/records/new", "/records/new?type=Initiative", "/records/{id}/edit",
                                  "/records/{id}/delete"])
def test_a_viewer_gets_403_on_every_form(person_as, action, service, path):
    viewer = person_as("viewer")
    path = path.format(id=action.id)
    assert viewer.get(path).status_code == 403
    token = csrf_token(viewer, "/search")
    answer = viewer.post(path, data={"csrf_token": token, "version": '"v1"', "title": "Example changed",
                                     "name": "Example new"})
    assert answer.status_code == 403
    assert service.get_node(action.id).properties == ACTION


def test_a_form_without_the_csrf_token_is_refused(coordinator, service, action):
    assert coordinator.post("/records/new?type=Theme", data={"name": "Example forged"}).status_code == 400
    assert service.list_nodes("Theme")[1] == 0
    assert coordinator.post(f"/records/{action.id}/delete", data={}).status_code == 400
    assert service.get_node(action.id)


# -- errors beside the fields and in the summary -----------------------------------------------------

def test_validation_errors_are_shown_beside_fields_and_in_the_summary(coordinator, service):
    answer = post(coordinator, "/records/new?type=Initiative", {
        "name": "", "description": "Bell\x07here", "status": "sleeping",
        "start_date-day": "31", "start_date-month": "2", "start_date-year": "2026"}, token_from="/records/new")
    assert answer.status_code == 422
    html = answer.text
    assert "<title>Error: Add an initiative" in html
    listed = summary(html)
    for anchor in ("#name", "#description", "#status", "#start_date-day"):
        assert f'href="{anchor}"' in listed
    assert "Enter name" in field_group(html, "name")
    assert "not allowed in text: U+0007" in field_group(html, "description")
    assert "Must be one of" in field_group(html, "status")
    date = field_group(html, "start_date")
    assert "Enter a real date" in date and 'value="31"' in date and 'value="2026"' in date  # typed values kept
    assert service.list_nodes("Initiative")[1] == 0


def test_a_stale_edit_is_shown_as_an_error_not_lost(coordinator, service):
    node = service.create_node("Theme", {"name": "Example theme", "example": True}, "test")
    service.update_node(node.id, {"description": "Someone else's change"}, "other")  # now v2
    answer = post(coordinator, f"/records/{node.id}/edit", {"version": '"v1"', "name": "Example theme renamed"})
    assert answer.status_code == 412
    assert "Someone else changed this record" in summary(answer.text)
    assert 'value="Example theme renamed"' in answer.text  # what was typed is still there
    assert service.get_node(node.id).properties["name"] == "Example theme"


def test_a_coordinator_cannot_set_an_actions_status(coordinator, person_as, service, action):
    forged = post(coordinator, f"/records/{action.id}/edit", {"version": '"v1"', "title": ACTION["title"],
                                                                "status": "done", "example": "yes"})
    assert forged.status_code == 403
    assert "Only the 'governance' role can set this" in field_group(forged.text, "status")
    assert 'href="#status"' in summary(forged.text)
    assert re.search(r'value="in_progress"\s+checked', forged.text)  # the stored status, not the forged one
    created = post(coordinator, "/records/new?type=Action", {"title": "Example forged", "status": "done"})
    assert created.status_code == 403 and service.list_nodes("Action")[1] == 1
    # Without the forged field the coordinator's edit goes through and the status is kept.
    assert post(coordinator, f"/records/{action.id}/edit", {
        "version": '"v1"', "title": "Example action renamed", "example": "yes"}).status_code == 302
    assert service.get_node(action.id).properties["status"] == "in_progress"
    governance = person_as("governance")
    assert post(governance, f"/records/{action.id}/edit", {
        "version": '"v2"', "title": "Example action renamed", "status": "done", "example": "yes"}).status_code == 302
    assert service.get_node(action.id).properties["status"] == "done"


def test_a_coordinator_cannot_delete_a_record_carrying_governance_decisions(coordinator, service, action):
    answer = post(coordinator, f"/records/{action.id}/delete", {"version": '"v1"'})
    assert answer.status_code == 403
    assert "This record cannot be deleted" in answer.text and "governance" in summary(answer.text)
    assert service.get_node(action.id)
