"""Meetings and decisions in the vocabulary: written through the API and imports with the roles every
write has, the one-owner rule for decisions, and the demo's governance cycle."""

from __future__ import annotations

import pytest

MEETING = {"id": "m-1", "title": "Governance group, March", "date": "2027-03-16", "status": "planned"}
DECISION = {"id": "d-1", "title": "Escalate the consent blocker", "kind": "escalation", "status": "open",
            "due_date": "2027-04-01"}


@pytest.fixture
def meeting_board(client):
    for path, body in [("groups", {"id": "g-gov", "name": "Governance group", "kind": "governance_group"}),
                       ("actions", {"id": "a-1", "title": "Publish the programme"}),
                       ("people", {"id": "p-1", "name": "Robin Example", "seniority": "executive"}),
                       ("people", {"id": "p-2", "name": "Sasha Example", "seniority": "senior"}),
                       ("meetings", MEETING), ("decisions", DECISION)]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201, path
    for rel in [("MEETING_OF", "m-1", "g-gov"), ("DECIDED_AT", "d-1", "m-1"), ("CONCERNS", "d-1", "a-1"),
                ("ACCOUNTABLE_FOR", "p-1", "d-1")]:
        response = client.post("/api/v1/relationships", json=dict(zip(("type", "from", "to"), rel, strict=True)))
        assert response.status_code == 201, rel
    return client


def test_a_meeting_needs_a_date_and_a_status_from_the_list(client):
    response = client.post("/api/v1/meetings", json={"title": "Governance group", "status": "maybe"})
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and set(errors) == {"date", "status"}
    assert "planned" in " ".join(errors["status"])


def test_a_decision_is_linked_to_its_meeting_the_work_and_one_owner(meeting_board, service):
    graph = service.graph()
    assert {(u, v, d["type"]) for u, v, d in graph.out_edges("d-1", data=True)} == {
        ("d-1", "m-1", "DECIDED_AT"), ("d-1", "a-1", "CONCERNS")}
    second = meeting_board.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": "p-2", "to": "d-1"})
    body = second.get_json()
    assert second.status_code == 409 and "decision has one accountable owner" in body["message"]
    assert body["errors"] == {"rule": ["one-decision-owner"]}
    assert [u for u, _, d in service.graph().in_edges("d-1", data=True) if d["type"] == "ACCOUNTABLE_FOR"] == ["p-1"]


def test_a_decision_cannot_be_about_a_meeting_nor_decided_at_an_action(meeting_board):
    for rel in [("CONCERNS", "d-1", "m-1"), ("DECIDED_AT", "d-1", "a-1")]:
        response = meeting_board.post("/api/v1/relationships",
                                      json=dict(zip(("type", "from", "to"), rel, strict=True)))
        assert response.status_code == 422, rel


def test_viewers_read_meetings_and_decisions_but_only_coordinators_write_them(meeting_board, client_as):
    viewer, coordinator = client_as("viewer"), client_as("coordinator")
    assert viewer.get("/api/v1/meetings/m-1").get_json()["status"] == "planned"
    assert viewer.post("/api/v1/decisions", json={**DECISION, "id": "d-2"}).status_code == 403
    assert viewer.patch("/api/v1/meetings/m-1", json={"status": "held"}).status_code == 403
    assert coordinator.patch("/api/v1/meetings/m-1", json={"status": "held"}).status_code == 200
    assert coordinator.post("/api/v1/decisions", json={**DECISION, "id": "d-2"}).status_code == 201


def test_an_import_writes_meetings_and_decisions_and_refuses_a_second_decision_owner(client, service):
    document = {"nodes": [{"type": "Meeting", **MEETING}, {"type": "Decision", **DECISION},
                          {"type": "Person", "id": "p-1", "name": "Robin Example"},
                          {"type": "Person", "id": "p-2", "name": "Sasha Example"}],
                "relationships": [{"type": "DECIDED_AT", "from": "d-1", "to": "m-1"},
                                  {"type": "ACCOUNTABLE_FOR", "from": "p-1", "to": "d-1"},
                                  {"type": "ACCOUNTABLE_FOR", "from": "p-2", "to": "d-1"}]}
    refused = client.post("/api/v1/import", json=document).get_json()
    assert [(e["row"], e["column"]) for e in refused["errors"]] == [(3, "to")]
    assert service.store.count() == (0, 0)  # all or nothing
    document["relationships"].pop()
    assert client.post("/api/v1/import", json=document).status_code == 200
    assert service.store.get_node("d-1").properties["status"] == "open"


def test_the_demo_has_held_and_planned_governance_meetings_with_decisions(seeded, service):
    graph = service.graph()
    meetings = {n: d for n, d in graph.nodes(data=True) if d["type"] == "Meeting"}
    assert {d["status"] for d in meetings.values()} == {"held", "planned"}
    assert all(d.get("example") is True for d in meetings.values())
    for meeting in meetings:
        assert [v for _, v, d in graph.out_edges(meeting, data=True) if d["type"] == "MEETING_OF"] == [
            "group-governance"]
    decisions = [n for n, d in graph.nodes(data=True) if d["type"] == "Decision"]
    for decision in decisions:
        kinds = [d["type"] for _, _, d in graph.out_edges(decision, data=True)]
        owners = [u for u, _, d in graph.in_edges(decision, data=True) if d["type"] == "ACCOUNTABLE_FOR"]
        assert kinds.count("DECIDED_AT") == 1 and "CONCERNS" in kinds and len(owners) == 1, decision
