"""Connections follow real working links by default, leave example data out on request, and label
communities by what their members work on."""

from __future__ import annotations

import datetime as dt

import pytest

from graphsvc.analysis.centrality import brokers
from graphsvc.analysis.coverage import contacts
from graphsvc.analysis.paths import k_shortest_paths
from tests.test_connections import build, ids

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def informed_shortcut():
    """me and near are only both told about action 'a' (INFORMED_OF); the working route is longer:
    me -> org -> init <- org2 <- near. near leads work on the theme; 'a' addresses it too."""
    nodes = {"me": "Person", "near": "Person", "a": "Action", "org": "Organisation", "org2": "Organisation",
             "init": "Initiative", "t": "Theme", "hub": "Theme", "place": "Place"}
    edges = [("me", "a", "INFORMED_OF"), ("near", "a", "CONSULTED_ON"), ("me", "org", "WORKS_FOR"),
             ("org", "init", "PARTNERS_IN"), ("org2", "init", "LEADS"), ("near", "org2", "WORKS_FOR"),
             ("near", "init", "LEADS"), ("init", "t", "ADDRESSES"), ("a", "t", "ADDRESSES"),
             ("org", "place", "OPERATES_IN"), ("org2", "place", "OPERATES_IN"), ("org", "hub", "PART_OF")]
    return build(nodes, edges)


def test_paths_between_people_skip_informed_consulted_and_context_hubs(informed_shortcut):
    default = k_shortest_paths(informed_shortcut, "me", "near", k=5, max_hops=4)
    assert [ids(p) for p in default] == [["me", "org", "init", "near"], ["me", "org", "init", "org2", "near"]]
    hops = {rel["type"] for path in default for rel in path["relationships"]}
    assert not hops & {"INFORMED_OF", "CONSULTED_ON", "OPERATES_IN", "ADDRESSES"}
    asked = k_shortest_paths(informed_shortcut, "me", "near", k=1, rel_types={"INFORMED_OF", "CONSULTED_ON"})
    assert [ids(p) for p in asked] == [["me", "a", "near"]]


def test_a_theme_or_place_can_still_be_the_end_of_a_path(informed_shortcut):
    (to_theme,) = k_shortest_paths(informed_shortcut, "me", "t", k=1)
    assert ids(to_theme) == ["me", "org", "init", "t"]  # not me -INFORMED_OF-> a -> t
    (to_place,) = k_shortest_paths(informed_shortcut, "near", "place", k=1)
    assert ids(to_place) == ["near", "org2", "place"]


def test_contacts_avoid_informed_links_unless_asked(informed_shortcut):
    default = contacts(informed_shortcut, "me", "t", today=TODAY)
    (near,) = default["contacts"]
    assert near["hops"] == 3 and ids(near["path"]) == ["me", "org", "init", "near"]
    asked = contacts(informed_shortcut, "me", "t", today=TODAY, rel_types={"INFORMED_OF", "CONSULTED_ON"})
    assert asked["contacts"][0]["hops"] == 2 and ids(asked["contacts"][0]["path"]) == ["me", "a", "near"]
    assert [r["type"] for r in asked["contacts"][0]["path"]["relationships"]] == ["INFORMED_OF", "CONSULTED_ON"]


def test_brokers_rank_people_organisations_and_groups_by_default():
    graph = build({"t": "Theme", "p1": "Person", "p2": "Person", "p3": "Person", "i": "Initiative", "o": "Organisation",
                   "pl": "Place"},
                  [("i", "t", "ADDRESSES"), ("p1", "o", "WORKS_FOR"), ("p2", "o", "WORKS_FOR"), ("o", "i", "LEADS"),
                   ("p3", "i", "SPONSORS"), ("o", "pl", "OPERATES_IN"), ("i", "pl", "OPERATES_IN")])
    ranked = {b["type"] for b in brokers(graph)["brokers"]}
    assert ranked == {"Organisation"}  # the initiative scores too, but work is not a go-between
    assert [b["id"] for b in brokers(graph, {"Initiative"})["brokers"]] == ["i"]


def test_demo_maternity_cluster_is_labelled_maternity(seeded, client):
    found = client.get("/api/v1/communities?min_size=3&limit=50&members=200").get_json()["communities"]
    (maternity,) = [c for c in found if "init-maternity-equity-hospitals" in {m["id"] for m in c["members"]}]
    assert maternity["label"].startswith("Maternity and neonatal outcomes")
    assert maternity["themes"][0]["id"] == "theme-maternity-neonatal"


def test_connection_answers_mark_examples_and_can_leave_them_out(seeded, client):
    brokers_all = client.get("/api/v1/brokers?limit=50").get_json()["brokers"]
    assert brokers_all and {b["type"] for b in brokers_all} <= {"Person", "Organisation", "Group"}
    assert any(b.get("example") is True for b in brokers_all)
    real = client.get("/api/v1/brokers?limit=50&examples=false").get_json()["brokers"]
    assert not any(b.get("example") for b in real)
    assert client.get("/api/v1/brokers?limit=50").get_json()["brokers"] == brokers_all  # memo keeps both apart
    org = "org-example-hospitals"
    path = client.get(f"/api/v1/paths?from={org}&to=rec-map-align-initiatives").get_json()
    assert path["paths"] and path["from"]["example"] is True and "INFORMED_OF" not in path["types"]
    assert "ADDRESSES" in path["types_at_ends"]
    assert client.get(f"/api/v1/paths?from={org}&to=rec-map-align-initiatives&examples=false").status_code == 404
    around = client.get("/api/v1/nodes/theme-maternity-neonatal/neighbourhood?examples=false").get_json()
    assert around["nodes"] and not any(n.get("example") for n in around["nodes"])
    matrix = client.get("/api/v1/coverage?examples=false").get_json()
    assert matrix["initiatives"] == 0 and not any(r.get("example") for r in matrix["rows"])
    clusters = client.get("/api/v1/communities?examples=false&members=200").get_json()["communities"]
    assert not any(m.get("example") for c in clusters for m in c["members"])
    person = "person-nadia-farrow"
    talk = client.get(f"/api/v1/people/{person}/contacts?theme=theme-maternity-neonatal").get_json()
    assert talk["person"]["example"] is True and "INFORMED_OF" not in talk["types"]
    for contact in talk["contacts"]:
        assert not {r["type"] for r in contact["path"]["relationships"]} & {"INFORMED_OF", "CONSULTED_ON", "ADDRESSES"}
    assert client.get(f"/api/v1/people/{person}/contacts?theme=theme-maternity-neonatal&examples=false"
                      ).status_code == 404
