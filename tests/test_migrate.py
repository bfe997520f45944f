"""graphsvc migrate: the whole graph, its change log and tokens, copied in batches and verified."""

from __future__ import annotations

from graphsvc.store import open_store
from graphsvc.vocabulary import load_vocabulary


def test_migrate_copies_everything_and_verifies(runner, service, tmp_path):
    assert runner.invoke(args=["seed"]).exit_code == 0
    runner.invoke(args=["token", "create", "--name", "Chair", "--role", "governance"])
    target_path = tmp_path / "copy.sqlite3"
    result = runner.invoke(args=["migrate", "--to", "sqlite", "--database", str(target_path)])
    assert result.exit_code == 0, result.output
    assert "Counts verified" in result.output and "Migrated and verified" in result.output

    target = open_store({"STORE": "sqlite", "DATABASE": str(target_path)}, load_vocabulary())
    assert target.count() == service.store.count()
    assert target.last_seq() == service.store.last_seq()
    assert [t.name for t in target.list_tokens()] == [t.name for t in service.store.list_tokens()]
    assert target.get_node("action-a20") == service.store.get_node("action-a20")
    assert target.changes_since(0, 10) == service.store.changes_since(0, 10)
    with target.snapshot() as (_, nodes, relationships):
        copied = ({n.id: n for n in nodes}, {r.id: r for r in relationships})
    with service.store.snapshot() as (_, nodes, relationships):
        original = ({n.id: n for n in nodes}, {r.id: r for r in relationships})
    assert copied == original

    again = runner.invoke(args=["migrate", "--to", "sqlite", "--database", str(target_path)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_migrate_refuses_to_copy_onto_itself(runner):
    result = runner.invoke(args=["migrate", "--to", "sqlite"])
    assert result.exit_code != 0
