"""The graph as it stood at a past change-log seq, rebuilt from the change log.

The result holds what a projection loaded at that seq would hold (graphsvc/projection.py): node
attributes ``type``, the properties and ``updated_at``; edges keyed by relationship id with ``type`` and
the properties. It is built the cheaper of two ways:

- **undo**: copy the live projection and undo the entries after the seq, newest first;
- **replay**: apply the entries up to the seq to an empty graph, oldest first.

Both move each entry's subject between its two recorded states with one step: replaying moves it from
``before`` to ``after``, undoing from ``after`` to ``before`` (a node record or none; relationship
records removed, then added). Setting a state is idempotent, so an undo is exact even when the copy
caught a change the projection was still applying: the entry is undone like any other.

Erasure: an erased person never reappears in a past view. Their entries were rewritten under a
pseudonym (graphsvc/erasure.py), so entries about a pseudonym are skipped and relationships to one are
left out, in both directions. Token events and the ``erase_node`` entry itself change no node.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator

import networkx as nx

from ..erasure import PSEUDONYM_PREFIX
from ..projection import edge_attributes, node_attributes
from ..store.model import Change, Operation
from ..vocabulary import EXAMPLE_PROPERTY

__all__ = ["PastGraph", "Stamps", "is_pseudonym", "rebuild", "without_examples"]

NODE_OPERATIONS = frozenset({Operation.CREATE_NODE, Operation.UPDATE_NODE, Operation.DELETE_NODE})
EDGE_OPERATIONS = frozenset({Operation.CREATE_RELATIONSHIP, Operation.DELETE_RELATIONSHIP,
                             Operation.REPLACE_RELATIONSHIPS})
# Copying one node of the live graph (with its ~5 edges) costs about as much as reading and applying
# this many change-log entries (~20 us against ~35 us on a 10k-node benchmark graph, SQLite).
COPY_COST = 0.6
PAGE = 10_000  # change-log entries read at a time
TRIES = 3  # an erasure landing mid-undo means starting again from the reloaded projection
_PSEUDONYM = re.compile(re.escape(PSEUDONYM_PREFIX) + r"[0-9a-f]{16}")


class Stamps:
    """Relationships' ``created_at`` at the seq (lists are ordered by it; the graph does not hold it).

    Edges an entry touched after the seq got theirs from that entry's record. The others were untouched
    since, so the store has them as they were, unless a change after ``upper`` (the newest entry the
    rebuild read) touched them: then the first such entry's ``before`` says how they were.
    """

    def __init__(self, created: dict[str, str], upper: int, complete: bool):
        self.created, self.upper, self.complete = created, upper, complete
        self._lock = threading.Lock()

    def created_at(self, store, rel_ids: Iterable[str]) -> dict[str, str]:
        rel_ids = list(rel_ids)
        with self._lock:
            wanted = [rel_id for rel_id in rel_ids if rel_id not in self.created]
            if wanted and not self.complete:
                fetched = store.get_relationships(wanted)  # first: a change after this is in the scan below
                for change in entries_between(store, self.upper, None):
                    for record in _records(change.before) if change.operation in EDGE_OPERATIONS else ():
                        self.created.setdefault(record["id"], record.get("created_at", ""))
                    self.upper = change.seq
                for rel_id in wanted:
                    if rel_id not in self.created and rel_id in fetched:
                        self.created[rel_id] = fetched[rel_id].created_at
            return {rel_id: self.created.get(rel_id, "") for rel_id in rel_ids}


class PastGraph:
    """The graph at ``seq`` (shared: callers must not change it) and its relationships' stamps."""

    def __init__(self, graph: nx.MultiDiGraph, seq: int, stamps: Stamps):
        self.graph, self.seq, self.stamps = graph, seq, stamps
        self.size = len(graph)  # what the cache's budget counts (edges would take a pass over the graph)


def rebuild(service, seq: int) -> PastGraph:
    """The whole graph (example records included) as it stood just after change ``seq``."""
    for _ in range(TRIES):
        live = service.graph()  # caught up: seq is behind it unless the caller's view was stale
        lower = service.projection.seq
        undo_cost = service.store.last_seq() - seq + len(live) * COPY_COST
        if seq >= lower or seq <= undo_cost:
            return _replay(service.store, seq)
        past = _undo(service.store, live, seq, lower)
        if past is not None:
            return past
    return _replay(service.store, seq)


def without_examples(past: PastGraph) -> PastGraph:
    """The same moment without the fictional example records (as GraphService.graph(examples=False))."""
    real = [node for node, data in past.graph.nodes(data=True) if data.get(EXAMPLE_PROPERTY) is not True]
    return PastGraph(past.graph.subgraph(real).copy(), past.seq, past.stamps)


def is_pseudonym(value) -> bool:
    """Whether ``value`` is an erased person's pseudonym (the form graphsvc/erasure.py gives them)."""
    return isinstance(value, str) and _PSEUDONYM.fullmatch(value) is not None


def entries_between(store, after: int, upto: int | None) -> Iterator[Change]:
    """Change-log entries with ``after`` < seq <= ``upto`` (None: to the newest), oldest first, a page at a time."""
    while True:
        page = store.changes_since(after, PAGE)
        for change in page:
            if upto is not None and change.seq > upto:
                return
            yield change
        if len(page) < PAGE:
            return
        after = page[-1].seq


# -- the two ways ----------------------------------------------------------------------------------

def _replay(store, seq: int) -> PastGraph:
    graph, created = nx.MultiDiGraph(), {}
    for change in entries_between(store, 0, seq):
        _step(graph, change, change.before, change.after, frozenset(), created)
    return PastGraph(graph, seq, Stamps(created, seq, complete=True))


def _undo(store, live: nx.MultiDiGraph, seq: int, lower: int) -> PastGraph | None:
    """None when the live graph changed under the copy in a way undoing cannot mend: try again."""
    try:
        graph = _copy(live)
    except RuntimeError:  # "changed size during iteration": the projection was catching up
        return None
    upper = store.last_seq()  # read after the copy, so every change the copy may hold is undone
    entries = list(entries_between(store, seq, upper))
    erased = {change.subject for change in entries if change.operation == Operation.ERASE_NODE}
    if any(change.operation == Operation.ERASE_NODE and change.seq > lower for change in entries):
        return None  # the copy may still hold the person under their real id; the projection reloads
    created: dict[str, str] = {}
    for change in reversed(entries):
        _step(graph, change, change.after, change.before, erased, created)
    return PastGraph(graph, seq, Stamps(created, upper, complete=False))


def _copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``graph.copy()``, about twice as fast: networkx's copy adds every edge through ``add_edge`` and
    its checks. This fills the structure networkx documents for
    that purpose (digraph.py: ``_succ`` and ``_pred`` share each edge's key dict; assigning ``_adj`` and
    ``_pred`` resets the cached views), in the order its copy would, so iteration orders agree too."""
    nodes = {node: data.copy() for node, data in graph._node.items()}
    succ: dict = {}
    pred: dict = {node: {} for node in graph._pred}
    for start, neighbours in graph._succ.items():
        out = succ[start] = {}
        for end, keyed in neighbours.items():
            out[end] = pred[end][start] = {key: data.copy() for key, data in keyed.items()}
    copy = nx.MultiDiGraph()
    copy.graph.update(graph.graph)
    copy._node, copy._adj, copy._pred = nodes, succ, pred
    return copy


# -- one step --------------------------------------------------------------------------------------

def _step(graph: nx.MultiDiGraph, change: Change, old, new, erased, created: dict[str, str]) -> None:
    """Move the entry's subject from state ``old`` to state ``new``."""
    if change.operation in NODE_OPERATIONS:
        if _hidden(change.subject, erased):
            return
        if new is None:
            if change.subject in graph:
                graph.remove_node(change.subject)
        else:
            _set_node(graph, new)
    elif change.operation in EDGE_OPERATIONS:
        for record in _records(old):
            if graph.has_edge(record["from"], record["to"], key=record["id"]):
                graph.remove_edge(record["from"], record["to"], key=record["id"])
            created.pop(record["id"], None)
        for record in _records(new):
            # Both ends exist unless one is erased: never let add_edge invent a bare node.
            if record["from"] in graph and record["to"] in graph:
                graph.add_edge(record["from"], record["to"], key=record["id"], **edge_attributes(record))
                created[record["id"]] = record.get("created_at", "")


def _set_node(graph: nx.MultiDiGraph, record: dict) -> None:
    attrs = node_attributes(record)
    if record["id"] in graph:
        data = graph.nodes[record["id"]]
        data.clear()
        data.update(attrs)
    else:
        graph.add_node(record["id"], **attrs)


def _records(state) -> list[dict]:
    """The relationship records of a state: none, one, or a replacement's list."""
    if not state:
        return []
    return list(state["relationships"]) if "relationships" in state else [state]


def _hidden(node_id: str, erased) -> bool:
    return node_id in erased or is_pseudonym(node_id)
