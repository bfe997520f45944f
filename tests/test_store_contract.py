"""The store port's contract, run against every store adapter.

Each case runs on SQLite and on a live Neo4j 5 (the run's server, tests/neo4j_server.py: the launcher
`make test` builds, or the Neo4j that NEO4J_URI names). The Neo4j database is emptied before each test.
"""

from __future__ import annotations

import time

import pytest

from graphsvc.auth import TokenRecord
from graphsvc.errors import Conflict, NotFound
from graphsvc.store.model import Node, Relationship
from graphsvc.store.port import WriteBatch
from tests.stores import empty_store, store_config


@pytest.fixture
def store(any_store):
    return any_store


def _seed(store):
    with store.transaction("alice") as tx:
        tx.create_node("Organisation", "org-1", {"name": "Example Trust", "sector": "nhs"})
        tx.create_node("Initiative", "init-1", {"name": "Maternity equity", "status": "active"})
        tx.create_node("Initiative", "init-2", {"name": "Anti-racist recruitment", "status": "proposed"})
        tx.create_relationship("LEADS", "org-1", "init-1", {}, "rel-1")
        tx.create_relationship("PARTNERS_IN", "org-1", "init-2", {}, "rel-2")


def test_writes_are_read_back(store):
    _seed(store)
    node = store.get_node("init-1")
    assert (node.type, node.properties, node.version) == ("Initiative", {"name": "Maternity equity",
                                                                         "status": "active"}, 1)
    assert store.get_relationship("rel-1").source == "org-1"
    assert store.count() == (3, 2)
    assert store.get_node("missing") is None and store.get_relationship("missing") is None


def test_find_nodes_by_text_and_property_with_paging(store):
    _seed(store)
    items, total = store.find_nodes("Initiative", text="RECRUIT")
    assert total == 1 and items[0].id == "init-2"
    items, total = store.find_nodes("Initiative", equals={"status": "active"})
    assert [n.id for n in items] == ["init-1"]
    items, total = store.find_nodes("Initiative", limit=1, offset=1)
    assert total == 2 and [n.id for n in items] == ["init-1"]  # ordered by name: "Anti…" comes first


def test_find_relationships_and_relationships_of(store):
    _seed(store)
    items, total = store.find_relationships(rel_type="LEADS")
    assert total == 1 and items[0].id == "rel-1"
    assert store.find_relationships(source="org-1")[1] == 2
    assert store.find_relationships(target="init-2")[0][0].type == "PARTNERS_IN"
    assert {r.id for r in store.relationships_of("org-1")} == {"rel-1", "rel-2"}


def test_every_write_appends_one_change_with_actor_and_before_after(store):
    _seed(store)
    with store.transaction("bob") as tx:
        tx.update_node("init-1", {"name": "Maternity equity programme", "status": "active"})
        tx.delete_relationship("rel-2")
    changes = store.changes_since(0)
    assert [c.seq for c in changes] == list(range(1, 8))
    assert [c.operation for c in changes] == ["create_node"] * 3 + ["create_relationship"] * 2 + [
        "update_node", "delete_relationship"]
    update = changes[5]
    assert update.actor == "bob" and update.subject == "init-1"
    assert update.before["name"] == "Maternity equity" and update.after["name"] == "Maternity equity programme"
    assert update.after["version"] == 2
    assert changes[6].before["to"] == "init-2" and changes[6].after is None
    assert changes[0].at.endswith("Z") and changes[0].actor == "alice"
    assert store.last_seq() == 7 and [c.seq for c in store.changes_since(5)] == [6, 7]


def test_seq_at_is_the_newest_entry_made_at_or_before_a_moment(store):
    assert store.seq_at("2999-01-01T00:00:00.000000Z") == 0  # an empty log
    _seed(store)
    first = store.changes_since(0)
    time.sleep(0.01)  # the next entries get a later stamp
    with store.transaction("bob") as tx:
        tx.update_node("init-1", {"name": "Renamed"})
    later = store.changes_since(5)[0]
    assert later.at > first[-1].at
    assert store.seq_at(first[-1].at) == 5 and store.seq_at(later.at) == 6
    assert store.seq_at("1999-01-01T00:00:00.000000Z") == 0
    assert store.seq_at("2999-01-01T00:00:00.000000Z") == 6


def test_delete_node_removes_and_logs_its_relationships_first(store):
    _seed(store)
    with store.transaction("carol") as tx:
        tx.delete_node("org-1")
    assert store.count() == (2, 0)
    tail = store.changes_since(5)
    assert [(c.operation, c.subject) for c in tail] == [
        ("delete_relationship", "rel-1"), ("delete_relationship", "rel-2"), ("delete_node", "org-1")]


def test_a_failed_transaction_leaves_nothing_behind(store):
    _seed(store)
    with pytest.raises(Conflict):
        with store.transaction("dave") as tx:
            tx.create_node("Theme", "theme-1", {"name": "Access"})
            tx.create_node("Theme", "init-1", {"name": "Clash"})
    assert store.get_node("theme-1") is None
    assert store.last_seq() == 5


def test_missing_subjects_raise_not_found(store):
    with pytest.raises(NotFound), store.transaction("erin") as tx:
        tx.update_node("ghost", {"name": "x"})
    with pytest.raises(NotFound), store.transaction("erin") as tx:
        tx.delete_relationship("ghost")
    with pytest.raises(NotFound), store.transaction("erin") as tx:
        tx.create_relationship("LEADS", "ghost", "ghost-2", {}, "rel-x")
    assert store.last_seq() == 0


def test_snapshot_is_consistent_with_its_seq(store):
    _seed(store)
    with store.snapshot() as (seq, nodes, relationships):
        assert seq == 5
        assert sorted(n.id for n in nodes) == ["init-1", "init-2", "org-1"]
        assert sorted(r.id for r in relationships) == ["rel-1", "rel-2"]


def test_initialise_twice_is_harmless(store):
    _seed(store)
    store.initialise()
    assert store.count() == (3, 2)


def test_replace_relationships_is_one_change(store):
    _seed(store)
    with store.transaction("gov") as tx:
        tx.create_node("Action", "action-1", {"title": "Publish the programme"})
        tx.create_relationship("ACCOUNTABLE_FOR", "org-1", "action-1", {}, "rel-owner-1")
    before = store.last_seq()
    with store.transaction("gov") as tx:
        tx.create_node("Group", "group-1", {"name": "Governance group", "kind": "governance_group"})
    with store.transaction("gov") as tx:
        new = tx.replace_relationships("action-1", ["rel-owner-1"], "ACCOUNTABLE_FOR", "group-1", "action-1", {},
                                       "rel-owner-2")
    assert new.source == "group-1" and store.get_relationship("rel-owner-1") is None
    change = store.changes_since(before + 1)[0]
    assert (change.operation, change.subject, change.actor) == ("replace_relationships", "action-1", "gov")
    assert [r["id"] for r in change.before["relationships"]] == ["rel-owner-1"]
    assert [r["id"] for r in change.after["relationships"]] == ["rel-owner-2"]


def test_history_filters_newest_first(store):
    _seed(store)
    with store.transaction("bob") as tx:
        tx.update_node("init-1", {"name": "Renamed", "status": "active"})
    assert [c.operation for c in store.history(subject="init-1")] == ["update_node", "create_node"]
    assert [c.subject for c in store.history(actor="bob")] == ["init-1"]
    assert store.history(since="2999-01-01T00:00:00.000000Z") == []
    assert len(store.history(limit=2)) == 2


def test_tokens_are_saved_found_listed_and_revoked(store):
    record = TokenRecord("chair", "governance", "a" * 64, "2026-11-26T10:00:00.000000Z")
    store.save_token(record, "cli")
    assert store.find_token("a" * 64) == record
    with pytest.raises(Conflict):
        store.save_token(record, "cli")
    assert [t.name for t in store.list_tokens()] == ["chair"]
    assert store.revoke_token("chair", "cli").revoked_at
    assert store.find_token("a" * 64).revoked_at
    with pytest.raises(NotFound):
        store.revoke_token("nobody", "cli")
    assert [c.operation for c in store.history(subject="token:chair")] == ["revoke_token", "create_token"]


# -- bulk reads and write_batch (imports) ------------------------------------------------------

OLD, NEW = "2020-01-01T00:00:00.000000Z", "2026-11-26T10:00:00.000000Z"  # fixed stamps, so order is certain


def test_get_nodes_and_get_relationships_return_the_hits_by_id(store):
    _seed(store)
    nodes = store.get_nodes(["init-1", "org-1", "missing", "init-1"])
    assert nodes == {"init-1": store.get_node("init-1"), "org-1": store.get_node("org-1")}
    rels = store.get_relationships(["rel-2", "rel-1", "missing"])
    assert rels == {"rel-1": store.get_relationship("rel-1"), "rel-2": store.get_relationship("rel-2")}
    assert store.get_nodes([]) == {} and store.get_relationships([]) == {}
    assert store.get_nodes(["missing"]) == {} and store.get_relationships(["missing"]) == {}
    with store.transaction("alice") as tx:  # a transaction reads its own writes
        tx.create_node("Theme", "theme-1", {"name": "Access"})
        tx.create_relationship("ADDRESSES", "init-1", "theme-1", {}, "rel-3")
        assert set(tx.get_nodes(["theme-1", "init-2"])) == {"theme-1", "init-2"}
        assert tx.get_relationships(["rel-3"])["rel-3"].target == "theme-1"


def test_find_links_returns_the_oldest_relationship_per_key(store):
    _seed(store)  # rel-1: LEADS org-1 -> init-1 and rel-2: PARTNERS_IN org-1 -> init-2, stamped now
    with store.transaction("alice") as tx:
        tx.write_batch(WriteBatch(create_relationships=[
            Relationship("rel-9", "LEADS", "org-1", "init-1", {}, OLD),  # older than rel-1, though a later id
            Relationship("rel-2b", "PARTNERS_IN", "org-1", "init-2", {}, OLD),
            Relationship("rel-2a", "PARTNERS_IN", "org-1", "init-2", {}, OLD),  # same stamp: the smaller id
        ]))
    keys = [("LEADS", "org-1", "init-1"), ("PARTNERS_IN", "org-1", "init-2"),
            ("LEADS", "org-1", "init-2"), ("LEADS", "init-1", "org-1"), ("LEADS", "ghost", "init-1")]
    found = store.find_links(keys)
    assert {key: rel.id for key, rel in found.items()} == {("LEADS", "org-1", "init-1"): "rel-9",
                                                           ("PARTNERS_IN", "org-1", "init-2"): "rel-2a"}
    assert found[("LEADS", "org-1", "init-1")] == store.get_relationship("rel-9")
    assert store.find_links([]) == {}


def test_count_incoming_counts_only_the_given_type(store):
    _seed(store)
    with store.transaction("alice") as tx:
        tx.create_node("Organisation", "org-2", {"name": "Second Trust"})
        tx.create_relationship("LEADS", "org-2", "init-1", {}, "rel-3")
        tx.create_relationship("PARTNERS_IN", "org-2", "init-1", {}, "rel-4")
    assert store.count_incoming("LEADS", ["init-1", "init-2", "org-1", "missing"]) == {"init-1": 2}
    assert store.count_incoming("LEADS", ["init-1", "init-1"]) == {"init-1": 2}  # a repeated target counts once
    assert store.count_incoming("PARTNERS_IN", ["init-1", "init-2"]) == {"init-1": 1, "init-2": 1}
    assert store.count_incoming("FUNDS", ["init-1"]) == {} and store.count_incoming("LEADS", []) == {}


def test_node_labels_lists_id_and_main_property_by_id(store):
    _seed(store)
    with store.transaction("alice") as tx:
        tx.create_node("Initiative", "init-0", {"status": "proposed"})  # no main property: an empty label
    assert store.node_labels("Initiative") == [("init-0", ""), ("init-1", "Maternity equity"),
                                               ("init-2", "Anti-racist recruitment")]
    assert store.node_labels("Organisation") == [("org-1", "Example Trust")]
    assert store.node_labels("Theme") == []


def test_write_batch_applies_in_order_and_logs_like_the_single_writes(store):
    _seed(store)  # seqs 1-5
    before, old_rel = store.get_node("init-1"), store.get_relationship("rel-1")
    themes = [Node("theme-1", "Theme", {"name": "Access"}, NEW, NEW, 1),
              Node("theme-2", "Theme", {"name": "Access to care", "description": "GP and hospital"}, NEW, NEW, 1)]
    # status is dropped: the update replaces the whole property set
    after = Node("init-1", "Initiative", {"name": "Maternity equity programme"}, before.created_at, NEW, 7)
    new_rels = [Relationship("rel-1", "FUNDS", "org-1", "init-1", {"amount": 5000}, NEW),  # same id, new type
                Relationship("rel-3", "PART_OF", "theme-2", "theme-1", {}, NEW),  # both ends new in this batch
                Relationship("rel-4", "ADDRESSES", "init-1", "theme-1", {}, NEW)]
    with store.transaction("bob") as tx:
        tx.write_batch(WriteBatch(create_nodes=themes, update_nodes=[(before, after)],
                                  remove_relationships=[old_rel], create_relationships=new_rels))

    assert store.get_nodes(["theme-1", "theme-2", "init-1"]) == {"theme-1": themes[0], "theme-2": themes[1],
                                                                 "init-1": after}
    assert store.find_nodes("Initiative", equals={"status": "active"}) == ([], 0)  # no stale status left
    assert [n.id for n in store.find_nodes("Initiative", text="programme")[0]] == ["init-1"]
    assert store.get_relationships(["rel-1", "rel-3", "rel-4"]) == {rel.id: rel for rel in new_rels}
    assert store.find_relationships(rel_type="LEADS") == ([], 0)
    assert store.count() == (5, 4)

    changes = store.changes_since(5)
    assert [c.seq for c in changes] == list(range(6, 13)) and {c.actor for c in changes} == {"bob"}
    assert [(c.operation, c.subject) for c in changes] == [
        ("create_node", "theme-1"), ("create_node", "theme-2"), ("update_node", "init-1"),
        ("delete_relationship", "rel-1"), ("create_relationship", "rel-1"), ("create_relationship", "rel-3"),
        ("create_relationship", "rel-4")]
    assert [(c.before, c.after) for c in changes] == [
        (None, themes[0].as_record()), (None, themes[1].as_record()), (before.as_record(), after.as_record()),
        (old_rel.as_record(), None), *[(None, rel.as_record()) for rel in new_rels]]
    assert changes[0].at == NEW and changes[2].at == NEW and changes[3].at.endswith("Z")
    assert store.last_seq() == 12


def test_a_failing_batch_leaves_nothing_behind(store):
    _seed(store)
    before = store.get_node("init-1")
    after = Node("init-1", "Initiative", {"name": "Renamed"}, before.created_at, NEW, 2)
    batch = WriteBatch(create_nodes=[Node("theme-1", "Theme", {"name": "Access"}, NEW, NEW, 1)],
                       update_nodes=[(before, after)], remove_relationships=[store.get_relationship("rel-2")],
                       create_relationships=[Relationship("rel-3", "ADDRESSES", "init-1", "theme-1", {}, NEW),
                                             Relationship("rel-4", "LEADS", "org-1", "ghost", {}, NEW)])
    with pytest.raises(Conflict), store.transaction("dave") as tx:
        tx.create_node("Theme", "theme-0", {"name": "Before the batch"})
        tx.write_batch(batch)
    assert store.get_nodes(["theme-0", "theme-1"]) == {} and store.get_node("init-1") == before
    assert set(store.get_relationships(["rel-2", "rel-3", "rel-4"])) == {"rel-2"}
    assert store.count() == (3, 2) and store.last_seq() == 5


@pytest.mark.parametrize("batch", [
    WriteBatch(create_nodes=[Node("init-2", "Initiative", {"name": "Clash"}, NEW, NEW, 1)]),
    WriteBatch(create_nodes=[Node("t-1", "Theme", {"name": "A"}, NEW, NEW, 1), Node("t-1", "Theme", {}, NEW, NEW, 1)]),
    WriteBatch(create_relationships=[Relationship("rel-2", "LEADS", "org-1", "init-1", {}, NEW)]),  # other type
], ids=["taken node id", "node id twice", "taken relationship id"])
def test_write_batch_refuses_ids_in_use(store, batch):
    _seed(store)
    with pytest.raises(Conflict), store.transaction("dave") as tx:
        tx.write_batch(batch)
    assert store.count() == (3, 2) and store.last_seq() == 5


def test_an_id_found_free_earlier_in_the_transaction_is_refused_once_taken(store):
    """An import looks its relationship ids up before writing them; once one is written (by either
    path), writing it again in the same transaction is still refused."""
    _seed(store)
    for first_write in ("single", "batch"):
        with pytest.raises(Conflict), store.transaction("dave") as tx:
            assert tx.get_relationships(["rel-9"]) == {}
            if first_write == "single":
                tx.create_relationship("ALIGNED_WITH", "init-1", "init-2", {}, "rel-9")
            else:
                tx.write_batch(WriteBatch(create_relationships=[
                    Relationship("rel-9", "LEADS", "org-1", "init-1", {}, NEW)]))
            tx.write_batch(WriteBatch(create_relationships=[Relationship("rel-9", "PART_OF", "init-2",
                                                                         "init-1", {}, NEW)]))
        assert store.get_relationship("rel-9") is None and store.last_seq() == 5


@pytest.fixture(params=["sqlite", "neo4j"])
def api(request, tmp_path):
    """The core API over each store, as an admin."""
    from graphsvc import create_app
    from graphsvc.app import get_service
    from graphsvc.auth import issue_token
    from tests.conftest import authorised_client

    empty_store(request.param, tmp_path, request).close()
    app = create_app(store_config(request.param, tmp_path, request))
    token = issue_token(get_service(app).store, "contract", "admin", "test")[1]
    return authorised_client(app, token)


def test_core_api_behaves_the_same_on_every_store(api):
    assert api.post("/api/v1/organisations", json={"id": "org-1", "name": "Example Trust"}).status_code == 201
    assert api.post("/api/v1/organisations", json={"id": "org-1", "name": "Again"}).status_code == 409
    assert api.post("/api/v1/initiatives", json={"id": "init-1", "name": "Equity audit",
                                                 "status": "active"}).status_code == 201
    rel = api.post("/api/v1/relationships", json={"type": "LEADS", "from": "org-1", "to": "init-1"}).get_json()
    assert api.get("/api/v1/initiatives?status=active&q=EQUITY").get_json()["total"] == 1
    etag = api.get("/api/v1/initiatives/init-1").headers["ETag"]
    renamed = api.patch("/api/v1/initiatives/init-1", json={"name": "Audit"}, headers={"If-Match": etag})
    assert renamed.status_code == 200
    assert api.patch("/api/v1/initiatives/init-1", json={"name": "X"}, headers={"If-Match": etag}).status_code == 412
    assert api.get(f"/api/v1/relationships/{rel['id']}").get_json()["from"] == "org-1"
    health = api.get("/api/v1/health").get_json()
    assert (health["nodes"], health["relationships"]) == (2, 1)
    assert api.delete("/api/v1/organisations/org-1").status_code == 204
    assert api.get(f"/api/v1/relationships/{rel['id']}").status_code == 404
    assert api.get("/api/v1/health").get_json()["relationships"] == 0
