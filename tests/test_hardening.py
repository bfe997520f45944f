"""A hostile or careless client: every answer is authorised, in the JSON error shape, and never a 500;
every export stays well-formed whatever text is stored."""

from __future__ import annotations

import csv
import io
import json
import socket
import sqlite3
import xml.etree.ElementTree as ElementTree
import zipfile

import pytest
from openpyxl import load_workbook

from graphsvc import create_app
from graphsvc.api.json_bodies import MAX_JSON_DEPTH
from graphsvc.auth import ROLES
from graphsvc.spreadsheet_safety import guard_cell, unguard_cell
from tests.conftest import authorised_client
from tests.test_server_process import REQUEST_TIMEOUT, database, servers  # noqa: F401 (fixtures)

ERROR_KEYS = {"code", "status", "message", "errors"}
PUBLIC = {"meta.Health", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets"}
FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturned", "'=already"]


def assert_json_error(answer, status: int) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True)[:300])
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == status
    return body


# -- 1. requests gunicorn refuses answer in the JSON error shape -------------------------------------------


def _live_json_error(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["Content-Type"] == "application/json"
    body = answer.json()
    assert set(body) == ERROR_KEYS and body["code"] == status and body["message"]
    return body


def test_gunicorn_refusals_are_json_errors(database, servers):  # noqa: F811
    server = servers(database, workers=1)
    long_line = server.session.get(server.base + "/api/v1/export?ids=" + "x" * 10_000, timeout=REQUEST_TIMEOUT)
    _live_json_error(long_line, 414)
    many = {f"X-Header-{i}": "v" for i in range(200)}
    _live_json_error(server.session.get(server.base + "/api/v1/gaps", headers=many, timeout=REQUEST_TIMEOUT), 431)
    huge = {"X-Huge": "v" * 10_000}
    _live_json_error(server.session.get(server.base + "/api/v1/sources", headers=huge, timeout=REQUEST_TIMEOUT), 431)
    with socket.create_connection(("127.0.0.1", server.port), timeout=REQUEST_TIMEOUT) as raw:
        raw.sendall(b"GET /api/v1/health HTTP/9.9 nonsense\r\n\r\n")
        head, _, body = _read_all(raw).partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400" and b"Content-Type: application/json" in head
    assert json.loads(body)["code"] == 400
    assert server.health()["status"] == "ok"  # the worker keeps serving


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_every_operation_documents_the_servers_refusals(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert {"400", "414", "431"} <= set(operation["responses"]), (method, path)


# -- 2. HEAD and OPTIONS are authorised like GET -----------------------------------------------------------


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/") and rule.endpoint not in PUBLIC]


def _concrete(rule) -> str:
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", "x").replace(f"<path:{argument}>", "x")
    return path


def _refused(status: int) -> bool:
    return status in (401, 403)


def test_head_and_options_are_authorised_as_get_on_every_route(app, tokens):
    callers = {"anonymous": app.test_client(), **{role: authorised_client(app, tokens[role]) for role in ROLES}}
    checked = 0
    for rule in _api_rules(app):
        if "GET" not in rule.methods:
            continue
        path = _concrete(rule)
        for name, caller in callers.items():
            get = _refused(caller.get(path).status_code)
            assert _refused(caller.head(path).status_code) == get, (name, "HEAD", rule.rule)
            assert _refused(caller.options(path).status_code) == get, (name, "OPTIONS", rule.rule)
            if name == "anonymous":
                assert get, rule.rule  # nothing but the public endpoints answers without a token
            checked += 1
    assert checked > 100


def test_head_on_tokens_is_refused_to_a_viewer(client_as):
    head = client_as("viewer").head("/api/v1/tokens")
    assert (head.status_code, head.mimetype, head.data) == (403, "application/json", b"")  # HEAD: no body
    assert_json_error(client_as("governance").options("/api/v1/tokens"), 403)
    assert client_as("admin").head("/api/v1/tokens").status_code == 200
    assert "GET" in client_as("admin").options("/api/v1/tokens").headers["Allow"]


def test_options_on_a_route_without_get_needs_its_strictest_role(app, client_as, anonymous):
    assert_json_error(anonymous.options("/api/v1/tokens/someone"), 401)  # DELETE only, admin
    assert_json_error(client_as("governance").options("/api/v1/tokens/someone"), 403)
    assert client_as("admin").options("/api/v1/tokens/someone").status_code == 200
    assert_json_error(client_as("viewer").options("/api/v1/import"), 403)
    assert client_as("coordinator").options("/api/v1/import").status_code == 200


def test_a_real_cors_preflight_needs_no_credentials(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "cors.sqlite3"), "TESTING": True,
                      "CORS_ORIGINS": ["https://map.example.org"]})
    browser = app.test_client()
    preflight = {"Origin": "https://map.example.org", "Access-Control-Request-Method": "GET"}
    answer = browser.options("/api/v1/tokens", headers=preflight)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "https://map.example.org"
    assert_json_error(browser.options("/api/v1/tokens", headers={"Origin": "https://map.example.org"}), 401)
    assert browser.head("/api/v1/tokens", headers=preflight).status_code == 401


def test_without_cors_origins_options_is_never_a_preflight(anonymous):
    preflight = {"Origin": "https://map.example.org", "Access-Control-Request-Method": "GET"}
    assert_json_error(anonymous.options("/api/v1/tokens", headers=preflight), 401)


# -- 3. token events are for admins only -------------------------------------------------------------------


def test_history_hides_token_events_below_admin(client, client_as):
    for i in range(5):
        client.post("/api/v1/tokens", json={"name": f"hidden-{i}", "role": "viewer"})
    client.delete("/api/v1/tokens/hidden-0")
    for name in ("Access to care", "Maternity"):
        assert client.post("/api/v1/themes", json={"name": name}).status_code == 201
    for i in range(3):
        client.post("/api/v1/tokens", json={"name": f"later-{i}", "role": "admin"})

    for role in ("viewer", "coordinator", "governance"):
        viewer = client_as(role)
        changes = viewer.get("/api/v1/history", query_string={"limit": 2}).get_json()["changes"]
        assert [c["operation"] for c in changes] == ["create_node", "create_node"], role
        every = viewer.get("/api/v1/history").get_json()["changes"]
        assert not [c for c in every if c["subject"].startswith("token:") or "token" in c["operation"]]
        assert_json_error(viewer.get("/api/v1/history", query_string={"subject": "token:hidden-0"}), 403)

    operations = [c["operation"] for c in client.get("/api/v1/history").get_json()["changes"]]
    assert operations.count("create_token") >= 8 and "revoke_token" in operations
    admin_view = client.get("/api/v1/history", query_string={"subject": "token:hidden-0"}).get_json()["changes"]
    assert [c["operation"] for c in admin_view] == ["revoke_token", "create_token"]


# -- 4. client input that used to end in 500 ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/gaps", "/api/v1/reports/action-log"])
def test_as_of_far_from_today_is_422(client, path):
    for far in ("9999-12-31", "0001-01-01", "3000-01-01"):
        body = assert_json_error(client.get(path, query_string={"as_of": far}), 422)
        assert "as_of" in body["errors"]
    assert client.get(path, query_string={"as_of": "2999-12-31", "stale_days": 3650}
                      if path.endswith("gaps") else {"as_of": "2999-12-31"}).status_code == 200


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_since_beyond_the_calendar_in_utc_is_422(client, since):
    body = assert_json_error(client.get("/api/v1/history", query_string={"since": since}), 422)
    assert "since" in body["errors"]


@pytest.mark.parametrize("path, method", [("/api/v1/themes", "post"), ("/api/v1/relationships", "post"),
                                          ("/api/v1/overlaps/reviews", "post"), ("/api/v1/tokens", "post")])
def test_lone_surrogates_and_deep_nesting_are_400(client, path, method):
    send = getattr(client, method)
    for text in ('{"name": "\\ud800"}', '{"name": "ok", "\\udfff": 1}', '{"name": "\\udc00\\ud800"}'):
        body = assert_json_error(send(path, data=text, content_type="application/json"), 400)
        assert "surrogate" in body["message"]
    for depth in (100_000, MAX_JSON_DEPTH + 1):
        deep = '{"name": ' + "[" * depth + "]" * depth + "}"
        body = assert_json_error(send(path, data=deep, content_type="application/json"), 400)
        assert "nested" in body["message"]
    assert_json_error(send(path, data="{bad", content_type="application/json"), 400)


def test_a_surrogate_pair_is_a_character_and_is_kept(client):
    answer = client.post("/api/v1/themes", data='{"name": "Care \\ud83d\\ude00"}', content_type="application/json")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["name"] == "Care \U0001f600"


def test_a_patch_with_a_lone_surrogate_is_400(client):
    theme = client.post("/api/v1/themes", json={"name": "Access"}).get_json()["id"]
    assert_json_error(client.patch(f"/api/v1/themes/{theme}", data='{"name": "\\ud800"}',
                                   content_type="application/json"), 400)


# -- 5. ids match as a whole -------------------------------------------------------------------------------


def test_an_id_with_a_trailing_newline_is_refused_everywhere(client):
    body = assert_json_error(client.post("/api/v1/themes", json={"id": "theme-x\n", "name": "X"}), 422)
    assert "id" in body["errors"]
    assert client.post("/api/v1/themes", json={"id": "theme-x", "name": "X"}).status_code == 201
    assert client.post("/api/v1/initiatives", json={"id": "init-x", "name": "Y"}).status_code == 201
    relationship = {"type": "ADDRESSES", "from": "init-x\n", "to": "theme-x"}
    assert "from" in assert_json_error(client.post("/api/v1/relationships", json=relationship), 422)["errors"]
    assert_json_error(client.get("/api/v1/paths", query_string={"from": "init-x\n", "to": "theme-x"}), 422)
    imported = client.post("/api/v1/import", json={"nodes": [{"id": "theme-y\n", "type": "Theme", "name": "Y"}]})
    assert imported.status_code == 422
    assert client.get("/api/v1/themes").get_json()["total"] == 1


# -- 6. characters XML cannot hold -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x0b", "\x1f", "\ufffe", "\uffff", "\x08"])
def test_text_with_characters_xml_cannot_hold_is_422_naming_the_field(client, bad):
    body = assert_json_error(client.post("/api/v1/themes", json={"name": f"Access{bad}care"}), 422)
    assert list(body["errors"]) == ["name"]
    assert "U+" in body["errors"]["name"][0]
    initiative = {"name": "Fine", "description": f"Two{bad}lines"}
    assert list(assert_json_error(client.post("/api/v1/initiatives", json=initiative), 422)["errors"]) == [
        "description"]
    imported = client.post("/api/v1/import", json={"nodes": [{"type": "Theme", "name": f"Bad{bad}"}]})
    assert imported.status_code == 422
    assert client.get("/api/v1/themes").get_json()["total"] == 0


def test_tab_newline_and_carriage_return_are_kept(client):
    answer = client.post("/api/v1/initiatives", json={"name": "Fine", "description": "a\tb\nc\r\nd"})
    assert answer.status_code == 201 and answer.get_json()["description"] == "a\tb\nc\r\nd"


def test_relationship_properties_refuse_control_characters(client):
    client.post("/api/v1/people", json={"id": "person-a", "name": "Alex Example"})
    client.post("/api/v1/organisations", json={"id": "org-a", "name": "Example Trust"})
    answer = client.post("/api/v1/relationships",
                         json={"type": "WORKS_FOR", "from": "person-a", "to": "org-a", "role": "Lead\x00"})
    assert "role" in assert_json_error(answer, 422)["errors"]


STORED = "Old\x00record\x0bwith\x1fcontrols\ufffe\uffff and \ud800 =SUM(1)"


@pytest.fixture
def old_data_app(tmp_path):
    """An app over a database holding text written before the API refused control characters."""
    path = tmp_path / "old.sqlite3"
    first = create_app({"DATABASE": str(path), "TESTING": True})
    from graphsvc.app import get_service
    from graphsvc.auth import issue_token

    token = issue_token(get_service(first).store, "admin", "admin", "test")[1]
    admin = authorised_client(first, token)
    assert admin.post("/api/v1/organisations", json={"id": "org-a", "name": "Example Trust"}).status_code == 201
    props = json.dumps({"name": STORED, "description": "=HYPERLINK(\"http://x\")\x07"})  # ASCII: escapes kept
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO nodes (id, type, label, props, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                     ("init-old", "Initiative", "Old", props, "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"))
        conn.execute("INSERT INTO relationships (id, type, source, target, props, created_at) VALUES "
                     "(?, ?, ?, ?, ?, ?)", ("rel-old", "PARTNERS_IN", "org-a", "init-old", "{}",
                                            "2024-01-01T00:00:00Z"))
    conn.close()
    app = create_app({"DATABASE": str(path), "TESTING": True})
    return authorised_client(app, token)


def _export(client, fmt: str) -> bytes:
    answer = client.get("/api/v1/export", query_string={"format": fmt})
    assert answer.status_code == 200, (fmt, answer.get_data(as_text=True)[:300])
    return answer.data


def _clean_name(text: str) -> None:
    assert "record" in text and "controls" in text
    assert not any(ch in text for ch in "\x00\x0b\x1f\ufffe\uffff\ud800")


def test_every_export_is_well_formed_over_stored_control_characters(old_data_app):
    for fmt, path in (("graphml", ".//{http://graphml.graphdrawing.org/xmlns}data"), ("gexf", ".//*")):
        root = ElementTree.fromstring(_export(old_data_app, fmt))
        texts = [element.text or element.get("label") or element.get("value") or "" for element in root.iterfind(path)]
        _clean_name(next(text for text in texts if "record" in text))
    sheet = load_workbook(io.BytesIO(_export(old_data_app, "xlsx")))["nodes"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "init-old")
    _clean_name(row[header.index("name")])
    for fmt in ("json", "kumu"):
        document = json.loads(_export(old_data_app, fmt))
        records = document.get("nodes") or document.get("elements")
        _clean_name(next(r for r in records if r["id"] == "init-old")["name"])
    nodes = _csv_table(_export(old_data_app, "csv"), "nodes")
    _clean_name(next(r for r in nodes if r["id"] == "init-old")["name"])
    assert "MERGE" in _export(old_data_app, "cypher").decode("utf-8")
    action_log = old_data_app.get("/api/v1/reports/action-log", query_string={"format": "csv"})
    assert action_log.status_code == 200


def _csv_table(archive: bytes, name: str) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        text = files.read(f"{name}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# -- 7. spreadsheet formulas never run --------------------------------------------------------------------


def test_guard_and_unguard_are_inverse_for_every_text():
    for value in [*FORMULAS, "Plain", "", "'quoted'", "''=twice", "O'Brien", 3, None, -5]:
        assert unguard_cell(guard_cell(value)) == value
    assert [guard_cell(value)[0] for value in FORMULAS] == ["'"] * len(FORMULAS)
    assert guard_cell("Plain") == "Plain" and guard_cell(-5) == -5


def test_csv_export_guards_formula_cells_and_imports_back_unchanged(client, tmp_path):
    nodes = [{"id": f"theme-{i}", "type": "Theme", "name": name} for i, name in enumerate(FORMULAS)]
    nodes.append({"id": "indicator-n", "type": "Indicator", "name": "Rate", "baseline": -5})
    assert client.post("/api/v1/import", json={"nodes": nodes}).status_code == 200
    archive = _export(client, "csv")
    rows = {row["id"]: row for row in _csv_table(archive, "nodes")}
    for i, name in enumerate(FORMULAS):
        assert rows[f"theme-{i}"]["name"] == "'" + name
    assert rows["indicator-n"]["baseline"] == "-5"  # a number is not a formula

    target = create_app({"DATABASE": str(tmp_path / "target.sqlite3"), "TESTING": True})
    from graphsvc.app import get_service
    from graphsvc.auth import issue_token

    importer = authorised_client(target, issue_token(get_service(target).store, "a", "admin", "t")[1])
    answer = importer.post("/api/v1/import", data={"file": (io.BytesIO(archive), "graph.csv.zip")},
                           content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_json()
    names = {n["id"]: n["name"] for n in importer.get("/api/v1/themes?limit=100").get_json()["items"]}
    assert names == {f"theme-{i}": name for i, name in enumerate(FORMULAS)}


def test_xlsx_export_keeps_formula_text_as_quoted_text(client):
    assert client.post("/api/v1/import", json={"nodes": [
        {"id": f"theme-{i}", "type": "Theme", "name": name} for i, name in enumerate(FORMULAS)]}).status_code == 200
    sheet = load_workbook(io.BytesIO(_export(client, "xlsx")))["nodes"]
    header = [cell.value for cell in sheet[1]]
    cells = {row[0].value: row[header.index("name")] for row in sheet.iter_rows(min_row=2)}
    for i, name in enumerate(FORMULAS[:-1]):
        if name.startswith("\r"):
            continue  # XML readers turn a stored carriage return into a newline (openpyxl does not escape it)
        cell = cells[f"theme-{i}"]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)


def test_action_log_csv_guards_formula_titles(client):
    client.post("/api/v1/actions", json={"title": "=cmd|' /C calc'!A0", "reference": "A-1"})
    text = client.get("/api/v1/reports/action-log", query_string={"format": "csv"}).get_data(as_text=True)
    row = next(csv.reader(io.StringIO(text.lstrip("\ufeff").splitlines()[1])))
    assert row[1] == "'=cmd|' /C calc'!A0"
