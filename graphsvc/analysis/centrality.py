"""Brokers (betweenness centrality) and communities (Louvain) on the undirected simple view of the graph.

Both are whole-graph computations, so each comes in two steps: a pure computation over a frozen copy
of the graph's structure (:func:`graph_index`, safe to hand to another thread and to cache by seq),
and a cheap description against the live graph (names, types, labels).

Betweenness is networkx's estimator (Brandes; with ``k`` sampled sources chosen exactly as
``nx.betweenness_centrality(G, k=k, seed=seed)`` chooses them, and rescaled the same way), computed
level by level for a batch of sources at once with sparse matrix products: about 25 times faster than
the pure-Python loop, which allows ~100 sampled sources in a few seconds at 100k nodes instead of ~5.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from collections.abc import Collection
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .common import label
from .coverage import ACTIVE_PERSON_LINKS
from .paths import node_summary

__all__ = ["BROKER_TYPES", "GraphIndex", "betweenness", "brokers", "communities", "graph_index", "partition"]

# Who can broker: a theme, place or source sitting between many nodes is a shared subject, not a go-between.
BROKER_TYPES = frozenset({"Person", "Organisation", "Group"})
_WORK_TYPES = frozenset({"Initiative", "Action"})
# A framework holds every one of its items: a hub of hubs that would fold all the work evidencing any item
# of it into one community and stand between them all. Its items still join the work that evidences them.
NOT_CONNECTIONS = frozenset({"ITEM_OF"})
_DOES_WORK = ACTIVE_PERSON_LINKS | {"PARTNERS_IN", "FUNDS"}  # a member -> work it does, as contacts count it

BETWEENNESS_WORK = 150_000_000  # sources x (adjacency + levels x nodes): ~3 s at 100k nodes on one core
MIN_SAMPLES = 16
_BATCH_CELLS = 2_000_000  # nodes x sources per batch: bounds memory to ~16 MB per dense array
_LEVELS_GUESS = 10


class GraphIndex(NamedTuple):
    """The undirected simple structure of a graph: node ids and edges between their positions."""

    nodes: list[str]
    sources: np.ndarray
    targets: np.ndarray


def graph_index(graph: nx.MultiDiGraph) -> GraphIndex:
    """Freeze the graph's structure: direction, parallel relationships and self-loops dropped."""
    nodes = list(graph)
    position = {node: i for i, node in enumerate(nodes)}
    # One entry per (node, neighbour) of the adjacency dicts: parallel relationships are already folded.
    linked = [(position[u], position[v]) for u, neighbours in graph._succ.items()
              for v, keyed in neighbours.items() if _connects(keyed)]
    ends = np.array(linked, dtype=np.int64).reshape(-1, 2)
    sources, targets = ends[:, 0], ends[:, 1]
    keep = sources != targets
    low, high = np.minimum(sources, targets)[keep], np.maximum(sources, targets)[keep]
    pairs = np.unique(low * len(nodes) + high)  # each undirected pair once, however many relationships
    return GraphIndex(nodes, pairs // max(len(nodes), 1), pairs % max(len(nodes), 1))


def _connects(keyed: dict) -> bool:
    return any(data.get("type") not in NOT_CONNECTIONS for data in keyed.values())


def betweenness(graph: nx.MultiDiGraph | GraphIndex, samples: int | None = None, seed: int = 0) -> dict:
    """Normalised betweenness of every node, exact on small graphs and sampled on large ones.

    ``samples=None`` chooses: every node as a source when the work fits ``BETWEENNESS_WORK``, else
    as many sampled sources as fit (at least ``MIN_SAMPLES``).

    >>> result = betweenness(nx.MultiDiGraph([("a", "b"), ("b", "c")]))
    >>> result["scores"]["b"], result["sampled"]
    (1.0, False)
    """
    index = graph if isinstance(graph, GraphIndex) else graph_index(graph)
    n = len(index.nodes)
    if samples is None:
        per_source = 2 * len(index.sources) + _LEVELS_GUESS * n
        samples = n if n * per_source <= BETWEENNESS_WORK else max(MIN_SAMPLES, BETWEENNESS_WORK // per_source)
    sampled = samples < n
    chosen = random.Random(seed).sample(range(n), samples) if sampled else list(range(n))
    totals = _brandes(_adjacency_matrix(index), chosen) if n > 2 else np.zeros(n)
    scale = np.full(n, 1 / ((n - 1) * (n - 2)) if n > 2 else 1.0)  # over ordered pairs, as networkx
    if sampled and n > 2:  # as networkx rescales: a sampled source cannot lie between itself and a target
        scale[:] = 1 / (len(chosen) * (n - 2))
        scale[chosen] = 1 / ((len(chosen) - 1) * (n - 2)) if len(chosen) > 1 else 0.0
    scores = dict(zip(index.nodes, (totals * scale).tolist(), strict=True))
    return {"scores": scores, "sampled": sampled, "samples": len(chosen), "nodes": n}


def brokers(graph: nx.MultiDiGraph, node_types: Collection[str] = BROKER_TYPES, limit: int = 20,
            centrality: dict | None = None) -> dict:
    """The nodes of ``node_types`` (people, organisations and groups by default) with the highest
    betweenness: who sits between the others.

    >>> g = nx.MultiDiGraph([("a", "hub"), ("b", "hub"), ("hub", "c"), ("c", "theme")])
    >>> nx.set_node_attributes(g, "Person", "type"); g.nodes["theme"]["type"] = "Theme"
    >>> [b["id"] for b in brokers(g)["brokers"]]
    ['hub', 'c']
    """
    centrality = centrality or betweenness(graph)
    scores, wanted, nodes = centrality["scores"], frozenset(node_types), graph._node
    candidates = (node for node, score in scores.items()
                  if score > 0 and node in nodes and nodes[node].get("type") in wanted)
    top = heapq.nsmallest(limit, candidates, key=lambda node: (-scores[node], node))
    return {"brokers": [{**node_summary(graph, node), "score": scores[node]} for node in top],
            "sampled": centrality["sampled"], "samples": centrality["samples"], "nodes": centrality["nodes"]}


def partition(graph: nx.MultiDiGraph | GraphIndex, seed: int = 0) -> dict:
    """Louvain communities (fixed seed) of the undirected simple view, largest first, as lists of ids.

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"), ("c", "d")])
    >>> sorted(sorted(c) for c in partition(g)["communities"])
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    index = graph if isinstance(graph, GraphIndex) else graph_index(graph)
    simple = nx.Graph()
    simple.add_nodes_from(range(len(index.nodes)))  # integer nodes: same answer in every process
    simple.add_edges_from(zip(index.sources.tolist(), index.targets.tolist(), strict=True))
    found = nx.community.louvain_communities(simple, seed=seed)
    found.sort(key=lambda members: (-len(members), min(members)))
    return {"communities": [[index.nodes[i] for i in sorted(members)] for members in found],
            "method": "louvain", "seed": seed, "nodes": len(index.nodes)}


def communities(graph: nx.MultiDiGraph, min_size: int = 2, limit: int = 20, members: int = 20,
                found: dict | None = None) -> dict:
    """Communities of at least ``min_size``, largest first, each labelled by its dominant theme and sector.

    The dominant theme is the one most members work on: a member initiative or action counts for the
    themes it ADDRESSES, a member person, organisation or group for the themes of the work it does
    (leads, sponsors, partners in, funds, is accountable or responsible for); each member counts once
    per theme, weighted by how rare the theme is among all work (idf). Themes that are merely members
    (hubs joined by findings and resources) label a cluster only when none of its members does work.

    ``found`` is a :func:`partition` result (possibly cached from an older graph: nodes deleted since are
    left out).
    """
    found = found or partition(graph)
    kept = [[node for node in community if node in graph] for community in found["communities"]]
    kept = [community for community in kept if len(community) >= min_size]
    weights, themes_of_work = _theme_weights(graph), {}
    described = [_describe(graph, i, community, members, weights, themes_of_work)
                 for i, community in enumerate(kept[:limit], start=1)]
    return {"communities": described, "total": len(kept), "method": found["method"], "seed": found["seed"],
            "nodes": found["nodes"]}


# -- helpers -------------------------------------------------------------------------------------


def _adjacency_matrix(index: GraphIndex) -> sp.csr_array:
    n = len(index.nodes)
    rows = np.concatenate([index.sources, index.targets])
    cols = np.concatenate([index.targets, index.sources])
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def _brandes(adjacency: sp.csr_array, sources: list[int]) -> np.ndarray:
    """Brandes' dependency sums over ``sources``, a batch of BFS trees at a time (one column each)."""
    n = adjacency.shape[0]
    totals = np.zeros(n)
    batch = max(1, min(64, _BATCH_CELLS // max(n, 1)))
    for start in range(0, len(sources), batch):
        chosen = np.asarray(sources[start:start + batch])
        columns = np.arange(len(chosen))
        depth = np.full((n, len(chosen)), -1, dtype=np.int32)
        depth[chosen, columns] = 0
        paths = np.zeros((n, len(chosen)))  # sigma: number of shortest paths from the source
        paths[chosen, columns] = 1.0
        frontier, level = paths.copy(), 0
        while True:  # forward: one BFS level per sparse product
            reached = adjacency @ frontier
            new = (reached > 0) & (depth < 0)
            if not new.any():
                break
            level += 1
            depth[new] = level
            frontier = np.where(new, reached, 0.0)
            paths += frontier
        dependency = np.zeros_like(paths)
        safe_paths = np.where(paths > 0, paths, 1.0)
        for d in range(level, 0, -1):  # backward: accumulate dependencies level by level
            share = np.where(depth == d, (1.0 + dependency) / safe_paths, 0.0)
            dependency += np.where(depth == d - 1, paths * (adjacency @ share), 0.0)
        dependency[chosen, columns] = 0.0
        totals += dependency.sum(axis=1)
    return totals


def _theme_weights(graph: nx.MultiDiGraph) -> dict[str, float]:
    """Inverse document frequency of each theme among the ADDRESSES from work (initiatives and actions)."""
    nodes = graph._node
    counts = {theme: sum(1 for source, keyed in graph._pred[theme].items() if nodes[source].get("type") in _WORK_TYPES
                         for rel in keyed.values() if rel.get("type") == "ADDRESSES")
              for theme, kind in graph.nodes(data="type") if kind == "Theme"}
    total = sum(counts.values())
    return {theme: math.log(1 + total / count) if count else 0.0 for theme, count in counts.items()}


def _describe(graph: nx.MultiDiGraph, number: int, community: list[str], members: int,
              weights: dict[str, float], themes_of_work: dict[str, frozenset[str]]) -> dict:
    """Size, node types, dominant themes and sectors, a label, and the best-connected members."""
    nodes, succ, pred = graph.nodes, graph._succ, graph._pred
    themes: Counter = Counter()
    sectors: Counter = Counter()
    types: Counter = Counter()
    for node in community:
        data = nodes[node]
        kind = data.get("type")
        types[kind] += 1
        if kind == "Organisation" and data.get("sector"):
            sectors[data["sector"]] += 1
        themes.update(_member_themes(graph, node, themes_of_work))
    if not themes:  # no member does work: themes inside the community stand for themselves, by links in
        themes.update({node: len(pred[node]) for node in community if nodes[node].get("type") == "Theme"})
        weights = {}
    top_themes = sorted(themes.items(), key=lambda item: (-item[1] * weights.get(item[0], 1.0), item[0]))[:3]
    top_sectors = sorted(sectors.items(), key=lambda item: (-item[1], item[0]))[:3]
    central = heapq.nsmallest(max(members, 1), community, key=lambda node: (-len(succ[node]) - len(pred[node]), node))
    parts = [label(graph, top_themes[0][0])] if top_themes else []
    parts += [top_sectors[0][0]] if top_sectors else []
    return {
        "id": number,
        "label": " · ".join(parts) or label(graph, central[0]),
        "size": len(community),
        "types": dict(sorted(types.items())),
        "themes": [{**node_summary(graph, theme), "count": count} for theme, count in top_themes],
        "sectors": [{"sector": sector, "count": count} for sector, count in top_sectors],
        "members": [node_summary(graph, node) for node in central[:members]],
    }


def _member_themes(graph: nx.MultiDiGraph, member: str, themes_of_work: dict[str, frozenset[str]]) -> frozenset[str]:
    """The themes a member works on: its own if it is work, else those of the work it does."""
    kind = graph._node[member].get("type")
    if kind in _WORK_TYPES:
        return _work_themes(graph, member, themes_of_work)
    if kind not in BROKER_TYPES:
        return frozenset()
    work = {target for target, keyed in graph._succ[member].items() if graph._node[target].get("type") in _WORK_TYPES
            and any(rel.get("type") in _DOES_WORK for rel in keyed.values())}
    return frozenset().union(*(_work_themes(graph, item, themes_of_work) for item in work))


def _work_themes(graph: nx.MultiDiGraph, work: str, cache: dict[str, frozenset[str]]) -> frozenset[str]:
    if work not in cache:
        cache[work] = frozenset(target for target, keyed in graph._succ[work].items()
                                if graph._node[target].get("type") == "Theme"
                                and any(rel.get("type") == "ADDRESSES" for rel in keyed.values()))
    return cache[work]
