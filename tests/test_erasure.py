"""Erasure: after `POST /api/v1/erasures` (or `graphsvc forget`) a person's name, email, id and role
appear in no answer, export, history entry or byte of the database files, while the history keeps
the seq, time, actor and operation of every entry it rewrote."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from graphsvc import create_app
from graphsvc.app import get_service
from graphsvc.erasure import redaction_for
from graphsvc.exporting import FORMATS
from graphsvc.store.model import ERASED, Change, Operation, Redaction
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.vocabulary import load_vocabulary
from tests.test_neo4j_store import RecordingDriver

PERSON = "person-zephyrine-quillfeather"
NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@example.org"
ROLE = "Lantern Keeper of Example Trust"
TRACES = (NAME, EMAIL, PERSON, ROLE)


@pytest.fixture
def person(client):
    """A fictional person with every kind of trace: own edits, a personal relationship property,
    a led initiative, an accountable action and a handed-over action (replace_relationships)."""
    def post(path, body):
        answer = client.post(path, json=body)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    post("/api/v1/organisations", {"id": "org-example-trust", "name": "Example Trust"})
    post("/api/v1/people", {"id": PERSON, "name": NAME, "email": EMAIL, "seniority": "board"})
    post("/api/v1/people", {"id": "person-other-example", "name": "Other Example"})
    assert client.patch(f"/api/v1/people/{PERSON}", json={"job_title": "Director of Lanterns"}).status_code == 200
    post("/api/v1/relationships", {"type": "WORKS_FOR", "from": PERSON, "to": "org-example-trust", "role": ROLE})
    post("/api/v1/initiatives", {"id": "init-lanterns", "name": "Lantern equity"})
    post("/api/v1/relationships", {"type": "LEADS", "from": PERSON, "to": "init-lanterns"})
    for action in ("action-kept", "action-handed-over"):
        post("/api/v1/actions", {"id": action, "title": f"Publish {action}", "reference": action[-4:]})
        assert client.put(f"/api/v1/actions/{action}/accountable", json={"owner": PERSON}).status_code == 200
    assert client.put("/api/v1/actions/action-handed-over/accountable",
                      json={"owner": "person-other-example"}).status_code == 200
    return PERSON


def erase(client, node_id=PERSON, reason="Case DP-0001"):
    return client.post("/api/v1/erasures", json={"id": node_id, "reason": reason})


def mentioning(store, text: str) -> list[Change]:
    return [c for c in store.history(limit=10_000) if text in json.dumps(c.as_record())]


def traces_in(data: bytes) -> list[str]:
    return [trace for trace in TRACES if trace.encode() in data]


def export_bytes(client, fmt: str) -> bytes:
    """The export's content, unpacked when it is a zip (CSV tables, Excel workbook)."""
    answer = client.get(f"/api/v1/export?format={fmt}")
    assert answer.status_code == 200
    if not zipfile.is_zipfile(io.BytesIO(answer.data)):
        return answer.data
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def database_bytes(app) -> dict[str, bytes]:
    path = Path(app.config["DATABASE"])
    return {suffix: Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm")
            if os.path.exists(f"{path}{suffix}")}


def test_every_export_format_and_the_action_log_lose_the_person(client, person):
    for fmt in FORMATS:  # the check can fail: before the erasure every format names the person
        assert NAME in traces_in(export_bytes(client, fmt)), fmt
    assert NAME.encode() in client.get("/api/v1/reports/action-log?format=csv").data
    assert erase(client).status_code == 200
    for fmt in FORMATS:
        assert traces_in(export_bytes(client, fmt)) == [], fmt
    assert traces_in(client.get("/api/v1/reports/action-log?format=csv").data) == []
    assert traces_in(client.get("/api/v1/reports/action-log?format=html").data) == []


def test_answers_and_history_lose_the_person(client, person):
    assert erase(client).status_code == 200
    assert client.get(f"/api/v1/people/{PERSON}").status_code == 404
    assert client.get(f"/api/v1/nodes/{PERSON}").status_code == 404
    assert client.get("/api/v1/people?q=Zephyrine").get_json()["total"] == 0
    assert client.get("/api/v1/relationships?type=WORKS_FOR").get_json()["total"] == 0
    assert client.get(f"/api/v1/history?subject={PERSON}").get_json()["changes"] == []
    for path in ("/api/v1/history?limit=1000", "/api/v1/gaps", "/api/v1/overlaps?kind=record",
                 "/api/v1/nodes/init-lanterns/neighbourhood?depth=2", "/api/v1/actions/action-kept/raci"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert traces_in(answer.data) == [], path


def test_rewritten_entries_keep_seq_time_actor_and_operation(client, service, person):
    earlier = {c.seq: c for c in mentioning(service.store, PERSON)}
    kinds = {c.operation for c in earlier.values()}
    assert {"create_node", "update_node", "create_relationship", "replace_relationships"} <= kinds
    summary = erase(client).get_json()
    pseudonym = summary["pseudonym"]
    assert pseudonym.startswith("erased-") and summary["redacted_entries"] == len(earlier)
    after = {c.seq: c for c in service.store.history(limit=10_000)}
    for seq, before in earlier.items():
        now = after[seq]
        assert (now.at, now.actor, now.operation) == (before.at, before.actor, before.operation)
        assert traces_in(json.dumps(now.as_record()).encode()) == []
        assert now.subject == (pseudonym if before.subject == PERSON else before.subject)
    created = next(c for c in earlier.values() if c.operation == "create_node" and c.subject == PERSON)
    assert after[created.seq].after["name"] == ERASED and after[created.seq].after["email"] == ERASED
    assert after[created.seq].after["seniority"] == ERASED
    # The history stays coherent: the person's own entries and their links all use the one pseudonym.
    assert f'"{pseudonym}"' in json.dumps(after[created.seq].as_record())
    assert all(pseudonym in json.dumps(after[seq].as_record()) for seq in earlier)


def test_the_erase_entry_records_who_when_and_why(client, service, person):
    summary = erase(client, reason="Case DP-0002").get_json()
    [entry] = service.store.history(subject=summary["pseudonym"], limit=1)
    assert entry.seq == summary["seq"] == service.store.last_seq()
    assert (entry.operation, entry.actor, entry.at) == (Operation.ERASE_NODE, "admin-token", summary["at"])
    assert entry.after == {"type": "Person", "relationships": summary["relationships"],
                           "redacted_entries": summary["redacted_entries"], "reason": "Case DP-0002"}
    assert summary["relationships"] == 3  # WORKS_FOR, LEADS and the kept action's ACCOUNTABLE_FOR
    deleted = [c for c in service.store.history(limit=100) if c.operation == "delete_relationship"
               and c.seq < entry.seq and c.seq > entry.seq - 4]
    assert len(deleted) == 3 and all(c.before["from"] == summary["pseudonym"] for c in deleted)


def test_the_database_files_hold_no_trace(app, client, person):
    other = create_app({"DATABASE": app.config["DATABASE"], "TESTING": True})  # a second open connection
    get_service(other).graph()
    before = database_bytes(app)
    assert any(NAME in traces_in(data) for data in before.values())  # the check can fail
    summary = erase(client).get_json()
    assert summary["files_purged"] is True
    for suffix, data in database_bytes(app).items():
        assert traces_in(data) == [], f"database file{suffix or ' itself'} still holds {traces_in(data)}"
    get_service(other).store.close()


def test_another_process_drops_the_person_after_catching_up(app, client, person):
    other = get_service(create_app({"DATABASE": app.config["DATABASE"], "TESTING": True}))
    assert PERSON in other.graph()
    summary = erase(client).get_json()
    graph = other.graph()
    assert PERSON not in graph and summary["pseudonym"] not in graph
    assert "init-lanterns" in graph and "org-example-trust" in graph
    assert other.projection.seq == summary["seq"]
    assert [(a, b) for a, b in graph.edges() if PERSON in (a, b)] == []
    other.store.close()


@pytest.mark.parametrize("role", ["viewer", "coordinator", "governance"])
def test_only_admins_may_erase(client_as, person, role):
    answer = client_as(role).post("/api/v1/erasures", json={"id": PERSON})
    assert answer.status_code == 403
    assert set(answer.get_json()) == {"code", "status", "message", "errors"}
    assert client_as("admin").get(f"/api/v1/people/{PERSON}").status_code == 200


def test_unknown_ids_unerasable_types_and_telling_reasons_are_refused(client, person):
    assert erase(client, "person-nobody").status_code == 404
    refused = erase(client, "org-example-trust")
    assert refused.status_code == 422 and "no personal data" in refused.get_json()["message"]
    assert client.get("/api/v1/organisations/org-example-trust").status_code == 200
    for reason in (f"Request from {NAME.upper()}", f"mail {EMAIL}", f"re {PERSON}"):
        answer = erase(client, reason=reason)
        assert answer.status_code == 422 and "reason" in answer.get_json()["errors"]
    assert client.post("/api/v1/erasures", json={"id": PERSON, "extra": 1}).status_code == 422
    assert client.get(f"/api/v1/people/{PERSON}").status_code == 200  # nothing was erased by a refusal


def test_cli_forget(app, runner, service, person):
    result = runner.invoke(args=["forget", PERSON, "--reason", "Case DP-0003"])
    assert result.exit_code == 0, result.output
    assert "Erased a Person: 3 relationships deleted" in result.output and PERSON not in result.output
    assert service.store.get_node(PERSON) is None
    assert service.store.history(limit=1)[0].actor == "cli"
    again = runner.invoke(args=["forget", PERSON])
    assert again.exit_code != 0 and "No node has id" in again.output


def test_redaction_rewrites_nested_relationship_lists():
    redaction = Redaction("p-1", "erased-9", frozenset({"name"}), {"WORKS_FOR": frozenset({"role"})})
    record = {"relationships": [{"id": "r1", "type": "WORKS_FOR", "from": "p-1", "to": "o-1", "role": "Chair"},
                                {"id": "r2", "type": "WORKS_FOR", "from": "p-2", "to": "o-1", "role": "Clerk"}]}
    assert redaction.scrub(record) == {"relationships": [
        {"id": "r1", "type": "WORKS_FOR", "from": "erased-9", "to": "o-1", "role": ERASED},
        {"id": "r2", "type": "WORKS_FOR", "from": "p-2", "to": "o-1", "role": "Clerk"}]}
    assert redaction.scrub(["p-1", "p-10", {"note": "p-1 x"}]) == ["erased-9", "p-10", {"note": "p-1 x"}]


def test_the_openapi_document_lists_the_erasure_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/erasures"]["post"]
    assert "200" in post["responses"] and "requestBody" in post


# -- the store contract: every adapter erases alike (SQLite and a live Neo4j) -------------


def test_store_erases_a_node_and_rewrites_its_history(any_store):
    with any_store.transaction("alice") as tx:
        tx.create_node("Organisation", "org-1", {"name": "Example Trust"})
        tx.create_node("Person", PERSON, {"name": NAME, "email": EMAIL})
        tx.create_relationship("WORKS_FOR", PERSON, "org-1", {"role": ROLE}, "rel-1")
    with any_store.transaction("bob") as tx:
        tx.update_node(PERSON, {"name": NAME, "email": EMAIL, "job_title": "Chair"})
    earlier = {c.seq: c for c in any_store.history(limit=100)}
    vocabulary = load_vocabulary()
    redaction = redaction_for(vocabulary, vocabulary.node_type("Person"), PERSON)
    with any_store.transaction("carol") as tx:
        summary = tx.erase_node(PERSON, redaction, "Case DP-0004")
    assert summary == {"type": "Person", "relationships": 1, "redacted_entries": 3, "reason": "Case DP-0004"}
    # Community Edition has no db.checkpoint(): the erasure stands and says the files were not purged.
    assert any_store.purge_deleted() is (any_store.name == "sqlite" or _neo4j_edition(any_store) != "community")
    assert any_store.get_node(PERSON) is None and any_store.count() == (1, 0)
    log = any_store.changes_since(0)
    assert [c.operation for c in log] == ["create_node", "create_node", "create_relationship", "update_node",
                                          "delete_relationship", "erase_node"]
    for change in log:
        assert traces_in(json.dumps(change.as_record()).encode()) == []
        if change.seq in earlier:
            kept = earlier[change.seq]
            assert (change.at, change.actor, change.operation) == (kept.at, kept.actor, kept.operation)
    assert (log[-1].subject, log[-1].actor) == (redaction.pseudonym, "carol")
    assert log[2].after["from"] == redaction.pseudonym and log[2].after["role"] == ERASED
    assert log[1].after["name"] == ERASED and log[0].after["name"] == "Example Trust"


def _neo4j_edition(store) -> str:
    records, _, _ = store._driver().execute_query("CALL dbms.components() YIELD edition RETURN edition")
    return records[0]["edition"]


class ErasableDriver(RecordingDriver):
    """A Neo4j that holds the person, one WORKS_FOR and the entry that created it (seq 7)."""

    def answer(self, name, parameters):
        person = {"id": PERSON, "type": "Person", "props": json.dumps({"name": NAME, "email": EMAIL}),
                  "created_at": "t0", "updated_at": "t0", "version": 1}
        rel = {"id": "rel-1", "type": "WORKS_FOR", "source": PERSON, "target": "org-1",
               "props": json.dumps({"role": ROLE}), "created_at": "t1"}
        entry = {"seq": 7, "at": "t1", "actor": "alice", "operation": "create_relationship", "subject": "rel-1",
                 "before": None, "after": json.dumps({"id": "rel-1", "type": "WORKS_FOR", "from": PERSON,
                                                      "to": "org-1", "role": ROLE})}
        found = {"GET_NODE": [person], "RELATIONSHIPS_OF": [rel], "CHANGES_MENTIONING": [entry],
                 "REWRITE_CHANGES": [{"rewritten": len(parameters.get("rows", []))}]}
        return found[name] if name in found else super().answer(name, parameters)


def test_neo4j_erasure_sends_the_rewrite_and_the_entries_as_parameters():
    driver = ErasableDriver()
    store = Neo4jStore("bolt://example:7687", "neo4j", "pw", load_vocabulary(), "graph", driver=driver)
    vocabulary = load_vocabulary()
    redaction = redaction_for(vocabulary, vocabulary.node_type("Person"), PERSON)
    with store.transaction("carol") as tx:
        tx.erase_node(PERSON, redaction, "Case DP-0005")
    assert store.purge_deleted() is True
    assert driver.sent_names() == ["LOCK_WRITERS", "GET_NODE", "RELATIONSHIPS_OF", "CHANGES_MENTIONING",
                                   "DELETE_NODE", "REWRITE_CHANGES", "APPEND_CHANGES", "CHECKPOINT"]
    assert driver.sent[3][1] == {"subject": PERSON, "quoted": json.dumps(PERSON)}
    [rewritten] = driver.sent[5][1]["rows"]
    assert rewritten["seq"] == 7 and rewritten["subject"] == "rel-1" and traces_in(rewritten["after"].encode()) == []
    appended = driver.sent[6][1]["rows"]
    assert [(r["operation"], r["subject"], r["actor"]) for r in appended] == [
        ("delete_relationship", "rel-1", "carol"), ("erase_node", redaction.pseudonym, "carol")]
    assert traces_in(json.dumps(appended).encode()) == []
    assert driver.transactions[0].state == "committed"
