"""The API suite that matters for a store, against a real ``graphsvc serve`` with ``GRAPHSVC_STORE=neo4j``.

One server process (two gunicorn workers, each with its own projection) on the run's live Neo4j
(tests/neo4j_server.py), shared by this module's tests; the database is emptied once, before
``graphsvc init``. Every test makes its own records (ids prefixed by what the test is about), so the
tests do not depend on each other's order. Concurrency is test_neo4j_concurrency.py's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask import Flask

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.importing import ImportOptions, import_document
from graphsvc.store import neo4j_tx
from graphsvc.store.model import ERASED
from graphsvc.vocabulary import load_vocabulary
from tests.helpers import full_body
from tests.neo4j_live import Api, ServeProcess, empty_neo4j, init_store, live_env
from tests.test_import import workbook_bytes

VOCABULARY = load_vocabulary()
NODE_TYPES = list(VOCABULARY.node_types.values())
ADMIN = "admin"  # the name of the first admin token, which `graphsvc init` creates


@dataclass
class Live:
    server: ServeProcess
    admin: Api  # the first admin token's session on the server
    app: Flask  # in-process, on the same Neo4j: to look behind the API and to run CLI commands

    def count(self) -> tuple[int, int]:
        return get_service(self.app).store.count()


@pytest.fixture(scope="module")
def live(neo4j_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("neo4j-live-api")
    empty_neo4j(neo4j_server)
    env = live_env(neo4j_server, tmp)
    token = init_store(env)
    app = create_app({**neo4j_server.config(), "TESTING": True})
    try:
        server = ServeProcess.start(env, tmp / "serve.log", workers=2)
        admin = server.api(token)
        try:
            yield Live(server, admin, app)
        finally:
            admin.close()
            server.stop()
    finally:
        get_service(app).store.close()


# -- records -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("node_type", NODE_TYPES, ids=lambda t: t.plural)
def test_create_read_update_delete_every_type_and_its_history(live, node_type):
    api, base, main = live.admin, f"/api/v1/{node_type.plural}", node_type.main_property
    created = api.post(base, full_body(node_type))
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["type"] == node_type.name and created.headers["Location"].endswith(f"{base}/{record['id']}")
    assert {name: record.get(name) for name in full_body(node_type)} == full_body(node_type)

    fetched = api.get(f"{base}/{record['id']}")
    assert fetched.status_code == 200 and fetched.json() == record
    assert fetched.headers["ETag"] == '"v1"'
    patched = api.patch(f"{base}/{record['id']}", {main: "Renamed"}, headers={"If-Match": '"v1"'})
    assert patched.status_code == 200, patched.text
    assert (patched.json()[main], patched.json()["version"], patched.headers["ETag"]) == ("Renamed", 2, '"v2"')
    assert api.ok(f"/api/v1/nodes/{record['id']}")[main] == "Renamed"  # either worker: both caught up
    assert api.ok(f"{base}?q=renamed&limit=500")["total"] >= 1

    assert api.delete(f"{base}/{record['id']}").status_code == 204
    assert api.get(f"{base}/{record['id']}").status_code == 404
    history = api.ok(f"/api/v1/history?subject={record['id']}")["changes"]
    assert [(c["operation"], c["actor"]) for c in history] == [
        ("delete_node", ADMIN), ("update_node", ADMIN), ("create_node", ADMIN)]
    assert history[0]["seq"] > history[1]["seq"] > history[2]["seq"]
    assert history[1]["changed"] == [main] and history[1]["after"][main] == "Renamed"


def test_relationships_create_list_delete_and_history(live):
    api = live.admin
    api.created("/api/v1/organisations", {"id": "rel-org", "name": "Example Trust"})
    api.created("/api/v1/people", {"id": "rel-person", "name": "Example Person One"})
    api.created("/api/v1/initiatives", {"id": "rel-init", "name": "Example maternity programme"})
    works = api.created("/api/v1/relationships", {"type": "WORKS_FOR", "from": "rel-person", "to": "rel-org",
                                                  "role": "Example Matron", "since": "2023-04-01"})
    leads = api.created("/api/v1/relationships", {"id": "rel-leads", "type": "LEADS", "from": "rel-org",
                                                  "to": "rel-init"})
    assert (works["from"], works["to"], works["role"], leads["id"]) == ("rel-person", "rel-org", "Example Matron",
                                                                         "rel-leads")
    assert api.ok(f"/api/v1/relationships/{works['id']}") == works
    assert [r["id"] for r in api.ok("/api/v1/relationships?from=rel-org")["items"]] == ["rel-leads"]
    assert [r["id"] for r in api.ok("/api/v1/relationships?to=rel-org")["items"]] == [works["id"]]
    assert api.ok("/api/v1/relationships?type=LEADS&from=rel-org&to=rel-init")["total"] == 1
    clash = api.post("/api/v1/relationships", {"id": "rel-leads", "type": "LEADS", "from": "rel-org",
                                               "to": "rel-init"})
    assert clash.status_code == 409, clash.text
    dangling = api.post("/api/v1/relationships", {"type": "LEADS", "from": "rel-nobody", "to": "rel-init"})
    assert dangling.status_code == 422 and dangling.json()["errors"] == {"from": ["No node has id 'rel-nobody'."]}

    assert api.delete(f"/api/v1/relationships/{works['id']}").status_code == 204
    assert api.get(f"/api/v1/relationships/{works['id']}").status_code == 404
    assert api.delete(f"/api/v1/relationships/{works['id']}").status_code == 404
    assert [c["operation"] for c in api.ok(f"/api/v1/history?subject={works['id']}")["changes"]] == [
        "delete_relationship", "create_relationship"]
    # Deleting a node takes its relationships with it, each logged.
    assert api.delete("/api/v1/organisations/rel-org").status_code == 204
    assert api.get("/api/v1/relationships/rel-leads").status_code == 404
    assert api.ok("/api/v1/history?subject=rel-leads")["changes"][0]["operation"] == "delete_relationship"


def test_the_rules_hold_for_single_writers(live):
    api = live.admin
    api.created("/api/v1/actions", {"id": "rules-action", "title": "Publish an example programme"})
    api.created("/api/v1/people", {"id": "rules-person", "name": "Example Person Two"})
    api.created("/api/v1/groups", {"id": "rules-group", "name": "Example Group", "kind": "network"})
    api.created("/api/v1/groups", {"id": "rules-caucus", "name": "Example Caucus", "kind": "caucus"})
    api.created("/api/v1/relationships", {"type": "ACCOUNTABLE_FOR", "from": "rules-person", "to": "rules-action"})
    second = api.post("/api/v1/relationships", {"type": "ACCOUNTABLE_FOR", "from": "rules-group",
                                                "to": "rules-action"})
    assert second.status_code == 409 and second.json()["errors"] == {"rule": ["one-accountable-owner"]}
    linked = api.post("/api/v1/relationships", {"type": "MEMBER_OF", "from": "rules-person", "to": "rules-caucus"})
    assert linked.status_code == 422 and linked.json()["errors"] == {"rule": ["person-not-in-caucus"]}
    api.created("/api/v1/relationships", {"type": "MEMBER_OF", "from": "rules-person", "to": "rules-group"})
    turned = api.patch("/api/v1/groups/rules-group", {"kind": "caucus"})
    assert turned.status_code == 422 and turned.json()["errors"] == {"rule": ["person-not-in-caucus"]}
    assert api.ok("/api/v1/groups/rules-group")["kind"] == "network"
    assert api.ok("/api/v1/relationships?type=ACCOUNTABLE_FOR&to=rules-action")["total"] == 1


def test_owner_hand_over_with_etag_and_if_match(live):
    api = live.admin
    api.created("/api/v1/actions", {"id": "handover-action", "title": "Agree an example action plan"})
    for person in ("handover-first", "handover-second", "handover-third"):
        api.created("/api/v1/people", {"id": person, "name": f"Example {person.title()}"})
    path = "/api/v1/actions/handover-action/accountable"
    unowned = api.get(path)
    assert unowned.status_code == 200 and unowned.json()["owner"] is None
    none_tag = unowned.headers["ETag"]

    first = api.put(path, {"owner": "handover-first"}, headers={"If-Match": none_tag})
    assert first.status_code == 200 and first.json()["owner"]["id"] == "handover-first", first.text
    stale = api.put(path, {"owner": "handover-second"}, headers={"If-Match": none_tag})
    assert stale.status_code == 412, stale.text
    assert api.get(path).json()["owner"]["id"] == "handover-first"
    assert api.get(path).headers["ETag"] == first.headers["ETag"] != none_tag
    second = api.put(path, {"owner": "handover-second"}, headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.json()["owner"]["id"] == "handover-second", second.text
    assert second.headers["ETag"] != first.headers["ETag"]
    # Without If-Match the hand-over is unconditional; an owner is never doubled either way.
    assert api.put(path, {"owner": "handover-third"}).json()["owner"]["id"] == "handover-third"
    owners = api.ok("/api/v1/relationships?type=ACCOUNTABLE_FOR&to=handover-action")
    assert [r["from"] for r in owners["items"]] == ["handover-third"]

    handovers = [c for c in api.ok("/api/v1/history?subject=handover-action")["changes"]
                 if c["operation"] == "replace_relationships"]
    assert [[r["from"] for r in c["after"]["relationships"]] for c in handovers] == [
        ["handover-third"], ["handover-second"], ["handover-first"]]
    assert [[r["from"] for r in c["before"]["relationships"]] for c in handovers] == [
        ["handover-second"], ["handover-first"], []]
    # A node's own ETag guards PATCH the same way.
    item = "/api/v1/actions/handover-action"
    tag = api.get(item).headers["ETag"]
    assert api.patch(item, {"title": "Agreed"}, headers={"If-Match": tag}).status_code == 200
    refused = api.patch(item, {"title": "Lost"}, headers={"If-Match": tag})
    assert refused.status_code == 412 and api.ok(item)["title"] == "Agreed"


# -- tokens --------------------------------------------------------------------------------------------


def test_tokens_from_the_api_and_the_cli_work_until_revoked(live):
    api = live.admin
    issued = api.post("/api/v1/tokens", {"name": "live-viewer", "role": "viewer"})
    assert issued.status_code == 201, issued.text
    viewer = live.server.api(issued.json()["token"])
    runner = live.app.test_cli_runner()
    made = runner.invoke(args=["token", "create", "--name", "live-governance", "--role", "governance"])
    assert made.exit_code == 0, made.output
    governance = live.server.api(made.output.strip().splitlines()[0])
    try:
        assert viewer.get("/api/v1/themes").status_code == 200
        assert viewer.post("/api/v1/themes", {"name": "Refused"}).status_code == 403
        assert governance.post("/api/v1/themes", {"id": "token-theme", "name": "Example theme"}).status_code == 201
        [entry] = api.ok("/api/v1/history?actor=live-governance")["changes"]
        assert (entry["operation"], entry["subject"]) == ("create_node", "token-theme")
        since = api.get("/api/v1/history", params={"since": entry["at"]}).json()["changes"]
        assert since[-1]["seq"] == entry["seq"] and all(c["at"] >= entry["at"] for c in since)
        listed = {t["name"]: t for t in api.ok("/api/v1/tokens")}
        assert {"admin", "live-viewer", "live-governance"} <= set(listed)
        assert all("token" not in t and "token_hash" not in t for t in listed.values())
        assert api.post("/api/v1/tokens", {"name": "live-viewer", "role": "admin"}).status_code == 409

        revoked = api.delete("/api/v1/tokens/live-viewer")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"]
        for _ in range(3):  # whichever worker answers
            assert viewer.get("/api/v1/themes").status_code == 401
        assert runner.invoke(args=["token", "revoke", "live-governance"]).exit_code == 0
        assert governance.get("/api/v1/themes").status_code == 401
        assert api.delete("/api/v1/tokens/nobody-has-this").status_code == 404
        events = api.ok("/api/v1/history?subject=token:live-viewer")["changes"]
        assert [(c["operation"], c["actor"]) for c in events] == [("revoke_token", ADMIN), ("create_token", ADMIN)]
    finally:
        viewer.close()
        governance.close()


# -- import and export ---------------------------------------------------------------------------------


def _document(prefix: str, bad: bool = False) -> dict:
    """Five records joined by two relationships; with ``bad``, the initiative's start date is impossible."""
    initiative = {"id": f"{prefix}-init", "type": "Initiative", "name": f"Example {prefix} programme",
                  "start_date": "31/02/2025" if bad else "2025-02-28"}
    return {"nodes": [{"id": f"{prefix}-org", "type": "Organisation", "name": f"Example {prefix} Trust"},
                      initiative,
                      {"id": f"{prefix}-theme", "type": "Theme", "name": f"Example {prefix} theme"}],
            "relationships": [{"id": f"{prefix}-leads", "type": "LEADS", "from": f"{prefix}-org",
                               "to": f"{prefix}-init"},
                              {"id": f"{prefix}-addresses", "type": "ADDRESSES", "from": f"{prefix}-init",
                               "to": f"{prefix}-theme"}]}


def _as_csv(records: list[dict], columns: list[str]) -> bytes:
    lines = [",".join(columns)] + [",".join(str(record.get(c, "")) for c in columns) for record in records]
    return ("\n".join(lines) + "\n").encode()


def _as_workbook(document: dict) -> bytes:
    node_columns = ["id", "type", "name", "start_date"]
    rel_columns = ["id", "type", "from", "to"]
    return workbook_bytes([node_columns] + [[n.get(c) for c in node_columns] for n in document["nodes"]],
                          [rel_columns] + [[r[c] for c in rel_columns] for r in document["relationships"]])


def _send(api: Api, fmt: str, document: dict):
    if fmt == "json":
        return api.post("/api/v1/import", document)
    if fmt == "csv":
        return api.post("/api/v1/import", files={
            "nodes": ("nodes.csv", _as_csv(document["nodes"], ["id", "type", "name", "start_date"])),
            "relationships": ("relationships.csv", _as_csv(document["relationships"], ["id", "type", "from", "to"]))})
    return api.post("/api/v1/import", files={"file": ("map.xlsx", _as_workbook(document))})


# Where each format locates the problems of the bad document, as (file, sheet, row, column): the bad
# start date, and the two relationships that would join the record it spoils. Spreadsheet rows count
# the header as row 1; JSON counts items.
PROBLEMS = {
    "json": {("request.json", "nodes", 2, "start_date"), ("request.json", "relationships", 1, "to"),
             ("request.json", "relationships", 2, "from")},
    "csv": {("nodes.csv", "nodes", 3, "start_date"), ("relationships.csv", "relationships", 2, "to"),
            ("relationships.csv", "relationships", 3, "from")},
    "xlsx": {("map.xlsx", "nodes", 3, "start_date"), ("map.xlsx", "relationships", 2, "to"),
             ("map.xlsx", "relationships", 3, "from")},
}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_import_creates_everything_or_on_one_bad_row_nothing(live, fmt):
    api = live.admin
    imported = _send(api, fmt, _document(f"import-{fmt}"))
    body = imported.json()
    assert imported.status_code == 200, body
    assert (body["created"], body["applied"], body["error_count"]) == (5, True, 0)
    assert api.ok(f"/api/v1/initiatives/import-{fmt}-init")["start_date"] == "2025-02-28"
    assert api.ok(f"/api/v1/relationships/import-{fmt}-addresses")["to"] == f"import-{fmt}-theme"
    changes = api.ok(f"/api/v1/history?subject=import-{fmt}-leads")["changes"]
    assert [(c["operation"], c["actor"]) for c in changes] == [("create_relationship", ADMIN)]

    before = live.count()
    refused = _send(api, fmt, _document(f"refused-{fmt}", bad=True))
    body = refused.json()
    assert refused.status_code == 422 and body["applied"] is False, body
    assert {(e["file"], e["sheet"], e["row"], e["column"]) for e in body["errors"]} == PROBLEMS[fmt]
    assert body["error_count"] == 3
    assert live.count() == before
    for path in (f"/api/v1/organisations/refused-{fmt}-org", f"/api/v1/relationships/refused-{fmt}-leads"):
        assert api.get(path).status_code == 404


def test_an_import_breaking_a_rule_against_stored_data_writes_nothing(live):
    api = live.admin
    api.created("/api/v1/actions", {"id": "import-owned", "title": "An example owned action"})
    api.created("/api/v1/people", {"id": "import-owner", "name": "Example Owner"})
    api.created("/api/v1/relationships", {"type": "ACCOUNTABLE_FOR", "from": "import-owner", "to": "import-owned"})
    before = live.count()
    answer = api.post("/api/v1/import", {
        "nodes": [{"id": "import-rival", "type": "Person", "name": "Example Rival"}],
        "relationships": [{"type": "ACCOUNTABLE_FOR", "from": "import-rival", "to": "import-owned"}]})
    body = answer.json()
    assert answer.status_code == 422 and body["applied"] is False, body
    assert [(e["sheet"], e["row"], e["column"]) for e in body["errors"]] == [("relationships", 1, "to")]
    assert live.count() == before and api.get("/api/v1/people/import-rival").status_code == 404


def test_a_large_import_failing_on_its_last_row_leaves_no_trace(live, monkeypatch):
    """Chunks and change-log rows already sent to Neo4j inside the import's transaction are rolled back.
    In-process, with small chunks and an early change-log flush, so a few hundred rows take the paths a
    large file takes (5,000-row chunks; neo4j_tx.PENDING_CHANGES entries sent mid-transaction)."""
    service = get_service(live.app)
    monkeypatch.setattr(neo4j_tx, "PENDING_CHANGES", 100)
    flushed: list[int] = []
    append = neo4j_tx.Neo4jTransaction._append_pending
    monkeypatch.setattr(neo4j_tx.Neo4jTransaction, "_append_pending",
                        lambda tx: (flushed.append(len(tx.pending)), append(tx))[1])
    nodes = [{"id": f"bulk-theme-{i:03d}", "type": "Theme", "name": f"Example bulk theme {i}"} for i in range(300)]
    links = [{"type": "PART_OF", "from": f"bulk-theme-{i:03d}", "to": f"bulk-theme-{i + 1:03d}"} for i in range(150)]
    links.append({"type": "PART_OF", "from": "bulk-theme-000", "to": "bulk-theme-missing"})
    before, seq = live.count(), service.store.last_seq()

    result = import_document(service, {"nodes": nodes, "relationships": links}, "bulk",
                             options=ImportOptions(chunk_size=50))
    assert not result.applied and [(e["sheet"], e["row"], e["column"]) for e in result.errors] == [
        ("relationships", 151, "to")]
    assert len([size for size in flushed if size >= 100]) >= 3  # change-log rows did reach Neo4j
    assert (live.count(), service.store.last_seq(), service.store.changes_since(seq)) == (before, seq, [])
    assert live.admin.get("/api/v1/themes/bulk-theme-000").status_code == 404
    created = live.admin.created("/api/v1/themes", {"name": "Example theme after the bulk import"})
    assert live.admin.ok(f"/api/v1/history?subject={created['id']}")["changes"][0]["seq"] == seq + 1


def test_export_json_round_trips_and_counts_match(live):
    api = live.admin
    _send(api, "json", _document("export"))
    document = api.ok("/api/v1/export?format=json")
    nodes, relationships = live.count()
    assert (len(document["nodes"]), len(document["relationships"])) == (nodes, relationships)
    assert {"export-org", "export-init", "export-theme"} <= {n["id"] for n in document["nodes"]}
    again = api.post("/api/v1/import", document)
    body = again.json()
    assert again.status_code == 200, body["errors"][:5]
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, nodes + relationships)
    workbook = api.get("/api/v1/export?format=xlsx")
    assert workbook.status_code == 200
    body = api.post("/api/v1/import", files={"file": ("graph.xlsx", workbook.content)}).json()
    assert (body["created"], body["updated"], body["error_count"]) == (0, 0, 0), body["errors"][:5]
    assert live.count() == (nodes, relationships)


# -- erasure -------------------------------------------------------------------------------------------

PERSON, NAME = "person-marlowe-tinderbrook", "Marlowe Tinderbrook"  # fictional
EMAIL, ROLE = "marlowe.tinderbrook@example.org", "Keeper of Example Lanterns"
TRACES = (PERSON, NAME, EMAIL, ROLE)


def test_erasure_of_a_person_leaves_no_trace_in_answers_history_or_export(live):
    api = live.admin
    api.created("/api/v1/organisations", {"id": "erasure-org", "name": "Example Erasure Trust"})
    api.created("/api/v1/people", {"id": PERSON, "name": NAME, "email": EMAIL, "seniority": "board"})
    assert api.patch(f"/api/v1/people/{PERSON}", {"job_title": "Director of Examples"}).status_code == 200
    api.created("/api/v1/relationships", {"type": "WORKS_FOR", "from": PERSON, "to": "erasure-org", "role": ROLE})
    api.created("/api/v1/actions", {"id": "erasure-action", "title": "An example erasure action"})
    assert api.put("/api/v1/actions/erasure-action/accountable", {"owner": PERSON}).status_code == 200
    assert NAME in api.get("/api/v1/export?format=json").text
    assert len(api.ok(f"/api/v1/history?subject={PERSON}")["changes"]) == 2

    answer = api.post("/api/v1/erasures", {"id": PERSON, "reason": "Case DP-0101"})
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["pseudonym"].startswith("erased-") and summary["relationships"] == 2
    assert summary["redacted_entries"] >= 4 and isinstance(summary["files_purged"], bool)
    for _ in range(3):  # both workers drop the person once they catch up (an erasure reloads the projection)
        assert api.get(f"/api/v1/people/{PERSON}").status_code == 404
        assert not [t for t in TRACES if t in api.get("/api/v1/export?format=json").text]
    assert api.ok(f"/api/v1/history?subject={PERSON}")["changes"] == []
    history = api.get("/api/v1/history?limit=1000").text
    assert not [t for t in TRACES if t in history]
    [entry] = api.ok(f"/api/v1/history?subject={summary['pseudonym']}&limit=1")["changes"]
    assert (entry["operation"], entry["actor"], entry["seq"]) == ("erase_node", ADMIN, summary["seq"])
    created = next(c for c in json.loads(history)["changes"]
                   if c["operation"] == "create_node" and c["subject"] == summary["pseudonym"])
    assert created["after"]["name"] == ERASED and created["after"]["email"] == ERASED
    assert api.ok("/api/v1/actions/erasure-action/accountable")["owner"] is None
