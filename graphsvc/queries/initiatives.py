"""Initiatives for readers: a page of them, searched, and filtered by status and by what they link to.

A filter by a theme, population, place or organisation keeps the initiatives the coverage matrix counts
for it (linked to it or to anything PART_OF it), so a coverage cell and the list it links to agree.
"""

from __future__ import annotations

from ..analysis.common import in_neighbours, is_example_node, label, nodes_of_type, out_neighbours
from ..analysis.coverage import initiative_links, initiatives_covering
from ..vocabulary import EXAMPLE_PROPERTY

__all__ = ["LEAD_LINK", "LINKED_TYPES", "find_initiatives", "initiative_choices"]

INITIATIVE = "Initiative"
LEAD_LINK = "LEADS"
# The node types an initiative list can be narrowed by (as the coverage matrix's axes).
LINKED_TYPES = ("Theme", "Population", "Place", "Organisation")
SCAN_LIMIT = 1_000_000  # a text search narrowed by links reads every match, then keeps the linked ones


def find_initiatives(service, text: str | None = None, status: str | None = None,
                     linked: dict[str, list[str]] | None = None, leads: list[str] | None = None,
                     limit: int = 20, offset: int = 0) -> dict:
    """A page of initiatives holding every word of ``text`` (best match first, else by name), of
    ``status`` (None: any), linked to every node in ``linked`` ({node type: [ids]}) as coverage counts
    them, and led by every organisation in ``leads``. Each has its status, leads and example mark."""
    graph = service.graph()
    wanted: set[str] | None = None
    for node_type, ids in (linked or {}).items():
        links = initiative_links(service.vocabulary, node_type)
        for node_id in ids:
            wanted = _narrow(wanted, initiatives_covering(graph, node_id, links))
    for organisation in leads or []:
        led = set(out_neighbours(graph, organisation, LEAD_LINK, INITIATIVE)) if organisation in graph else set()
        wanted = _narrow(wanted, led)
    equals = {"status": status} if status else None
    if wanted is None:
        nodes, total = service.list_nodes(INITIATIVE, text or None, equals, limit, offset)
    elif not wanted:
        nodes, total = [], 0
    else:
        every, _ = service.list_nodes(INITIATIVE, text or None, equals, SCAN_LIMIT, 0)
        matching = [node for node in every if node.id in wanted]
        nodes, total = matching[offset:offset + limit], len(matching)
    return {"initiatives": [_row(graph, node) for node in nodes], "total": total}


def initiative_choices(service) -> dict[str, list[dict]]:
    """What the list can be narrowed by, by name: each linked type's records, and the organisations
    that lead at least one initiative (``lead``)."""
    graph = service.graph()
    choices = {node_type: _named(graph, nodes_of_type(graph, node_type)) for node_type in LINKED_TYPES}
    leaders = {source for initiative in nodes_of_type(graph, INITIATIVE)
               for source in in_neighbours(graph, initiative, LEAD_LINK, "Organisation")}
    return {**choices, "lead": _named(graph, leaders)}


def _narrow(wanted: set[str] | None, found: set[str]) -> set[str]:
    return set(found) if wanted is None else wanted & found


def _named(graph, nodes) -> list[dict]:
    named = [{"id": node, "name": label(graph, node), "example": is_example_node(graph, node)} for node in nodes]
    return sorted(named, key=lambda item: (item["name"].casefold(), item["id"]))


def _row(graph, node) -> dict:
    leads = in_neighbours(graph, node.id, LEAD_LINK) if node.id in graph else []
    return {"id": node.id, "name": node.properties.get("name") or node.id, "status": node.properties.get("status"),
            "example": node.properties.get(EXAMPLE_PROPERTY) is True, "leads": _named(graph, leads)}
