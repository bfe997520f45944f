"""Small numbers: no measurement describes fewer than 10 people, and one for a population or place must say
how many it describes — on every write path (the collection, relationships, edits and imports), from the
vocabulary alone (DESIGN.md §9)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from graphsvc.vocabulary import VocabularyError, default_vocabulary_path, load_vocabulary

SMALL = "fewer than 10 people is refused"


@pytest.fixture
def indicator(client):
    assert client.post("/api/v1/indicators", json={"id": "ind-booking", "name": "Booked by 10 weeks",
                                                   "unit": "%"}).status_code == 201
    assert client.post("/api/v1/populations", json={"id": "pop-a", "name": "Population A"}).status_code == 201
    assert client.post("/api/v1/places", json={"id": "place-a", "name": "Ward A"}).status_code == 201
    return client


def _measurement(client, measurement_id: str, **extra):
    return client.post("/api/v1/measurements", json={"id": measurement_id, "period": "Q1 2026", "value": 52,
                                                     "date": "2026-03-31", **extra})


def _link(client, source: str, rel_type: str, target: str):
    return client.post("/api/v1/relationships", json={"type": rel_type, "from": source, "to": target})


@pytest.mark.parametrize("people", [0, 1, 9])
def test_a_value_describing_fewer_than_ten_people_is_refused_with_the_reason(indicator, people):
    answer = _measurement(indicator, "m-small", people=people)
    assert answer.status_code == 422
    assert SMALL in answer.get_json()["errors"]["people"][0]
    assert indicator.get("/api/v1/measurements/m-small").status_code == 404


def test_ten_people_is_enough_and_an_edit_below_ten_is_refused(indicator):
    assert _measurement(indicator, "m-ten", people=10).status_code == 201
    answer = indicator.patch("/api/v1/measurements/m-ten", json={"people": 8})
    assert answer.status_code == 422 and SMALL in answer.get_json()["errors"]["people"][0]
    assert indicator.get("/api/v1/measurements/m-ten").get_json()["people"] == 10


@pytest.mark.parametrize("breakdown", ["pop-a", "place-a"])
def test_a_breakdown_needs_the_number_of_people_first(indicator, breakdown):
    assert _measurement(indicator, "m-whole").status_code == 201
    assert _link(indicator, "m-whole", "MEASUREMENT_OF", "ind-booking").status_code == 201  # the whole population
    refused = _link(indicator, "m-whole", "BROKEN_DOWN_BY", breakdown)
    assert refused.status_code == 422 and refused.get_json()["errors"]["rule"] == ["small-cells"]
    assert _measurement(indicator, "m-counted", people=40).status_code == 201
    assert _link(indicator, "m-counted", "BROKEN_DOWN_BY", breakdown).status_code == 201


def test_a_broken_down_value_cannot_lose_its_number_of_people(indicator):
    assert _measurement(indicator, "m-pop", people=40).status_code == 201
    assert _link(indicator, "m-pop", "BROKEN_DOWN_BY", "pop-a").status_code == 201
    answer = indicator.patch("/api/v1/measurements/m-pop", json={"people": None})
    assert answer.status_code == 422 and answer.get_json()["errors"]["rule"] == ["small-cells"]
    assert indicator.get("/api/v1/measurements/m-pop").get_json()["people"] == 40


def test_imports_refuse_small_cells_and_write_nothing(indicator):
    document = {"nodes": [{"id": "m-imp", "type": "Measurement", "period": "2025/26", "value": 3,
                           "date": "2026-03-31"}],
                "relationships": [{"type": "BROKEN_DOWN_BY", "from": "m-imp", "to": "pop-a"}]}
    answer = indicator.post("/api/v1/import", json=document)
    assert answer.status_code == 422
    assert "small" in answer.get_json()["errors"][0]["message"].lower()
    table = "id,type,period,value,date,people\nm-csv,Measurement,2025/26,3,2026-03-31,4\n"
    answer = indicator.post("/api/v1/import", data={"nodes": (io.BytesIO(table.encode()), "m.csv")})
    assert answer.status_code == 422 and SMALL in str(answer.get_json()["errors"])
    for measurement in ("m-imp", "m-csv"):
        assert indicator.get(f"/api/v1/measurements/{measurement}").status_code == 404


def test_the_vocabulary_publishes_the_minimum_and_the_rule(indicator):
    vocabulary = indicator.get("/api/v1/schema").get_json()
    assert vocabulary["node_types"]["Measurement"]["properties"]["people"]["minimum"] == 10
    rule = next(rule for rule in vocabulary["rules"] if rule["id"] == "small-cells")
    assert rule["kind"] == "link_needs_property" and rule["property"] == "people"


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(default_vocabulary_path().read_text())
    mutate(raw)
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@pytest.mark.parametrize("mutate, complaint", [
    (lambda v: v["node_types"]["Measurement"]["properties"]["period"].update({"minimum": 3}), "minimum"),
    (lambda v: v["node_types"]["Measurement"]["properties"]["people"].update({"minimum": "ten"}), "minimum"),
    (lambda v: v["rules"][-1].update({"property": "headcount"}), "property"),
    (lambda v: v["rules"][-1].pop("from_type"), "property"),
])
def test_the_loader_refuses_a_minimum_or_rule_it_cannot_apply(tmp_path, mutate, complaint):
    with pytest.raises(VocabularyError, match=complaint):
        load_vocabulary(_write(tmp_path, mutate))
