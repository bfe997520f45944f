"""Connections: paths, neighbourhood, brokers, communities, coverage and contacts — functions and API."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading

import networkx as nx
import pytest

from graphsvc.analysis import centrality, coverage
from graphsvc.analysis.centrality import betweenness, brokers, communities, partition
from graphsvc.analysis.coverage import active_people, contacts, initiative_links
from graphsvc.analysis.paths import k_shortest_paths, neighbourhood
from graphsvc.errors import NotFound, TooExpensive
from graphsvc.queries import connections as connection_queries
from graphsvc.queries import memo

TODAY = dt.date(2026, 12, 1)


def build(nodes: dict[str, str | tuple], edges: list[tuple]) -> nx.MultiDiGraph:
    """nodes: id -> type or (type, {props}); edges: (from, to, type[, {props}]), keyed r0, r1, ..."""
    graph = nx.MultiDiGraph()
    for node, spec in nodes.items():
        kind, props = (spec, {}) if isinstance(spec, str) else (spec[0], dict(spec[1]))
        graph.add_node(node, type=kind, name=props.pop("name", str(node).upper()), **props)
    for i, (u, v, kind, *props) in enumerate(edges):
        graph.add_edge(u, v, key=f"r{i}", type=kind, **(props[0] if props else {}))
    return graph


def ids(path: dict) -> list[str]:
    return [node["id"] for node in path["nodes"]]


# -- k shortest paths --------------------------------------------------------------------------------


@pytest.fixture
def ladder():
    """a to z by 2, 3 and 4 hops: a-b-z, a-c-d-z, a-e-f-g-z."""
    nodes = dict.fromkeys("abcdefgz", "Organisation")
    edges = [("a", "b", "LEADS"), ("b", "z", "LEADS"), ("a", "c", "FUNDS"), ("c", "d", "FUNDS"), ("d", "z", "FUNDS"),
             ("a", "e", "LEADS"), ("e", "f", "LEADS"), ("f", "g", "LEADS"), ("g", "z", "LEADS")]
    return build(nodes, edges)


def test_paths_come_shortest_first_and_k_is_respected(ladder):
    assert [ids(p) for p in k_shortest_paths(ladder, "a", "z", k=10)] == [
        ["a", "b", "z"], ["a", "c", "d", "z"], ["a", "e", "f", "g", "z"]]
    assert [p["hops"] for p in k_shortest_paths(ladder, "a", "z", k=2)] == [2, 3]
    assert len(k_shortest_paths(ladder, "a", "z", k=1)) == 1


def test_hop_cap_and_type_filter(ladder):
    assert [p["hops"] for p in k_shortest_paths(ladder, "a", "z", k=10, max_hops=3)] == [2, 3]
    assert k_shortest_paths(ladder, "a", "z", max_hops=1) == []
    only_leads = k_shortest_paths(ladder, "a", "z", k=10, rel_types={"LEADS"})
    assert [ids(p) for p in only_leads] == [["a", "b", "z"], ["a", "e", "f", "g", "z"]]
    assert all(r["type"] == "LEADS" for p in only_leads for r in p["relationships"])
    assert k_shortest_paths(ladder, "a", "z", rel_types={"SERVES"}) == []


def test_direction_is_ignored_but_reported_as_stored():
    graph = build({"p": "Person", "o": "Organisation", "i": "Initiative"},
                  [("p", "o", "WORKS_FOR"), ("o", "i", "LEADS")])
    (forward,) = k_shortest_paths(graph, "p", "i")
    (backward,) = k_shortest_paths(graph, "i", "p")
    assert ids(forward) == ["p", "o", "i"] and ids(backward) == ["i", "o", "p"]
    assert backward["relationships"] == [{"id": "r1", "type": "LEADS", "from": "o", "to": "i"},
                                         {"id": "r0", "type": "WORKS_FOR", "from": "p", "to": "o"}]
    assert backward["nodes"][0] == {"id": "i", "type": "Initiative", "name": "I"}


def test_paths_agree_with_networkx_on_random_graphs():
    for seed in range(60):
        rnd = random.Random(seed)
        simple = nx.gnm_random_graph(rnd.randint(6, 20), rnd.randint(8, 45), seed=seed, directed=True)
        graph = build({n: "Place" for n in simple}, [(u, v, "PART_OF") for u, v in simple.edges()])
        a, b = rnd.sample(list(simple), 2)
        k, hops = rnd.randint(1, 10), rnd.randint(1, 8)
        found = k_shortest_paths(graph, a, b, k=k, max_hops=hops)
        try:
            expected = [len(p) - 1 for p in itertools.islice(nx.shortest_simple_paths(simple.to_undirected(), a, b),
                                                               200)]
        except nx.NetworkXNoPath:
            expected = []
        assert [p["hops"] for p in found] == [n for n in expected if n <= hops][:k]
        assert len({tuple(ids(p)) for p in found}) == len(found)  # distinct
        assert all(len(set(ids(p))) == len(ids(p)) for p in found)  # simple


def test_path_search_refuses_beyond_its_budget_and_unknown_ids(ladder):
    with pytest.raises(TooExpensive):
        k_shortest_paths(ladder, "a", "z", k=3, budget=2)
    with pytest.raises(NotFound):
        k_shortest_paths(ladder, "a", "nowhere")


def test_same_node_is_a_path_of_no_hops(ladder):
    assert [p["hops"] for p in k_shortest_paths(ladder, "a", "a")] == [0]


# -- neighbourhood ---------------------------------------------------------------------------------


def test_neighbourhood_depth_types_and_relationships(ladder):
    one = neighbourhood(ladder, "a", depth=1)
    assert [(n["id"], n["depth"]) for n in one["nodes"]] == [("a", 0), ("b", 1), ("c", 1), ("e", 1)]
    assert {r["id"] for r in one["relationships"]} == {"r0", "r2", "r5"} and not one["truncated"]
    two = neighbourhood(ladder, "a", depth=2)
    assert {n["id"] for n in two["nodes"]} == {"a", "b", "c", "e", "z", "d", "f"}
    assert {"r1", "r3", "r6"} <= {r["id"] for r in two["relationships"]}
    funds = neighbourhood(ladder, "a", depth=3, rel_types={"FUNDS"})
    assert {n["id"] for n in funds["nodes"]} == {"a", "c", "d", "z"}
    assert {r["type"] for r in funds["relationships"]} == {"FUNDS"}
    assert two["center"] == {"id": "a", "type": "Organisation", "name": "A"}


def test_neighbourhood_is_capped_and_bounded(ladder):
    capped = neighbourhood(ladder, "a", depth=3, limit=3)
    assert len(capped["nodes"]) == 3 and capped["truncated"]
    with pytest.raises(TooExpensive):
        neighbourhood(ladder, "a", depth=3, budget=3)
    with pytest.raises(NotFound):
        neighbourhood(ladder, "nowhere")


# -- brokers and communities -----------------------------------------------------------------------


@pytest.fixture
def two_cliques():
    """Two 5-cliques of people, each linked to the bridge organisation 'x' by one member."""
    left, right = [f"l{i}" for i in range(5)], [f"r{i}" for i in range(5)]
    nodes = {n: "Person" for n in left + right} | {"x": "Organisation"}
    edges = [(u, v, "MEMBER_OF") for group in (left, right) for u, v in itertools.combinations(group, 2)]
    return build(nodes, edges + [("l0", "x", "WORKS_FOR"), ("r0", "x", "WORKS_FOR")])


def test_brokers_rank_the_bridge_first(two_cliques):
    ranked = brokers(two_cliques)
    assert [b["id"] for b in ranked["brokers"][:3]] == ["x", "l0", "r0"]
    assert ranked["sampled"] is False and ranked["samples"] == ranked["nodes"] == 11
    people = brokers(two_cliques, node_types={"Person"}, limit=1)["brokers"]
    assert [b["id"] for b in people] == ["l0"] and people[0]["type"] == "Person"


def test_betweenness_equals_networkx_exact_and_sampled():
    simple = nx.gnm_random_graph(40, 90, seed=3, directed=True)
    graph = build({n: "Place" for n in map(str, simple)}, [(str(u), str(v), "PART_OF") for u, v in simple.edges()])
    graph.add_edge("0", "1", key="again", type="PART_OF")  # parallel relationships count once
    undirected = nx.Graph(graph.to_undirected())
    for samples in (None, 7):
        ours = betweenness(graph, samples=samples, seed=5)
        theirs = nx.betweenness_centrality(undirected, k=samples, seed=5)
        assert ours["sampled"] is (samples is not None)
        assert all(abs(ours["scores"][n] - theirs[n]) < 1e-12 for n in theirs)


def test_large_graphs_are_sampled(monkeypatch, two_cliques):
    monkeypatch.setattr(centrality, "BETWEENNESS_WORK", 10)
    monkeypatch.setattr(centrality, "MIN_SAMPLES", 4)
    result = betweenness(two_cliques)
    assert result["sampled"] and result["samples"] == 4


def test_communities_separate_two_cliques_and_are_labelled(two_cliques):
    graph = two_cliques.copy()
    graph.add_node("t", type="Theme", name="Maternity and neonatal outcomes")
    graph.add_node("o", type="Organisation", name="Trust", sector="nhs")
    graph.add_edges_from([("o", "r1", "k1", {"type": "WORKS_FOR"}), ("r2", "t", "k2", {"type": "ADDRESSES"}),
                          ("r3", "t", "k3", {"type": "ADDRESSES"})])
    found = partition(graph)["communities"]
    left = {f"l{i}" for i in range(5)}
    assert any(left <= set(c) and not set(c) & {"r1", "r2"} for c in found)
    described = communities(graph, min_size=3, members=2)
    right = next(c for c in described["communities"] if "r" in c["members"][0]["id"])
    assert right["label"] == "Maternity and neonatal outcomes · nhs"
    assert right["size"] >= 7 and len(right["members"]) == 2 and right["types"]["Person"] == 5
    assert described["method"] == "louvain" and described["total"] == len(described["communities"])
    assert communities(graph, min_size=100)["communities"] == []


# -- coverage --------------------------------------------------------------------------------------


@pytest.fixture
def portfolio():
    nodes = {"i1": ("Initiative", {"status": "active"}), "i2": ("Initiative", {"status": "active"}),
             "i3": ("Initiative", {"status": "closed"}), "mh": ("Theme", {"name": "Mental health"}),
             "pcref": ("Theme", {"name": "PCREF"}), "mat": ("Theme", {"name": "Maternity"}),
             "ba": ("Population", {"name": "Black African"}), "gr": ("Population", {"name": "Gypsy, Roma"})}
    edges = [("i1", "pcref", "ADDRESSES"), ("i1", "ba", "SERVES"), ("i2", "mat", "ADDRESSES"), ("i2", "ba", "SERVES"),
             ("i3", "mat", "ADDRESSES"), ("i3", "gr", "SERVES"), ("pcref", "mh", "PART_OF")]
    return build(nodes, edges)


def test_coverage_counts_and_lists_empty_cells(portfolio):
    matrix = coverage.coverage(portfolio, "Theme", "Population", {"ADDRESSES"}, {"SERVES"})
    assert [r["id"] for r in matrix["rows"]] == ["mat", "mh", "pcref"]
    assert [c["id"] for c in matrix["cols"]] == ["ba", "gr"]
    assert matrix["cells"] == [[1, 0], [1, 0], [1, 0]]  # the PCREF work also counts for mental health
    assert {(e["row"], e["col"]) for e in matrix["empty"]} == {("mat", "gr"), ("mh", "gr"), ("pcref", "gr")}
    assert matrix["status"] == "active" and matrix["initiatives"] == 2
    flat = coverage.coverage(portfolio, "Theme", "Population", {"ADDRESSES"}, {"SERVES"}, status=None, rollup=False)
    assert flat["cells"] == [[1, 1], [0, 0], [1, 0]] and flat["status"] == "any"


def test_coverage_refuses_huge_matrices(monkeypatch, portfolio):
    monkeypatch.setattr(coverage, "MAX_CELLS", 5)
    with pytest.raises(TooExpensive):
        coverage.coverage(portfolio, "Theme", "Population", {"ADDRESSES"}, {"SERVES"})


def test_initiative_links_come_from_the_vocabulary(service):
    vocabulary = service.vocabulary
    assert initiative_links(vocabulary, "Theme") == {"ADDRESSES"}
    assert initiative_links(vocabulary, "Population") == {"SERVES"}
    assert initiative_links(vocabulary, "Place") == {"OPERATES_IN"}
    assert {"LEADS", "PARTNERS_IN"} <= initiative_links(vocabulary, "Organisation")


# -- contacts --------------------------------------------------------------------------------------


@pytest.fixture
def team():
    """me and lead work at o (lead leads work on a sub-theme of t); member's group does such work;
    far is accountable for an action on t, four hops away; left has left."""
    nodes = {"me": "Person", "lead": "Person", "far": "Person", "member": "Person", "left": "Person",
             "o": "Organisation", "o2": "Organisation", "g": "Group", "w": "Initiative", "x": "Initiative",
             "a": "Action", "t": "Theme", "sub": "Theme", "other": "Theme"}
    edges = [("me", "o", "WORKS_FOR"), ("lead", "o", "WORKS_FOR"), ("lead", "w", "LEADS"), ("w", "sub", "ADDRESSES"),
             ("sub", "t", "PART_OF"), ("far", "o2", "WORKS_FOR"), ("o2", "x", "LEADS"), ("o", "x", "PARTNERS_IN"),
             ("far", "a", "ACCOUNTABLE_FOR"), ("a", "t", "ADDRESSES"), ("member", "g", "MEMBER_OF"),
             ("g", "w", "RESPONSIBLE_FOR"), ("member", "o", "WORKS_FOR"),
             ("left", "o", "WORKS_FOR", {"until": "2026-01-31"}), ("left", "w", "LEADS")]
    return build(nodes, edges)


def test_active_people_definition(team):
    active = active_people(team, "t", TODAY)
    assert set(active) == {"lead", "far", "member"}  # 'left' has moved on; sub-theme work counts
    assert active["member"][0]["via"]["id"] == "g"
    assert active_people(team, "other", TODAY) == {}


def test_contacts_nearest_first_with_paths(team):
    found = contacts(team, "me", "t", limit=5, today=TODAY)
    assert [c["person"]["id"] for c in found["contacts"]] == ["lead", "member", "far"]  # direct before via a group
    assert [c["hops"] for c in found["contacts"]] == [2, 2, 4]
    far = found["contacts"][2]["path"]
    assert ids(far) == ["me", "o", "x", "o2", "far"] and far["hops"] == 4
    assert far["relationships"][1] == {"id": "r7", "type": "PARTNERS_IN", "from": "o", "to": "x"}
    assert found["active_people"] == 3
    assert [c["person"]["id"] for c in contacts(team, "me", "t", limit=1, today=TODAY)["contacts"]] == ["lead"]
    assert len(contacts(team, "me", "t", max_hops=3, today=TODAY)["contacts"]) == 2


def test_contacts_errors(team):
    with pytest.raises(NotFound):
        contacts(team, "o", "t")  # not a person
    with pytest.raises(NotFound):
        contacts(team, "me", "w")  # not a theme
    with pytest.raises(TooExpensive):
        contacts(team, "me", "t", budget=1, today=TODAY)


# -- API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/api/v1/paths?from=a&to=b&k=0", "/api/v1/paths?from=a&to=b&k=11", "/api/v1/paths?from=a&to=b&max_hops=9",
    "/api/v1/paths?from=a&to=b&types=KNOWS", "/api/v1/paths?from=a", "/api/v1/paths?from=a&to=b&colour=red",
    "/api/v1/nodes/a/neighbourhood?depth=4", "/api/v1/nodes/a/neighbourhood?limit=2001",
    "/api/v1/brokers?type=Planet", "/api/v1/brokers?limit=0", "/api/v1/communities?limit=201",
    "/api/v1/coverage?rows=Person", "/api/v1/coverage?status=finished", "/api/v1/people/a/contacts",
    "/api/v1/people/a/contacts?theme=t&max_hops=9"])
def test_out_of_range_parameters_are_422(client, url):
    response = client.get(url)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"} and body["errors"]


@pytest.mark.parametrize("url", [
    "/api/v1/paths?from=nobody&to=nothing", "/api/v1/nodes/nothing/neighbourhood",
    "/api/v1/people/nobody/contacts?theme=theme-maternity-neonatal"])
def test_unknown_ids_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert "nobody" in response.get_json()["message"] or "nothing" in response.get_json()["message"]


def test_seeded_demo_connects_an_organisation_to_a_recommendation(seeded, client):
    org, rec = "org-example-hospitals", "rec-map-align-initiatives"
    assert client.get(f"/api/v1/nodes/{org}").status_code == 200
    assert client.get(f"/api/v1/nodes/{rec}").status_code == 200
    body = client.get(f"/api/v1/paths?from={org}&to={rec}&k=3&max_hops=5").get_json()
    assert body["from"]["id"] == org and body["to"]["id"] == rec and body["paths"]
    hops = [p["hops"] for p in body["paths"]]
    assert hops == sorted(hops) and len(hops) <= 3
    for path in body["paths"]:
        assert path["nodes"][0]["id"] == org and path["nodes"][-1]["id"] == rec
        steps = itertools.pairwise([n["id"] for n in path["nodes"]])
        for (a, b), rel in zip(steps, path["relationships"], strict=True):
            assert {rel["from"], rel["to"]} == {a, b} and set(rel) == {"id", "type", "from", "to"}
    assert client.get(f"/api/v1/paths?from={org}&to={rec}&types=SERVES").get_json()["paths"] == []


def test_seeded_demo_other_connections(seeded, client):
    around = client.get("/api/v1/nodes/group-governance/neighbourhood?depth=2&limit=25").get_json()
    assert around["center"]["id"] == "group-governance" and len(around["nodes"]) == 25 and around["truncated"]
    people = client.get("/api/v1/brokers?type=Person&limit=3").get_json()
    assert len(people["brokers"]) == 3 and all(b["type"] == "Person" for b in people["brokers"])
    assert people["sampled"] is False and people["as_of_seq"] > 0
    clusters = client.get("/api/v1/communities?min_size=5&limit=3&members=2").get_json()
    assert clusters["communities"] and all(c["size"] >= 5 and c["label"] for c in clusters["communities"])
    matrix = client.get("/api/v1/coverage?rows=Theme&cols=Population").get_json()
    gypsy = [i for i, c in enumerate(matrix["cols"]) if c["id"] == "population-gypsy-roma-traveller"][0]
    assert all(row[gypsy] == 0 for row in matrix["cells"])  # population-unserved in the demo
    assert len(matrix["cells"]) == len(matrix["rows"]) and len(matrix["cells"][0]) == len(matrix["cols"])
    people_id = client.get("/api/v1/people?limit=1").get_json()["items"][0]["id"]
    talk = client.get(f"/api/v1/people/{people_id}/contacts?theme=theme-maternity-neonatal&limit=3").get_json()
    assert 0 < len(talk["contacts"]) <= 3 and talk["contacts"][0]["path"]["nodes"][0]["id"] == people_id
    hops = [c["hops"] for c in talk["contacts"]]
    assert hops == sorted(hops)


def test_whole_graph_answers_are_cached_by_seq(seeded, client, monkeypatch):
    calls = []
    real = connection_queries.betweenness
    monkeypatch.setattr(connection_queries, "betweenness", lambda index: calls.append(1) or real(index))
    first = client.get("/api/v1/brokers").get_json()
    assert client.get("/api/v1/brokers?type=Person").status_code == 200 and len(calls) == 1
    client.post("/api/v1/themes", json={"name": "A new theme"})
    second = client.get("/api/v1/brokers").get_json()
    assert len(calls) == 2 and second["as_of_seq"] == first["as_of_seq"] + 1


def test_large_graphs_compute_in_the_background(seeded, client, monkeypatch):
    monkeypatch.setattr(memo, "BACKGROUND_NODES", 0)
    monkeypatch.setattr(memo, "WAIT_SECONDS", 0.05)
    release = threading.Event()
    real = connection_queries.partition

    def slow(index):
        release.wait(10)
        return real(index)

    monkeypatch.setattr(connection_queries, "partition", slow)
    busy = client.get("/api/v1/communities")
    assert busy.status_code == 503 and busy.headers["Retry-After"] and "retry" in busy.get_json()["message"]
    release.set()
    monkeypatch.setattr(memo, "WAIT_SECONDS", 10)
    ready = client.get("/api/v1/communities").get_json()
    assert ready["communities"]
    seq = ready["as_of_seq"]
    release.clear()
    client.post("/api/v1/themes", json={"name": "Another theme"})
    stale = client.get("/api/v1/communities").get_json()  # the previous partition, served at once
    assert stale["as_of_seq"] == seq
    release.set()


def test_paths_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/paths", "/api/v1/nodes/{node_id}/neighbourhood", "/api/v1/brokers", "/api/v1/communities",
                 "/api/v1/coverage", "/api/v1/people/{node_id}/contacts"):
        assert "200" in spec["paths"][path]["get"]["responses"], path
