"""Reads at a moment: every read that takes ``as_of`` answers from here.

``moment`` None means now: the live projection, cached per seq as before. A past moment is answered
from the graph as it stood (:mod:`.reconstruct`), kept in a small LRU cache by (seq, examples), with
the answers computed from it kept beside it (see :class:`.cache.PastCache`). Every answer says which
moment it reflects (:class:`.moments.Moment`).

One record at a moment is read from its own history, not from a graph: the full record of its newest
entry at or before the seq, so its stamps and version are those it had then.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import Any

import networkx as nx

from ..errors import NotFound
from ..store.model import Change, Node, Relationship
from .cache import caches_for, snapshot
from .moments import Moment, change_time
from .reconstruct import NODE_OPERATIONS, PastGraph, is_pseudonym, rebuild, without_examples

__all__ = ["answer_at", "graph_as_of", "graph_at", "newest_change_at", "present", "record_at", "relationships_at"]

FIRST_LOOK = 1  # history entries read first (usually the newest is at or before the seq); then 8 times more


def graph_at(service, seq: int, examples: bool = True) -> PastGraph:
    """The graph as it stood just after change ``seq``; kept, so asking again is immediate."""
    caches, live = caches_for(service), service.graph()

    def whole() -> PastGraph:
        return caches.past_graphs.get(live, (seq, True), lambda: rebuild(service, seq))

    # Looked up first, so a kept copy without examples is served even after the whole graph was dropped.
    return whole() if examples else caches.past_graphs.get(live, (seq, False), lambda: without_examples(whole()))


def answer_at(service, moment: Moment | None, examples: bool, cache: str, key: Hashable,
              compute: Callable[[nx.MultiDiGraph, Moment], Any]) -> tuple[Any, Moment]:
    """``(compute(graph, moment), moment)`` for ``moment`` (None: now, and the moment returned is the live
    projection's), kept: now in the read layer's ``cache`` (a SeqCache of ReadCaches) under ``key``, at a
    past moment among the past answers."""
    caches = caches_for(service)
    if moment is None:
        seq, graph = snapshot(service, examples)
        now = present(service, seq)
        return getattr(caches, cache).get(seq, key, lambda: compute(graph, now)), now
    past = graph_at(service, moment.seq, examples)
    value = caches.past_answers.get(service.graph(), (cache, moment.seq, examples, key),
                                    lambda: compute(past.graph, moment))
    return value, moment


def graph_as_of(service, moment: Moment | None, examples: bool = True) -> tuple[nx.MultiDiGraph, Moment]:
    """The graph at ``moment`` (None: now) and the moment it reflects. Shared: do not change it."""
    if moment is None:
        seq, graph = snapshot(service, examples)
        return graph, present(service, seq)
    return graph_at(service, moment.seq, examples).graph, moment


def present(service, seq: int | None = None) -> Moment:
    """The moment the live projection reflects (``seq`` as read with it, else its current seq)."""
    seq = service.projection.seq if seq is None else seq
    return Moment(seq, caches_for(service).times.get(seq, "at", lambda: change_time(service.store, seq)))


def record_at(service, node_id: str, moment: Moment, type_name: str | None = None) -> Node:
    """The node as it was just after change ``moment.seq``; NotFound, saying so, if it did not exist then."""
    change = None if is_pseudonym(node_id) else newest_change_at(service.store, node_id, moment.seq, NODE_OPERATIONS)
    record = change.after if change is not None else None
    if record is None or (type_name is not None and record.get("type") != type_name):
        when = f" ({moment.at})" if moment.at else ""
        raise NotFound(f"No {type_name or 'node'} had id '{node_id}' at change {moment.seq}{when}: "
                       "it did not exist then.")
    stamps = ("id", "type", "created_at", "updated_at", "version")
    return Node(record["id"], record["type"], {k: v for k, v in record.items() if k not in stamps},
                record["created_at"], record["updated_at"], record.get("version", 1))


def relationships_at(service, moment: Moment, rel_type: str | None = None, source: str | None = None,
                     target: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Relationship], int]:
    """A page of the relationships that existed at ``moment``, filtered and ordered as the store orders
    its own lists (created_at, then id)."""
    past = graph_at(service, moment.seq)
    graph = past.graph
    if source is not None:
        edges = graph.out_edges(source, keys=True, data=True) if source in graph else []
    elif target is not None:
        edges = graph.in_edges(target, keys=True, data=True) if target in graph else []
    else:
        edges = graph.edges(keys=True, data=True)
    found = [edge for edge in edges
             if (rel_type is None or edge[3].get("type") == rel_type) and (target is None or edge[1] == target)]
    created = past.stamps.created_at(service.store, (key for _, _, key, _ in found))
    found.sort(key=lambda edge: (created[edge[2]], edge[2]))
    page = [Relationship(key, data["type"], start, end, {k: v for k, v in data.items() if k != "type"},
                         created[key]) for start, end, key, data in found[offset:offset + limit]]
    return page, len(found)


def newest_change_at(store, subject: str, seq: int, operations: Collection[str] | None = None) -> Change | None:
    """The newest change-log entry about ``subject`` at or before ``seq`` (of ``operations``, if given)."""
    limit = FIRST_LOOK
    while True:  # history reads newest first: look further back until an entry at or before seq turns up
        entries = store.history(subject=subject, limit=limit)
        for change in entries:
            if change.seq <= seq and (operations is None or change.operation in operations):
                return change
        if len(entries) < limit:
            return None
        limit *= 8
