"""Coverage: which initiatives cover which pairs (e.g. Theme x Population), and who to talk to about a theme.

The coverage matrix counts initiatives in each (row, column) cell; its empty cells are the holes.
Contacts are the people nearest to someone (undirected hops over working links: see
:func:`~graphsvc.analysis.paths.walkable`) who are active on a theme, each with the path that connects them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import networkx as nx

from ..errors import NotFound, TooExpensive
from .common import is_example_node, label, nodes_of_type, parse_date
from .paths import WorkBudget, adjacency, describe_path, node_summary, walkable

__all__ = ["ACTIVE_GROUP_LINKS", "ACTIVE_PERSON_LINKS", "active_people", "contacts", "coverage",
           "initiative_links", "initiatives_covering"]

MAX_CELLS = 100_000
CONTACTS_BUDGET = 3_000_000
# What makes a person active on a piece of work, directly or through a group they are a member of.
ACTIVE_PERSON_LINKS = frozenset({"LEADS", "SPONSORS", "ACCOUNTABLE_FOR", "RESPONSIBLE_FOR"})
ACTIVE_GROUP_LINKS = frozenset({"LEADS", "ACCOUNTABLE_FOR", "RESPONSIBLE_FOR"})
_WORK_TYPES = ("Initiative", "Action")


def initiative_links(vocabulary, node_type: str) -> set[str]:
    """The relationship types the vocabulary allows between Initiative and ``node_type``, either way."""
    return {name for name, rel in vocabulary.relationship_types.items()
            if node_type != "Initiative" and ({("Initiative", node_type), (node_type, "Initiative")} & rel.endpoints)}


def coverage(graph: nx.MultiDiGraph, rows: str, cols: str, row_links: Collection[str], col_links: Collection[str],
             status: str | None = "active", rollup: bool = True) -> dict:
    """Initiative counts per (row, column): an initiative counts where it links to both the row and the column.

    ``status=None`` counts every initiative. With ``rollup`` an initiative linked to a sub-theme (or
    sub-place...: ``PART_OF`` of the same type) also counts for every parent.

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([("i", {"type": "Initiative", "status": "active"}), ("t", {"type": "Theme", "name": "T"}),
    ...                   ("p", {"type": "Population", "name": "P"}), ("q", {"type": "Population", "name": "Q"})])
    >>> _ = g.add_edge("i", "t", type="ADDRESSES"); _ = g.add_edge("i", "p", type="SERVES")
    >>> result = coverage(g, "Theme", "Population", {"ADDRESSES"}, {"SERVES"})
    >>> result["cells"], result["empty"]
    ([[1, 0]], [{'row': 't', 'col': 'q'}])
    """
    row_ids, col_ids = _ordered(graph, rows), _ordered(graph, cols)
    if len(row_ids) * len(col_ids) > MAX_CELLS:
        raise TooExpensive(f"A {rows} x {cols} matrix would have {len(row_ids) * len(col_ids):,} cells "
                           f"(at most {MAX_CELLS:,}); choose smaller node types.")
    row_at = {node: i for i, node in enumerate(row_ids)}
    col_at = {node: i for i, node in enumerate(col_ids)}
    cells = [[0] * len(col_ids) for _ in row_ids]
    counted = 0
    for initiative in nodes_of_type(graph, "Initiative"):
        if status is not None and graph.nodes[initiative].get("status") != status:
            continue
        counted += 1
        linked_rows = _linked(graph, initiative, rows, set(row_links), rollup)
        linked_cols = _linked(graph, initiative, cols, set(col_links), rollup)
        for r in linked_rows:
            for c in linked_cols:
                cells[row_at[r]][col_at[c]] += 1
    empty = [{"row": r, "col": c} for r in row_ids for c in col_ids if not cells[row_at[r]][col_at[c]]]
    return {"rows": [_named(graph, n) for n in row_ids], "cols": [_named(graph, n) for n in col_ids],
            "cells": cells, "empty": empty, "status": status or "any", "initiatives": counted}


def active_people(graph: nx.MultiDiGraph, theme: str, today: dt.date | None = None) -> dict[str, list[dict]]:
    """People active on ``theme`` (or a sub-theme), each with the reasons: person id -> [reason].

    Work on a theme is an Initiative or Action that ADDRESSES it. A person is active when they LEADS,
    SPONSORS, is ACCOUNTABLE_FOR or RESPONSIBLE_FOR such work, or is a current MEMBER_OF a group that
    LEADS, is ACCOUNTABLE_FOR or RESPONSIBLE_FOR it (overseeing is not doing: a governance group
    oversees everything, which would make each of its members active on every theme). People whose
    every WORKS_FOR and MEMBER_OF has ended (``until`` before today) have moved on and are left out.
    """
    today = today or dt.date.today()
    themes = _descendants(graph, theme)
    work = {source for t in themes for source, _, kind in graph.in_edges(t, data="type")
            if kind == "ADDRESSES" and graph.nodes[source].get("type") in _WORK_TYPES}
    reasons: dict[str, list[dict]] = {}
    for item in sorted(work):
        for who, _, data in graph.in_edges(item, data=True):
            kind, who_type = data.get("type"), graph.nodes[who].get("type")
            if who_type == "Person" and kind in ACTIVE_PERSON_LINKS:
                reasons.setdefault(who, []).append({"relationship": kind, "work": node_summary(graph, item)})
            elif who_type == "Group" and kind in ACTIVE_GROUP_LINKS:
                for person, _, membership in graph.in_edges(who, data=True):
                    if (membership.get("type") == "MEMBER_OF" and graph.nodes[person].get("type") == "Person"
                            and not _ended(membership, today)):
                        reasons.setdefault(person, []).append({"relationship": kind, "work": node_summary(graph, item),
                                                               "via": node_summary(graph, who)})
    return {person: found for person, found in reasons.items() if not _moved_on(graph, person, today)}


def contacts(graph: nx.MultiDiGraph, person: str, theme: str, limit: int = 5, max_hops: int = 6,
             today: dt.date | None = None, budget: int = CONTACTS_BUDGET,
             rel_types: Collection[str] | None = None) -> dict:
    """The people active on ``theme`` nearest to ``person`` (undirected hops), each with a shortest path.

    The theme is what makes someone a contact, not a hop on the way: the path follows ``rel_types``, or
    by default the working links (never a theme, place or source, nor someone merely informed or consulted).
    At one distance, people active in their own right come before those active only through a group,
    then those with more reasons, then by name.
    """
    _require(graph, person, "Person")
    _require(graph, theme, "Theme")
    active = active_people(graph, theme, today)
    active.pop(person, None)
    found: list[dict] = []
    parents, frontier, work = {person: None}, [person], WorkBudget(budget, "This contact search")
    follows = walkable(rel_types)
    adjacent = adjacency(graph, follows)
    for _ in range(max_hops):  # level by level, so that everyone at one distance can be ranked
        if len(found) >= limit or len(found) == len(active) or not frontier:
            break
        following = []
        for node in frontier:
            work.spend(len(graph._succ[node]) + len(graph._pred[node]))
            for other in adjacent(node):
                if other not in parents:
                    parents[other] = node
                    following.append(other)
        level = sorted((other for other in following if other in active), key=lambda other: _rank(graph, other, active))
        found += [{"person": node_summary(graph, other), "hops": len(path) - 1, "active": active[other][:5],
                   "path": describe_path(graph, path, follows)} for other in level for path in [_walk(parents, other)]]
        frontier = following
    return {"person": node_summary(graph, person), "theme": node_summary(graph, theme), "contacts": found[:limit],
            "active_people": len(active), "max_hops": max_hops}


# -- helpers -------------------------------------------------------------------------------------


def _ordered(graph: nx.MultiDiGraph, node_type: str) -> list[str]:
    return sorted(nodes_of_type(graph, node_type), key=lambda node: (label(graph, node).casefold(), node))


def _named(graph: nx.MultiDiGraph, node: str) -> dict:
    found = {"id": node, "name": label(graph, node)}
    return {**found, "example": True} if is_example_node(graph, node) else found


def _linked(graph: nx.MultiDiGraph, initiative: str, node_type: str, links: set[str], rollup: bool) -> set[str]:
    """The nodes of ``node_type`` the initiative links to (either way), with their parents when rolling up."""
    nodes = graph.nodes
    ends = {other for side in (graph._succ[initiative], graph._pred[initiative]) for other, keyed in side.items()
            if nodes[other].get("type") == node_type and any(rel.get("type") in links for rel in keyed.values())}
    if rollup:
        for node in list(ends):
            ends |= _ancestors(graph, node)
    return ends


def _ancestors(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """Nodes reached by following PART_OF upwards within the same type (cycles are harmless)."""
    kind, seen, stack = graph.nodes[node].get("type"), set(), [node]
    while stack:
        for _, parent, rel in graph.out_edges(stack.pop(), data="type"):
            if rel == "PART_OF" and parent not in seen and graph.nodes[parent].get("type") == kind:
                seen.add(parent)
                stack.append(parent)
    seen.discard(node)
    return seen


def _descendants(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """The node and everything PART_OF it, transitively, within the same type."""
    kind, seen, stack = graph.nodes[node].get("type"), {node}, [node]
    while stack:
        for child, _, rel in graph.in_edges(stack.pop(), data="type"):
            if rel == "PART_OF" and child not in seen and graph.nodes[child].get("type") == kind:
                seen.add(child)
                stack.append(child)
    return seen


def _ended(relationship: dict, today: dt.date) -> bool:
    until = parse_date(relationship.get("until"))
    return until is not None and until < today


def _moved_on(graph: nx.MultiDiGraph, person: str, today: dt.date) -> bool:
    ties = [data for _, _, data in graph.out_edges(person, data=True) if data.get("type") in ("WORKS_FOR", "MEMBER_OF")]
    return bool(ties) and all(_ended(data, today) for data in ties)


def _require(graph: nx.MultiDiGraph, node: str, node_type: str) -> None:
    if node not in graph or graph.nodes[node].get("type") != node_type:
        raise NotFound(f"No {node_type} has id {node!r}.")


def _rank(graph: nx.MultiDiGraph, person: str, active: dict[str, list[dict]]) -> tuple:
    direct = any("via" not in reason for reason in active[person])
    return (not direct, -len(active[person]), label(graph, person).casefold(), person)


def _walk(parents: dict, node: str) -> list[str]:
    path = [node]
    while (node := parents[node]) is not None:
        path.append(node)
    return path[::-1]


def initiatives_covering(graph: nx.MultiDiGraph, node: str, links: Collection[str], rollup: bool = True) -> set[str]:
    """The initiatives :func:`coverage` counts for ``node``: linked to it (or, with ``rollup``, to anything
    PART_OF it) by one of ``links``, either way. Its cell's initiatives are two such sets intersected."""
    if node not in graph:
        return set()
    ends = _descendants(graph, node) if rollup else {node}
    links = set(links)
    return {other for end in ends for side in (graph._succ[end], graph._pred[end]) for other, keyed in side.items()
            if graph.nodes[other].get("type") == "Initiative"
            and any(rel.get("type") in links for rel in keyed.values())}
