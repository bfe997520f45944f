"""Overlaps a coordinator can act on: one record's overlaps, who leads each side, example marks, and
who may record, change and undo a review."""

from __future__ import annotations

import pytest

from tests.test_overlaps import MATERNITY

HOSPITALS, COMMUNITY = "init-maternity-equity-hospitals", "init-maternity-equity-community"
REVIEWS = "/api/v1/overlaps/reviews"


@pytest.fixture
def demo(runner, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    return client


@pytest.fixture
def pair(client):
    """Two real initiatives doing the same work in the same place, each with a lead."""
    for path, body in [
        ("themes", {"id": "theme-maternity", "name": "Maternity"}),
        ("places", {"id": "place-riverside", "name": "Riverside"}),
        ("organisations", {"id": "org-trust", "name": "Riverside Trust"}),
        ("people", {"id": "person-lee", "name": "Lee Fictional"}),
        ("initiatives", {"id": "init-a", "name": "Maternity equity programme", "description": MATERNITY}),
        ("initiatives", {"id": "init-b", "name": "Maternity equity project", "description": MATERNITY}),
    ]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201
    links = [(rel, init, target) for init in ("init-a", "init-b")
             for rel, target in (("ADDRESSES", "theme-maternity"), ("OPERATES_IN", "place-riverside"))]
    for rel, source, target in links + [("LEADS", "org-trust", "init-a"), ("LEADS", "person-lee", "init-b")]:
        assert client.post("/api/v1/relationships", json={"type": rel, "from": source, "to": target}).status_code == 201
    return client


def review(caller, decision, a="init-a", b="init-b", **extra):
    return caller.post(REVIEWS, json={"a": a, "b": b, "decision": decision, **extra})


def undo(caller, a="init-a", b="init-b"):
    return caller.delete(f"{REVIEWS}?a={a}&b={b}")


def stored(client, rel_type):
    return client.get(f"/api/v1/relationships?type={rel_type}").get_json()["items"]


# -- one record's overlaps, leads and example marks -------------------------------------------------

def test_the_overlaps_of_one_initiative_name_both_sides_leads(demo):
    answer = demo.get(f"/api/v1/overlaps?id={HOSPITALS}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["id"] == HOSPITALS and body["kind"] == "initiative" and body["examples"] is True
    [entry] = [e for e in body["overlaps"] if COMMUNITY in (e["a"]["id"], e["b"]["id"])]
    assert all(HOSPITALS in (e["a"]["id"], e["b"]["id"]) for e in body["overlaps"])
    assert (entry["a"]["id"], entry["b"]["id"]) == (COMMUNITY, HOSPITALS) and entry["score"] > 0.8
    leads = {side["id"]: {(lead["id"], lead["type"]) for lead in side["leads"]} for side in (entry["a"], entry["b"])}
    assert leads[COMMUNITY] == {("person-ben-carrow", "Person"), ("org-example-community-health", "Organisation")}
    assert leads[HOSPITALS] == {("person-fiona-marchetti", "Person"), ("org-example-hospitals", "Organisation")}
    # The same pair, scored the same, as in the full listing.
    full = demo.get("/api/v1/overlaps").get_json()["overlaps"]
    assert [e for e in full if (e["a"]["id"], e["b"]["id"]) == (COMMUNITY, HOSPITALS)] == [entry]


def test_demo_records_are_marked_as_examples_everywhere_they_appear(demo):
    [entry, *_] = demo.get(f"/api/v1/overlaps?id={HOSPITALS}").get_json()["overlaps"]
    sides = (entry["a"], entry["b"])
    assert all(side["example"] is True for side in sides)
    assert all(lead["example"] is True for side in sides for lead in side["leads"])
    assert all(partner["example"] is True for partner in entry["reasons"]["partners"])
    records = demo.get("/api/v1/overlaps?kind=record").get_json()["overlaps"]
    assert records and all(e["a"]["example"] is True and e["b"]["example"] is True for e in records)


def test_examples_false_compares_real_records_only(demo):
    for kind in ("initiative", "action", "record"):
        body = demo.get(f"/api/v1/overlaps?kind={kind}&examples=false").get_json()
        assert body["overlaps"] == [] and body["examples"] is False, kind
    answer = demo.get(f"/api/v1/overlaps?id={HOSPITALS}&examples=false")
    assert answer.status_code == 422 and "example record" in answer.get_json()["message"]


def test_real_records_carry_no_example_mark_and_are_compared_with_examples_false(pair):
    [entry] = pair.get("/api/v1/overlaps?examples=false").get_json()["overlaps"]
    assert "example" not in entry["a"] and "example" not in entry["b"]
    assert entry["a"]["leads"] == [{"id": "org-trust", "type": "Organisation", "name": "Riverside Trust"}]
    assert entry["b"]["leads"] == [{"id": "person-lee", "type": "Person", "name": "Lee Fictional"}]


def test_an_action_s_overlaps_name_its_accountable_owner(demo):
    [first, *_] = demo.get("/api/v1/overlaps?kind=action").get_json()["overlaps"]
    body = demo.get(f"/api/v1/overlaps?id={first['a']['id']}").get_json()
    assert body["kind"] == "action" and first in body["overlaps"]
    owner = demo.get(f"/api/v1/actions/{first['a']['id']}/accountable").get_json()
    assert [lead["id"] for lead in first["a"]["leads"]] == [owner["owner"]["id"]]


@pytest.mark.parametrize("query, status, field", [
    ("id=init-nobody", 404, None),
    ("id=theme-maternity", 422, "id"),
    ("id=init-a&kind=action", 422, "kind"),
    ("id=Not An Id", 422, "id"),
])
def test_overlaps_of_an_unknown_or_unsuitable_record_are_refused(pair, query, status, field):
    answer = pair.get(f"/api/v1/overlaps?{query}")
    assert answer.status_code == status
    body = answer.get_json()
    assert set(body) == {"code", "status", "message", "errors"} and body["message"]
    assert field is None or field in body["errors"]


# -- who may review ------------------------------------------------------------------------------

def test_a_coordinator_records_a_review_and_the_change_log_says_who_and_when(pair, client_as):
    answer = review(client_as("coordinator"), "duplicate", note="Same cohort")
    assert answer.status_code == 201
    made = answer.get_json()
    assert made["decision"] == "duplicate" and made["by"] == "coordinator-token" and made["at"].endswith("Z")
    shown = pair.get("/api/v1/overlaps").get_json()["overlaps"][0]["review"]
    assert shown == {"decision": "duplicate", "note": "Same cohort", "by": "coordinator-token", "at": made["at"]}


def test_repeating_the_same_decision_changes_nothing(pair, client_as):
    coordinator = client_as("coordinator")
    made = review(coordinator, "duplicate", note="Same cohort").get_json()
    again = review(coordinator, "duplicate", a="init-b", b="init-a", note="Same cohort")
    assert again.status_code == 200 and again.get_json()["at"] == made["at"]
    assert len(stored(pair, "OVERLAP_REVIEWED")) == 1


def test_a_coordinator_cannot_change_a_decision_but_governance_can(pair, client_as):
    review(client_as("coordinator"), "duplicate")
    refused = review(client_as("coordinator"), "distinct", note="Different cohorts")
    assert refused.status_code == 403
    assert "'governance'" in refused.get_json()["message"] and "'duplicate'" in refused.get_json()["message"]
    [kept] = stored(pair, "OVERLAP_REVIEWED")
    assert kept["decision"] == "duplicate"
    changed = review(client_as("governance"), "distinct", note="Different cohorts")
    assert changed.status_code == 201 and changed.get_json()["by"] == "governance-token"
    assert [rel["decision"] for rel in stored(pair, "OVERLAP_REVIEWED")] == ["distinct"]


def test_a_coordinator_cannot_undo_a_review_but_governance_can(pair, client_as):
    review(client_as("coordinator"), "duplicate")
    refused = undo(client_as("coordinator"))
    assert refused.status_code == 403 and "'governance'" in refused.get_json()["message"]
    assert len(stored(pair, "OVERLAP_REVIEWED")) == 1
    answer = undo(client_as("governance"), a="init-b", b="init-a")  # either way round
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["decision"] == "duplicate" and [rel["type"] for rel in body["removed"]] == ["OVERLAP_REVIEWED"]
    assert stored(pair, "OVERLAP_REVIEWED") == []
    assert pair.get("/api/v1/overlaps").get_json()["overlaps"][0]["review"] is None
    assert undo(client_as("governance")).status_code == 404  # nothing left to undo


def test_aligned_records_an_alignment_and_undoing_it_removes_the_alignment(pair, client_as):
    assert review(client_as("coordinator"), "aligned", note="One joint plan").status_code == 201
    [alignment] = stored(pair, "ALIGNED_WITH")
    assert (alignment["from"], alignment["to"], alignment["note"]) == ("init-a", "init-b", "One joint plan")
    body = undo(client_as("governance")).get_json()
    assert {rel["type"] for rel in body["removed"]} == {"OVERLAP_REVIEWED", "ALIGNED_WITH"}
    assert stored(pair, "ALIGNED_WITH") == [] and stored(pair, "OVERLAP_REVIEWED") == []
    assert pair.get("/api/v1/overlaps").get_json()["overlaps"][0]["review"] is None


def test_changing_away_from_aligned_keeps_the_alignment(pair, client_as):
    review(client_as("coordinator"), "aligned")
    assert review(client_as("governance"), "distinct").status_code == 201
    assert len(stored(pair, "ALIGNED_WITH")) == 1
    assert pair.get("/api/v1/overlaps").get_json()["overlaps"] == []  # the distinct review wins


def test_a_viewer_can_read_overlaps_but_not_review(pair, client_as):
    viewer = client_as("viewer")
    assert viewer.get("/api/v1/overlaps?id=init-a").status_code == 200
    assert review(viewer, "distinct").status_code == 403
    assert undo(viewer).status_code == 403
    assert stored(pair, "OVERLAP_REVIEWED") == []


def test_undo_needs_both_ids(pair, client_as):
    answer = client_as("governance").delete(f"{REVIEWS}?a=init-a")
    assert answer.status_code == 422 and "b" in answer.get_json()["errors"]
