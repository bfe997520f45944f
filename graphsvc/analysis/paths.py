"""Connections: the k shortest paths between two nodes, and the neighbourhood around one node.

Relationship direction is ignored when walking (a person WORKS_FOR an organisation that LEADS an
initiative connects the person to the initiative), but every relationship is reported in its stored
direction. By default a path follows the *working* links between people, organisations, groups and
their work (see :func:`walkable`). Each search spends from a work budget (adjacency entries scanned) and raises
:class:`~graphsvc.errors.TooExpensive` rather than running on: a query never hangs.

The walk reads the MultiDiGraph's adjacency dicts directly (``_succ``/``_pred``, as networkx's own
algorithms do): an undirected view or a copy would cost more than the search on a 500k-edge graph.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable

import networkx as nx

from ..errors import NotFound, TooExpensive
from .common import is_example_node, label

__all__ = ["AWARENESS_LINKS", "CONTEXT_LINKS", "WorkBudget", "adjacency", "describe_path", "k_shortest_paths",
           "neighbourhood", "node_summary", "walkable"]

Follows = Callable[[str | None, str, str], bool]  # (relationship type, one end, other end) -> may a walk take it

# Someone was told or asked about the work, not doing it: a path through these would claim a working
# tie that is not there, so no default walk takes them.
AWARENESS_LINKS = frozenset({"INFORMED_OF", "CONSULTED_ON"})
# What work is about (themes, populations, places, sources, findings, the national frameworks' items and
# the frameworks they belong to, the populations a value is for): hubs that touch everyone on a subject,
# so a hop through one says nothing about who works with whom. A default walk takes them only to reach
# its own ends (a path *to* a theme ends with ADDRESSES), never in the middle.
CONTEXT_LINKS = frozenset({"ADDRESSES", "SERVES", "OPERATES_IN", "FROM_SOURCE", "RESPONDS_TO", "EVIDENCES",
                           "ITEM_OF", "BROKEN_DOWN_BY"})

PATH_BUDGET = 3_000_000  # adjacency entries one path query may scan (about a second of work)
NEIGHBOURHOOD_BUDGET = 2_000_000


class WorkBudget:
    """Counts adjacency entries scanned; raises TooExpensive once ``limit`` is spent."""

    def __init__(self, limit: int, what: str = "This query"):
        self.limit, self.spent, self.what = limit, 0, what

    def spend(self, amount: int) -> None:
        self.spent += amount
        if self.spent > self.limit:
            raise TooExpensive(f"{self.what} would scan more than {self.limit:,} relationships; "
                               "narrow it (fewer hops, a smaller k or depth, or relationship types).",
                               {"budget": self.limit})


def node_summary(graph: nx.MultiDiGraph, node: str) -> dict:
    """``{id, type, name}`` for a node, with ``example: true`` when it is fictional example data."""
    found = {"id": node, "type": graph._node[node].get("type"), "name": label(graph, node)}
    return {**found, "example": True} if is_example_node(graph, node) else found


def walkable(rel_types: Collection[str] | None = None, ends: Collection[str] = ()) -> Follows:
    """Which relationships a walk may take. Given ``rel_types``: exactly those, anywhere. By default:
    every type but the awareness links, and the context links only where they touch one of ``ends``.

    >>> follows = walkable(ends={"theme"})
    >>> follows("WORKS_FOR", "p", "o"), follows("INFORMED_OF", "p", "a"), follows("ADDRESSES", "i", "theme")
    (True, False, True)
    >>> follows("ADDRESSES", "i", "other-theme")
    False
    """
    if rel_types:
        allowed = frozenset(rel_types)
        return lambda kind, u, v: kind in allowed
    return _WorkingLinks(frozenset(ends))


class _WorkingLinks:
    """The default walk (see :func:`walkable`), as data, so :func:`adjacency` can test whole sets of
    relationships at once: a path search calls it for every relationship it scans."""

    def __init__(self, ends: frozenset[str]):
        self.ends = ends

    def __call__(self, kind: str | None, u: str, v: str) -> bool:
        return kind not in AWARENESS_LINKS and (kind not in CONTEXT_LINKS or u in self.ends or v in self.ends)


def describe_path(graph: nx.MultiDiGraph, nodes: list[str], follows: Follows | None = None) -> dict:
    """A node path as ``{hops, nodes, relationships}``, each hop one relationship in its stored direction.

    Where several relationships join two nodes, the first by (type, id) is shown.

    >>> g = nx.MultiDiGraph(); g.add_edge("p", "o", key="r1", type="WORKS_FOR")
    'r1'
    >>> [r["id"] for r in describe_path(g, ["o", "p"])["relationships"]]
    ['r1']
    """
    hops = [_relationship_between(graph, u, v, follows) for u, v in zip(nodes, nodes[1:], strict=False)]
    return {"hops": len(hops), "nodes": [node_summary(graph, n) for n in nodes], "relationships": hops}


def k_shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, k: int = 3, max_hops: int = 4,
                     rel_types: Collection[str] | None = None, budget: int = PATH_BUDGET) -> list[dict]:
    """Up to ``k`` shortest simple paths of at most ``max_hops``, shortest first, direction ignored,
    following ``rel_types`` or by default the working links (:func:`walkable`).

    Yen's algorithm (with Lawler's saving: each path is only deviated from its own deviation point
    onwards); every search is a hop-capped bidirectional BFS that grows the side with less adjacency.

    >>> g = nx.MultiDiGraph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "e"), ("e", "c")])
    >>> [[n["id"] for n in p["nodes"]] for p in k_shortest_paths(g, "a", "c")]
    [['a', 'b', 'c'], ['a', 'd', 'e', 'c']]
    """
    _require(graph, source, target)
    follows = walkable(rel_types, ends=(source, target))
    adjacent = adjacency(graph, follows)
    work = WorkBudget(budget, "This path search")
    first = _bidirectional(graph, adjacent, source, target, max_hops, set(), set(), work)
    if first is None:
        return []
    accepted: list[tuple[list[str], int]] = [(first, 0)]
    seen = {tuple(first)}
    candidates: list[tuple[int, tuple[str, ...], int]] = []
    while len(accepted) < k:
        path, deviation = accepted[-1]
        for j in range(deviation, len(path) - 1):
            root = path[: j + 1]
            banned_edges = {(p[j], p[j + 1]) for p, _ in accepted if p[: j + 1] == root}
            banned_edges |= {(b, a) for a, b in banned_edges}
            spur = _bidirectional(graph, adjacent, path[j], target, max_hops - j, set(root[:-1]), banned_edges, work)
            if spur is not None and tuple(root[:-1] + spur) not in seen:
                candidate = tuple(root[:-1] + spur)
                seen.add(candidate)
                heapq.heappush(candidates, (len(candidate), candidate, j))
        if not candidates:
            break
        _, best, deviation = heapq.heappop(candidates)
        accepted.append((list(best), deviation))
    return [describe_path(graph, path, follows) for path, _ in accepted]


def neighbourhood(graph: nx.MultiDiGraph, center: str, depth: int = 1, rel_types: Collection[str] | None = None,
                  limit: int = 500, budget: int = NEIGHBOURHOOD_BUDGET) -> dict:
    """The nodes within ``depth`` hops (nearest first, at most ``limit``) and the relationships among them.

    >>> g = nx.MultiDiGraph([("a", "b"), ("c", "b"), ("c", "d")])
    >>> [n["id"] for n in neighbourhood(g, "b", depth=1)["nodes"]]
    ['b', 'a', 'c']
    """
    _require(graph, center)
    allowed = set(rel_types) if rel_types else None  # everything around the node, unless narrowed
    adjacent = adjacency(graph, walkable(allowed) if allowed else None)
    work = WorkBudget(budget, "This neighbourhood")
    found, frontier, truncated = {center: 0}, [center], False
    for hop in range(1, depth + 1):
        following = []
        for node in frontier:
            work.spend(_degree(graph, node))
            for other in adjacent(node):
                if other not in found:
                    if len(found) >= limit:
                        truncated = True
                        break
                    found[other] = hop
                    following.append(other)
            if truncated:
                break
        frontier = following
        if truncated or not frontier:
            break
    nodes = [{**node_summary(graph, n), "depth": d} for n, d in found.items()]
    return {"center": node_summary(graph, center), "nodes": nodes,
            "relationships": _relationships_among(graph, found, allowed, work), "truncated": truncated}


# -- helpers -------------------------------------------------------------------------------------


def _require(graph: nx.MultiDiGraph, *nodes: str) -> None:
    for node in nodes:
        if node not in graph:
            raise NotFound(f"No node has id {node!r}.")


def _degree(graph: nx.MultiDiGraph, node: str) -> int:
    return len(graph._succ[node]) + len(graph._pred[node])


def adjacency(graph: nx.MultiDiGraph, follows: Follows | None) -> Callable[[str], Iterable[str]]:
    """node -> its neighbours either way (repeats possible), through relationships a walk ``follows``
    (every relationship when None)."""
    succ, pred = graph._succ, graph._pred
    if follows is None:
        return lambda node: [*succ[node], *pred[node]]
    if isinstance(follows, _WorkingLinks):
        return _working_adjacency(succ, pred, follows.ends)

    def adjacent(node: str) -> list[str]:
        return [other for side in (succ[node], pred[node]) for other, keyed in side.items()
                if any(follows(data.get("type"), node, other) for data in keyed.values())]

    return adjacent


_NOT_WORKING = AWARENESS_LINKS | CONTEXT_LINKS


def _working_adjacency(succ, pred, ends: frozenset[str]) -> Callable[[str], list[str]]:
    """:func:`adjacency` for the default walk, with the test inlined (the same rule as _WorkingLinks)."""
    def adjacent(node: str) -> list[str]:
        found = []
        for side in (succ[node], pred[node]):
            for other, keyed in side.items():
                blocked = AWARENESS_LINKS if node in ends or other in ends else _NOT_WORKING
                for data in keyed.values():
                    if data.get("type") not in blocked:
                        found.append(other)
                        break
        return found

    return adjacent


def _bidirectional(graph, adjacent, source: str, target: str, max_len: int, banned_nodes: set,
                   banned_edges: set, work: WorkBudget) -> list[str] | None:
    """A shortest path of at most ``max_len`` hops avoiding the banned nodes and edges, or None."""
    if source == target:
        return [source]
    if source in banned_nodes or target in banned_nodes:
        return None
    parents = ({source: None}, {target: None})  # per side: node -> the node it was reached from
    frontiers = [[source], [target]]
    for _ in range(max_len):
        # Grow the side whose frontier touches fewer relationships, so a hub is crossed once.
        costs = [sum(_degree(graph, n) for n in frontier) for frontier in frontiers]
        side = 0 if costs[0] <= costs[1] else 1
        work.spend(costs[side])
        mine, theirs, following = parents[side], parents[1 - side], []
        for node in frontiers[side]:
            for other in adjacent(node):
                if other in mine or other in banned_nodes or (banned_edges and (node, other) in banned_edges):
                    continue
                mine[other] = node
                if other in theirs:  # the first meeting is a shortest path (level-by-level growth)
                    return _walk(parents[0], other)[::-1] + _walk(parents[1], other)[1:]
                following.append(other)
        if not following:
            return None
        frontiers[side] = following
    return None


def _walk(parents: dict, node: str) -> list[str]:
    path = [node]
    while (node := parents[node]) is not None:
        path.append(node)
    return path


def _relationship_between(graph: nx.MultiDiGraph, u: str, v: str, follows: Follows | None) -> dict:
    options = [(data.get("type"), key, a, b) for a, b in ((u, v), (v, u))
               for key, data in graph._succ[a].get(b, {}).items()
               if follows is None or follows(data.get("type"), u, v)]
    kind, key, a, b = min(options, key=lambda option: (str(option[0]), str(option[1])))
    return {"id": key, "type": kind, "from": a, "to": b}


def _relationships_among(graph: nx.MultiDiGraph, nodes: dict, allowed: set[str] | None, work: WorkBudget) -> list:
    """Every relationship (of an allowed type) whose two ends are both in ``nodes``."""
    found = []
    for node in nodes:
        work.spend(len(graph._succ[node]))
        for other, keyed in graph._succ[node].items():
            if other in nodes:
                found.extend({"id": key, "type": data.get("type"), "from": node, "to": other}
                             for key, data in keyed.items() if allowed is None or data.get("type") in allowed)
    return found
