"""Overlaps and likely duplicates: scores and reasons, blocking against brute force, reviews, the API."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from graphsvc.analysis.duplicates import brute_force_duplicates, find_duplicates, normalise_name
from graphsvc.analysis.overlaps import brute_force_overlaps, cosine_join, find_overlaps, overlaps_of, pair_review
from tests.helpers import GraphBuilder

MATERNITY = ("Reduce disparities in maternity and neonatal outcomes for Black African women through continuity "
             "of carer, culturally safe antenatal education and interpreting support in Riverside.")


class G(GraphBuilder):
    """A tiny graph builder with shortcuts for initiatives and their scope."""

    def initiative(self, node_id, description="", themes=(), populations=(), places=(), partners=()):
        self.node(node_id, "Initiative", name=node_id.replace("-", " ").title(), description=description)
        for kind, rel, targets in (("Theme", "ADDRESSES", themes), ("Population", "SERVES", populations),
                                   ("Place", "OPERATES_IN", places)):
            for target in targets:
                self.node(target, kind, name=target.split("-", 1)[1].title()).rel(node_id, rel, target)
        for org in partners:
            self.node(org, "Organisation", name=org.split("-", 1)[1].title()).rel(org, "PARTNERS_IN", node_id)
        return self


@pytest.fixture
def borough():
    g = G()
    g.initiative("init-maternity-a", MATERNITY, ["theme-maternity", "theme-interpreting"], ["pop-black-african"],
                 ["place-riverside"], ["org-voices", "org-trust-a"])
    g.initiative("init-maternity-b", MATERNITY.replace("education", "classes"), ["theme-maternity"],
                 ["pop-black-african"], ["place-riverside"], ["org-voices", "org-trust-b"])
    g.initiative("init-maternity-c", "Maternity advocacy and birth companions in another borough.",
                 ["theme-maternity"], ["pop-black-african"], ["place-millbrook"], ["org-trust-c"])
    g.initiative("init-procurement", "Social value in council contracts.", ["theme-procurement"], [],
                 ["place-riverside"], ["org-council"])
    return g


def pairs(found):
    return [(entry["a"]["id"], entry["b"]["id"]) for entry in found]


# -- scores and reasons --------------------------------------------------------------------------

def test_the_overlapping_pair_comes_first_with_its_shared_items_named(borough):
    borough.node("person-ada", "Person", name="Ada Example").rel("person-ada", "LEADS", "init-maternity-a")
    found = find_overlaps(borough.graph, "initiative", min_score=0.1)
    assert pairs(found)[0] == ("init-maternity-a", "init-maternity-b")
    top = found[0]
    assert top["type"] == "Initiative" and top["review"] is None and 0.6 < top["score"] <= 1
    assert top["a"] == {"id": "init-maternity-a", "name": "Init Maternity A",
                        "leads": [{"id": "person-ada", "type": "Person", "name": "Ada Example"}]}
    assert top["b"]["leads"] == []
    reasons = top["reasons"]
    assert reasons["themes"] == [{"id": "theme-maternity", "name": "Maternity"}]
    assert reasons["populations"] == [{"id": "pop-black-african", "name": "Black-African"}]
    assert reasons["places"] == [{"id": "place-riverside", "name": "Riverside"}]
    assert reasons["partners"] == [{"id": "org-voices", "name": "Voices"}]
    assert 0.8 < reasons["text"] <= 1
    assert [entry["score"] for entry in found] == sorted((entry["score"] for entry in found), reverse=True)


def test_scope_needs_the_same_work_in_the_same_place(borough):
    scores = {(entry["a"]["id"], entry["b"]["id"]): entry for entry in find_overlaps(borough.graph, min_score=0.01)}
    # The same themes and population in another place: the scope adds nothing, only text and partners count.
    other_place = scores[("init-maternity-a", "init-maternity-c")]
    assert other_place["score"] == pytest.approx(0.4 * other_place["reasons"]["text"], abs=1e-3)
    # The same place but other work: no scope either.
    assert scores[("init-maternity-a", "init-procurement")]["score"] < 0.1
    assert pairs(find_overlaps(borough.graph)) == [("init-maternity-a", "init-maternity-b")]


def test_work_in_a_ward_shares_its_borough_with_borough_wide_work():
    g = G()
    g.initiative("init-ward", "Hypertension checks in mosques.", ["theme-ltc"], ["pop-south-asian"], ["place-ward"])
    g.initiative("init-borough", "Blood pressure checks across the borough.", ["theme-ltc"], ["pop-south-asian"],
                 ["place-borough"])
    g.rel("place-ward", "PART_OF", "place-borough")
    [entry] = find_overlaps(g.graph, min_score=0.2)
    assert entry["reasons"]["places"] == [{"id": "place-borough", "name": "Borough"}]


def test_actions_compare_recommendations_themes_outcomes_and_owners():
    g = G()
    for action in ("action-1", "action-2"):
        g.node(action, "Action", title=f"Publish the resource hub {action[-1]}")
    g.node("action-3", "Action", title="Recruit community champions")
    g.node("rec-hub", "Recommendation", title="Create a resource hub").node("person-sam", "Person", name="Sam")
    g.node("theme-learning", "Theme", name="Learning").node("outcome-1", "Outcome", title="Better learning")
    for action in ("action-1", "action-2"):
        g.rel(action, "IMPLEMENTS", "rec-hub").rel(action, "ADDRESSES", "theme-learning")
        g.rel(action, "CONTRIBUTES_TO", "outcome-1").rel("person-sam", "ACCOUNTABLE_FOR", action)
    [entry] = find_overlaps(g.graph, "action")
    assert pairs([entry]) == [("action-1", "action-2")] and entry["type"] == "Action"
    assert set(entry["reasons"]) == {"recommendations", "themes", "outcomes", "owners", "text"}
    assert entry["reasons"]["owners"] == [{"id": "person-sam", "name": "Sam"}]


def test_unknown_kind_and_empty_graphs():
    with pytest.raises(ValueError):
        find_overlaps(nx.MultiDiGraph(), "theme")
    assert find_overlaps(nx.MultiDiGraph(), "action") == [] == brute_force_overlaps(nx.MultiDiGraph())


# -- blocking against brute force ----------------------------------------------------------------

def random_graph(size: int, seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    words = [f"word{k}" for k in range(60)]
    g = G()
    for k in range(size):
        themes = rng.sample([f"theme-{t}" for t in range(6)], rng.randint(1, 3))
        places = rng.sample([f"place-{p}" for p in range(8)], rng.randint(0, 2))
        text = " ".join(rng.choices(words, weights=[1 / (r + 1) for r in range(60)], k=rng.randint(3, 20)))
        g.initiative(f"init-{k:04d}", text, themes, rng.sample(["pop-a", "pop-b", "pop-c"], rng.randint(0, 2)),
                     places, rng.sample([f"org-{o}" for o in range(20)], rng.randint(0, 3)))
    return g.graph


@pytest.mark.parametrize("min_score", [0.15, 0.3, 0.4, 0.5])
def test_blocking_finds_exactly_the_brute_force_pairs(min_score):
    graph = random_graph(250, seed=int(min_score * 100))
    blocked, brute = find_overlaps(graph, min_score=min_score), brute_force_overlaps(graph, min_score=min_score)
    assert brute and pairs(blocked) == pairs(brute)
    assert [entry["score"] for entry in blocked] == pytest.approx([entry["score"] for entry in brute], abs=1e-4)


def test_blocking_finds_exactly_the_brute_force_pairs_of_actions():
    rng, g = random.Random(11), G()
    words = ["publish", "hub", "plan", "review", "data", "panel", "pack", "fund"]
    targets = (("IMPLEMENTS", "Recommendation", 5), ("ADDRESSES", "Theme", 4), ("CONTRIBUTES_TO", "Outcome", 6))
    for k in range(200):
        action = f"action-{k:03d}"
        g.node(action, "Action", title=" ".join(rng.choices(words, k=rng.randint(2, 5))))
        for rel, node_type, count in targets:
            for target in rng.sample(range(count), rng.randint(0, 2)):
                g.node(f"{node_type.lower()}-{target}", node_type, name=f"{node_type} {target}")
                g.rel(action, rel, f"{node_type.lower()}-{target}")
    blocked, brute = find_overlaps(g.graph, "action", min_score=0.3), brute_force_overlaps(g.graph, "action", 0.3)
    assert brute and pairs(blocked) == pairs(brute)


def test_a_limit_gives_the_best_pairs():
    graph = random_graph(200, seed=3)
    everything = find_overlaps(graph, min_score=0.2)
    assert len(everything) > 20
    assert pairs(find_overlaps(graph, min_score=0.2, limit=10)) == pairs(everything)[:10]


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.8])
def test_cosine_join_equals_the_dense_product(threshold):
    rng = np.random.default_rng(int(threshold * 100))
    matrix = sp.random(300, 40, density=0.08, random_state=rng, format="csr")
    matrix = sp.diags(1 / np.maximum(np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()), 1e-12)) @ matrix
    dense = (matrix @ matrix.T).toarray()
    expected = {(i, j) for i, j in zip(*np.nonzero(dense >= threshold), strict=True) if i < j}
    rows, cols, scores = cosine_join(matrix, threshold, chunk=64)
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == expected
    assert np.allclose(scores, dense[rows, cols])


@pytest.mark.parametrize("min_score", [0.2, 0.4])
def test_one_record_s_overlaps_are_its_pairs_in_the_full_answer(min_score):
    graph = random_graph(250, seed=7)
    everything = find_overlaps(graph, min_score=min_score)
    for node in sorted({entry["a"]["id"] for entry in everything})[:15] + ["init-0000", "init-0249"]:
        expected = [entry for entry in everything if node in (entry["a"]["id"], entry["b"]["id"])]
        assert overlaps_of(graph, node, min_score=min_score) == expected, node
    assert overlaps_of(graph, "init-0000", min_score=0.01, limit=3) == overlaps_of(graph, "init-0000", 0.01)[:3]


def test_one_record_of_a_type_without_overlaps_or_absent_is_refused(borough):
    with pytest.raises(ValueError, match="Theme"):
        overlaps_of(borough.graph, "theme-maternity")
    with pytest.raises(KeyError):
        overlaps_of(borough.graph, "init-nobody")


def test_example_records_pair_only_with_example_records(borough):
    g = borough.graph
    g.nodes["init-maternity-b"]["example"] = True
    assert find_overlaps(g) == [] == overlaps_of(g, "init-maternity-a") == overlaps_of(g, "init-maternity-b")
    g.nodes["init-maternity-a"]["example"] = True
    [entry] = find_overlaps(g)
    assert entry["a"]["example"] is True and entry["b"]["example"] is True
    assert [partner.get("example") for partner in entry["reasons"]["partners"]] == [None]


def test_an_example_namesake_is_not_a_likely_duplicate(people):
    people.graph.nodes["person-ruth-2"]["example"] = True
    assert ("person-ruth", "person-ruth-2") not in pairs(find_duplicates(people.graph))
    people.graph.nodes["person-ruth"]["example"] = True
    [ruth] = [entry for entry in find_duplicates(people.graph) if entry["a"]["id"] == "person-ruth"]
    assert ruth["a"]["example"] is True and ruth["b"]["example"] is True


# -- likely duplicate records --------------------------------------------------------------------

@pytest.fixture
def people():
    g = G()
    g.node("org-council", "Organisation", name="Example Borough Council")
    g.node("org-cncl", "Organisation", name="Example Borough Cncl")
    g.node("org-trust", "Organisation", name="Example Mental Health NHS Foundation Trust", identifier="RX1")
    g.node("org-ft", "Organisation", name="Example Mental Hlth NHS FT", identifier="RX1")
    g.node("org-hospitals", "Organisation", name="Example Hospitals NHS Trust")
    g.node("person-ruth", "Person", name="Ruth Penhaligon", email="ruth@example.org")
    g.node("person-ruth-2", "Person", name="Ruth Penhalligon", email="Ruth@example.org")
    g.node("person-sam", "Person", name="Sam Patel", email="sam.patel.1@example.org")
    g.node("person-sam-2", "Person", name="Sam Patel", email="sam.patel.2@example.org")
    g.node("person-jo", "Person", name="Jo Marsh")
    g.rel("person-ruth", "WORKS_FOR", "org-council").rel("person-ruth-2", "WORKS_FOR", "org-council")
    return g


def test_planted_duplicates_are_found_with_their_evidence(people):
    found = {pair: entry for pair, entry in zip(pairs(find_duplicates(people.graph)), find_duplicates(people.graph),
                                                strict=True)}
    assert set(found) == {("org-cncl", "org-council"), ("org-ft", "org-trust"), ("person-ruth", "person-ruth-2")}
    assert found[("org-cncl", "org-council")]["reasons"]["name_similarity"] == 1.0
    assert found[("org-ft", "org-trust")]["reasons"]["same_identifier"] is True
    ruth = found[("person-ruth", "person-ruth-2")]
    assert ruth["type"] == "Person" and ruth["reasons"]["same_email"] is True and ruth["score"] >= 0.9
    assert ruth["reasons"]["shared"] == [{"id": "org-council", "name": "Example Borough Council"}]
    assert "ruth@example.org" not in str(ruth)  # e-mail addresses are never shown


def test_same_name_with_different_emails_is_not_a_likely_duplicate(people):
    assert ("person-sam", "person-sam-2") not in pairs(find_duplicates(people.graph))
    assert ("person-sam", "person-sam-2") in pairs(find_duplicates(people.graph, min_score=0.7))


def test_duplicate_blocking_finds_the_slips_brute_force_finds():
    rng = random.Random(5)
    first = ["Ann", "Bola", "Chidi", "Dana", "Ewa", "Farah", "Gita", "Hamza", "Ines", "Jamal", "Kofi", "Lena"]
    last = ["Lee", "Okafor", "Patel", "Smith", "Nowak", "Reid", "Begum", "Mensah", "Khan", "Osei", "Rossi", "Wong"]
    names = rng.sample([f"{a} {b}" for a in first for b in last], 120)
    g, planted = G(), set()
    for k, name in enumerate(names):
        g.node(f"person-{k:03d}", "Person", name=name)
        if k % 4 == 0:  # entered again with a dropped, doubled or swapped letter
            at, slip = rng.randrange(1, len(name) - 2), rng.randrange(3)
            again = [name[:at] + name[at + 1:], name[:at] + name[at] + name[at:],
                     name[:at] + name[at + 1] + name[at] + name[at + 2:]][slip]
            g.node(f"person-{k:03d}-again", "Person", name=again)
            planted.add((f"person-{k:03d}", f"person-{k:03d}-again"))
    blocked, brute = set(pairs(find_duplicates(g.graph))), set(pairs(brute_force_duplicates(g.graph)))
    assert planted <= blocked <= brute
    assert len(blocked) >= 0.95 * len(brute)


def test_names_are_normalised():
    assert normalise_name("Example Borough Cncl") == normalise_name("example borough council")
    assert normalise_name("Riverside PCN") == "riverside primary care network"
    assert normalise_name("Dr. Zoë O'Neil") == "zoe o neil"


# -- reviews in the graph ------------------------------------------------------------------------

def test_distinct_pairs_vanish_unless_asked_for_and_others_are_marked(borough):
    borough.rel("init-maternity-b", "OVERLAP_REVIEWED", "init-maternity-a", decision="distinct", note="Different")
    assert pairs(find_overlaps(borough.graph)) == []
    [entry] = find_overlaps(borough.graph, include_reviewed=True)
    assert entry["review"]["decision"] == "distinct" and entry["review"]["note"] == "Different"
    assert pair_review(borough.graph, "init-maternity-a", "init-maternity-b")["decision"] == "distinct"


def test_an_alignment_counts_as_an_aligned_review_until_reviewed(borough):
    borough.rel("init-maternity-a", "ALIGNED_WITH", "init-maternity-b")
    [entry] = find_overlaps(borough.graph)
    assert entry["review"]["decision"] == "aligned"
    borough.rel("init-maternity-a", "OVERLAP_REVIEWED", "init-maternity-b", decision="duplicate")
    assert find_overlaps(borough.graph)[0]["review"]["decision"] == "duplicate"


# -- the API -------------------------------------------------------------------------------------

@pytest.fixture
def api(client):
    for path, body in [
        ("themes", {"id": "theme-maternity", "name": "Maternity"}),
        ("populations", {"id": "population-black-african", "name": "Black African"}),
        ("places", {"id": "place-riverside", "name": "Riverside"}),
        ("initiatives", {"id": "init-a", "name": "Maternity equity programme", "description": MATERNITY}),
        ("initiatives", {"id": "init-b", "name": "Maternity equity project", "description": MATERNITY}),
        ("actions", {"id": "action-1", "title": "Publish the resource hub"}),
        ("actions", {"id": "action-2", "title": "Publish the resource hub online"}),
    ]:
        assert client.post(f"/api/v1/{path}", json=body).status_code == 201
    for init in ("init-a", "init-b"):
        for rel, target in (("ADDRESSES", "theme-maternity"), ("SERVES", "population-black-african"),
                            ("OPERATES_IN", "place-riverside")):
            answer = client.post("/api/v1/relationships", json={"type": rel, "from": init, "to": target})
            assert answer.status_code == 201
    return client


def review(client, a, b, decision, **extra):
    return client.post("/api/v1/overlaps/reviews", json={"a": a, "b": b, "decision": decision, **extra})


def relationships(client, rel_type):
    return client.get(f"/api/v1/relationships?type={rel_type}").get_json()["items"]


def test_get_overlaps(api):
    answer = api.get("/api/v1/overlaps")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["kind"] == "initiative" and body["min_score"] == 0.4
    [entry] = body["overlaps"]
    assert entry["a"] == {"id": "init-a", "name": "Maternity equity programme", "leads": []}
    assert entry["review"] is None and body["examples"] is True and "id" not in body
    assert entry["reasons"]["places"] == [{"id": "place-riverside", "name": "Riverside"}]
    assert api.get("/api/v1/overlaps?kind=action&min_score=0.1").get_json()["overlaps"][0]["type"] == "Action"


def test_an_aligned_review_records_alignment_once_and_shows_who_and_when(api):
    answer = review(api, "init-a", "init-b", "aligned", note="One joint plan")
    assert answer.status_code == 201
    made = answer.get_json()
    assert made["a"] == "init-a" and made["decision"] == "aligned" and made["note"] == "One joint plan"
    assert made["by"] and made["at"].endswith("Z")  # the actor and time of the change that created it
    assert review(api, "init-b", "init-a", "aligned").status_code == 201
    assert len(relationships(api, "ALIGNED_WITH")) == 1
    [kept] = relationships(api, "OVERLAP_REVIEWED")
    assert (kept["from"], kept["to"], kept.get("note")) == ("init-b", "init-a", None)
    shown = api.get("/api/v1/overlaps").get_json()["overlaps"][0]["review"]
    assert shown["decision"] == "aligned" and shown["by"] == made["by"] and shown["at"] > made["at"]


def test_a_distinct_review_replaces_the_earlier_one_and_hides_the_pair(api):
    review(api, "init-a", "init-b", "duplicate")
    assert review(api, "init-b", "init-a", "distinct", note="Different cohorts").status_code == 201
    [kept] = relationships(api, "OVERLAP_REVIEWED")
    assert kept["decision"] == "distinct"
    assert api.get("/api/v1/overlaps").get_json()["overlaps"] == []
    [entry] = api.get("/api/v1/overlaps?include_reviewed=true").get_json()["overlaps"]
    assert entry["review"]["decision"] == "distinct" and entry["review"]["note"] == "Different cohorts"


def test_aligned_actions_get_no_alignment(api):
    assert review(api, "action-1", "action-2", "aligned").status_code == 201
    assert relationships(api, "ALIGNED_WITH") == [] and len(relationships(api, "OVERLAP_REVIEWED")) == 1


@pytest.mark.parametrize("query, field", [("kind=theme", "kind"), ("limit=0", "limit"), ("limit=1001", "limit"),
                                          ("min_score=1.5", "min_score"), ("min_score=-0.1", "min_score"),
                                          ("include_reviewed=perhaps", "include_reviewed"), ("colour=red", "colour")])
def test_bad_queries_are_422(api, query, field):
    answer = api.get(f"/api/v1/overlaps?{query}")
    assert answer.status_code == 422 and field in answer.get_json()["errors"]


@pytest.mark.parametrize("body, field", [
    ({"b": "init-b", "decision": "aligned"}, "a"),
    ({"a": "init-a", "b": "init-b", "decision": "maybe"}, "decision"),
    ({"a": "init-a", "b": "init-a", "decision": "distinct"}, "b"),
    ({"a": "init-a", "b": "action-1", "decision": "distinct"}, "b"),
    ({"a": "init-zzz", "b": "init-b", "decision": "distinct"}, "a"),
    ({"a": "init-a", "b": "init-b", "decision": "distinct", "score": 1}, "score"),
    ({"a": "Not An Id", "b": "init-b", "decision": "distinct"}, "a"),
])
def test_bad_reviews_are_422_and_change_nothing(api, body, field):
    answer = api.post("/api/v1/overlaps/reviews", json=body)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]
    assert relationships(api, "OVERLAP_REVIEWED") == []


def test_a_review_body_must_be_json(api):
    assert api.post("/api/v1/overlaps/reviews", data="a=init-a").status_code == 415


def test_openapi_documents_overlaps(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "201" in paths["/api/v1/overlaps/reviews"]["post"]["responses"]
    assert {parameter["name"] for parameter in paths["/api/v1/overlaps"]["get"]["parameters"]} >= {
        "kind", "min_score", "limit", "include_reviewed"}


def test_the_demo_borough(runner, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    top = [(entry["a"]["id"], entry["b"]["id"]) for entry in client.get("/api/v1/overlaps").get_json()["overlaps"]]
    assert top[:2] == [("init-maternity-equity-community", "init-maternity-equity-hospitals"),
                       ("init-reciprocal-mentoring-icb", "init-reverse-mentoring-hospitals")]
    records = client.get("/api/v1/overlaps?kind=record").get_json()["overlaps"]
    assert {(entry["a"]["id"], entry["b"]["id"]) for entry in records} >= {
        ("org-example-borough-cncl", "org-example-borough-council"),
        ("person-ruth-penhaligon", "person-ruth-penhalligon")}
    actions = client.get("/api/v1/overlaps?kind=action").get_json()["overlaps"]
    assert actions and all(entry["type"] == "Action" for entry in actions)
