"""Real and fictional never mix: the demo is marked, kept apart from real records, and removable."""

from __future__ import annotations

from graphsvc.cli import seed_dataset
from graphsvc.vocabulary import EXAMPLE_PROPERTY

# The only ways example work may reach a real record: what the demonstration is about.
MAY_CROSS = {"IMPLEMENTS", "ADDRESSES", "SERVES", "BROKEN_DOWN_BY", "EVIDENCES"}


def _is_example(graph, node):
    return graph.nodes[node].get(EXAMPLE_PROPERTY) is True


def test_every_demo_record_is_marked_and_no_report_record_is(seeded, service):
    graph = service.graph()
    examples = {n for n in graph if _is_example(graph, n)}
    real = set(graph) - examples
    assert len(examples) >= 120
    assert {"group-example-cop", "group-governance", "person-nadia-farrow",
            "init-maternity-equity-hospitals"} <= examples
    assert {"source-cop-evaluation-2025-03", "group-cop-anti-racism-health-equity", "org-healthwatch-greenwich",
            "rec-clarify-purpose", "theme-access-to-care"} <= real
    assert not any(graph.nodes[n]["type"] in ("Person",) for n in real)  # no real person is shipped


def test_no_fictional_record_links_to_a_real_one_anywhere_in_the_seeded_graph(seeded, service):
    graph = service.graph()
    crossing = [(s, d["type"], t) for s, t, d in graph.edges(data=True)
                if _is_example(graph, s) != _is_example(graph, t)]
    assert crossing, "the demo implements the real report's recommendations"
    for source, rel_type, target in crossing:
        assert rel_type in MAY_CROSS, (source, rel_type, target)
        assert _is_example(graph, source), f"a real record points at example {target}"
    # and in particular nothing fictional belongs to, sponsors, leads, oversees or owns the real CoP
    assert not [s for s, _ in graph.in_edges("group-cop-anti-racism-health-equity") if _is_example(graph, s)]


def test_the_mark_travels_to_api_answers_and_exports(seeded, client):
    person = client.get("/api/v1/people/person-nadia-farrow").get_json()
    assert person["example"] is True
    assert "example" not in client.get("/api/v1/recommendations/rec-clarify-purpose").get_json()
    exported = client.get("/api/v1/export?format=json").get_json()
    nodes = {node["id"]: node for node in exported["nodes"]}
    assert nodes["person-nadia-farrow"]["example"] is True and "example" not in nodes["rec-clarify-purpose"]
    csv_zip = client.get("/api/v1/export?format=csv")
    assert csv_zip.status_code == 200
    gexf = client.get("/api/v1/export?format=gexf").get_data(as_text=True)
    assert "example" in gexf


def test_the_boundary_rule_refuses_fictional_links_to_real_records_on_every_path(seeded, client):
    refused = client.post("/api/v1/relationships", json={
        "type": "MEMBER_OF", "from": "person-sam-whitlock", "to": "group-cop-anti-racism-health-equity"})
    assert refused.status_code == 422 and refused.get_json()["errors"]["rule"] == ["examples-stay-apart"]
    # a real record may not point at an example one either
    client.post("/api/v1/organisations", json={"id": "org-real-trust", "name": "A Real Trust"})
    refused = client.post("/api/v1/relationships", json={
        "type": "PARTNERS_IN", "from": "org-real-trust", "to": "init-maternity-equity-hospitals"})
    assert refused.status_code == 422
    imported = client.post("/api/v1/import", json={"relationships": [
        {"type": "SPONSORS", "from": "person-nadia-farrow", "to": "group-cop-anti-racism-health-equity"}]})
    assert imported.status_code == 422 and "example" in imported.get_json()["errors"][0]["message"].lower()
    owner = client.put("/api/v1/actions/action-a18/accountable", json={"owner": "org-real-trust"})
    assert owner.status_code == 422
    # example work may implement a real recommendation
    client.post("/api/v1/actions", json={"id": "action-example-new", "title": "Try it", "example": True})
    allowed = client.post("/api/v1/relationships", json={
        "type": "IMPLEMENTS", "from": "action-example-new", "to": "rec-clarify-purpose"})
    assert allowed.status_code == 201


def test_marking_a_linked_record_as_example_is_refused(seeded, client):
    changed = client.patch("/api/v1/recommendations/rec-clarify-purpose", json={"example": True})
    assert changed.status_code == 422  # example actions implement it: it would become fictional-to-fictional
    client.post("/api/v1/themes", json={"id": "theme-lonely", "name": "Lonely theme"})
    assert client.patch("/api/v1/themes/theme-lonely", json={"example": True}).status_code == 200


def _real_state(service):
    graph = service.graph()
    real = sorted(n for n in graph if not _is_example(graph, n))
    nodes = [service.store.get_node(n).as_record() for n in real]
    relationships = sorted((r.as_record() for n in real for r in service.store.relationships_of(n)
                            if not _is_example(graph, r.source) and not _is_example(graph, r.target)),
                           key=lambda record: record["id"])
    history = {n: [c.as_record() for c in service.store.history(subject=n, limit=10_000)] for n in real}
    return real, nodes, relationships, history


def test_removing_the_demo_leaves_real_data_and_its_history_exactly_as_they_were(seeded, runner, service):
    before = _real_state(service)
    seq = service.store.last_seq()
    result = runner.invoke(args=["seed", "--remove", "demo"])
    assert result.exit_code == 0, result.output
    graph = service.graph()
    assert not [n for n in graph if _is_example(graph, n)]
    assert _real_state(service) == before
    removals = service.store.changes_since(seq)
    assert {change.operation for change in removals} == {"delete_node", "delete_relationship"}
    assert {change.actor for change in removals} == {"seed"}
    # one transaction: nothing else was interleaved, and seeding again brings the demo back
    assert [c.seq for c in removals] == list(range(seq + 1, seq + 1 + len(removals)))
    assert seed_dataset(seeded, "all")["created"] > 100


def test_analyses_and_reports_leave_examples_out_when_asked(seeded, client, service):
    assert service.graph(examples=False).number_of_nodes() < service.graph().number_of_nodes()
    assert not [n for n, d in service.graph(examples=False).nodes(data=True) if d.get(EXAMPLE_PROPERTY)]
    gaps = client.get("/api/v1/gaps?examples=false").get_json()
    assert gaps["gaps"] and all(not gap.get("example") for gap in gaps["gaps"])
    with_demo = client.get("/api/v1/gaps").get_json()
    assert any(gap.get("example") for gap in with_demo["gaps"])
    log = client.get("/api/v1/reports/action-log?format=json&examples=false").get_json()
    assert log["rows"] == []  # every shipped action is fictional
    demo_log = client.get("/api/v1/reports/action-log?format=json").get_json()
    assert demo_log["rows"] and all(row["example"] is True for row in demo_log["rows"])
    exported = client.get("/api/v1/export?format=json&examples=false").get_json()
    assert not [n for n in exported["nodes"] if n.get("example")]


def test_a_demo_seeded_before_the_mark_existed_is_removed_too(app, runner, service, monkeypatch):
    import graphsvc.cli

    monkeypatch.setattr(graphsvc.cli, "_marked", lambda document: {**document, "example": None})
    assert runner.invoke(args=["seed", "--dataset", "all"]).exit_code == 0
    graph = service.graph()
    assert "person-nadia-farrow" in graph and not [n for n in graph if _is_example(graph, n)]
    result = runner.invoke(args=["seed", "--remove", "demo"])
    assert result.exit_code == 0, result.output
    remaining = service.graph()
    assert "person-nadia-farrow" not in remaining and "group-example-cop" not in remaining
    assert {"rec-clarify-purpose", "theme-access-to-care", "group-cop-anti-racism-health-equity"} <= set(remaining)
