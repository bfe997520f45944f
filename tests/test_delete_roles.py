"""Deleting a record must not undo governance decisions by the back door: a coordinator cannot delete
an owner with accountability links, an action whose status governance set, or a reviewed initiative."""

from __future__ import annotations

import pytest


@pytest.fixture
def governed(client):
    """A small map with governance decisions on it, recorded by an admin."""
    for path, body in [
        ("people", {"id": "person-owner", "name": "Alex Example", "seniority": "executive"}),
        ("people", {"id": "person-helper", "name": "Sam Example"}),
        ("groups", {"id": "group-board", "name": "Example governance group", "kind": "governance_group"}),
        ("actions", {"id": "action-1", "title": "Publish the programme", "status": "in_progress"}),
        ("actions", {"id": "action-2", "title": "Draft ground rules"}),
        ("initiatives", {"id": "init-a", "name": "Maternity equity A"}),
        ("initiatives", {"id": "init-b", "name": "Maternity equity B"}),
        ("themes", {"id": "theme-x", "name": "A theme"}),
    ]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201
    assert client.put("/api/v1/actions/action-2/accountable", json={"owner": "person-owner"}).status_code == 200
    assert client.post("/api/v1/relationships", json={"type": "RESPONSIBLE_FOR", "from": "person-helper",
                                                       "to": "action-2"}).status_code == 201
    review = client.post("/api/v1/overlaps/reviews", json={"a": "init-a", "b": "init-b", "decision": "distinct"})
    assert review.status_code in (200, 201), review.get_json()
    return client


@pytest.mark.parametrize("path, reason", [
    ("people/person-owner", "ACCOUNTABLE_FOR"),          # an accountable owner
    ("people/person-helper", "RESPONSIBLE_FOR"),         # a RACI party
    ("actions/action-1", "status"),                      # a governance-set status
    ("actions/action-2", "ACCOUNTABLE_FOR"),             # an owned action
    ("initiatives/init-a", "OVERLAP_REVIEWED"),          # a reviewed pair
])
def test_a_coordinator_cannot_delete_records_carrying_governance_decisions(governed, client_as, path, reason):
    answer = client_as("coordinator").delete(f"/api/v1/{path}")
    assert answer.status_code == 403
    body = answer.get_json()
    assert reason in body["message"] and "governance" in body["message"] and body["code"] == 403
    assert governed.get(f"/api/v1/{path}").status_code == 200  # still there
    assert client_as("governance").delete(f"/api/v1/{path}").status_code == 204


def test_a_coordinator_still_deletes_plain_records(governed, client_as):
    assert client_as("coordinator").delete("/api/v1/themes/theme-x").status_code == 204


def test_relationship_deletes_follow_the_vocabulary_delete_role(governed, client_as):
    coordinator = client_as("coordinator")
    [raci] = governed.get("/api/v1/relationships?type=RESPONSIBLE_FOR").get_json()["items"]
    assert coordinator.delete(f"/api/v1/relationships/{raci['id']}").status_code == 403
    [review] = governed.get("/api/v1/relationships?type=OVERLAP_REVIEWED").get_json()["items"]
    assert coordinator.delete(f"/api/v1/relationships/{review['id']}").status_code == 403
    assert client_as("governance").delete(f"/api/v1/relationships/{review['id']}").status_code == 204
    created = coordinator.post("/api/v1/relationships", json={"type": "ADDRESSES", "from": "init-a", "to": "theme-x"})
    assert coordinator.delete(f"/api/v1/relationships/{created.get_json()['id']}").status_code == 204


def test_recreating_a_deleted_action_cannot_drop_its_status(governed, client_as):
    coordinator = client_as("coordinator")
    assert coordinator.delete("/api/v1/actions/action-1").status_code == 403
    assert governed.get("/api/v1/actions/action-1").get_json()["status"] == "in_progress"
