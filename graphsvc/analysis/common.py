"""Helpers shared by the analyses: node labels, typed neighbours, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import networkx as nx

__all__ = ["in_neighbours", "label", "nodes_of_type", "out_neighbours", "parse_date"]

_MAIN_KEYS = ("name", "title", "statement")


def label(graph: nx.MultiDiGraph, node: str) -> str:
    """The node's main property (name, title or statement), or its id."""
    data = graph._node[node]  # the raw attribute dict: reports label thousands of nodes
    for key in _MAIN_KEYS:
        if data.get(key):
            return str(data[key])
    return node


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


def parse_date(value) -> dt.date | None:
    """An ISO date (or the date part of an ISO time stamp), or None when absent or malformed."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
