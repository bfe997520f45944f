"""The national frameworks shipped as data (seeds/frameworks/): structure as published, loaded through
the real importer, idempotent, and untouched by removing the demo."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from graphsvc.cli import DATASETS, FRAMEWORKS
from graphsvc.vocabulary import EXAMPLE_PROPERTY, yaml_load

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# The published structure each file is checked against (see seeds/frameworks/README.md): counts of
# items per kind.
EXPECTED = {
    # EDS 2022: 3 domains, 11 outcomes (1A-1D, 2A-2D, 3A-3C).
    "framework-eds-2022": {"domain": 3, "outcome": 11},
    # WRES: nine indicators (indicator 9 is not split: no source checked splits it).
    "framework-wres": {"indicator": 9},
    # PCREF: three core components (Part 1-3) and six national organisational competencies.
    "framework-pcref": {"component": 3, "competency": 6},
    # Core20PLUS5 adults: Core20, PLUS, five clinical areas, and the cross-cutting smoking cessation theme.
    "framework-core20plus5-adults": {"population_group": 2, "clinical_area": 5, "other": 1},
    # Core20PLUS5 children and young people: Core20, PLUS, five clinical areas.
    "framework-core20plus5-cyp": {"population_group": 2, "clinical_area": 5},
    # NHS EDI improvement plan: six high impact actions.
    "framework-nhs-edi-improvement-plan": {"high_impact_action": 6},
}
# What a child may be part of, per framework: EDS outcomes sit in domains, PCREF competencies in Part 2.
PARENT_KIND = {"outcome": "domain", "competency": "component"}


def _graph_parts(graph):
    items_of: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    for source, target, data in graph.edges(data=True):
        if data["type"] == "ITEM_OF":
            items_of.setdefault(source, []).append(target)
        elif data["type"] == "PART_OF" and graph.nodes[source]["type"] == "FrameworkItem":
            parents.setdefault(source, []).append(target)
    return items_of, parents


def _items(graph, framework_id):
    return [n for n, d in graph.nodes(data=True)
            if d["type"] == "FrameworkItem" and framework_id in [t for _, t, e in graph.out_edges(n, data=True)
                                                                 if e["type"] == "ITEM_OF"]]


def test_every_dataset_loads_the_frameworks_after_taxonomy_and_before_the_report():
    assert len(FRAMEWORKS) == len(EXPECTED) == 6
    for files in DATASETS.values():
        positions = [files.index(name) for name in FRAMEWORKS]
        assert positions == sorted(positions), "a fixed order"
        assert files.index("taxonomy") < positions[0] and positions[-1] < files.index("report")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_each_file_names_its_source_in_its_header_and_its_record(name):
    path = SEEDS / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    document = yaml_load(text)
    assert EXAMPLE_PROPERTY not in document, "real reference data, not an example"
    [framework] = [n for n in document["nodes"] if n["type"] == "Framework"]
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for key in ("publisher", "publication", "url", "note"):
        assert framework.get(key), f"{name}: the Framework record names its {key}"
    assert framework["url"] in header and framework["publisher"] in header
    assert framework["url"].startswith("https://www.england.nhs.uk/")
    assert not any(EXAMPLE_PROPERTY in node for node in document["nodes"])


def test_each_framework_has_its_published_structure(seeded, service):
    graph = service.graph()
    frameworks = {n for n, d in graph.nodes(data=True) if d["type"] == "Framework"}
    assert set(EXPECTED) <= frameworks
    for framework_id, expected in EXPECTED.items():
        kinds = Counter(graph.nodes[item]["kind"] for item in _items(graph, framework_id))
        assert dict(kinds) == expected, framework_id
    eds = {graph.nodes[i]["code"] for i in _items(graph, "framework-eds-2022")}
    assert eds == {"Domain 1", "Domain 2", "Domain 3", "1A", "1B", "1C", "1D", "2A", "2B", "2C", "2D",
                   "3A", "3B", "3C"}
    assert {graph.nodes[i]["code"] for i in _items(graph, "framework-wres")} == {str(n) for n in range(1, 10)}


def test_every_item_is_item_of_exactly_one_framework_and_records_are_real(seeded, service):
    graph = service.graph()
    items_of, _ = _graph_parts(graph)
    items = [n for n, d in graph.nodes(data=True) if d["type"] == "FrameworkItem"]
    assert len(items) == sum(sum(kinds.values()) for kinds in EXPECTED.values())
    for item in items:
        assert len(items_of.get(item, [])) == 1, item
        assert graph.nodes[items_of[item][0]]["type"] == "Framework"
        assert not graph.nodes[item].get(EXAMPLE_PROPERTY), item


def test_parents_and_children_are_consistent(seeded, service):
    graph = service.graph()
    items_of, parents = _graph_parts(graph)
    for child, its_parents in parents.items():
        [parent] = its_parents  # one parent at most
        assert items_of[child] == items_of[parent], "a child belongs to its parent's framework"
        assert graph.nodes[parent]["kind"] == PARENT_KIND[graph.nodes[child]["kind"]], child
        assert graph.nodes[parent]["number"] < graph.nodes[child]["number"], "parents come first"
    for item in items_of:
        kind = graph.nodes[item]["kind"]
        assert (item in parents) == (kind in PARENT_KIND), f"{item}: {kind} needs a parent iff it is a child kind"
    # EDS: outcome 2C is part of domain 2, and so on for every outcome.
    for item in _items(graph, "framework-eds-2022"):
        if graph.nodes[item]["kind"] == "outcome":
            assert parents[item] == [f"eds-2022-domain-{graph.nodes[item]['code'][0]}"]
    children_of_part_2 = [c for c, p in parents.items() if p == ["pcref-part-2"]]
    assert len(children_of_part_2) == 6


def test_codes_and_numbers_are_unique_and_ids_follow_the_codes(seeded, service):
    graph = service.graph()
    for framework_id in EXPECTED:
        prefix = framework_id.removeprefix("framework-") + "-"
        items = _items(graph, framework_id)
        codes = [graph.nodes[i]["code"] for i in items if graph.nodes[i].get("code")]
        numbers = sorted(graph.nodes[i]["number"] for i in items)
        assert len(codes) == len(set(codes)), framework_id
        assert numbers == list(range(1, len(items) + 1)), f"{framework_id}: numbers give the published order"
        for item in items:
            assert item.startswith(prefix), item
            code = graph.nodes[item].get("code")
            if code:
                assert item == prefix + re.sub(r"\s+", "-", code.lower()), item


def test_seeding_twice_changes_nothing_and_report_alone_brings_the_frameworks(app, runner, service):
    assert runner.invoke(args=["seed", "--dataset", "report"]).exit_code == 0
    frameworks = {n for n, d in service.graph().nodes(data=True) if d["type"] == "Framework"}
    assert frameworks == set(EXPECTED)
    counts, seq = service.store.count(), service.store.last_seq()
    again = runner.invoke(args=["seed", "--dataset", "report"])
    assert again.exit_code == 0 and "0 created, 0 updated" in again.output
    assert service.store.count() == counts and service.store.last_seq() == seq


def test_removing_the_demo_leaves_the_frameworks(seeded, runner, service):
    def framework_part():
        graph = service.graph()
        nodes = {n for n, d in graph.nodes(data=True) if d["type"] in ("Framework", "FrameworkItem")}
        edges = {(s, t, d["type"]) for s, t, d in graph.edges(data=True) if s in nodes and t in nodes}
        return nodes, edges

    before = framework_part()
    result = runner.invoke(args=["seed", "--remove", "demo"])
    assert result.exit_code == 0, result.output
    assert not any(d.get(EXAMPLE_PROPERTY) for _, d in service.graph().nodes(data=True)), "the demo is gone"
    assert framework_part() == before
    assert len(before[0]) == len(EXPECTED) + sum(sum(kinds.values()) for kinds in EXPECTED.values())
