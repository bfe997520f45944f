"""The store port's contract: run against every store adapter (SQLite always)."""

from __future__ import annotations

import pytest

from graphsvc.errors import Conflict, NotFound
from graphsvc.store.sqlite import SqliteStore
from graphsvc.vocabulary import load_vocabulary

MAIN = {name: t.main_property for name, t in load_vocabulary().node_types.items()}


@pytest.fixture(params=["sqlite"])
def store(request, tmp_path):
    store = SqliteStore(tmp_path / "contract.sqlite3", MAIN)
    store.initialise()
    yield store
    store.close()


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
