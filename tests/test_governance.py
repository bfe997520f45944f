"""Accountability (one owner), RACI, audit history and optimistic concurrency."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def board(client):
    for path, body in [
        ("actions", {"id": "a-1", "title": "Establish a governance model", "due_date": "2027-03-31"}),
        ("people", {"id": "p-chair", "name": "Morgan Hale", "seniority": "board"}),
        ("people", {"id": "p-lead", "name": "Ash Quinn", "seniority": "senior"}),
        ("people", {"id": "p-gone", "name": "Lee Former", "seniority": "executive"}),
        ("groups", {"id": "g-gov", "name": "Governance group", "kind": "governance_group"}),
        ("organisations", {"id": "o-trust", "name": "Example Hospitals NHS Trust"}),
        ("themes", {"id": "t-1", "name": "Leadership"}),
    ]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201
    client.post("/api/v1/relationships", json={"type": "WORKS_FOR", "from": "p-gone", "to": "o-trust",
                                               "until": "2025-12-31"})
    return client


def owners(client, action="a-1"):
    return client.get(f"/api/v1/actions/{action}/raci").get_json()["accountable"]


def test_put_accountable_sets_and_replaces_in_one_change(board, service):
    assert board.get("/api/v1/actions/a-1/accountable").get_json()["owner"] is None
    first = board.put("/api/v1/actions/a-1/accountable", json={"owner": "p-chair"})
    assert first.status_code == 200 and first.get_json()["owner"]["name"] == "Morgan Hale"
    seq = service.store.last_seq()
    second = board.put("/api/v1/actions/a-1/accountable", json={"owner": "g-gov"})
    assert second.get_json()["owner"]["id"] == "g-gov"
    changes = service.store.changes_since(seq)
    assert len(changes) == 1 and changes[0].operation == "replace_relationships"
    assert changes[0].subject == "a-1" and changes[0].actor == "admin-token"
    assert [r["from"] for r in changes[0].before["relationships"]] == ["p-chair"]
    assert [r["from"] for r in changes[0].after["relationships"]] == ["g-gov"]
    assert [o["id"] for o in owners(board)] == ["g-gov"]
    # the projection follows the single change
    graph = service.graph()
    assert [u for u, _, d in graph.in_edges("a-1", data=True) if d["type"] == "ACCOUNTABLE_FOR"] == ["g-gov"]


def test_any_sequence_of_assignments_leaves_exactly_one_owner(board, service):
    rng = random.Random(4)
    candidates = ["p-chair", "p-lead", "g-gov", "o-trust"]
    for _ in range(25):
        assert board.put("/api/v1/actions/a-1/accountable", json={"owner": rng.choice(candidates)}).status_code == 200
        assert len(owners(board)) == 1
    refused = board.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": "p-lead", "to": "a-1"})
    assert refused.status_code == 409 and "/api/v1/actions/a-1/accountable" in refused.get_json()["message"]
    assert len(owners(board)) == 1
    history = board.get("/api/v1/history?subject=a-1&limit=100").get_json()["changes"]
    handovers = [c for c in history if c["operation"] == "replace_relationships"]
    assert handovers and all(c["actor"] == "admin-token" and c["at"].endswith("Z") for c in handovers)


def test_accountable_errors_and_departed_owner_warning(board):
    gone = board.put("/api/v1/actions/a-1/accountable", json={"owner": "p-gone"})
    assert gone.status_code == 200 and gone.get_json()["warnings"]
    assert "ended" in gone.get_json()["warnings"][0]
    assert board.put("/api/v1/actions/nope/accountable", json={"owner": "p-chair"}).status_code == 404
    assert board.put("/api/v1/actions/p-chair/accountable", json={"owner": "p-chair"}).status_code == 404
    assert board.put("/api/v1/actions/a-1/accountable", json={"owner": "ghost"}).status_code == 422
    wrong = board.put("/api/v1/actions/a-1/accountable", json={"owner": "t-1"})
    assert wrong.status_code == 422 and "owner" in wrong.get_json()["errors"]
    assert board.put("/api/v1/actions/a-1/accountable", json={}).status_code == 422


def test_accountable_if_match(board):
    etag = board.get("/api/v1/actions/a-1/accountable").headers["ETag"]
    assert board.put("/api/v1/actions/a-1/accountable", json={"owner": "p-chair"},
                     headers={"If-Match": etag}).status_code == 200
    stale = board.put("/api/v1/actions/a-1/accountable", json={"owner": "p-lead"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert owners(board)[0]["id"] == "p-chair"


def test_raci_add_list_remove(board):
    made = board.post("/api/v1/actions/a-1/raci", json={"role": "responsible", "party": "p-lead"})
    assert made.status_code == 201 and made.get_json()["responsible"][0]["id"] == "p-lead"
    again = board.post("/api/v1/actions/a-1/raci", json={"role": "responsible", "party": "p-lead"})
    assert again.status_code == 200 and len(again.get_json()["responsible"]) == 1
    board.post("/api/v1/actions/a-1/raci", json={"role": "consulted", "party": "o-trust"})
    board.post("/api/v1/actions/a-1/raci", json={"role": "informed", "party": "g-gov"})
    listing = board.get("/api/v1/actions/a-1/raci").get_json()
    assert [p["id"] for p in listing["consulted"]] == ["o-trust"]
    assert [p["id"] for p in listing["informed"]] == ["g-gov"]
    removed = board.delete("/api/v1/actions/a-1/raci?role=responsible&party=p-lead")
    assert removed.status_code == 200 and removed.get_json()["responsible"] == []
    assert board.delete("/api/v1/actions/a-1/raci?role=responsible&party=p-lead").status_code == 404
    assert board.post("/api/v1/actions/a-1/raci", json={"role": "accountable", "party": "p-lead"}).status_code == 422
    assert board.post("/api/v1/actions/a-1/raci", json={"role": "informed", "party": "t-1"}).status_code == 422


def test_history_filters_and_changed_fields(board, client_as):
    governance = client_as("governance")
    governance.patch("/api/v1/actions/a-1", json={"status": "in_progress", "title": "Agree the governance model"})
    changes = board.get("/api/v1/history?subject=a-1").get_json()["changes"]
    latest = changes[0]
    assert latest["operation"] == "update_node" and latest["actor"] == "governance-token"
    assert latest["changed"] == ["status", "title"]
    assert latest["before"]["title"] == "Establish a governance model"
    assert changes[-1]["operation"] == "create_node"
    by_actor = board.get("/api/v1/history?actor=governance-token").get_json()["changes"]
    assert {c["subject"] for c in by_actor} == {"a-1"}
    assert board.get("/api/v1/history?since=2999-01-01").get_json()["changes"] == []
    assert board.get("/api/v1/history?since=yesterday").status_code == 422
    assert board.get("/api/v1/history?limit=0").status_code == 422


def test_history_hides_email_from_viewers_and_cannot_be_deleted(board, client_as):
    board.post("/api/v1/people", json={"id": "p-mail", "name": "Jo Park", "email": "jo@example.org"})
    viewer_view = client_as("viewer").get("/api/v1/history?subject=p-mail").get_json()["changes"][0]
    assert "email" not in viewer_view["after"]
    assert board.get("/api/v1/history?subject=p-mail").get_json()["changes"][0]["after"]["email"]
    for method in ("delete", "post", "put", "patch"):
        assert getattr(board, method)("/api/v1/history", json={}).status_code == 405


def test_two_patches_with_the_same_etag_one_wins_nothing_lost(board):
    etag = board.get("/api/v1/actions/a-1").headers["ETag"]
    first = board.patch("/api/v1/actions/a-1", json={"title": "Version A"}, headers={"If-Match": etag})
    second = board.patch("/api/v1/actions/a-1", json={"description": "Version B"}, headers={"If-Match": etag})
    assert first.status_code == 200 and second.status_code == 412
    assert second.get_json()["code"] == 412 and first.headers["ETag"] in second.get_json()["message"]
    current = board.get("/api/v1/actions/a-1")
    assert current.get_json()["title"] == "Version A" and "description" not in current.get_json()
    retried = board.patch("/api/v1/actions/a-1", json={"description": "Version B"},
                          headers={"If-Match": current.headers["ETag"]})
    assert retried.status_code == 200
    final = board.get("/api/v1/actions/a-1").get_json()
    assert (final["title"], final["description"]) == ("Version A", "Version B")


def test_delete_with_a_stale_etag_is_refused(board):
    etag = board.get("/api/v1/themes/t-1").headers["ETag"]
    board.patch("/api/v1/themes/t-1", json={"name": "Leadership and accountability"})
    assert board.delete("/api/v1/themes/t-1", headers={"If-Match": etag}).status_code == 412
    assert board.get("/api/v1/themes/t-1").status_code == 200
    fresh = board.get("/api/v1/themes/t-1").headers["ETag"]
    assert board.delete("/api/v1/themes/t-1", headers={"If-Match": fresh}).status_code == 204


def test_clients_cannot_set_stamps_or_versions(board):
    stamps = (("created_at", "2000-01-01"), ("updated_at", "2000-01-01"), ("version", 99), ("type", "Theme"))
    for field, value in stamps:
        answer = board.patch("/api/v1/actions/a-1", json={field: value})
        assert answer.status_code == 422 and field in answer.get_json()["errors"], field
    assert board.post("/api/v1/themes", json={"name": "x", "version": 5}).status_code == 422


def test_concurrent_patches_with_one_etag_exactly_one_succeeds(board, app, tokens):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import authorised_client

    etag = board.get("/api/v1/actions/a-1").headers["ETag"]

    def attempt(index):
        writer = authorised_client(app, tokens["coordinator"])
        return writer.patch("/api/v1/actions/a-1", json={"title": f"Edit {index}"},
                            headers={"If-Match": etag}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(attempt, range(6)))
    assert statuses == [200] + [412] * 5
    assert board.get("/api/v1/actions/a-1").get_json()["version"] == 2
