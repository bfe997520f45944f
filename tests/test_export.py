"""Exports: every format reads back with the graph's counts; selection; redaction for viewers; the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import pytest

from graphsvc.exporting import FORMATS, cypher_literal, select_subgraph, write_cypher

PERSON_WITH_EMAIL = "person-nadia-farrow"


@pytest.fixture
def seeded(runner, service):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return service.graph()


def download(client, **query):
    response = client.get("/api/v1/export", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_every_format_is_an_attachment_with_its_media_type(client, seeded):
    for name, fmt in FORMATS.items():
        response = download(client, format=name)
        assert response.content_type.split(";")[0] == fmt.media_type.split(";")[0]
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="graphsvc-export-') and disposition.endswith(
            f'.{fmt.extension}"')
        assert response.data


def test_native_json_has_every_node_and_relationship(client, seeded):
    document = download(client).get_json()
    assert {n["id"] for n in document["nodes"]} == set(seeded.nodes)
    assert {r["id"] for r in document["relationships"]} == {k for _, _, k in seeded.edges(keys=True)}
    node = next(n for n in document["nodes"] if n["id"] == PERSON_WITH_EMAIL)
    assert node["type"] == "Person" and node["email"] and "updated_at" not in node
    source, target, key = next(iter(seeded.edges(keys=True)))
    rel = next(r for r in document["relationships"] if r["id"] == key)
    assert (rel["from"], rel["to"], rel["type"]) == (source, target, seeded.edges[source, target, key]["type"])


def test_graphml_and_gexf_read_back_with_the_same_counts(client, seeded, tmp_path):
    for name, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"export.{name}"
        path.write_bytes(download(client, format=name).data)
        graph = read(path)
        assert graph.number_of_nodes() == seeded.number_of_nodes(), name
        assert graph.number_of_edges() == seeded.number_of_edges(), name
        assert set(graph.nodes) == set(seeded.nodes)
    graphml = nx.read_graphml(tmp_path / "export.graphml")
    assert graphml.nodes[PERSON_WITH_EMAIL]["type"] == "Person"
    assert graphml.nodes[PERSON_WITH_EMAIL]["label"] == seeded.nodes[PERSON_WITH_EMAIL]["name"]
    gexf = nx.read_gexf(tmp_path / "export.gexf")
    assert gexf.nodes[PERSON_WITH_EMAIL]["label"] == seeded.nodes[PERSON_WITH_EMAIL]["name"]
    assert {d["relationship_type"] for *_, d in gexf.edges(data=True)} == {d["type"] for *_, d in
                                                                          seeded.edges(data=True)}


def test_kumu_has_the_documented_shape(client, seeded):
    document = json.loads(download(client, format="kumu").data)
    assert set(document) == {"elements", "connections"}
    assert len(document["elements"]) == seeded.number_of_nodes()
    assert len(document["connections"]) == seeded.number_of_edges()
    ids = set()
    for element in document["elements"]:
        assert {"id", "label", "type"} <= element.keys() and element["label"]
        ids.add(element["id"])
    assert len(ids) == len(document["elements"])
    for connection in document["connections"]:
        assert {"from", "to", "type", "direction"} <= connection.keys()
        assert connection["direction"] == "directed"
        assert connection["from"] in ids and connection["to"] in ids


def test_xlsx_has_one_row_per_node_and_relationship(client, seeded):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(download(client, format="xlsx").data), read_only=True)
    assert workbook.sheetnames == ["nodes", "relationships"]
    nodes, rels = list(workbook["nodes"].values), list(workbook["relationships"].values)
    assert nodes[0][:3] == ("id", "type", "name") and rels[0][:4] == ("id", "type", "from", "to")
    assert len(nodes) == seeded.number_of_nodes() + 1
    assert len(rels) == seeded.number_of_edges() + 1


def test_csv_zip_has_both_files(client, seeded):
    archive = zipfile.ZipFile(io.BytesIO(download(client, format="csv").data))
    assert sorted(archive.namelist()) == ["nodes.csv", "relationships.csv"]
    nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8-sig"))))
    rels = list(csv.DictReader(io.StringIO(archive.read("relationships.csv").decode("utf-8-sig"))))
    assert len(nodes) == seeded.number_of_nodes() and len(rels) == seeded.number_of_edges()
    assert list(nodes[0])[:2] == ["id", "type"] and list(rels[0])[:4] == ["id", "type", "from", "to"]
    person = next(row for row in nodes if row["id"] == PERSON_WITH_EMAIL)
    assert person["email"] and person["name"] == seeded.nodes[PERSON_WITH_EMAIL]["name"]


def test_selection_by_types_ids_and_neighbourhood(client, seeded):
    people = download(client, types="Person,Organisation").get_json()
    assert {n["type"] for n in people["nodes"]} == {"Person", "Organisation"}
    kept = {n["id"] for n in people["nodes"]}
    assert all(r["from"] in kept and r["to"] in kept for r in people["relationships"])
    assert len(people["nodes"]) == sum(1 for _, t in seeded.nodes(data="type") if t in ("Person", "Organisation"))

    two = sorted(seeded.nodes)[:2]
    assert {n["id"] for n in download(client, ids=",".join(two)).get_json()["nodes"]} == set(two)

    around = download(client, around=PERSON_WITH_EMAIL, depth=1).get_json()
    neighbours = {PERSON_WITH_EMAIL, *seeded.successors(PERSON_WITH_EMAIL), *seeded.predecessors(PERSON_WITH_EMAIL)}
    assert {n["id"] for n in around["nodes"]} == neighbours
    only_self = download(client, around=PERSON_WITH_EMAIL, depth=0).get_json()
    assert [n["id"] for n in only_self["nodes"]] == [PERSON_WITH_EMAIL] and only_self["relationships"] == []
    wider = select_subgraph(seeded, around=PERSON_WITH_EMAIL, depth=2)
    assert set(neighbours) < set(wider.nodes)
    assert all(wider.has_node(u) and wider.has_node(v) for u, v in wider.edges())


def test_viewer_gets_no_email(client_as, seeded):
    viewer = client_as("viewer")
    for name in FORMATS:
        body = download(viewer, format=name).data
        if name not in ("csv", "xlsx"):  # compressed; checked below
            assert b"email" not in body, name
    from openpyxl import load_workbook

    header = next(load_workbook(io.BytesIO(download(viewer, format="xlsx").data))["nodes"].values)
    assert "email" not in header
    archive = zipfile.ZipFile(io.BytesIO(download(viewer, format="csv").data))
    assert "email" not in archive.read("nodes.csv").decode("utf-8-sig")
    assert "email" in zipfile.ZipFile(io.BytesIO(download(client_as("coordinator"), format="csv").data)).read(
        "nodes.csv").decode("utf-8-sig")


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"types": "Nope"}, {"depth": "9", "around": "x"},
                                   {"depth": "two"}, {"colour": "red"}])
def test_bad_parameters_are_422(client, seeded, query):
    assert client.get("/api/v1/export", query_string=query).status_code == 422


def test_unknown_around_is_404(client, seeded):
    assert client.get("/api/v1/export", query_string={"around": "no-such-node"}).status_code == 404


def test_anonymous_is_refused(anonymous, seeded):
    assert anonymous.get("/api/v1/export").status_code == 401


def test_cli_export(runner, seeded, tmp_path):
    out = tmp_path / "graph.gexf"
    result = runner.invoke(args=["export", "--format", "gexf", "--types", "Person", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == sum(1 for _, t in seeded.nodes(data="type") if t == "Person")
    result = runner.invoke(args=["export", "--format", "json", "--around", PERSON_WITH_EMAIL, "--depth", "0", "-"])
    assert result.exit_code == 0, result.output
    assert [n["id"] for n in json.loads(result.stdout)["nodes"]] == [PERSON_WITH_EMAIL]
    assert runner.invoke(args=["export", "--format", "json", "--around", "nope", "-"]).exit_code != 0
    assert runner.invoke(args=["export", "--format", "pdf", "-"]).exit_code != 0


def test_cypher_literals_escape_strings():
    assert cypher_literal("O'Brien \\ x\ny") == "'O\\'Brien \\\\ x\\ny'"
    assert cypher_literal({"a": [1, 2.5, True, None]}) == "{a: [1, 2.5, true, null]}"


def test_cypher_export_has_one_statement_per_node_and_relationship(client, seeded):
    text = download(client, format="cypher").data.decode("utf-8")
    statements = [s for s in text.split(";\n") if s.strip()]
    assert len(statements) == seeded.number_of_nodes() + seeded.number_of_edges()
    assert all(s.startswith(("MERGE (n:Node:`", "MATCH (a:Node")) for s in statements)
    assert "$" not in text.replace("\\$", "")


def test_cypher_export_passes_the_cypher_check(seeded, service):
    """Neo4j's own front end (tests/cypher/lint.mjs) on a sample of the exported statements."""
    from test_cypher_lint import Sample, declared_schema, is_failure, lint

    buffer = io.BytesIO()
    graph = seeded.copy()
    graph.add_node("odd-node", type="Person", name="O'Neil \\ \"quoted\"\nnew line; MERGE", email="x@example.org")
    write_cypher(graph, buffer, service.vocabulary)
    texts = [s for s in buffer.getvalue().decode("utf-8").split(";\n") if s.strip()]
    by_type = {}
    for text in texts:  # one statement per node label / relationship type keeps the node process quick
        by_type.setdefault(text.split("{", 1)[0] if text.startswith("MERGE") else text.split("[r:")[1][:30], text)
    odd = next(t for t in texts if "odd-node" in t)
    samples = [Sample(f"export:{i}", t) for i, t in enumerate([*by_type.values(), odd])]
    results = lint(samples, declared_schema())
    failures = [f"{s.text[:80]}: {d['message']}" for s in samples for d in results[s.name] if is_failure(d)]
    assert not failures, failures
