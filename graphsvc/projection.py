"""The projection: a networkx MultiDiGraph kept in step with the store through the change log.

Built once from a consistent snapshot, then caught up before each read by applying the change-log
entries after its last seq. Several processes on one store therefore agree after their next read.
An erasure (``erase_node``) makes it reload from a snapshot instead, since the entry cannot say which
node went. Analyses read only this graph: node attributes are ``type`` plus the node's properties;
edges are keyed by relationship id with attributes ``type`` plus the relationship's properties.
"""

from __future__ import annotations

import gc
import threading

import networkx as nx

from .store.model import Change, Node, Operation, Relationship
from .store.port import GraphStore

__all__ = ["Projection", "edge_attributes", "node_attributes"]

_NOT_NODE_ATTRIBUTES = frozenset({"id", "created_at", "updated_at", "version"})
_NOT_EDGE_ATTRIBUTES = frozenset({"id", "from", "to", "created_at"})


class Projection:
    """A store's graph in memory. Thread-safe; ``graph()`` returns it caught up."""

    def __init__(self, store: GraphStore, batch: int = 10_000):
        self.store = store
        self.batch = batch
        self.seq = -1  # not yet loaded
        self._graph = nx.MultiDiGraph()
        self._lock = threading.Lock()

    def graph(self) -> nx.MultiDiGraph:
        """The graph as of the newest committed change. Callers must not modify it."""
        self.catch_up()
        return self._graph

    def catch_up(self) -> int:
        """Load or apply pending changes; return the seq the graph now reflects."""
        with self._lock:
            if self.seq < 0:
                self._load()
            while True:
                changes = self.store.changes_since(self.seq, self.batch)
                for change in changes:
                    if change.operation == Operation.ERASE_NODE:
                        # The entry cannot name the erased id, and the entries before it were rewritten
                        # under pseudonyms: only a fresh snapshot (at or after this seq) drops the node.
                        self._load()
                        break
                    self._apply(change)
                    self.seq = change.seq
                else:
                    if len(changes) < self.batch:
                        return self.seq

    def reset(self) -> None:
        """Forget everything; the next read reloads from a snapshot."""
        with self._lock:
            self.seq = -1

    def _load(self) -> None:
        gc.unfreeze()  # a reload: let the collector have the previous graph
        graph = nx.MultiDiGraph()
        # for_replay: catch_up applies every change after seq, and _apply is idempotent (a node's update
        # replaces all its attributes, an edge is keyed by its id), so the store need not stop writers.
        with self.store.snapshot(for_replay=True) as (seq, nodes, relationships):
            graph.add_nodes_from((node.id, _node_attrs(node)) for node in nodes)
            graph.add_edges_from((rel.source, rel.target, rel.id, _rel_attrs(rel)) for rel in relationships)
        self._graph, self.seq = graph, seq
        # A national graph is ~700k long-lived objects. Left to the cycle collector, each full
        # collection walks them all (~0.4 s on 2 cores) inside whichever request triggered it;
        # frozen, they are out of its reach (reference counting still frees what is removed).
        gc.freeze()

    def _apply(self, change: Change) -> None:
        graph, op = self._graph, change.operation
        if op in (Operation.CREATE_NODE, Operation.UPDATE_NODE):
            record = change.after
            if record["id"] in graph:  # an update, or a create seen again after a snapshot for replay
                graph.nodes[record["id"]].clear()
            graph.add_node(record["id"], **node_attributes(record))
        elif op == Operation.DELETE_NODE:
            if change.subject in graph:
                graph.remove_node(change.subject)
        elif op == Operation.CREATE_RELATIONSHIP:
            _add_edge(graph, change.after)
        elif op == Operation.DELETE_RELATIONSHIP:
            _remove_edge(graph, change.before)
        elif op == Operation.REPLACE_RELATIONSHIPS:
            for record in change.before["relationships"]:
                _remove_edge(graph, record)
            for record in change.after["relationships"]:
                _add_edge(graph, record)


def node_attributes(record: dict) -> dict:
    """A node's attributes here, from its change-log record: ``type``, its properties and ``updated_at``."""
    attrs = {k: v for k, v in record.items() if k not in _NOT_NODE_ATTRIBUTES}
    attrs["updated_at"] = record.get("updated_at")
    return attrs


def edge_attributes(record: dict) -> dict:
    """An edge's attributes here, from its change-log record: ``type`` and its properties."""
    return {k: v for k, v in record.items() if k not in _NOT_EDGE_ATTRIBUTES}


def _add_edge(graph: nx.MultiDiGraph, record: dict) -> None:
    graph.add_edge(record["from"], record["to"], key=record["id"], **edge_attributes(record))


def _remove_edge(graph: nx.MultiDiGraph, record: dict) -> None:
    if graph.has_edge(record["from"], record["to"], key=record["id"]):
        graph.remove_edge(record["from"], record["to"], key=record["id"])


def _node_attrs(node: Node) -> dict:
    return {"type": node.type, **node.properties, "updated_at": node.updated_at}


def _rel_attrs(rel: Relationship) -> dict:
    return {"type": rel.type, **rel.properties}
