"""The vocabulary file is the single source of truth, checked at start-up, and drives the API."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graphsvc import create_app
from graphsvc.vocabulary import VocabularyError, default_vocabulary_path, load_vocabulary

DESIGN_COLLECTIONS = {"organisations", "people", "groups", "initiatives", "sources", "findings",
                      "recommendations", "actions", "outcomes", "indicators", "themes", "populations",
                      "places", "resources", "events"}
GOVERNANCE_CYCLE_COLLECTIONS = {"meetings", "decisions", "progress_updates"}  # beyond the design's starting set
IMPACT_COLLECTIONS = {"measurements", "frameworks", "framework_items"}


def test_shipped_vocabulary_has_the_designed_collections_and_relationships():
    vocabulary = load_vocabulary()
    assert {t.plural for t in vocabulary.node_types.values()} == (DESIGN_COLLECTIONS | GOVERNANCE_CYCLE_COLLECTIONS
                                                                     | IMPACT_COLLECTIONS)
    leads = vocabulary.relationship_type("LEADS")
    assert leads.allows("Organisation", "Initiative") and not leads.allows("Initiative", "Organisation")
    assert vocabulary.node_type("Person").properties["email"].sensitive
    assert {rule.id for rule in vocabulary.rules} == {"person-not-in-caucus", "one-accountable-owner",
                                                      "examples-stay-apart", "one-decision-owner", "small-cells"}
    assert vocabulary.relationship_type("REPORTS_ON").allows("ProgressUpdate", "Action")
    assert vocabulary.relationship_type("ACCOUNTABLE_FOR").allows("Person", "Decision")


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(default_vocabulary_path().read_text())
    mutate(raw)
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.mark.parametrize("mutate, complaint", [
    (lambda v: v["node_types"]["Person"]["properties"].update({"ethnicity": {"type": "string"}}), "ethnicity"),
    (lambda v: v["node_types"]["Person"]["properties"].update({"racial_identity": {"type": "string"}}), "racial"),
    (lambda v: v["node_types"]["Person"]["properties"].update({"caucus": {"type": "string"}}), "caucus"),
    (lambda v: v["node_types"]["Theme"]["properties"].update({"id": {"type": "string"}}), "reserved"),
    (lambda v: v["node_types"]["Theme"]["properties"].update({"size": {"type": "huge"}}), "type"),
    (lambda v: v["node_types"]["Theme"]["properties"].update({"tier": {"type": "enum"}}), "enum"),
    (lambda v: v["relationship_types"]["LEADS"].update({"endpoints": [["Organisation", "Nothing"]]}), "unknown"),
    (lambda v: v["node_types"]["Theme"].update({"plural": "people"}), "used twice"),
    (lambda v: v["rules"].append({"kind": "max_incoming", "relationship": "LIKES", "max": 1}), "LIKES"),
])
def test_bad_vocabulary_fails_loudly_at_start_up(tmp_path, mutate, complaint):
    path = _write(tmp_path, mutate)
    with pytest.raises(VocabularyError, match=complaint):
        load_vocabulary(path)
    with pytest.raises(VocabularyError):
        create_app({"DATABASE": str(tmp_path / "g.sqlite3"), "VOCABULARY": str(path)})


def test_schema_endpoint_returns_the_vocabulary(client):
    body = client.get("/api/v1/schema").get_json()
    assert body == load_vocabulary().as_dict()
    assert body["node_types"]["Action"]["properties"]["status"]["values"] == [
        "not_started", "in_progress", "blocked", "done", "cancelled"]
    assert ["Action", "Recommendation"] in body["relationship_types"]["IMPLEMENTS"]["endpoints"]


def test_adding_a_node_type_to_the_vocabulary_makes_a_working_collection(tmp_path):
    def add_funding_stream(raw):
        raw["node_types"]["FundingStream"] = {
            "plural": "funding-streams",
            "properties": {"name": {"type": "string", "required": True},
                           "amount": {"type": "number"}, "closes": {"type": "date"}}}
        raw["relationship_types"]["FUNDS"]["endpoints"].append(["FundingStream", "Initiative"])

    path = _write(tmp_path, add_funding_stream)
    app = create_app({"DATABASE": str(tmp_path / "g.sqlite3"), "VOCABULARY": str(path)})
    from graphsvc.app import get_service
    from graphsvc.auth import issue_token
    from tests.conftest import authorised_client

    client = authorised_client(app, issue_token(get_service(app).store, "t", "admin", "test")[1])

    created = client.post("/api/v1/funding-streams", json={"id": "fs-1", "name": "Equity fund", "amount": 5000})
    assert created.status_code == 201 and created.get_json()["type"] == "FundingStream"
    assert client.post("/api/v1/funding-streams", json={"name": "x", "closes": "soon"}).status_code == 422
    client.post("/api/v1/initiatives", json={"id": "init-1", "name": "Outreach"})
    assert client.post("/api/v1/relationships", json={"type": "FUNDS", "from": "fs-1",
                                                      "to": "init-1"}).status_code == 201
    assert client.get("/api/v1/funding-streams?q=equity").get_json()["total"] == 1
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/funding-streams/{node_id}" in spec["paths"]
    assert "FundingStream" in client.get("/api/v1/schema").get_json()["node_types"]
