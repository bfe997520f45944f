"""Health, OpenAPI document and the interactive docs page."""

from __future__ import annotations


def test_health_counts_nodes_and_relationships(client):
    empty = client.get("/api/v1/health").get_json()
    assert {k: v for k, v in empty.items() if k != "seq"} == {
        "status": "ok", "store": "sqlite", "nodes": 0, "relationships": 0}
    client.post("/api/v1/organisations", json={"id": "org-1", "name": "Example Council"})
    client.post("/api/v1/places", json={"id": "place-1", "name": "Example Borough"})
    client.post("/api/v1/relationships", json={"type": "OPERATES_IN", "from": "org-1", "to": "place-1"})
    health = client.get("/api/v1/health").get_json()
    assert (health["nodes"], health["relationships"], health["seq"]) == (2, 1, empty["seq"] + 3)


def test_openapi_document_describes_every_collection(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for plural in ("organisations", "people", "actions", "events"):
        assert set(spec["paths"][f"/api/v1/{plural}"]) >= {"get", "post"}
        assert set(spec["paths"][f"/api/v1/{plural}/{{node_id}}"]) >= {"get", "patch", "delete"}
    assert set(spec["paths"]["/api/v1/relationships"]) >= {"get", "post"}
    action = spec["components"]["schemas"]["ActionInput"]
    assert action["required"] == ["title"]
    assert action["properties"]["status"]["enum"][0] == "not_started"


def test_docs_page_and_its_assets_are_served_locally(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/docs/assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
