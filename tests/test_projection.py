"""The networkx projection follows the change log, also across separate service instances."""

from __future__ import annotations

from graphsvc.service import GraphService
from graphsvc.store.sqlite import SqliteStore
from graphsvc.vocabulary import load_vocabulary


def _service(path) -> GraphService:
    vocabulary = load_vocabulary()
    return GraphService(vocabulary, SqliteStore(path, {n: t.main_property for n, t in vocabulary.node_types.items()}))


def test_projection_mirrors_the_store_after_each_kind_of_write(tmp_path):
    service = _service(tmp_path / "g.sqlite3")
    assert service.graph().number_of_nodes() == 0
    service.create_node("Organisation", {"id": "org-1", "name": "Example Trust"}, "t")
    service.create_node("Initiative", {"id": "init-1", "name": "Equity audit", "status": "active"}, "t")
    rel = service.create_relationship("LEADS", "org-1", "init-1", {}, "t")
    graph = service.graph()
    assert graph.nodes["init-1"]["status"] == "active" and graph.nodes["init-1"]["type"] == "Initiative"
    assert graph.edges["org-1", "init-1", rel.id]["type"] == "LEADS"

    service.update_node("init-1", {"status": "paused"}, "t")
    assert service.graph().nodes["init-1"]["status"] == "paused"
    service.update_node("init-1", {"status": None}, "t")
    assert "status" not in service.graph().nodes["init-1"]
    service.delete_relationship(rel.id, "t")
    assert service.graph().number_of_edges() == 0
    service.delete_node("org-1", "t")
    assert list(service.graph().nodes) == ["init-1"]


def test_a_second_instance_catches_up_from_the_change_log(tmp_path):
    path = tmp_path / "shared.sqlite3"
    first, second = _service(path), _service(path)
    first.create_node("Theme", {"id": "theme-1", "name": "Maternity"}, "a")
    assert "theme-1" in second.graph()  # loaded from a snapshot
    second.create_node("Population", {"id": "pop-1", "name": "Core20"}, "b")
    first.create_node("Initiative", {"id": "init-1", "name": "Birth equity"}, "a")
    first.create_relationship("SERVES", "init-1", "pop-1", {}, "a")
    graph = second.graph()  # caught up by applying changes
    assert set(graph.nodes) == {"theme-1", "pop-1", "init-1"} and graph.number_of_edges() == 1
    assert second.projection.seq == first.store.last_seq() == 4
    # a freshly loaded projection and a caught-up one are the same graph
    second.projection.reset()
    reloaded = second.graph()
    assert sorted(reloaded.nodes(data=True)) == sorted(graph.nodes(data=True))
