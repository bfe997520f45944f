"""Recording a decision at a meeting (graphsvc/decisions.py) through the service and
`/api/v1/meetings/<id>/decisions`: fields and defaults, owner and concerns, the rules, example marking, roles."""

from __future__ import annotations

import pytest

from graphsvc.decisions import record_decision
from graphsvc.errors import Invalid, NotFound

NODES = [("groups", {"id": "g-gov", "name": "Governance group", "kind": "governance_group"}),
         ("groups", {"id": "g-caucus", "name": "A caucus", "kind": "caucus"}),
         ("actions", {"id": "a-1", "title": "Publish the programme"}),
         ("themes", {"id": "t-1", "name": "Access to care"}),
         ("people", {"id": "p-1", "name": "Robin Example"}),
         ("meetings", {"id": "m-1", "title": "Governance group, March", "date": "2027-03-16", "status": "planned"}),
         ("meetings", {"id": "m-x", "title": "Example meeting", "date": "2027-03-16", "status": "planned",
                       "example": True}),
         ("people", {"id": "p-x", "name": "Fictional Person", "example": True})]


@pytest.fixture
def board(client):
    for path, body in NODES:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201, body
    assert client.post("/api/v1/relationships", json={"type": "MEETING_OF", "from": "m-1", "to": "g-gov"}
                       ).status_code == 201
    return client


def _links(service, node, rel_type, outgoing=True):
    edges = service.graph().out_edges(node, data="type") if outgoing else service.graph().in_edges(node, data="type")
    return sorted((v if outgoing else u) for u, v, kind in edges if kind == rel_type)


def test_a_decision_is_recorded_with_its_meeting_owner_and_concerns_in_one_change(board, service):
    before = service.store.last_seq()
    saved = record_decision(service, "m-1", {"title": "Escalate the consent blocker", "kind": "escalation",
                                             "due_date": "2027-04-01", "owner": "p-1",
                                             "concerns": ["a-1", "t-1", "a-1"]}, "chair")
    decision = saved.decision
    assert decision.properties == {"title": "Escalate the consent blocker", "kind": "escalation",
                                   "due_date": "2027-04-01", "status": "open"}  # status defaults to open
    assert _links(service, decision.id, "DECIDED_AT") == ["m-1"]
    assert _links(service, decision.id, "CONCERNS") == ["a-1", "t-1"]  # a repeat is one link
    assert _links(service, decision.id, "ACCOUNTABLE_FOR", outgoing=False) == ["p-1"]
    changes = service.store.history(limit=50)
    assert len([c for c in changes if c.seq > before]) == 5 and {c.actor for c in changes if c.seq > before} == {
        "chair"}


def test_unknown_fields_bad_values_and_missing_title_are_field_errors(board, service):
    with pytest.raises(Invalid) as caught:
        record_decision(service, "m-1", {"kind": "whim", "due_date": "soon", "id": "d-9", "colour": "red"}, "x")
    assert set(caught.value.errors) == {"title", "kind", "due_date", "id", "colour"}
    assert "example data exactly when its meeting is" in caught.value.errors["colour"][0]
    with pytest.raises(Invalid) as too_many:
        record_decision(service, "m-1", {"title": "T", "concerns": [f"a-{n}" for n in range(21)]}, "x")
    assert set(too_many.value.errors) == {"concerns"}
    with pytest.raises(Invalid):
        record_decision(service, "m-1", ["not", "an", "object"], "x")
    assert service.store.count()[0] == len(NODES)  # nothing written


def test_owner_and_concerns_must_exist_and_be_of_types_the_vocabulary_allows(board, service):
    with pytest.raises(Invalid) as caught:
        record_decision(service, "m-1", {"title": "T", "owner": "a-1", "concerns": ["nobody", "m-x"]}, "x")
    errors = caught.value.errors
    assert "cannot be accountable for a decision" in errors["owner"][0]
    assert errors["concerns"][0] == "No record has id 'nobody'."
    assert "cannot concern a Meeting" in errors["concerns"][1]
    with pytest.raises(Invalid) as missing:
        record_decision(service, "m-1", {"title": "T", "owner": "p-404"}, "x")
    assert missing.value.errors == {"owner": ["No record has id 'p-404'."]}
    with pytest.raises(NotFound):
        record_decision(service, "a-1", {"title": "T"}, "x")  # an action is not a meeting


def test_the_rules_apply_to_every_link(board, service):
    # examples-stay-apart: a real meeting's decision cannot have a fictional owner nor concern fictional work.
    with pytest.raises(Invalid) as caught:
        record_decision(service, "m-1", {"title": "T", "owner": "p-x"}, "x")
    assert caught.value.errors["rule"] == ["examples-stay-apart"] and caught.value.errors["owner"]
    # ... and an example meeting's decision is example data, so it cannot concern the real caucus.
    with pytest.raises(Invalid) as crossing:
        record_decision(service, "m-x", {"title": "T", "concerns": ["g-caucus"]}, "x")
    assert crossing.value.errors["rule"] == ["examples-stay-apart"] and crossing.value.errors["concerns"]
    assert service.store.count()[0] == len(NODES)  # each refusal rolled the whole decision back


def test_the_decision_is_example_data_exactly_when_the_meeting_is(board, service):
    fictional = record_decision(service, "m-x", {"title": "T", "owner": "p-x"}, "x").decision
    real = record_decision(service, "m-1", {"title": "T", "owner": "p-1"}, "x").decision
    assert fictional.properties["example"] is True and "example" not in real.properties
    with pytest.raises(Invalid):  # the client cannot choose the mark
        record_decision(service, "m-1", {"title": "T", "example": True}, "x")


def test_api_records_for_governance_only_and_lists_the_meetings_decisions(board, client_as):
    body = {"title": "Ask for a recovery plan", "kind": "request_for_information", "owner": "p-1",
            "concerns": ["a-1"], "due_date": "2027-04-30"}
    assert client_as("coordinator").post("/api/v1/meetings/m-1/decisions", json=body).status_code == 403
    assert client_as("viewer").post("/api/v1/meetings/m-1/decisions", json=body).status_code == 403
    answer = client_as("governance").post("/api/v1/meetings/m-1/decisions", json=body)
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert answer.headers["Location"].endswith(f"/api/v1/decisions/{made['id']}")
    assert (made["status"], made["owner"]["id"], made["meeting"]["id"]) == ("open", "p-1", "m-1")
    assert [c["id"] for c in made["concerns"]] == ["a-1"]
    listed = client_as("viewer").get("/api/v1/meetings/m-1/decisions").get_json()
    assert listed["meeting"]["id"] == "m-1" and [d["id"] for d in listed["items"]] == [made["id"]]


def test_api_errors_404_and_422(board, client_as):
    governance = client_as("governance")
    assert governance.post("/api/v1/meetings/nope/decisions", json={"title": "T"}).status_code == 404
    assert governance.get("/api/v1/meetings/nope/decisions").status_code == 404
    bad = governance.post("/api/v1/meetings/m-1/decisions", json={"title": "", "owner": "p-404"})
    assert bad.status_code == 422 and "title" in bad.get_json()["errors"]
    broken = governance.post("/api/v1/meetings/m-1/decisions", data="{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
