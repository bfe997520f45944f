"""What changed between two moments (`GET /api/v1/changes`, graphsvc.queries.changes, graphsvc.meetings).

A scripted sequence of edits goes through the service with known actors on a fake clock: setup on
2 March 2026, the governance group's meeting held on 3 March, the edits to summarise on 3 and 4 March.
Every name is fictional.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from graphsvc.accountability import set_owner
from graphsvc.auth import ROLES, issue_token
from graphsvc.erasure import erase_person
from graphsvc.importing import import_document
from graphsvc.meetings import last_held_meeting, overseeing_group
from graphsvc.queries import changes as changes_query
from graphsvc.queries.change_imports import find_imports
from graphsvc.reviews import record_review
from tests.conftest import authorised_client

ERASED_NAME = "Quillon Erasewell"
CLOCKED = ("graphsvc.store.logged", "graphsvc.store.sqlite", "graphsvc.store.sqlite_tokens",
           "graphsvc.importing.nodes", "graphsvc.importing.engine", "graphsvc.store.model")


class Clock:
    """utc_now for the store and the importer: a set moment, one microsecond later at each call (as real
    writes are), so a batch written with one call shares one stamp."""

    def __init__(self):
        self.moment = dt.datetime(2026, 3, 2, 9, 0)

    def set(self, text: str) -> None:
        self.moment = dt.datetime.fromisoformat(text)

    def __call__(self) -> str:
        self.moment += dt.timedelta(microseconds=1)
        return self.moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utc_now", clock)
    return clock


@pytest.fixture
def script(service, clock, request) -> dict:
    """The scripted sequence; returns the seqs and ids the tests ask about."""
    node = lambda kind, body, actor="setup": service.create_node(kind, body, actor).id  # noqa: E731
    link = lambda kind, a, b, actor="setup", **props: service.create_relationship(kind, a, b, props, actor)  # noqa: E731
    ids = {}
    clock.set("2026-03-02T09:00:00")
    request.getfixturevalue("tokens")  # one token per role, made during setup
    ids["group"] = node("Group", {"name": "Fictional Governance Group", "kind": "governance_group"})
    ids["held"] = node("Meeting", {"title": "March governance meeting", "date": "2026-03-03", "status": "held"})
    ids["planned"] = node("Meeting", {"title": "April governance meeting", "date": "2026-03-05", "status": "planned"})
    ids["ahead"] = node("Meeting", {"title": "A meeting marked held ahead", "date": "2099-01-01", "status": "held"})
    for meeting in ("held", "planned", "ahead"):
        link("MEETING_OF", ids[meeting], ids["group"])
    ids["ann"] = node("Person", {"name": "Annis Fictive", "email": "annis@example.org"})
    ids["bo"] = node("Person", {"name": "Bo Imaginary"})
    ids["bo_twin"] = node("Person", {"name": "Bo Imaginary (twice)"})
    ids["action"] = node("Action", {"title": "Fictional action", "status": "not_started", "priority": "low"})
    ids["theme"] = node("Theme", {"name": "Theme to retire"})
    ids["walk"] = node("Initiative", {"name": "Fictional walking group", "example": True})
    ids["stroll"] = node("Initiative", {"name": "Fictional strolling group", "example": True})
    set_owner(service, ids["action"], ids["ann"], "setup")
    ids["doomed"] = node("Action", {"title": "Action to drop"})
    set_owner(service, ids["doomed"], ids["ann"], "setup")
    ids["update1"] = node("ProgressUpdate", {"summary": "On track", "date": "2026-03-01", "rag": "green"})
    link("REPORTS_ON", ids["update1"], ids["action"])
    ids["setup_done"] = service.store.last_seq()

    clock.set("2026-03-03T08:00:00")  # the meeting's day, before the meeting
    ids["new_action"] = node("Action", {"title": "Action agreed at the meeting"}, "coord-1")
    clock.set("2026-03-03T13:00:00")
    ids["afternoon"] = service.store.last_seq()
    service.update_node(ids["action"], {"status": "in_progress", "priority": "high", "description": "Draft"}, "gov-1")
    service.update_node(ids["action"], {"priority": "medium", "description": None}, "gov-2")
    service.update_node(ids["ann"], {"email": "annis.new@example.org"}, "coord-1")
    service.delete_node(ids["theme"], "coord-1")
    service.delete_node(ids["doomed"], "gov-1")  # its owner link goes with it
    set_owner(service, ids["action"], ids["bo"], "gov-1")
    record_review(service, ids["walk"], ids["stroll"], "aligned", "They meet on the same day.", "coord-1")
    record_review(service, ids["bo"], ids["bo_twin"], "distinct", "Bo Imaginary told us so.", "coord-1")
    ids["update2"] = node("ProgressUpdate", {"summary": "Slipping", "date": "2026-03-03", "rag": "amber"}, "gov-1")
    link("REPORTS_ON", ids["update2"], ids["action"], "gov-1")
    ids["update3"] = node("ProgressUpdate", {"summary": "Still slipping", "date": "2026-03-03", "rag": "amber"},
                          "gov-1")
    link("REPORTS_ON", ids["update3"], ids["action"], "gov-1")

    clock.set("2026-03-04T10:00:00")
    document = {"nodes": [{"id": f"theme-imported-{n}", "type": "Theme", "name": f"Imported theme {n}"}
                          for n in range(3)],
                "relationships": [{"type": "ADDRESSES", "from": ids["action"], "to": "theme-imported-0"}]}
    assert import_document(service, document, "importer").applied
    issue_token(service.store, "temporary-reader", "viewer", "admin-1")
    service.store.revoke_token("temporary-reader", "admin-1")
    ids["quill"] = node("Person", {"name": ERASED_NAME}, "coord-1")
    link("ACCOUNTABLE_FOR", ids["quill"], ids["new_action"], "gov-1")
    erase_person(service, ids["quill"], "admin-1", "Request ref 17")
    ids["last"] = service.store.last_seq()
    return ids


def changes(client, **args) -> dict:
    answer = client.get("/api/v1/changes", query_string=args)
    assert answer.status_code == 200, answer.json
    return answer.json


def refused(client, **args) -> dict:
    answer = client.get("/api/v1/changes", query_string=args)
    assert answer.status_code == 422, answer.json
    return answer.json["errors"]


def records(summary: dict, node_type: str, kind: str) -> dict[str, dict]:
    return {item["label"]: item for item in summary["types"].get(node_type, {}).get(kind, {"items": []})["items"]}


# -- the summary of the scripted sequence -----------------------------------------------------------

def test_records_created_changed_and_deleted_with_fields_collapsed(script, client_as):
    summary = changes(client_as("coordinator"), since="2026-03-03")
    assert set(records(summary, "Action", "created")) == {"Action agreed at the meeting"}
    changed = records(summary, "Action", "changed")["Fictional action"]
    # Two updates by two people: the first before, the last after; the description came and went.
    assert changed["fields"] == [{"name": "status", "before": "not_started", "after": "in_progress"},
                                 {"name": "priority", "before": "low", "after": "medium"}]
    assert (changed["first"]["actor"], changed["last"]["actor"]) == ("gov-1", "gov-2")
    assert changed["first"]["at"].startswith("2026-03-03T13:00")
    deleted = records(summary, "Theme", "deleted")["Theme to retire"]  # named from the log's own record
    assert deleted["last"]["actor"] == "coord-1" and deleted["id"] == script["theme"]
    assert summary["totals"]["deleted"] == 2
    assert summary["since"]["seq"] == script["setup_done"] and summary["since"]["meeting"] is None


def test_owner_handovers_status_and_rag_transitions(script, client_as):
    summary = changes(client_as("viewer"), since="2026-03-03")
    handovers = summary["handovers"]["items"]
    to_bo = next(item for item in handovers if item["record"]["id"] == script["action"])
    assert [ref["label"] for ref in to_bo["from"]] == ["Annis Fictive"]
    assert [ref["label"] for ref in to_bo["to"]] == ["Bo Imaginary"] and to_bo["actor"] == "gov-1"
    assert script["doomed"] not in [item["record"]["id"] for item in handovers]  # the deletion says it all
    assert summary["relationships"]["ACCOUNTABLE_FOR"]["deleted"] == 3  # Annis twice, and the erased owner
    assert [(i["record"]["id"], i["before"], i["after"]) for i in summary["transitions"]["status"]["items"]] == [
        (script["action"], "not_started", "in_progress")]
    # The second update turns green to amber; the third stays amber, which is no transition.
    rag = summary["transitions"]["rag"]["items"]
    assert [(i["record"]["id"], i["update"]["id"], i["before"], i["after"]) for i in rag] == [
        (script["action"], script["update2"], "green", "amber")]


def test_overlap_decisions_give_the_note_except_for_pairs_of_people(script, client_as):
    summary = changes(client_as("viewer"), since="2026-03-03")
    decisions = {item["a"]["type"]: item for item in summary["overlap_decisions"]["items"]}
    initiatives, people = decisions["Initiative"], decisions["Person"]
    assert (initiatives["change"], initiatives["decision"], initiatives["note"]) == (
        "recorded", "aligned", "They meet on the same day.")
    assert initiatives["a"]["example"] is True  # fictional records are marked wherever they are shown
    assert people["has_note"] is True and "note" not in people
    assert "told us so" not in json.dumps(summary)
    assert summary["relationships"]["ALIGNED_WITH"] == {"created": 1, "deleted": 0}


def test_an_import_is_found_with_what_it_wrote(script, client_as):
    summary = changes(client_as("viewer"), since="2026-03-04")
    [found] = summary["imports"]["items"]
    assert found["actor"] == "importer" and found["entries"] == 4
    assert found["created"] == {"Theme": 3} and found["relationships"] == {"created": 1, "deleted": 0}
    assert len(records(summary, "Theme", "created")) == 3


def test_token_events_are_for_admins_only(script, client_as):
    admin = changes(client_as("admin"), since="2026-03-04")
    assert [(t["event"], t["name"], t["role"]) for t in admin["tokens"]["items"]] == [
        ("revoked", "temporary-reader", "viewer"), ("created", "temporary-reader", "viewer")]
    coordinator = changes(client_as("coordinator"), since="2026-03-04")
    assert coordinator["tokens"] == {"count": 0, "items": []}
    assert "temporary-reader" not in json.dumps(coordinator)
    assert coordinator["totals"]["entries"] == admin["totals"]["entries"] - 2


def test_an_erasure_is_counted_never_named(script, client_as):
    summary = changes(client_as("admin"), since="2026-03-04")
    assert summary["erasures"]["count"] == 1 and summary["erasures"]["items"][0]["type"] == "Person"
    assert summary["erasures"]["items"][0]["actor"] == "admin-1"
    text = json.dumps(summary)
    assert ERASED_NAME not in text and script["quill"] not in text
    assert "Person" not in summary["types"]  # the erased person's creation is not listed
    # The erased person was made the owner of an action, then went: both read as an erased record.
    removed, added = [item for item in summary["handovers"]["items"] if item["record"]["id"] == script["new_action"]]
    erased = {"id": added["to"][0]["id"], "type": "Person", "label": None, "example": False, "erased": True}
    assert (added["from"], added["to"], removed["from"], removed["to"]) == ([], [erased], [erased], [])
    assert summary["imports"]["count"] == 1  # the erasure's entries share a stamp but are not an import


def test_sensitive_values_need_the_coordinator_role(script, client_as):
    viewer = changes(client_as("viewer"), since="2026-03-03", types="Person")
    assert "Annis Fictive" not in records(viewer, "Person", "changed")  # its only change is hidden
    assert "annis" not in json.dumps(viewer)
    coordinator = changes(client_as("coordinator"), since="2026-03-03", types="Person")
    assert records(coordinator, "Person", "changed")["Annis Fictive"]["fields"] == [
        {"name": "email", "before": "annis@example.org", "after": "annis.new@example.org"}]


# -- the forms of since and until -------------------------------------------------------------------

def test_since_as_a_date_time_a_seq_and_the_last_meeting(script, client_as):
    client = client_as("viewer")
    afternoon = changes(client, since="2026-03-03T13:00:00Z")
    assert afternoon["since"]["seq"] == script["afternoon"]
    assert "Action" not in afternoon["types"] or not records(afternoon, "Action", "created")
    same_moment_in_paris = changes(client, since="2026-03-03T14:00:00+01:00")
    assert same_moment_in_paris["since"]["seq"] == script["afternoon"]
    by_seq = changes(client, since=str(script["setup_done"]))
    assert by_seq["totals"] == changes(client, since="2026-03-03")["totals"]
    # The planned meeting (later) and the one marked held for 2099 are passed over.
    meeting = changes(client, since="last-meeting")
    assert meeting["since"]["meeting"]["id"] == script["held"]
    assert meeting["since"]["at"] == "2026-03-03T00:00:00.000000Z"
    assert meeting["since"]["seq"] == script["setup_done"]  # changes on the meeting's day count as since
    assert changes(client)["since"]["meeting"]["id"] == script["held"]  # the default


def test_until_bounds_the_window(script, client_as):
    client = client_as("viewer")
    summary = changes(client, since="2026-03-03", until="2026-03-03")
    assert summary["imports"]["count"] == 0 and summary["until"]["at"] == "2026-03-03T23:59:59.999999Z"
    assert set(records(summary, "Action", "created")) == {"Action agreed at the meeting"}
    assert changes(client, since="1", until=str(script["setup_done"]))["until"]["seq"] == script["setup_done"]
    empty = changes(client, since="2020-01-01", until="2020-01-31")
    assert empty["totals"]["entries"] == 0 and empty["types"] == {}
    everything = changes(client, since="0001-01-01", until="9999-12-31")  # the ends of the calendar
    assert (everything["since"]["seq"], everything["until"]["seq"]) == (0, script["last"])
    assert everything["since"]["at"] == "0001-01-01T00:00:00.000000Z"
    assert changes(client, since="0999-06-01")["since"]["seq"] == 0  # a three-digit year still sorts first


def test_types_narrow_every_section(script, client_as):
    summary = changes(client_as("admin"), since="2026-03-03", types="theme")
    assert summary["types_selected"] == ["Theme"] and set(summary["types"]) == {"Theme"}
    assert summary["handovers"]["count"] == 0 and summary["transitions"]["rag"]["count"] == 0
    assert summary["overlap_decisions"]["count"] == 0 and summary["tokens"]["count"] == 0
    assert set(summary["relationships"]) == {"ADDRESSES"}
    assert summary["imports"]["items"][0]["created"] == {"Theme": 3}


def test_no_meeting_means_the_last_seven_days(service, client_as):
    summary = changes(client_as("viewer"))
    week_ago = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=7)
    assert summary["since"]["meeting"] is None and summary["since"]["given"] == "default"
    assert summary["since"]["at"] == f"{week_ago.isoformat()}T00:00:00.000000Z"
    assert "No meeting" in refused(client_as("viewer"), since="last-meeting")["since"][0]


# -- refusals -------------------------------------------------------------------------------------

def test_bad_inputs_are_refused_with_field_messages(script, client_as):
    client = client_as("viewer")
    errors = refused(client, since="yesterday", types="Action,Unicorn", group="group-nobody")
    assert "'yesterday' is none of these" in errors["since"][0]
    assert "Unicorn" in errors["types"][0] and "ProgressUpdate" in errors["types"][0]
    assert errors["group"] == ["No group has id 'group-nobody'."]
    assert "Must not be before since" in refused(client, since="2026-03-04", until="2026-03-03")["until"][0]
    assert "There is no change" in refused(client, since=str(script["last"] + 5))["since"][0]
    assert "is none of these" in refused(client, since="2026-02-30")["since"][0]
    assert "is none of these" in refused(client, until="last-meeting")["until"][0]
    assert "sort" in refused(client, sort="newest")  # unknown parameters are named
    assert "types" in refused(client, types="")


def test_windows_over_the_cap_are_refused_before_reading(script, client_as, monkeypatch):
    monkeypatch.setattr(changes_query, "MAX_ENTRIES", 5)
    monkeypatch.setattr(changes_query, "_entries", lambda *args: pytest.fail("read the log"))
    errors = refused(client_as("viewer"), since="2026-03-03")
    assert "Narrow it" in errors["since"][0]


def test_every_role_may_read_and_strangers_may_not(script, app, tokens, anonymous):
    for role in ROLES:
        assert authorised_client(app, tokens[role]).get("/api/v1/changes").status_code == 200
    assert anonymous.get("/api/v1/changes").status_code == 401


def test_a_new_change_is_never_hidden_by_the_cache(script, service, client_as):
    client = client_as("viewer")
    before = changes(client, since="2026-03-03")
    service.update_node(script["new_action"], {"priority": "high"}, "coord-2")
    after = changes(client, since="2026-03-03")
    assert after["totals"]["entries"] == before["totals"]["entries"] + 1
    assert records(after, "Action", "changed")["Action agreed at the meeting"]["last"]["actor"] == "coord-2"


# -- the rules underneath ---------------------------------------------------------------------------

def test_the_overseeing_group_is_the_one_that_oversees_most(service):
    def group(name):
        return service.create_node("Group", {"name": name, "kind": "governance_group"}, "t").id

    busy, quiet, board = group("Zeta Governance"), group("Alpha Governance"), None
    board = service.create_node("Group", {"name": "A Board", "kind": "board"}, "t").id
    assert overseeing_group(service.graph()) == quiet  # a tie: the first by name
    action = service.create_node("Action", {"title": "Overseen"}, "t").id
    service.create_relationship("OVERSEES", busy, action, {}, "t")
    assert overseeing_group(service.graph()) == busy
    meeting = service.create_node("Meeting", {"title": "Board day", "date": "2026-01-05", "status": "held"}, "t").id
    service.create_relationship("MEETING_OF", meeting, board, {}, "t")
    graph = service.graph()
    assert last_held_meeting(graph) is None  # the board is not the overseeing group
    assert last_held_meeting(graph, board)["id"] == meeting
    assert last_held_meeting(graph, board, before=dt.date(2026, 1, 4)) is None


def test_imports_are_told_from_single_writes_and_erasures():
    def entry(seq, at, actor="a", operation="create_node", kind="Theme", rel_id=None):
        return (seq, f"2026-03-04T10:00:00.{at:06d}Z", actor, operation, kind, rel_id)

    single = "rel-0123456789abcdef"  # as the service names a relationship
    imported = "rel-0123456789-1f"  # as an importer names one
    trail = [entry(1, 1), entry(2, 2), entry(3, 3, operation="create_relationship", kind=None, rel_id=single),
             # one import: a batch of nodes, a link removed, a batch of links, one link on its own
             entry(4, 5), entry(5, 5), entry(6, 6, operation="delete_relationship", kind=None),
             entry(7, 7, operation="create_relationship", kind=None, rel_id=imported),
             entry(8, 7, operation="create_relationship", kind=None, rel_id=imported + "0"),
             entry(9, 8, operation="create_relationship", kind=None, rel_id=imported + "1"),
             entry(10, 9),  # the same person's single write afterwards is not part of it
             # an erasure: its entries share one stamp
             entry(11, 10, actor="b", operation="delete_relationship", kind=None),
             entry(12, 10, actor="b", operation="delete_relationship", kind=None),
             entry(13, 10, actor="b", operation="erase_node", kind=None)]
    [found] = find_imports(trail)
    assert (found["first"]["seq"], found["last"]["seq"], found["entries"]) == (4, 9, 6)
    assert found["created"] == {"Theme": 2} and found["relationships"] == {"created": 3, "deleted": 1}
    assert find_imports(trail, types={"Action"}) == []
