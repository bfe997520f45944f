"""/api/v1/relationships: vocabulary-checked endpoints, properties and rules."""

from __future__ import annotations

import pytest


@pytest.fixture
def small_map(client):
    for path, body in [
        ("organisations", {"id": "org-trust", "name": "Example Hospitals NHS Trust"}),
        ("people", {"id": "person-chair", "name": "Robin Vale", "seniority": "board"}),
        ("people", {"id": "person-lead", "name": "Jo Marsh", "seniority": "manager"}),
        ("groups", {"id": "group-cop", "name": "Community of Practice", "kind": "community_of_practice"}),
        ("groups", {"id": "group-caucus", "name": "Caucus", "kind": "caucus"}),
        ("initiatives", {"id": "init-1", "name": "Maternity equity programme"}),
        ("actions", {"id": "action-1", "title": "Publish a six-month programme"}),
    ]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201
    return client


def test_create_fetch_filter_delete(small_map):
    client = small_map
    created = client.post("/api/v1/relationships", json={
        "type": "WORKS_FOR", "from": "person-lead", "to": "org-trust", "role": "Matron", "since": "2023-04-01"})
    assert created.status_code == 201
    rel = created.get_json()
    assert rel["from"] == "person-lead" and rel["to"] == "org-trust" and rel["role"] == "Matron"
    assert created.headers["Location"].endswith(f"/api/v1/relationships/{rel['id']}")
    client.post("/api/v1/relationships", json={"type": "LEADS", "from": "org-trust", "to": "init-1"})

    assert client.get(f"/api/v1/relationships/{rel['id']}").get_json() == rel
    by_type = client.get("/api/v1/relationships?type=WORKS_FOR").get_json()
    assert [r["id"] for r in by_type["items"]] == [rel["id"]] and by_type["total"] == 1
    assert client.get("/api/v1/relationships?to=org-trust").get_json()["total"] == 1
    assert client.get("/api/v1/relationships?from=org-trust").get_json()["total"] == 1
    assert client.get("/api/v1/relationships").get_json()["total"] == 2

    assert client.delete(f"/api/v1/relationships/{rel['id']}").status_code == 204
    assert client.get(f"/api/v1/relationships/{rel['id']}").status_code == 404
    assert client.delete(f"/api/v1/relationships/{rel['id']}").status_code == 404


def test_endpoints_not_in_vocabulary_are_422_naming_allowed_pairs(small_map):
    answer = small_map.post("/api/v1/relationships", json={"type": "LEADS", "from": "init-1", "to": "org-trust"})
    assert answer.status_code == 422
    message = answer.get_json()["message"]
    assert "Organisation->Initiative" in message and "Person->Initiative" in message


def test_unknown_type_unknown_property_bad_date_and_missing_fields(small_map):
    client = small_map
    unknown_type = client.post("/api/v1/relationships", json={"type": "LIKES", "from": "person-lead", "to": "init-1"})
    assert unknown_type.status_code == 422 and "type" in unknown_type.get_json()["errors"]
    unknown_prop = client.post("/api/v1/relationships", json={
        "type": "LEADS", "from": "org-trust", "to": "init-1", "budget": 10})
    assert unknown_prop.status_code == 422 and "budget" in unknown_prop.get_json()["errors"]
    bad_date = client.post("/api/v1/relationships", json={
        "type": "WORKS_FOR", "from": "person-lead", "to": "org-trust", "since": "2023-02-30"})
    assert bad_date.status_code == 422 and "since" in bad_date.get_json()["errors"]
    missing = client.post("/api/v1/relationships", json={"type": "LEADS"})
    assert missing.status_code == 422 and {"from", "to"} <= set(missing.get_json()["errors"])
    dangling = client.post("/api/v1/relationships", json={"type": "LEADS", "from": "ghost", "to": "init-1"})
    assert dangling.status_code == 422 and dangling.get_json()["errors"] == {"from": ["No node has id 'ghost'."]}


def test_people_are_never_linked_to_caucuses(small_map):
    client = small_map
    answer = client.post("/api/v1/relationships", json={"type": "MEMBER_OF", "from": "person-lead",
                                                        "to": "group-caucus"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"rule": ["person-not-in-caucus"]}
    # an organisation may be linked; and a group with people in it cannot be turned into a caucus
    assert client.post("/api/v1/relationships", json={"type": "MEMBER_OF", "from": "org-trust",
                                                      "to": "group-caucus"}).status_code == 201
    client.post("/api/v1/relationships", json={"type": "MEMBER_OF", "from": "person-lead", "to": "group-cop"})
    turned = client.patch("/api/v1/groups/group-cop", json={"kind": "caucus"})
    assert turned.status_code == 422
    assert client.get("/api/v1/groups/group-cop").get_json()["kind"] == "community_of_practice"


def test_an_action_has_at_most_one_accountable_owner(small_map):
    client = small_map
    first = client.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": "person-chair",
                                                       "to": "action-1"})
    assert first.status_code == 201
    second = client.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": "group-cop",
                                                        "to": "action-1"})
    assert second.status_code == 409
    assert second.get_json()["errors"] == {"rule": ["one-accountable-owner"]}
    assert "/api/v1/actions/action-1/accountable" in second.get_json()["message"]
    # others may still be responsible
    assert client.post("/api/v1/relationships", json={"type": "RESPONSIBLE_FOR", "from": "group-cop",
                                                      "to": "action-1"}).status_code == 201
    # an initiative is not an action: the one-owner rule does not apply there
    for owner in ("person-chair", "org-trust"):
        assert client.post("/api/v1/relationships", json={"type": "ACCOUNTABLE_FOR", "from": owner,
                                                          "to": "init-1"}).status_code == 201


def test_relationship_query_parameters_are_checked(small_map):
    assert small_map.get("/api/v1/relationships?type=NOPE").status_code == 422
    assert small_map.get("/api/v1/relationships?limit=1000").status_code == 422
    assert small_map.get("/api/v1/relationships?from=Bad%20Id").status_code == 422


def test_ids_are_unique_across_nodes_and_relationships(small_map):
    client = small_map
    clash = client.post("/api/v1/relationships", json={"id": "org-trust", "type": "LEADS", "from": "org-trust",
                                                        "to": "init-1"})
    assert clash.status_code == 409 and "unique across nodes and relationships" in clash.get_json()["message"]
    made = client.post("/api/v1/relationships", json={"id": "rel-lead", "type": "LEADS", "from": "org-trust",
                                                       "to": "init-1"})
    assert made.status_code == 201
    assert client.post("/api/v1/themes", json={"id": "rel-lead", "name": "Clash"}).status_code == 409
    imported = client.post("/api/v1/import", json={
        "nodes": [{"id": "rel-lead", "type": "Theme", "name": "Clash"}],
        "relationships": [{"id": "person-lead", "type": "WORKS_FOR", "from": "person-lead", "to": "org-trust"}]})
    body = imported.get_json()
    assert imported.status_code == 422 and {(e["sheet"], e["column"]) for e in body["errors"]} == {
        ("nodes", "id"), ("relationships", "id")}


@pytest.mark.parametrize("rel_type, node", [("PART_OF", "org-trust"), ("ALIGNED_WITH", "init-1"),
                                            ("PART_OF", "group-cop")])
def test_no_relationship_joins_a_node_to_itself(small_map, rel_type, node):
    answer = small_map.post("/api/v1/relationships", json={"type": rel_type, "from": node, "to": node})
    assert answer.status_code == 422 and "itself" in answer.get_json()["message"]
    imported = small_map.post("/api/v1/import", json={"relationships": [{"type": rel_type, "from": node, "to": node}]})
    assert imported.status_code == 422 and "itself" in imported.get_json()["errors"][0]["message"]
