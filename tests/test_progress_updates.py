"""Progress updates on actions: the service, the API with roles, and how the gap report and the
action log read updates whichever write path made them. Every name here is fictional."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import io

import pytest

from graphsvc import progress
from graphsvc.analysis.gaps import GapSettings, find_gaps
from graphsvc.errors import Invalid, NotFound, PreconditionFailed
from graphsvc.progress import record_update, updates_of
from graphsvc.queries.action_log import action_log
from graphsvc.reports.action_log import CSV_COLUMNS, to_csv

TODAY = dt.datetime.now(dt.UTC).date()
LONG_AGO = (TODAY - dt.timedelta(days=90)).isoformat()
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()
LAST_WEEK = (TODAY - dt.timedelta(days=7)).isoformat()
DUE = (TODAY + dt.timedelta(days=120)).isoformat()
ACTION = "action-fern"
EXAMPLE_ACTION = "action-example-fern"
DONE_ACTION = "action-done-fern"


def url(action_id: str = ACTION) -> str:
    return f"/api/v1/actions/{action_id}/updates"


def later(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def actions(service):
    """A real open action with an owner, a fictional (example) one, and a done one."""
    service.create_node("Person", {"id": "person-fern-oakley", "name": "Fern Oakley"}, "test")
    service.create_node("Action", {"id": ACTION, "title": "Publish the learning log", "status": "in_progress",
                                   "due_date": DUE, "last_update": LONG_AGO}, "test")
    service.create_relationship("ACCOUNTABLE_FOR", "person-fern-oakley", ACTION, {}, "test")
    service.create_node("Action", {"id": EXAMPLE_ACTION, "title": "Example action", "status": "in_progress",
                                   "due_date": DUE, "example": True}, "test")
    service.create_node("Action", {"id": DONE_ACTION, "title": "Finished action", "status": "done",
                                   "due_date": LAST_WEEK}, "test")
    return service


def action(service, action_id: str = ACTION) -> dict:
    return service.get_node(action_id).properties


def update_count(service) -> int:
    return service.list_nodes("ProgressUpdate", limit=500)[1]


def stale(service, as_of: dt.date = TODAY) -> dict:
    settings = GapSettings(as_of=as_of, stale_days=60)
    return {gap.subject["id"]: gap for gap in find_gaps(service.graph(), settings, rules=["action-stale"])}


def log_row(service, action_id: str = ACTION) -> dict:
    rows = action_log(service, GapSettings(as_of=TODAY))["rows"]
    return next(row for row in rows if row["id"] == action_id)


def test_module_examples():
    assert doctest.testmod(progress).failed == 0


# -- the service -------------------------------------------------------------------------------

def test_an_update_with_every_field_is_one_record_and_keeps_the_action_in_step(actions):
    body = {"summary": "Venue still to book", "date": YESTERDAY, "rag": "amber", "done": "Drafted the log.",
            "next": "Book the venue.", "blockers": "No venue yet.", "revised_due_date": later(200),
            "revision_reason": "The venue is booked up."}
    saved = record_update(actions, ACTION, body, "tester")
    assert {key: saved.update.properties[key] for key in body} == body
    assert "example" not in saved.update.properties
    assert saved.action.properties["last_update"] == YESTERDAY
    assert saved.action.properties["due_date"] == later(200)
    assert saved.action.properties["original_due_date"] == DUE
    [listed] = updates_of(actions.graph(), ACTION)
    assert listed["id"] == saved.update.id and listed["blockers"] == "No venue yet." and listed["example"] is False
    assert updates_of(actions.store, ACTION) == [{**listed, "updated_at": saved.update.updated_at}]
    # One transaction: the update, its REPORTS_ON and the action's change are logged by the same actor together.
    newest = actions.store.history(limit=3)
    assert [c.operation for c in reversed(newest)] == ["create_node", "create_relationship", "update_node"]
    assert {c.actor for c in newest} == {"tester"} and newest[0].seq == newest[2].seq + 2


def test_the_summary_defaults_to_the_date_in_words(actions):
    saved = record_update(actions, ACTION, {"date": "2026-12-01", "rag": "green"}, "tester",
                          today=dt.date(2026, 12, 5))
    assert saved.update.properties["summary"] == "Progress update, 1 December 2026"
    blank = record_update(actions, ACTION, {"date": "2026-12-01", "rag": "green", "summary": "  "}, "tester",
                          today=dt.date(2026, 12, 5))
    assert blank.update.properties["summary"] == "Progress update, 1 December 2026"


def test_a_date_after_today_utc_is_refused_with_a_clear_message(actions):
    with pytest.raises(Invalid) as refused:
        record_update(actions, ACTION, {"date": "2026-06-02", "rag": "green"}, "tester", today=dt.date(2026, 6, 1))
    assert refused.value.errors == {"date": [
        "The update's date cannot be after today (1 June 2026, UTC): report what has happened."]}
    record_update(actions, ACTION, {"date": "2026-06-01", "rag": "green"}, "tester", today=dt.date(2026, 6, 1))
    assert update_count(actions) == 1


def test_a_revised_due_date_keeps_the_original_across_two_revisions(actions):
    first = record_update(actions, ACTION, {"date": LAST_WEEK, "rag": "amber", "revised_due_date": later(150),
                                            "revision_reason": "Printer delay."}, "tester")
    assert (first.action.properties["due_date"], first.action.properties["original_due_date"]) == (later(150), DUE)
    second = record_update(actions, ACTION, {"date": YESTERDAY, "rag": "red", "revised_due_date": later(180),
                                             "revision_reason": "Printer delay again."}, "tester")
    assert (second.action.properties["due_date"], second.action.properties["original_due_date"]) == (later(180), DUE)
    # An update that revises nothing leaves both alone.
    third = record_update(actions, ACTION, {"date": YESTERDAY, "rag": "red"}, "tester")
    assert (third.action.properties["due_date"], third.action.properties["original_due_date"]) == (later(180), DUE)


def test_a_back_dated_update_does_not_move_last_update_back(actions):
    record_update(actions, ACTION, {"date": YESTERDAY, "rag": "green"}, "tester")
    back_dated = record_update(actions, ACTION, {"date": LAST_WEEK, "rag": "amber"}, "tester")
    assert back_dated.action.properties["last_update"] == YESTERDAY
    assert [u["date"] for u in updates_of(actions.graph(), ACTION)] == [YESTERDAY, LAST_WEEK]
    assert log_row(actions)["latest_update"]["date"] == YESTERDAY


def test_the_example_mark_follows_the_action(actions):
    fictional = record_update(actions, EXAMPLE_ACTION, {"date": YESTERDAY, "rag": "green"}, "tester")
    real = record_update(actions, ACTION, {"date": YESTERDAY, "rag": "green"}, "tester")
    assert fictional.update.properties["example"] is True and "example" not in real.update.properties
    assert updates_of(actions.graph(), EXAMPLE_ACTION)[0]["example"] is True
    without_examples = actions.graph(examples=False)
    assert fictional.update.id not in without_examples and real.update.id in without_examples


def test_closed_actions_take_a_closing_note_but_no_revised_due_date(actions):
    note = record_update(actions, DONE_ACTION, {"date": YESTERDAY, "rag": "green", "done": "Closed."}, "tester")
    assert note.action.properties["due_date"] == LAST_WEEK
    with pytest.raises(Invalid) as refused:
        record_update(actions, DONE_ACTION, {"date": YESTERDAY, "rag": "green", "revised_due_date": later(10),
                                             "revision_reason": "Late."}, "tester")
    assert list(refused.value.errors) == ["revised_due_date"]
    assert "This action is done" in refused.value.errors["revised_due_date"][0]
    assert action(actions, DONE_ACTION)["due_date"] == LAST_WEEK and update_count(actions) == 1


def test_unknown_actions_and_other_records_are_not_found(actions):
    for missing in ("action-nobody-made", "person-fern-oakley"):
        with pytest.raises(NotFound):
            record_update(actions, missing, {"date": YESTERDAY, "rag": "green"}, "tester")
        with pytest.raises(NotFound):
            updates_of(actions.graph(), missing)
    assert update_count(actions) == 0


def test_if_match_is_checked_in_the_same_transaction(actions):
    with pytest.raises(PreconditionFailed):
        record_update(actions, ACTION, {"date": YESTERDAY, "rag": "green"}, "tester", if_match='"v99"')
    assert update_count(actions) == 0


# -- the API ------------------------------------------------------------------------------------

EVERY_FIELD = {"summary": "Half the entries written", "date": YESTERDAY, "rag": "amber",
               "done": "Wrote six entries.", "next": "Write the other six.", "blockers": "Two authors are away.",
               "revised_due_date": later(160), "revision_reason": "Authors away for a month."}


def test_a_coordinator_records_an_update_with_every_field(actions, client_as):
    coordinator = client_as("coordinator")
    answer = coordinator.post(url(), json=EVERY_FIELD)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    update = body["update"]
    assert {key: update[key] for key in EVERY_FIELD} == EVERY_FIELD
    assert update["example"] is False and update["recorded_by"] == "coordinator-token" and update["recorded_at"]
    assert body["action"] == {"id": ACTION, "due_date": later(160), "original_due_date": DUE,
                              "last_update": YESTERDAY}
    assert answer.headers["Location"] == f"/api/v1/progress_updates/{update['id']}"
    assert answer.headers["ETag"] == f'"v{actions.get_node(ACTION).version}"'
    listed = coordinator.get(url()).get_json()
    assert listed["total"] == 1 and listed["items"][0] == update
    assert coordinator.get(answer.headers["Location"]).get_json()["summary"] == EVERY_FIELD["summary"]


@pytest.mark.parametrize("role, status", [("viewer", 403), ("coordinator", 201), ("governance", 201),
                                          ("admin", 201)])
def test_recording_needs_a_coordinator_and_reading_a_viewer(actions, client_as, role, status):
    browser = client_as(role)
    answer = browser.post(url(), json={"date": YESTERDAY, "rag": "green"})
    assert answer.status_code == status
    assert update_count(actions) == (1 if status == 201 else 0)
    assert browser.get(url()).status_code == 200
    if status == 403:
        assert "coordinator" in answer.get_json()["message"]


def test_strangers_learn_nothing(actions, anonymous):
    assert anonymous.get(url()).status_code == 401
    assert anonymous.post(url(), json={"date": YESTERDAY, "rag": "green"}).status_code == 401


@pytest.mark.parametrize("body, field, words", [
    ({"date": YESTERDAY, "rag": "green", "colour": "blue"}, "colour", "Unknown field. An update takes summary"),
    ({"date": YESTERDAY, "rag": "green", "id": "my-update"}, "id", "its id is made for it"),
    ({"date": YESTERDAY, "rag": "green", "example": True}, "example", "example data exactly when its action is"),
    ({"rag": "green"}, "date", "Missing data for required field."),
    ({"date": YESTERDAY}, "rag", "Missing data for required field."),
    ({"date": YESTERDAY, "rag": "purple"}, "rag", "Must be one of: red, amber, green."),
    ({"date": "2026-02-30", "rag": "green"}, "date", "Not a valid date"),
    ({"date": later(1), "rag": "green"}, "date", "cannot be after today"),
    ({"date": YESTERDAY, "rag": "green", "revised_due_date": later(9)}, "revision_reason", "Say why the due date"),
    ({"date": YESTERDAY, "rag": "green", "revision_reason": "Because."}, "revised_due_date", "Give the revised"),
    ({"date": YESTERDAY, "rag": "green", "summary": "x" * 301}, "summary", "and 300."),
    ({"date": YESTERDAY, "rag": "green", "blockers": "bell \x07"}, "blockers", "not allowed in text"),
])
def test_bad_bodies_are_422_with_the_field_named(actions, client_as, body, field, words):
    answer = client_as("coordinator").post(url(), json=body)
    assert answer.status_code == 422
    error = answer.get_json()
    assert set(error) == {"code", "status", "message", "errors"} and error["code"] == 422
    assert words in " ".join(error["errors"][field]) and field in error["message"]
    assert update_count(actions) == 0 and action(actions)["due_date"] == DUE


def test_a_body_that_is_not_an_object_is_422(actions, client_as):
    answer = client_as("coordinator").post(url(), json=["date", YESTERDAY])
    assert answer.status_code == 422 and answer.get_json()["errors"] == {"_schema": ["Expected a JSON object."]}


def test_a_revised_due_date_on_a_closed_action_is_422(actions, client_as):
    answer = client_as("coordinator").post(url(DONE_ACTION), json={
        "date": YESTERDAY, "rag": "green", "revised_due_date": later(5), "revision_reason": "Reopened?"})
    assert answer.status_code == 422 and "revised_due_date" in answer.get_json()["errors"]
    assert client_as("coordinator").post(url(DONE_ACTION), json={"date": YESTERDAY, "rag": "green"}).status_code == 201


def test_unknown_or_non_action_ids_are_404(actions, client_as):
    coordinator = client_as("coordinator")
    for target in ("action-nobody-made", "person-fern-oakley"):
        assert coordinator.get(url(target)).status_code == 404
        assert coordinator.post(url(target), json={"date": YESTERDAY, "rag": "green"}).status_code == 404


def test_if_match_with_a_stale_etag_is_412(actions, client_as):
    coordinator = client_as("coordinator")
    etag = coordinator.get(url()).headers["ETag"]
    assert etag == coordinator.get(f"/api/v1/actions/{ACTION}").headers["ETag"]
    first = coordinator.post(url(), json={"date": YESTERDAY, "rag": "green"}, headers={"If-Match": etag})
    assert first.status_code == 201 and first.headers["ETag"] != etag
    stale_answer = coordinator.post(url(), json={"date": YESTERDAY, "rag": "red"}, headers={"If-Match": etag})
    assert stale_answer.status_code == 412 and "If-Match" in stale_answer.get_json()["errors"]
    assert update_count(actions) == 1
    fresh = coordinator.post(url(), json={"date": YESTERDAY, "rag": "red"}, headers={"If-Match": first.headers["ETag"]})
    assert fresh.status_code == 201


def test_updates_are_listed_newest_first_with_ties_by_newest_record(actions, client_as):
    coordinator = client_as("coordinator")
    ids = [coordinator.post(url(), json={"date": date, "rag": "green", "summary": name}).get_json()["update"]["id"]
           for date, name in ((LAST_WEEK, "older"), (YESTERDAY, "first of the day"), (YESTERDAY, "second of the day"))]
    listed = coordinator.get(url()).get_json()
    assert [item["summary"] for item in listed["items"]] == ["second of the day", "first of the day", "older"]
    assert [item["id"] for item in listed["items"]] == ids[::-1]
    paged = coordinator.get(url() + "?limit=1&offset=1").get_json()
    assert [item["summary"] for item in paged["items"]] == ["first of the day"] and paged["total"] == 3
    assert coordinator.get(url() + "?limit=0").status_code == 422
    assert log_row(actions)["latest_update"]["summary"] == "second of the day"


def test_the_openapi_document_describes_both_operations(actions, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"]["/api/v1/actions/{action_id}/updates"]
    body = operations["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    properties = spec["components"]["schemas"][body]["properties"]
    assert {"date", "rag", "summary", "revised_due_date", "revision_reason"} <= set(properties)
    assert "example" not in properties and "id" not in properties
    assert properties["rag"]["enum"] == ["red", "amber", "green"]
    assert "412" in operations["post"]["responses"] and "If-Match" in str(operations["post"]["parameters"])
    entry = spec["components"]["schemas"]["ProgressUpdateEntry"]["properties"]
    assert {"recorded_by", "recorded_at", "example", "blockers"} <= set(entry)


# -- every write path reads the same ------------------------------------------------------------

def test_updates_written_through_the_generic_collection_count_the_same(actions, client_as):
    """The generic POST and a REPORTS_ON relationship leave last_update alone; the readers still see it."""
    coordinator = client_as("coordinator")
    assert ACTION in stale(actions)  # its last_update is 90 days old
    created = coordinator.post("/api/v1/progress_updates", json={
        "id": "update-fern-generic", "summary": "Written the long way", "date": YESTERDAY, "rag": "red",
        "blockers": "No printer."})
    assert created.status_code == 201, created.get_json()
    linked = coordinator.post("/api/v1/relationships", json={
        "type": "REPORTS_ON", "from": "update-fern-generic", "to": ACTION})
    assert linked.status_code == 201, linked.get_json()
    assert action(actions)["last_update"] == LONG_AGO  # the plain path did not touch the action
    assert ACTION not in stale(actions)
    assert log_row(actions)["latest_update"] == {"id": "update-fern-generic", "date": YESTERDAY, "rag": "red",
                                                 "summary": "Written the long way", "blockers": "No printer."}
    listed = coordinator.get(url()).get_json()["items"]
    assert [item["id"] for item in listed] == ["update-fern-generic"]
    assert listed[0]["recorded_by"] == "coordinator-token"
    # A real update cannot report on a fictional action, nor the other way round.
    coordinator.post("/api/v1/progress_updates", json={"id": "update-real", "summary": "Real", "date": YESTERDAY,
                                                       "rag": "green"})
    refused = coordinator.post("/api/v1/relationships", json={"type": "REPORTS_ON", "from": "update-real",
                                                              "to": EXAMPLE_ACTION})
    assert refused.status_code == 422 and "examples-stay-apart" in str(refused.get_json())


def test_action_stale_fires_and_stops_firing(actions, client_as):
    flagged = stale(actions)[ACTION]
    assert f"no progress update since {LONG_AGO}" in flagged.message
    assert flagged.related == ["person-fern-oakley"]
    assert client_as("coordinator").post(url(), json={"date": YESTERDAY, "rag": "green"}).status_code == 201
    assert ACTION not in stale(actions)
    later_on = stale(actions, TODAY + dt.timedelta(days=70))[ACTION]
    assert f"no progress update since {YESTERDAY}" in later_on.message
    # Without any update at all, the record's last change is what counts, and the message says so.
    unreported = stale(actions, TODAY + dt.timedelta(days=70))
    assert "its record has not changed since" in unreported[EXAMPLE_ACTION].message
    assert DONE_ACTION not in unreported  # closed actions are never stale


def test_the_action_log_shows_the_latest_update_and_the_original_due_date(actions, client_as):
    coordinator = client_as("coordinator")
    assert log_row(actions)["latest_update"] is None and log_row(actions)["original_due_date"] is None
    assert coordinator.post(url(), json=EVERY_FIELD).status_code == 201
    row = log_row(actions)
    assert row["due_date"] == later(160) and row["original_due_date"] == DUE
    assert {key: row["latest_update"][key] for key in ("date", "rag", "summary", "blockers")} == {
        "date": YESTERDAY, "rag": "amber", "summary": EVERY_FIELD["summary"], "blockers": EVERY_FIELD["blockers"]}
    cells = dict(zip(CSV_COLUMNS, list(csv.reader(io.StringIO(to_csv([row]).lstrip("\ufeff"))))[1], strict=True))
    assert (cells["Due date"], cells["Original due date"]) == (later(160), DUE)
    assert (cells["Latest update"], cells["Reported RAG"], cells["Blockers"]) == (
        YESTERDAY, "amber", EVERY_FIELD["blockers"])
    served = coordinator.get("/api/v1/reports/action-log").get_json()["rows"]
    served_row = next(r for r in served if r["id"] == ACTION)
    assert served_row["latest_update"]["rag"] == "amber" and served_row["original_due_date"] == DUE
    html = coordinator.get("/api/v1/reports/action-log?format=html").get_data(as_text=True)
    assert f"(originally {DUE})" in html and "reported Amber" in html and "Two authors are away." in html
