"""Framework coverage (docs/frameworks.md): the tree in published order, direct and parts' evidence, indicators
judged by judge(), the framework-item-without-evidence flag for leaves of frameworks in use only, the gap rule
agreeing with the coverage, and the API (list, coverage, 404, examples=false)."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.gap_rules_frameworks import RULE, unevidenced_leaves
from graphsvc.analysis.gaps import GapSettings, find_gaps
from graphsvc.errors import NotFound
from graphsvc.queries.frameworks import NOT_IN_USE, coverage, frameworks
from tests.helpers import GraphBuilder
from tests.helpers import api_link as link
from tests.helpers import api_post as post

DAY = dt.date(2026, 12, 1)


def scripted() -> GraphBuilder:
    """Framework `fw` (ids deliberately out of published order): domain 1 with outcomes 1A and 1B, domain 2 with
    outcome 2A; 1A evidenced by an initiative and an indicator, 2A by an action. Framework `idle`: no evidence."""
    b = GraphBuilder()
    b.node("fw", "Framework", name="Test framework", short_name="TF", publication="The test publication")
    for item, code, number, parent in [("z-dom1", "1", 1, None), ("b-1b", "1B", 3, "z-dom1"),
                                       ("a-1a", "1A", 2, "z-dom1"), ("c-dom2", "2", 4, None),
                                       ("d-2a", "2A", 5, "c-dom2")]:
        b.node(item, "FrameworkItem", title=f"Item {code}", code=code, number=number,
               kind="outcome" if parent else "domain").rel(item, "ITEM_OF", "fw")
        if parent:
            b.rel(item, "PART_OF", parent)
    b.node("idle", "Framework", name="Idle framework")
    for item in ("idle-1", "idle-2"):
        b.node(item, "FrameworkItem", title=item).rel(item, "ITEM_OF", "idle")
    b.node("init", "Initiative", name="Booking project", status="active")
    b.node("robin", "Person", name="Robin Example").rel("robin", "ACCOUNTABLE_FOR", "init")
    b.node("kit", "Person", name="Kit Example").rel("kit", "LEADS", "init")
    b.node("act", "Action", title="Publish the plan", status="in_progress")
    b.node("ind", "Indicator", name="Booked by 10 weeks", unit="%", baseline=50, baseline_date="2026-01-01",
           target=70, target_date="2027-01-01", direction="increase")
    for m, value, date in [("m1", 52, "2026-03-31"), ("m2", 55, "2026-06-30"), ("m3", 90, "2027-03-31")]:
        b.node(m, "Measurement", period=m, value=value, date=date).rel(m, "MEASUREMENT_OF", "ind")
    return b.rel("init", "EVIDENCES", "a-1a").rel("ind", "EVIDENCES", "a-1a").rel("act", "EVIDENCES", "d-2a")


def rows(answer: dict) -> dict[str, dict]:
    return {row["id"]: row for row in answer["items"]}


def test_items_come_in_published_order_parents_before_their_parts():
    answer = coverage(scripted().graph, "fw", DAY)
    assert [(row["code"], row["depth"], row["parent"]) for row in answer["items"]] == [
        ("1", 0, None), ("1A", 1, "z-dom1"), ("1B", 1, "z-dom1"), ("2", 0, None), ("2A", 1, "c-dom2")]
    assert answer["framework"]["publication"] == "The test publication"
    assert rows(answer)["z-dom1"]["parts"] == ["a-1a", "b-1b"] and rows(answer)["a-1a"]["leaf"] is True


def test_direct_evidence_and_a_parent_showing_its_parts():
    found = rows(coverage(scripted().graph, "fw", DAY))
    work = found["a-1a"]["work"]
    assert [(w["name"], w["status"]) for w in work] == [("Booking project", "active")]
    assert work[0]["owners"][0]["name"] == "Robin Example"  # an accountable owner is named
    assert work[0]["leads"] == [{"id": None, "type": "Person", "name": "a person", "example": False}]  # a lead is not
    assert found["a-1a"]["direct_evidence"] and found["a-1a"]["evidence"]
    parent = found["z-dom1"]
    assert parent["work"] == [] and not parent["direct_evidence"] and parent["evidence"]
    assert [w["id"] for w in parent["from_parts"]["work"]] == ["init"]
    assert [i["id"] for i in parent["from_parts"]["indicators"]] == ["ind"]
    assert not found["b-1b"]["evidence"]


def test_indicators_are_judged_on_the_day_asked():
    indicator = rows(coverage(scripted().graph, "fw", DAY, with_series=True))["a-1a"]["indicators"][0]
    # The value dated after the judging day is not yet known; 55 on 30 June is below the trajectory.
    assert indicator["latest"] == {"value": 55, "date": "2026-06-30", "period": "m2"}
    assert indicator["trend"] == "improving" and indicator["on_track"] is False
    assert [p["value"] for p in indicator["series"]] == [52, 55]
    later = rows(coverage(scripted().graph, "fw", dt.date(2027, 4, 1)))["a-1a"]["indicators"][0]
    assert later["latest"]["value"] == 90 and later["on_track"] is True and "series" not in later


def test_only_leaves_of_a_framework_in_use_are_flagged():
    answer = coverage(scripted().graph, "fw", DAY)
    assert answer["in_use"] is True and answer["in_use_note"] is None
    assert answer["flagged"] == ["b-1b"]  # a leaf with nothing; not domain 1 (a parent), not 2A (evidenced)
    assert rows(answer)["b-1b"]["flags"] == [RULE] and rows(answer)["z-dom1"]["flags"] == []
    assert answer["summary"] == {"items": 5, "with_evidence": 4, "without_evidence": 1, "leaves": 3,
                                 "leaves_with_evidence": 2, "flagged": 1}
    idle = coverage(scripted().graph, "idle", DAY)
    assert idle["in_use"] is False and idle["flagged"] == [] and idle["in_use_note"] == NOT_IN_USE
    assert idle["summary"]["without_evidence"] == 2


def test_the_gap_rule_agrees_with_the_coverage():
    graph = scripted().graph
    gaps = find_gaps(graph, GapSettings(as_of=DAY), rules=[RULE])
    assert [(g.subject["id"], g.severity, g.subject["type"]) for g in gaps] == [("b-1b", "low", "FrameworkItem")]
    assert "1B 'Item 1B' of TF" in gaps[0].message and "fw" in gaps[0].related and "z-dom1" in gaps[0].related
    flagged = coverage(graph, "fw", DAY)["flagged"]
    assert [g.subject["id"] for g in gaps] == flagged == unevidenced_leaves(graph, "fw")[1]
    # Evidence the last leaf: the framework stays in use and nothing is flagged, in both.
    graph.add_edge("act", "b-1b", key="more", type="EVIDENCES")
    assert find_gaps(graph, GapSettings(as_of=DAY), rules=[RULE]) == [] and coverage(graph, "fw", DAY)["flagged"] == []


def test_no_flag_when_nothing_evidences_a_framework():
    b = scripted()
    for source, target in [("init", "a-1a"), ("ind", "a-1a"), ("act", "d-2a")]:
        b.graph.remove_edges_from([(source, target, key) for key in list(b.graph[source][target])])
    assert find_gaps(b.graph, GapSettings(as_of=DAY), rules=[RULE]) == []
    assert coverage(b.graph, "fw", DAY)["in_use"] is False


def test_the_list_counts_each_framework():
    listed = {f["id"]: f for f in frameworks(scripted().graph)}
    assert listed["fw"]["summary"]["with_evidence"] == 4 and listed["fw"]["in_use"] is True
    assert listed["idle"]["summary"] == {"items": 2, "with_evidence": 0, "without_evidence": 2, "leaves": 2,
                                         "leaves_with_evidence": 0, "flagged": 0}


def test_an_item_or_an_unknown_id_is_not_a_framework():
    with pytest.raises(NotFound):
        coverage(scripted().graph, "a-1a", DAY)
    with pytest.raises(NotFound):
        coverage(scripted().graph, "nothing", DAY)


# -- the API ---------------------------------------------------------------------------------------



@pytest.fixture
def framework(client):
    """Through the API: framework `fw-api` with two outcomes; 1 evidenced by a real initiative, 2 only by an
    example outcome."""
    post(client, "frameworks", {"id": "fw-api", "name": "API framework", "short_name": "AF"})
    for item, code in [("fw-api-1", "1"), ("fw-api-2", "2")]:
        post(client, "framework_items", {"id": item, "title": f"Outcome {code}", "code": code, "number": int(code)})
        link(client, "ITEM_OF", item, "fw-api")
    post(client, "initiatives", {"id": "init-real", "name": "Real work", "status": "active"})
    post(client, "outcomes", {"id": "out-example", "title": "Fictional outcome", "example": True})
    post(client, "indicators", {"id": "ind-real", "name": "Uptake", "unit": "%", "latest_value": 40,
                                "latest_date": "2026-06-30"})
    for source, target in [("init-real", "fw-api-1"), ("ind-real", "fw-api-1"), ("out-example", "fw-api-2")]:
        link(client, "EVIDENCES", source, target)
    return "fw-api"


def test_the_api_answers_coverage_and_the_list(framework, client_as):
    viewer = client_as("viewer")
    answer = viewer.get(f"/api/v1/frameworks/{framework}/coverage", query_string={"judged_on": "2026-12-01"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["judged_on"] == "2026-12-01" and data["flagged"] == [] and data["contains_examples"] is True
    found = rows(data)
    assert found["fw-api-1"]["indicators"][0]["latest"]["value"] == 40
    assert found["fw-api-2"]["outcomes"][0]["example"] is True
    listed = viewer.get("/api/v1/frameworks/coverage").get_json()["frameworks"]
    assert [(f["id"], f["summary"]["with_evidence"]) for f in listed] == [("fw-api", 2)]
    # The generic collection still owns /api/v1/frameworks.
    assert [f["id"] for f in viewer.get("/api/v1/frameworks").get_json()["items"]] == ["fw-api"]


def test_examples_false_hides_example_evidence(framework, client_as):
    data = client_as("viewer").get(f"/api/v1/frameworks/{framework}/coverage?examples=false").get_json()
    found = rows(data)
    assert found["fw-api-2"]["outcomes"] == [] and found["fw-api-2"]["evidence"] is False
    assert data["flagged"] == ["fw-api-2"] and data["contains_examples"] is False


def test_unknown_framework_and_bad_input(framework, client_as):
    viewer = client_as("viewer")
    assert viewer.get("/api/v1/frameworks/nothing/coverage").status_code == 404
    assert viewer.get("/api/v1/frameworks/fw-api-1/coverage").status_code == 404  # an item, not a framework
    bad = viewer.get(f"/api/v1/frameworks/{framework}/coverage?judged_on=2026-13-01")
    assert bad.status_code == 422 and "judged_on" in str(bad.get_json()["errors"])
    assert viewer.get(f"/api/v1/frameworks/{framework}/coverage?colour=red").status_code == 422


def test_strangers_are_refused(framework, anonymous):
    assert anonymous.get(f"/api/v1/frameworks/{framework}/coverage").status_code == 401


# -- a framework is a subject, not a connection ------------------------------------------------------

def test_a_framework_joins_no_one_in_connections():
    """Two pieces of work evidencing different items of one framework are not connected through it:
    communities and brokers leave the framework's own structure (ITEM_OF) out, and a default path walk
    does not go through framework items."""
    import networkx as nx

    from graphsvc.analysis.centrality import graph_index
    from graphsvc.analysis.paths import walkable

    g = nx.MultiDiGraph()
    g.add_node("fw", type="Framework", name="F")
    for item, work in (("i1", "w1"), ("i2", "w2")):
        g.add_node(item, type="FrameworkItem", title=item)
        g.add_node(work, type="Initiative", name=work)
        g.add_edge(item, "fw", key=f"{item}-of", type="ITEM_OF")
        g.add_edge(work, item, key=f"{work}-ev", type="EVIDENCES")
    index = graph_index(g)
    pairs = {frozenset((index.nodes[a], index.nodes[b])) for a, b in zip(index.sources, index.targets, strict=True)}
    assert pairs == {frozenset(("w1", "i1")), frozenset(("w2", "i2"))}
    follows = walkable(ends={"someone-else"})  # the item in the middle of a walk
    assert not follows("EVIDENCES", "w1", "i1") and not follows("ITEM_OF", "i1", "fw")
    assert walkable(ends={"i1"})("EVIDENCES", "w1", "i1")  # a path may still end at the item
