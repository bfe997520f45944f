"""How things connect, for readers: paths, neighbourhoods, brokers, communities, coverage and contacts.

Each function reads the caught-up projection (``examples=False``: without the fictional example records),
calls a pure analysis and returns the answer as plain data. Brokers and communities are whole-graph
analyses: they are kept per seq, and on large graphs computed in the background (see :class:`.memo.Memo`);
their answers say which seq they reflect (``as_of_seq``).
"""

from __future__ import annotations

from ..analysis.centrality import BROKER_TYPES, betweenness, partition
from ..analysis.centrality import brokers as rank_brokers
from ..analysis.centrality import communities as describe_communities
from ..analysis.coverage import contacts as nearest_contacts
from ..analysis.coverage import coverage as coverage_matrix
from ..analysis.coverage import initiative_links
from ..analysis.paths import AWARENESS_LINKS, CONTEXT_LINKS, k_shortest_paths, node_summary
from ..analysis.paths import neighbourhood as nodes_around
from .as_of import answer_at
from .cache import caches_for, snapshot
from .moments import Moment

__all__ = ["brokers", "communities", "contacts", "coverage", "end_types", "neighbourhood", "paths", "working_types"]


def working_types(vocabulary) -> list[str]:
    """The relationship types followed by default: every type except awareness and context links."""
    return sorted(set(vocabulary.relationship_types) - AWARENESS_LINKS - CONTEXT_LINKS)


def end_types(vocabulary) -> list[str]:
    """The context links a default path may take at its ends only."""
    return sorted(CONTEXT_LINKS & set(vocabulary.relationship_types))


def paths(service, source: str, target: str, k: int = 3, max_hops: int = 4, types: list[str] | None = None,
          examples: bool = True) -> dict:
    """Up to ``k`` shortest paths between two nodes (direction ignored), shortest first."""
    graph = service.graph(examples=examples)
    found = k_shortest_paths(graph, source, target, k, max_hops, types)
    return {"from": node_summary(graph, source), "to": node_summary(graph, target), "k": k, "max_hops": max_hops,
            "types": types or working_types(service.vocabulary),
            "types_at_ends": [] if types else end_types(service.vocabulary), "paths": found}


def neighbourhood(service, node_id: str, depth: int = 1, types: list[str] | None = None, limit: int = 500,
                  examples: bool = True) -> dict:
    """The nodes within ``depth`` hops, nearest first (at most ``limit``), and the relationships among them."""
    found = nodes_around(service.graph(examples=examples), node_id, depth, types, limit)
    return {**found, "depth": depth}


def brokers(service, node_type: str | None = None, limit: int = 20, examples: bool = True) -> dict:
    """Nodes ranked by betweenness centrality; raises StillComputing while a large graph's ranking is worked out."""
    seq, graph = snapshot(service, examples)
    done_at, centrality = caches_for(service).memo.get("brokers", examples, seq, graph, betweenness)
    types = {node_type} if node_type else BROKER_TYPES
    return {**rank_brokers(graph, types, limit, centrality), "as_of_seq": _as_of(service, done_at)}


def communities(service, min_size: int = 2, limit: int = 20, members: int = 20, examples: bool = True) -> dict:
    """Clusters of densely connected nodes (Louvain), labelled; raises StillComputing as ``brokers`` does."""
    caches = caches_for(service)
    seq, graph = snapshot(service, examples)
    done_at, found = caches.memo.get("communities", examples, seq, graph, partition)
    # Describing a big community takes a while: identical requests before the next change reuse it.
    key = (examples, done_at, min_size, limit, members)
    return caches.answers.get(seq, key, lambda: {
        **describe_communities(graph, min_size, limit, members, found), "as_of_seq": _as_of(service, done_at)})


def coverage(service, rows: str = "Theme", cols: str = "Population", status: str | None = "active",
             rollup: bool = True, examples: bool = True, moment: Moment | None = None) -> dict:
    """Initiatives per (row, column) cell, e.g. Theme x Population, with the empty cells listed, and
    ``graph_as_of`` ({seq, at}): the moment of the graph counted, now unless ``moment`` names a past one.
    ``status`` is the initiative status counted; None or ``any`` counts every initiative. Kept until the
    next change (a national matrix takes about a second): callers must not change the answer."""
    vocabulary = service.vocabulary

    def compute(graph, answered: Moment) -> dict:
        matrix = coverage_matrix(graph, rows, cols, initiative_links(vocabulary, rows),
                                 initiative_links(vocabulary, cols), None if status == "any" else status, rollup)
        return {**matrix, "graph_as_of": answered.as_dict()}

    key = ("coverage", examples, rows, cols, status, rollup)
    return answer_at(service, moment, examples, "answers", key, compute)[0]


def contacts(service, person: str, theme: str, limit: int = 5, max_hops: int = 6, types: list[str] | None = None,
             examples: bool = True) -> dict:
    """The nearest people active on ``theme``, each with the path that connects them (over working links)."""
    found = nearest_contacts(service.graph(examples=examples), person, theme, limit, max_hops, rel_types=types)
    return {**found, "types": types or working_types(service.vocabulary)}


def _as_of(service, done_at: int | None) -> int:
    # None: writes kept landing while the graph was read, and the result was computed on the spot.
    return service.projection.seq if done_at is None else done_at
