"""Typed collections: every node type in the vocabulary gets the same working CRUD endpoints."""

from __future__ import annotations

import pytest

from graphsvc.vocabulary import load_vocabulary
from tests.helpers import full_body

VOCABULARY = load_vocabulary()
NODE_TYPES = list(VOCABULARY.node_types.values())


@pytest.mark.parametrize("node_type", NODE_TYPES, ids=lambda t: t.plural)
def test_create_read_update_delete_every_type(client, node_type):
    base = f"/api/v1/{node_type.plural}"
    created = client.post(base, json=full_body(node_type))
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert record["type"] == node_type.name
    assert created.headers["Location"].endswith(f"{base}/{record['id']}")
    assert record["id"].startswith(node_type.name.lower() + "-")
    for name in node_type.properties:
        assert name in record, f"{name} missing from the answer"

    fetched = client.get(f"{base}/{record['id']}")
    assert fetched.status_code == 200 and fetched.get_json() == record

    main = node_type.main_property
    patched = client.patch(f"{base}/{record['id']}", json={main: "Renamed"})
    assert patched.status_code == 200
    assert patched.get_json()[main] == "Renamed"
    assert patched.get_json()["version"] == record["version"] + 1

    assert client.get(f"/api/v1/nodes/{record['id']}").get_json()[main] == "Renamed"
    assert client.delete(f"{base}/{record['id']}").status_code == 204
    assert client.get(f"{base}/{record['id']}").status_code == 404


@pytest.mark.parametrize("node_type", NODE_TYPES, ids=lambda t: t.plural)
def test_missing_main_property_is_422_naming_the_field(client, node_type):
    answer = client.post(f"/api/v1/{node_type.plural}", json={})
    assert answer.status_code == 422
    assert node_type.main_property in answer.get_json()["errors"]


def test_caller_given_id_is_kept_and_unique_across_types(client):
    assert client.post("/api/v1/themes", json={"id": "shared-id", "name": "Access"}).status_code == 201
    clash = client.post("/api/v1/populations", json={"id": "shared-id", "name": "Core20"})
    assert clash.status_code == 409
    body = clash.get_json()
    assert body["code"] == 409 and body["errors"] == {"id": ["Already in use."]}


@pytest.mark.parametrize("bad_id", ["Upper", "-lead", "has space", "x" * 129, "semi;colon", ""])
def test_malformed_ids_are_refused(client, bad_id):
    answer = client.post("/api/v1/themes", json={"id": bad_id, "name": "Access"})
    assert answer.status_code == 422
    assert "id" in answer.get_json()["errors"]


def test_list_search_filter_and_paging(client):
    for index, status in enumerate(["active", "active", "proposed", "closed", "active"]):
        client.post("/api/v1/initiatives", json={"id": f"init-{index}", "name": f"Maternity project {index}",
                                                 "status": status})
    client.post("/api/v1/initiatives", json={"id": "other", "name": "Workforce race equality"})

    page = client.get("/api/v1/initiatives?q=MATERNITY&limit=2").get_json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 0
    assert [item["id"] for item in page["items"]] == ["init-0", "init-1"]
    second = client.get("/api/v1/initiatives?q=maternity&limit=2&offset=2").get_json()
    assert [item["id"] for item in second["items"]] == ["init-2", "init-3"]

    active = client.get("/api/v1/initiatives?status=active").get_json()
    assert sorted(item["id"] for item in active["items"]) == ["init-0", "init-1", "init-4"]
    assert client.get("/api/v1/initiatives").get_json()["total"] == 6
    # characters with a meaning in SQL LIKE are searched for literally
    assert client.get("/api/v1/initiatives?q=%25").get_json()["total"] == 0


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=ten", "status=unknown",
                                   "colour=red"])
def test_bad_list_parameters_are_422(client, query):
    answer = client.get(f"/api/v1/initiatives?{query}")
    assert answer.status_code == 422
    assert answer.get_json()["errors"]


def test_default_and_maximum_page_size(client, service):
    document = {"nodes": [{"id": f"t-{i:03d}", "type": "Theme", "name": f"Theme {i:03d}"} for i in range(520)]}
    from graphsvc.importing import import_document

    assert import_document(service, document, "test").applied
    assert len(client.get("/api/v1/themes").get_json()["items"]) == 50
    full = client.get("/api/v1/themes?limit=500").get_json()
    assert len(full["items"]) == 500 and full["total"] == 520


def test_patch_null_removes_optional_property_and_required_cannot_be_removed(client):
    client.post("/api/v1/actions", json={"id": "a-1", "title": "Publish programme", "due_date": "2027-01-31"})
    removed = client.patch("/api/v1/actions/a-1", json={"due_date": None})
    assert removed.status_code == 200 and "due_date" not in removed.get_json()
    refused = client.patch("/api/v1/actions/a-1", json={"title": None})
    assert refused.status_code == 422 and "title" in refused.get_json()["errors"]
    renamed = client.patch("/api/v1/actions/a-1", json={"id": "a-2"})
    assert renamed.status_code == 422 and "id" in renamed.get_json()["errors"]


def test_typed_item_endpoints_do_not_serve_other_types(client):
    client.post("/api/v1/themes", json={"id": "theme-x", "name": "Access to care"})
    assert client.get("/api/v1/populations/theme-x").status_code == 404
    assert client.patch("/api/v1/populations/theme-x", json={"name": "x"}).status_code == 404
    assert client.delete("/api/v1/populations/theme-x").status_code == 404
    assert client.get("/api/v1/themes/theme-x").status_code == 200


def test_any_node_endpoint(client):
    client.post("/api/v1/places", json={"id": "place-1", "name": "North ward", "kind": "ward"})
    answer = client.get("/api/v1/nodes/place-1")
    assert answer.status_code == 200
    assert answer.get_json()["type"] == "Place" and answer.get_json()["kind"] == "ward"
    missing = client.get("/api/v1/nodes/nothing-here")
    assert missing.status_code == 404 and "nothing-here" in missing.get_json()["message"]


def test_deleting_a_node_deletes_its_relationships_and_logs_each(client, service):
    client.post("/api/v1/organisations", json={"id": "org-1", "name": "Example Trust"})
    client.post("/api/v1/initiatives", json={"id": "init-1", "name": "Reverse mentoring"})
    rel = client.post("/api/v1/relationships", json={"type": "LEADS", "from": "org-1", "to": "init-1"}).get_json()
    before = service.store.last_seq()

    assert client.delete("/api/v1/organisations/org-1").status_code == 204
    assert client.get(f"/api/v1/relationships/{rel['id']}").status_code == 404
    changes = service.store.changes_since(before)
    assert [(c.operation, c.subject) for c in changes] == [
        ("delete_relationship", rel["id"]), ("delete_node", "org-1")]
    assert changes[0].before["from"] == "org-1" and changes[1].after is None


def test_values_are_validated_per_property_type(client):
    answer = client.post("/api/v1/indicators", json={
        "name": "Staff survey", "baseline": "high", "target": True, "latest_date": "31/01/2026",
        "direction": "up"})
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"baseline", "target", "latest_date", "direction"}
    bad_contact = client.post("/api/v1/people", json={"name": "Alex", "email": "not-an-email"})
    assert set(bad_contact.get_json()["errors"]) == {"email"}
    bad_link = client.post("/api/v1/resources", json={"title": "Toolkit", "url": "javascript:alert(1)"})
    assert set(bad_link.get_json()["errors"]) == {"url"}
