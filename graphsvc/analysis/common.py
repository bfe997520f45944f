"""Helpers shared by the analyses: node labels, example marks, typed neighbours, dates, counted nouns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Iterator

import networkx as nx

from ..vocabulary import EXAMPLE_PROPERTY

__all__ = ["counted", "in_neighbours", "is_example_node", "is_linked", "label", "linked", "nodes_of_type",
           "out_neighbours", "parse_date"]

_MAIN_KEYS = ("name", "title", "statement")


def label(graph: nx.MultiDiGraph, node: str) -> str:
    """The node's main property (name, title or statement), or its id."""
    data = graph._node[node]  # the raw attribute dict: reports label thousands of nodes
    for key in _MAIN_KEYS:
        if data.get(key):
            return str(data[key])
    return node


def is_example_node(graph: nx.MultiDiGraph, node: str) -> bool:
    """Whether the node is marked as fictional example data (the projection's form of rules.is_example)."""
    return graph._node[node].get(EXAMPLE_PROPERTY) is True


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with the noun in the right number: flags are read aloud at boards, "1 day(s)" is not.

    >>> counted(1, "open action"), counted(8, "open action"), counted(2, "person", "people")
    ('1 open action', '8 open actions', '2 people')
    """
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def nodes_of_type(graph: nx.MultiDiGraph, node_type: str) -> Iterator[str]:
    return (node for node, kind in graph.nodes(data="type") if kind == node_type)


def out_neighbours(graph: nx.MultiDiGraph, node: str, rel_types: Iterable[str] | str,
                   node_type: str | None = None) -> list[str]:
    """Targets of ``node``'s outgoing relationships of the given type(s), optionally of one node type."""
    wanted = {rel_types} if isinstance(rel_types, str) else set(rel_types)
    return [target for _, target, kind in graph.out_edges(node, data="type")
            if kind in wanted and (node_type is None or graph.nodes[target].get("type") == node_type)]


def in_neighbours(graph: nx.MultiDiGraph, node: str, rel_types: Iterable[str] | str,
                  node_type: str | None = None) -> list[str]:
    """Sources of ``node``'s incoming relationships of the given type(s), optionally of one node type."""
    wanted = {rel_types} if isinstance(rel_types, str) else set(rel_types)
    return [source for source, _, kind in graph.in_edges(node, data="type")
            if kind in wanted and (node_type is None or graph.nodes[source].get("type") == node_type)]


def linked(adjacency: dict[str, dict[str, dict]], rel_type: str, among: Container[str] | None = None) -> list[str]:
    """The neighbours in ``adjacency`` (``graph._succ[node]`` or ``graph._pred[node]``) joined by a
    ``rel_type`` relationship, one per relationship; only those ``among`` the given nodes, if given.

    Each neighbour is checked against ``among`` first: a set lookup, where reading the relationship
    is several cache misses. Reports that ask this of thousands of nodes use it over the public views.
    """
    if among is None:
        return [end for end, keyed in adjacency.items() for data in keyed.values() if data["type"] == rel_type]
    return [end for end, keyed in adjacency.items() if end in among
            for data in keyed.values() if data["type"] == rel_type]


def is_linked(adjacency: dict[str, dict[str, dict]], rel_type: str, among: Container[str] | None = None) -> bool:
    """Whether :func:`linked` would find anything; stops at the first, so a hub costs no more than a leaf."""
    if among is None:
        return any(data["type"] == rel_type for keyed in adjacency.values() for data in keyed.values())
    return any(data["type"] == rel_type for end, keyed in adjacency.items() if end in among for data in keyed.values())


def parse_date(value) -> dt.date | None:
    """An ISO date (or the date part of an ISO time stamp), or None when absent or malformed."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
