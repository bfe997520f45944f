"""No route to anyone's racial identity: no person is linked to a caucus by any relationship, on any
write path, and the vocabulary cannot even declare a property that could hold identity or a proxy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import issue_token
from graphsvc.privacy import identity_term
from graphsvc.vocabulary import VocabularyError, default_vocabulary_path, load_vocabulary, yaml_load
from tests.conftest import authorised_client


@pytest.fixture
def caucus_and_person(client):
    client.post("/api/v1/groups", json={"id": "group-caucus", "name": "A caucus", "kind": "caucus"})
    client.post("/api/v1/groups", json={"id": "group-network", "name": "A network", "kind": "network"})
    client.post("/api/v1/people", json={"id": "person-pat", "name": "Pat Example"})
    return client


@pytest.mark.parametrize("rel_type", ["MEMBER_OF", "SPONSORS"])
def test_every_person_to_caucus_type_is_refused_through_the_api(caucus_and_person, rel_type):
    answer = caucus_and_person.post("/api/v1/relationships",
                                    json={"type": rel_type, "from": "person-pat", "to": "group-caucus"})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["rule"] == ["person-not-in-caucus"]
    allowed = caucus_and_person.post("/api/v1/relationships",
                                     json={"type": rel_type, "from": "person-pat", "to": "group-network"})
    assert allowed.status_code == 201


@pytest.mark.parametrize("rel_type", ["MEMBER_OF", "SPONSORS"])
def test_every_person_to_caucus_type_is_refused_by_import_json_and_csv(caucus_and_person, rel_type):
    document = {"relationships": [{"type": rel_type, "from": "person-pat", "to": "group-caucus"}]}
    answer = caucus_and_person.post("/api/v1/import", json=document)
    assert answer.status_code == 422 and "caucus" in answer.get_json()["errors"][0]["message"]
    table = f"id,type,from,to\n,{rel_type},person-pat,group-caucus\n"
    answer = caucus_and_person.post("/api/v1/import", data={"relationships": (io.BytesIO(table.encode()), "r.csv")})
    assert answer.status_code == 422 and "caucus" in answer.get_json()["errors"][0]["message"]


def test_a_group_with_people_cannot_be_turned_into_a_caucus_on_any_path(caucus_and_person):
    client = caucus_and_person
    assert client.post("/api/v1/relationships",
                       json={"type": "SPONSORS", "from": "person-pat", "to": "group-network"}).status_code == 201
    assert client.patch("/api/v1/groups/group-network", json={"kind": "caucus"}).status_code == 422
    imported = client.post("/api/v1/import", json={"nodes": [
        {"id": "group-network", "type": "Group", "name": "A network", "kind": "caucus"}]})
    assert imported.status_code == 422


def test_a_relationship_type_added_later_is_covered_too(tmp_path):
    raw = yaml_load(default_vocabulary_path().read_text(encoding="utf-8"))
    raw["relationship_types"]["ATTENDS"] = {"description": "A person attends a group's sessions.",
                                            "endpoints": [["Person", "Group"]]}
    raw["relationship_types"]["INVITES"] = {"description": "A group invites a person.",
                                            "endpoints": [["Group", "Person"]]}
    path = _write_vocabulary(tmp_path, raw)
    app = create_app({"DATABASE": str(tmp_path / "g.sqlite3"), "VOCABULARY": str(path), "TESTING": True})
    client = authorised_client(app, issue_token(get_service(app).store, "admin", "admin", "test")[1])
    client.post("/api/v1/groups", json={"id": "group-caucus", "name": "A caucus", "kind": "caucus"})
    client.post("/api/v1/people", json={"id": "person-pat", "name": "Pat Example"})
    for rel_type, source, target in (("ATTENDS", "person-pat", "group-caucus"),
                                     ("INVITES", "group-caucus", "person-pat")):
        answer = client.post("/api/v1/relationships", json={"type": rel_type, "from": source, "to": target})
        assert answer.status_code == 422, rel_type
        assert answer.get_json()["errors"]["rule"] == ["person-not-in-caucus"]


REFUSED_NAMES = ["ethnicity", "staff_ethnicity", "ethnic_group", "ethnicgroup", "race", "racial_identity",
                 "heritage", "mixed_heritage", "nationality", "citizenship", "religion", "religious_affiliation",
                 "country_of_birth", "countryOfBirth", "country-of-birth", "countryofbirth", "birth_country",
                 "first_language", "mother_tongue", "preferred_language", "skin_colour", "skinColor",
                 "global_majority", "is_global_majority", "bame", "bame_status", "caucus", "caucus_member",
                 "black", "white_british"]
ALLOWED_NAMES = ["race_equality_plan", "anti_racism_lead", "anti_racist_practice", "racism_training",
                 "ethnicity_gap", "name", "job_title", "description", "trace_id", "grace_period", "whitelist",
                 "faithful_copy", "interpreting_language", "embrace", "kind", "sector"]


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_the_name_guard_refuses_identity_and_its_proxies_in_any_spelling(name):
    assert identity_term(name) is not None


@pytest.mark.parametrize("name", ALLOWED_NAMES)
def test_the_name_guard_lets_names_about_the_work_through(name):
    assert identity_term(name) is None


def _vocabulary_with_person_property(tmp_path: Path, name: str):
    raw = yaml_load(default_vocabulary_path().read_text(encoding="utf-8"))
    raw["node_types"]["Person"]["properties"][name] = {"type": "string"}
    return load_vocabulary(_write_vocabulary(tmp_path, raw))


def _write_vocabulary(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")  # order matters: main property first
    return path


def test_the_vocabulary_loader_applies_the_guard_both_ways(tmp_path):
    for name in ("staff_ethnicity", "country_of_birth", "first_language", "religion"):
        with pytest.raises(VocabularyError, match="never records"):
            _vocabulary_with_person_property(tmp_path, name)
    vocabulary = _vocabulary_with_person_property(tmp_path, "race_equality_plan")
    assert "race_equality_plan" in vocabulary.node_type("Person").properties


def test_undeclared_properties_are_refused_on_every_write_path(client):
    answer = client.post("/api/v1/people", json={"name": "Pat Example", "ethnicity": "anything"})
    assert answer.status_code == 422 and "ethnicity" in answer.get_json()["errors"]
    imported = client.post("/api/v1/import", json={"nodes": [
        {"id": "person-pat", "type": "Person", "name": "Pat Example", "nationality": "anything"}]})
    assert imported.status_code == 422 and imported.get_json()["errors"][0]["column"] == "nationality"
