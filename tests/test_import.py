"""Bulk import: round trips through every table format, atomicity with every problem located,
duplicates, convenience columns, roles, templates and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.auth import issue_token
from graphsvc.exporting import node_records, relationship_records
from graphsvc.importing import ImportOptions, import_document
from tests.conftest import authorised_client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEGACY_ACTION = "action-a20"  # the demo's action with two accountable owners


@pytest.fixture
def seeded(runner, service):
    assert runner.invoke(args=["seed"]).exit_code == 0
    return service


@pytest.fixture
def settled(seeded, client):
    """The demo with its one legacy two-owner action handed to a single owner, as governance would:
    imports, like every write path, refuse a second accountable owner."""
    graph = seeded.graph()
    owners = [s for s, _, d in graph.in_edges(LEGACY_ACTION, data=True) if d["type"] == "ACCOUNTABLE_FOR"]
    assert len(owners) == 2
    assert client.put(f"/api/v1/actions/{LEGACY_ACTION}/accountable", json={"owner": owners[0]}).status_code == 200
    return seeded


@pytest.fixture
def empty(tmp_path):
    """A second, empty graphsvc (its own database) with an admin client."""
    app = create_app({"DATABASE": str(tmp_path / "empty.sqlite3"), "TESTING": True})
    service = get_service(app)
    client = authorised_client(app, issue_token(service.store, "importer", "admin", "test")[1])
    return service, client


def snapshot(service) -> tuple[list, list]:
    graph = service.graph()
    return node_records(graph), relationship_records(graph)


def post_import(client, query="", **kwargs):
    return client.post(f"/api/v1/import{query}", **kwargs)


def workbook_bytes(nodes: list[list], relationships: list[list] | None = None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("nodes", nodes), ("relationships", relationships)):
        if rows is not None:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- round trips -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xlsx", "csv"])
def test_export_then_import_into_an_empty_store_gives_the_same_graph(client, settled, empty, fmt):
    exported = client.get("/api/v1/export", query_string={"format": fmt})
    assert exported.status_code == 200
    target, target_client = empty
    if fmt == "json":
        answer = post_import(target_client, json=exported.get_json())
    else:
        name = "graph.xlsx" if fmt == "xlsx" else "graph.csv.zip"
        answer = post_import(target_client, data={"file": (io.BytesIO(exported.data), name)})
    body = answer.get_json()
    assert answer.status_code == 200, body["errors"][:5]
    nodes, relationships = snapshot(settled)
    assert body["created"] == len(nodes) + len(relationships) and body["applied"] is True
    assert snapshot(target) == (nodes, relationships)


def test_a_csv_pair_imports_as_two_multipart_parts(client, settled, empty):
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/export?format=csv").data))
    target, target_client = empty
    parts = {name: (io.BytesIO(archive.read(f"{name}.csv")), f"{name}.csv") for name in ("relationships", "nodes")}
    answer = post_import(target_client, data=parts)
    assert answer.status_code == 200, answer.get_json()["errors"][:5]
    assert snapshot(target) == snapshot(settled)


def test_a_second_accountable_owner_in_a_file_is_refused_where_it_is(client, seeded, empty):
    document = client.get("/api/v1/export").get_json()
    body = post_import(empty[1], json=document).get_json()
    [error] = body["errors"]
    row = document["relationships"][error["row"] - 1]
    assert (row["type"], row["to"], error["column"]) == ("ACCOUNTABLE_FOR", LEGACY_ACTION, "to")
    assert empty[0].store.count() == (0, 0)


def test_importing_the_demo_twice_changes_nothing_the_second_time(client, settled, empty):
    document = client.get("/api/v1/export").get_json()
    _, target_client = empty
    first = post_import(target_client, json=document).get_json()
    second = post_import(target_client, json=document).get_json()
    assert first["created"] == len(document["nodes"]) + len(document["relationships"])
    assert (second["created"], second["updated"]) == (0, 0)
    assert second["unchanged"] == first["created"]


# -- atomicity and located problems ------------------------------------------------------------------


def test_one_bad_row_among_many_imports_nothing_and_names_the_row_and_field(client, service):
    nodes = [{"id": f"theme-t{i}", "type": "Theme", "name": f"Theme {i}"} for i in range(200)]
    nodes[137] = {"id": "initiative-bad", "type": "Initiative", "name": "Bad dates", "start_date": "31/02/2025"}
    before = service.store.count()
    answer = post_import(client, json={"nodes": nodes})
    body = answer.get_json()
    assert answer.status_code == 422 and body["applied"] is False
    assert body["errors"] == [{"file": "request.json", "sheet": "nodes", "row": 138, "column": "start_date",
                               "message": body["errors"][0]["message"]}]
    assert "date" in body["errors"][0]["message"].lower()
    assert service.store.count() == before


def test_ten_different_problems_are_all_reported(client, service):
    document = {
        "nodes": [
            {"id": "org-ok", "type": "Organisation", "name": "Fine Org", "kind": "nhs_trust"},
            {"id": "x-1", "type": "Spaceship", "name": "Unknown type"},                      # 1 type
            {"id": "Bad Id", "type": "Theme", "name": "Bad id"},                               # 2 id
            {"id": "theme-no-name", "type": "Theme"},                                          # 3 name required
            {"id": "initiative-x", "type": "Initiative", "name": "X", "status": "dreaming"},   # 4 status
            {"id": "theme-extra", "type": "Theme", "name": "Extra", "colour": "red"},          # 5 unknown field
            {"id": "org-ok", "type": "Organisation", "name": "Twice"},                         # 6 id repeated
            "not an object",                                                                   # 7 shape
        ],
        "relationships": [
            {"type": "LEADS", "from": "org-ok", "to": "nowhere"},                              # 8 missing end
            {"type": "FLIES_TO", "from": "org-ok", "to": "org-ok"},                            # 9 unknown type
            {"type": "SERVES", "from": "org-ok", "to": "org-ok"},                              # 10 endpoints
        ],
    }
    body = post_import(client, json=document).get_json()
    assert body["error_count"] == 10 and len(body["errors"]) == 10
    located = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert located == {("nodes", 2, "type"), ("nodes", 3, "id"), ("nodes", 4, "name"), ("nodes", 5, "status"),
                       ("nodes", 6, "colour"), ("nodes", 7, "id"), ("nodes", 8, None),
                       ("relationships", 1, "to"), ("relationships", 2, "type"), ("relationships", 3, "type")}
    assert service.store.count() == (0, 0)


def test_spreadsheet_problems_name_the_sheet_row_and_column(client, service):
    content = workbook_bytes([["id", "type", "name", "start_date", "baseline", "colour"],
                              ["initiative-a", "Initiative", "A", dt.date(2025, 4, 1), None, None],
                              ["initiative-b", "Initiative", "B", "not a date", None, None],
                              ["indicator-c", "Indicator", "C", None, "lots", None]])
    body = post_import(client, data={"file": (io.BytesIO(content), "map.xlsx")}).get_json()
    where = {(e["file"], e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert where == {("map.xlsx", "nodes", 1, "colour"), ("map.xlsx", "nodes", 3, "start_date"),
                     ("map.xlsx", "nodes", 4, "baseline")}
    assert service.store.count() == (0, 0)


def test_unreadable_files_are_422_not_500(client):
    for name, content in (("broken.xlsx", b"PK\x03\x04 not really"), ("broken.json", b'{"nodes": [{"id": '),
                          ("empty.csv", b""), ("notes.txt", b"hello")):
        answer = post_import(client, data={"file": (io.BytesIO(content), name)})
        assert answer.status_code == 422, name
        assert answer.get_json()["errors"][0]["file"] == name
    assert post_import(client, data={}, content_type="multipart/form-data").status_code == 422
    assert post_import(client, data=b"a,b", content_type="application/pdf").status_code == 415
    assert post_import(client, json={"nodes": []}, query="?mode=replace").status_code == 422


def test_the_import_is_one_change_log_batch_by_the_importer(client, service):
    seq = service.store.last_seq()
    post_import(client, json={"nodes": [{"id": "theme-a", "type": "Theme", "name": "A"},
                                        {"id": "theme-b", "type": "Theme", "name": "B"}],
                              "relationships": [{"type": "PART_OF", "from": "theme-a", "to": "theme-b"}]})
    changes = service.store.changes_since(seq)
    assert [c.operation for c in changes] == ["create_node", "create_node", "create_relationship", "import"]
    assert {c.actor for c in changes} == {"admin-token"}
    closing = changes[-1]  # says how many entries before it are this import's
    assert closing.subject.startswith("import:") and closing.before is None
    assert closing.after == {"entries": 3, "rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert service.graph().number_of_nodes() == 2  # the projection reads past it


def test_a_dry_run_or_a_refused_import_leaves_no_import_entry(client, service):
    seq = service.store.last_seq()
    post_import(client, json={"nodes": [{"id": "theme-a", "type": "Theme", "name": "A"}]}, query="?dry_run=true")
    post_import(client, json={"nodes": [{"id": "theme-a", "type": "Theme"}]})
    assert service.store.last_seq() == seq


# -- options -----------------------------------------------------------------------------------------


def test_dry_run_counts_and_writes_nothing(client, service):
    answer = post_import(client, json={"nodes": [{"type": "Theme", "name": "New"}]}, query="?dry_run=true")
    body = answer.get_json()
    assert answer.status_code == 200 and body["created"] == 1 and body["applied"] is False
    assert body["message"].startswith("Dry run")
    assert service.store.count() == (0, 0)


def test_merge_keeps_what_a_row_leaves_blank_and_create_only_refuses_existing(client, service):
    post_import(client, json={"nodes": [{"id": "initiative-m", "type": "Initiative", "name": "M",
                                         "description": "Kept"}]})
    merged = post_import(client, json={"nodes": [{"id": "initiative-m", "type": "Initiative", "name": "M2"}]})
    assert merged.get_json()["updated"] == 1
    assert service.get_node("initiative-m").properties == {"name": "M2", "description": "Kept"}
    refused = post_import(client, json={"nodes": [{"id": "initiative-m", "type": "Initiative", "name": "M3"}]},
                          query="?mode=create_only")
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["column"] == "id"
    assert service.get_node("initiative-m").properties["name"] == "M2"


def test_rows_without_an_id_that_match_a_name_are_possible_duplicates(client, service):
    post_import(client, json={"nodes": [{"id": "org-ebc", "type": "Organisation", "name": "Example Borough Council"}]})
    document = {"nodes": [{"type": "Organisation", "name": "Example Borough Council."},
                          {"type": "Organisation", "name": "Example Boro Council"},
                          {"type": "Organisation", "name": "Riverside Food Bank"}]}
    body = post_import(client, json=document).get_json()
    assert body["created"] == 1 and body["applied"] is True
    assert [(d["row"], d["matches"]["id"]) for d in body["possible_duplicates"]] == [(1, "org-ebc"), (2, "org-ebc")]
    assert service.get_node("organisation-riverside-food-bank").properties["name"] == "Riverside Food Bank"
    accepted = post_import(client, json=document, query="?accept_duplicates=true").get_json()
    assert accepted["created"] == 2 and accepted["unchanged"] == 1 and accepted["possible_duplicates"] == []


def test_rows_without_an_id_imported_again_are_the_same_records(client):
    document = {"nodes": [{"type": "Theme", "name": "Housing"}, {"type": "Theme", "name": "Transport"}]}
    assert post_import(client, json=document).get_json()["created"] == 2
    again = post_import(client, json=document).get_json()
    assert (again["created"], again["unchanged"], again["possible_duplicates"]) == (0, 2, [])


# -- spreadsheets ------------------------------------------------------------------------------------


def test_convenience_columns_link_existing_nodes_by_name_and_create_new_ones(client, seeded):
    # An example row (it partners with the fictional demo council): names it brings in are examples too.
    content = workbook_bytes(
        [["id", "type", "name", "start_date", "themes", "populations", "partners", "example"],
         ["initiative-new", "Initiative", "Walking clinics", dt.datetime(2025, 6, 2),
          "access to care | Urban walking", "Black Caribbean", "Riverside Walkers|Example Borough Council", True]])
    body = post_import(client, data={"file": (io.BytesIO(content), "map.xlsx")}).get_json()
    assert body["applied"], body["errors"]
    graph = seeded.graph()
    assert graph.nodes["initiative-new"]["start_date"] == "2025-06-02"
    linked = {(graph.nodes[t]["type"], graph.nodes[t].get("name"), d["type"])
              for _, t, d in graph.out_edges("initiative-new", data=True)}
    assert ("Theme", "Access to care", "ADDRESSES") in linked and ("Theme", "Urban walking", "ADDRESSES") in linked
    assert ("Population", "Black Caribbean", "SERVES") in linked
    partners = {graph.nodes[s].get("name") for s, _, d in graph.in_edges("initiative-new", data=True)
                if d["type"] == "PARTNERS_IN"}
    assert partners == {"Riverside Walkers", "Example Borough Council"}
    assert body["created"] == 1 + 2 + 5  # the initiative, two new nodes, five links
    new_theme = next(t for _, t, d in graph.out_edges("initiative-new", data=True)
                     if graph.nodes[t].get("name") == "Urban walking")
    assert graph.nodes[new_theme]["example"] is True and graph.nodes["theme-access-to-care"].get("example") is None


def test_a_convenience_column_a_type_cannot_have_is_reported(client):
    content = workbook_bytes([["type", "name", "populations"], ["Theme", "Lonely", "Black African"]])
    body = post_import(client, data={"file": (io.BytesIO(content), "map.xlsx")}).get_json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "populations")]


def test_csv_rows_read_numbers_dates_and_blanks(client, service):
    text = "id,type,name,baseline,target,latest_date,unit\nindicator-x,Indicator,X,12,14.5,2025-03-01,\n"
    answer = post_import(client, data={"nodes": (io.BytesIO(text.encode()), "nodes.csv")})
    assert answer.status_code == 200, answer.get_json()
    assert service.get_node("indicator-x").properties == {"name": "X", "baseline": 12, "target": 14.5,
                                                          "latest_date": "2025-03-01"}


def test_templates_list_every_column_and_a_filled_template_imports(client, service):
    template = client.get("/api/v1/import/template.xlsx")
    assert template.status_code == 200 and template.content_type == XLSX
    workbook = load_workbook(io.BytesIO(template.data))
    assert workbook.sheetnames == ["nodes", "relationships", "guide"]
    header = [cell.value for cell in workbook["nodes"][1]]
    assert header[:2] == ["id", "type"] and {"themes", "partners", "due_date", "email"} <= set(header)
    sheet = workbook["nodes"]
    sheet.append({1: "org-t", 2: "Organisation", header.index("name") + 1: "Template Org"})
    workbook["relationships"].append(["", "LEADS", "org-t", "initiative-t"])
    sheet.append({1: "initiative-t", 2: "Initiative", header.index("name") + 1: "Template work"})
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = post_import(client, data={"file": (io.BytesIO(buffer.getvalue()), "filled.xlsx")})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["created"] == 3
    csv_header = client.get("/api/v1/import/template.csv?table=relationships").get_data(as_text=True)
    assert next(csv.reader(io.StringIO(csv_header.lstrip("\ufeff"))))[:4] == ["id", "type", "from", "to"]


# -- rules and roles ---------------------------------------------------------------------------------


def test_privacy_and_cardinality_rules_hold_on_import(client, seeded):
    graph = seeded.graph()
    caucus = next(n for n, d in graph.nodes(data=True) if d["type"] == "Group" and d.get("kind") == "caucus")
    owned, owner = next((t, s) for s, t, d in graph.edges(data=True) if d["type"] == "ACCOUNTABLE_FOR"
                        and graph.nodes[t]["type"] == "Action")
    person = next(n for n, d in graph.nodes(data=True) if d["type"] == "Person" and n != owner)
    body = post_import(client, json={"relationships": [
        {"type": "MEMBER_OF", "from": person, "to": caucus},
        {"type": "ACCOUNTABLE_FOR", "from": person, "to": owned}]}).get_json()
    assert [e["row"] for e in body["errors"]] == [1, 2]
    assert "caucus" in body["errors"][0]["message"] and "accountable" in body["errors"][1]["message"]


def test_governance_changes_in_a_file_need_the_governance_role(client_as, seeded):
    graph = seeded.graph()
    action = next(n for n, d in graph.nodes(data=True) if d["type"] == "Action")
    person = next(n for n, d in graph.nodes(data=True) if d["type"] == "Person")
    document = {"nodes": [{"id": action, "type": "Action", "status": "blocked"}],
                "relationships": [{"type": "INFORMED_OF", "from": person, "to": action}]}
    refused = post_import(client_as("coordinator"), json=document)
    assert refused.status_code == 422
    assert {e["column"] for e in refused.get_json()["errors"]} == {"status", "type"}
    assert post_import(client_as("governance"), json=document).status_code == 200
    assert post_import(client_as("viewer"), json=document).status_code == 403


# -- engine and CLI ----------------------------------------------------------------------------------


def test_small_chunks_give_the_same_answer_as_one_chunk(service):
    document = {"nodes": [{"id": f"theme-{i}", "type": "Theme", "name": f"T{i}"} for i in range(30)],
                "relationships": [{"type": "PART_OF", "from": f"theme-{i}", "to": f"theme-{i + 1}"}
                                  for i in range(29)] + [{"type": "PART_OF", "from": "theme-0", "to": "theme-1"}]}
    result = import_document(service, document, "test", options=ImportOptions(chunk_size=7))
    assert (result.created, result.unchanged, result.error_count) == (59, 1, 0)


def test_cli_import_reports_and_exits_non_zero_on_problems(runner, service, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"nodes": [{"id": "theme-cli", "type": "Theme", "name": "CLI"}]}))
    result = runner.invoke(args=["import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "Dry run" in result.output and service.store.count() == (0, 0)
    result = runner.invoke(args=["import", str(good)])
    assert result.exit_code == 0 and "1 created" in result.output
    bad = tmp_path / "nodes.csv"
    bad.write_text("id,type,name\ntheme-x,Theme,\n")
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code == 1 and "nodes.csv, nodes, row 2, column name" in result.output
    assert service.store.count() == (1, 0)


def test_imports_may_be_larger_than_other_requests_up_to_their_own_limit(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "big.sqlite3"), "TESTING": True, "IMPORT_MAX_BYTES": 3 * 2**20})
    client = authorised_client(app, issue_token(get_service(app).store, "big", "admin", "test")[1])
    padding = "x" * 1000
    nodes = [{"id": f"theme-{i}", "type": "Theme", "name": f"T{i}", "description": padding} for i in range(2000)]
    assert 2**20 < len(json.dumps({"nodes": nodes})) < 3 * 2**20
    assert client.post("/api/v1/themes", json={"name": "x", "description": padding * 1100}).status_code == 413
    assert post_import(client, json={"nodes": nodes}).status_code == 200
    assert post_import(client, json={"nodes": nodes * 2}).status_code == 413


def test_create_only_refuses_even_an_unchanged_existing_row_and_names_the_match(client):
    document = {"nodes": [{"id": "theme-c", "type": "Theme", "name": "Cycling"}]}
    post_import(client, json=document)
    refused = post_import(client, json=document, query="?mode=create_only").get_json()
    assert [(e["row"], e["column"]) for e in refused["errors"]] == [(1, "id")]
    body = post_import(client, json={"nodes": [{"type": "Theme", "name": "cycling"}]}).get_json()
    assert body["possible_duplicates"][0]["matches"] == {"id": "theme-c", "name": "Cycling", "score": 1.0}


def test_moving_a_relationship_by_id_onto_an_owned_action_is_refused(client, service):
    post_import(client, json={
        "nodes": [{"id": "person-a", "type": "Person", "name": "A"}, {"id": "person-b", "type": "Person", "name": "B"},
                  {"id": "action-1", "type": "Action", "title": "One"}, {"id": "action-2", "type": "Action",
                                                                          "title": "Two"}],
        "relationships": [{"id": "own-1", "type": "ACCOUNTABLE_FOR", "from": "person-a", "to": "action-1"},
                          {"id": "own-2", "type": "ACCOUNTABLE_FOR", "from": "person-b", "to": "action-2"}]})
    body = post_import(client, json={"relationships": [
        {"id": "own-2", "type": "ACCOUNTABLE_FOR", "from": "person-b", "to": "action-1"}]}).get_json()
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(1, "to")]
    assert service.get_relationship("own-2").target == "action-2"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_awkward_values_survive_a_spreadsheet_round_trip(client, service, empty, fmt):
    awkward = {"nodes": [
        {"id": "place-x", "type": "Place", "name": "=HYPERLINK(\"http://x\")", "code": "00123"},
        {"id": "theme-y", "type": "Theme", "name": "Zoë's \"quoted\", comma", "description": "line one\nline two"},
        {"id": "indicator-z", "type": "Indicator", "name": "Rate", "baseline": 0.125, "target": 3,
         "latest_date": "2025-01-31"}]}
    assert post_import(client, json=awkward).status_code == 200
    exported = client.get("/api/v1/export", query_string={"format": fmt}).data
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(exported))["nodes"]
        header = [cell.value for cell in sheet[1]]
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "place-x")
        cell = row[header.index("name")]
        assert (cell.value, cell.data_type) == (awkward["nodes"][0]["name"], "s")  # text, never a formula
    target, target_client = empty
    answer = post_import(target_client, data={"file": (io.BytesIO(exported), f"graph.{fmt}.zip"
                                                       if fmt == "csv" else "graph.xlsx")})
    assert answer.status_code == 200, answer.get_json()["errors"]
    assert snapshot(target) == snapshot(service)
