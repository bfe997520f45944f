"""Connections for leaders: how two records connect, a record's neighbourhood, who to talk to, brokers
and communities.

Each page builds one context dict from graphsvc.queries.connections (the functions the JSON API calls)
and renders it; the graph pages draw the same content with cytoscape.js from a JSON island, over a
list or table that carries it all without JavaScript. Names are found with `service.search`, offered
as radio choices, so picking a person works without JavaScript too.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import g, jsonify, request

from ..app import get_service
from ..errors import NotFound, TooExpensive
from ..queries import connections as queries
from ..queries.memo import StillComputing
from ..vocabulary import EXAMPLE_PROPERTY
from . import web
from .as_json import json_safe, render_page
from .formatting import label_of, phrase

__all__ = ["contacts_context", "graph_context", "paths_context"]

CHOICES = 10  # records offered for a typed name
QUERY_MAX_CHARACTERS = 200
DEPTHS = (1, 2, 3)  # as the API allows
GRAPH_LIMITS = (100, 500, 1000, 2000)  # records drawn around one record: the API allows 1 to 2,000
GRAPH_LIMIT = 500  # the API's default
TABLE_ROWS = 200  # rows per page of the explorer's tables: 2,000 records and 10,000 links stay readable
BROKERS_SHOWN = 20
COMMUNITIES_SHOWN = 20


# -- pages -------------------------------------------------------------------------------------------

@web.route("/connections")
def connections():
    args = request.args
    context = paths_context(get_service(), args.get("from", ""), args.get("from_q", ""),
                            args.get("to", ""), args.get("to_q", ""))
    return render_page("web/connections_paths.html", context)


@web.route("/records/<record_id>/graph")
def record_graph(record_id: str):
    return render_page("web/connections_graph.html", graph_context(get_service(), record_id, request.args))


@web.route("/records/<record_id>/graph.json")
def record_graph_json(record_id: str):
    """The explorer's context as JSON (as `?format=json` gives it): what its script fetches to expand a node."""
    return jsonify(json_safe(graph_context(get_service(), record_id, request.args)))


@web.route("/connections/contacts")
def contacts():
    args = request.args
    context = contacts_context(get_service(), g.user, args.get("theme", ""), args.get("person", ""),
                               args.get("person_q", ""))
    return render_page("web/connections_contacts.html", context)


@web.route("/connections/brokers")
def brokers():
    return render_page("web/connections_brokers.html", brokers_context(get_service()))


@web.route("/connections/communities")
def communities():
    return render_page("web/connections_communities.html", communities_context(get_service()))


# -- contexts ----------------------------------------------------------------------------------------

def paths_context(service, from_id: str, from_text: str, to_id: str, to_text: str) -> dict:
    """The two ends (chosen, or the records matching what was typed) and, once both are chosen, the
    shortest paths between them: the same answer `GET /api/v1/paths` gives."""
    start = _end(service, "from", "Who or what to start from", from_id, from_text)
    end = _end(service, "to", "Who or what to reach", to_id, to_text)
    context = {"page_title": "How am I connected to …", "ends": [start, end], "answer": None, "error": None,
               "graph": None}
    if not (start["chosen"] and end["chosen"]):
        return context
    try:
        found = queries.paths(service, start["chosen"]["id"], end["chosen"]["id"])
    except TooExpensive as busy:
        return {**context, "error": str(busy)}
    paths = [_path(path) for path in found["paths"]]
    title = f"How {start['chosen']['label']} connects to {end['chosen']['label']}"
    return {**context, "page_title": title, "answer": {"paths": paths, "max_hops": found["max_hops"]},
            "graph": _drawing([node for path in paths for node in path["nodes"]],
                              [hop for path in paths for hop in path["hops"]])}


def graph_context(service, record_id: str, args) -> dict:
    """The records within `depth` hops of one record (at most `limit`, nearest first) and the
    relationships among them, narrowed to the chosen relationship and record types; the tables show
    them a page (TABLE_ROWS) at a time. `args`: the page's query (depth, limit, types, node_types,
    records_page, relationships_page), any of it missing or odd."""
    chosen = _explorer_choices(service.vocabulary, args)
    found, error = _neighbourhood(service, record_id, chosen)  # NotFound: 404
    center = _summary(found["center"])
    nodes, hops = _narrowed(found, chosen["node_types"])
    pages = {name: _page_number(args.get(f"{name}_page", ""), total)
             for name, total in (("records", len(nodes)), ("relationships", len(hops)))}
    return {
        "page_title": f"Around {center['label']}", "center": center, "error": error,
        "depth": chosen["depth"], "depths": list(DEPTHS), "limit": chosen["limit"], "limits": list(GRAPH_LIMITS),
        "rel_type_choices": _type_choices(service.vocabulary.relationship_types, chosen["types"]),
        "node_type_choices": _type_choices(service.vocabulary.node_types, chosen["node_types"]),
        "truncated": found["truncated"], "nodes": nodes, "relationships": hops, "graph": _drawing(nodes, hops),
        "tables": {name: _paging(pages, name, len(rows), lambda changed: _explorer_address(record_id, chosen, changed))
                   for name, rows in (("records", nodes), ("relationships", hops))},
    }


def contacts_context(service, identity, theme_id: str, person_id: str, person_text: str) -> dict:
    """Who to talk to about a theme: the nearest people active on it, from the signed-in person (when
    their name is a Person record's) or from a person chosen by name."""
    themes = sorted(_all_of(service, "Theme"), key=lambda theme: theme["label"].lower())
    if not person_id and not person_text:
        person_id = _person_named(service, identity.name) or ""
    person = _end(service, "person", "Whose contacts", person_id, person_text, ["Person"])
    theme = next((item for item in themes if item["id"] == theme_id), None)
    context = {"page_title": "Who should I talk to about …", "themes": themes, "theme": theme, "person": person,
               "answer": None, "error": None}
    if theme_id and theme is None:
        context["error"] = "Choose a theme from the list."
    if not (theme and person["chosen"]):
        return context
    try:
        found = queries.contacts(service, person["chosen"]["id"], theme["id"])
    except TooExpensive as busy:
        return {**context, "error": str(busy)}
    people = [{"person": _summary(item["person"]), "hops": item["hops"],
               "active": [{"relationship": phrase(reason["relationship"]).lower(), "work": _summary(reason["work"]),
                           "via": _summary(reason["via"]) if reason.get("via") else None}
                          for reason in item["active"]],
               "path": _path(item["path"]) if item.get("path") else None}
              for item in found["contacts"]]
    return {**context, "page_title": f"Who {person['chosen']['label']} could talk to about {theme['label']}",
            "answer": {"people": people, "active_people": found["active_people"], "max_hops": found["max_hops"]}}


def brokers_context(service) -> dict:
    """Who sits on the paths between others, or a note that it is still being worked out."""
    context = {"page_title": "Brokers: who connects others", "busy": None, "brokers": []}
    try:
        found = queries.brokers(service, limit=BROKERS_SHOWN)
    except StillComputing as busy:
        return {**context, "busy": busy.retry_after}
    return {**context, "brokers": [{**_summary(item), "score": item["score"],
                                    "percent": f"{item['score'] * 100:.1f}"} for item in found["brokers"]],
            "sampled": found["sampled"], "nodes": found["nodes"]}


def communities_context(service) -> dict:
    """Clusters of closely linked records, labelled by their main theme and sector."""
    context = {"page_title": "Communities: who works closely together", "busy": None, "communities": []}
    try:
        found = queries.communities(service, limit=COMMUNITIES_SHOWN)
    except StillComputing as busy:
        return {**context, "busy": busy.retry_after}
    described = [{"id": item["id"], "label": item["label"], "size": item["size"],
                  "types": [f"{count} {phrase(kind).lower()}" for kind, count in item["types"].items()],
                  "themes": [_summary(theme) for theme in item["themes"]],
                  "sectors": [phrase(sector["sector"]) for sector in item["sectors"]],
                  "members": [_summary(member) for member in item["members"]]}
                 for item in found["communities"]]
    return {**context, "communities": described, "total": found["total"], "nodes": found["nodes"]}


# -- helpers -----------------------------------------------------------------------------------------

def _choice(text: str, allowed: tuple[int, ...], default: int) -> int:
    """A number from the address if it is one of the form's choices, else the default (never an error:
    an edited address still shows a page)."""
    return int(text) if text.isdigit() and int(text) in allowed else default


def _type_choices(names, chosen: list[str]) -> list[dict]:
    return [{"value": name, "text": phrase(name), "checked": name in chosen} for name in sorted(names)]


def _explorer_choices(vocabulary, args) -> dict:
    return {"depth": _choice(args.get("depth", ""), DEPTHS, 1),
            "limit": _choice(args.get("limit", ""), GRAPH_LIMITS, GRAPH_LIMIT),
            "types": sorted(set(args.getlist("types")) & set(vocabulary.relationship_types)),
            "node_types": sorted(set(args.getlist("node_types")) & set(vocabulary.node_types))}


def _neighbourhood(service, record_id: str, chosen: dict) -> tuple[dict, str | None]:
    """The neighbourhood read, or when it would cost too much, the record alone and what to narrow."""
    try:
        return queries.neighbourhood(service, record_id, chosen["depth"], chosen["types"] or None,
                                     chosen["limit"]), None
    except TooExpensive as busy:
        center = queries.neighbourhood(service, record_id, 1, None, 1)["center"]  # a read that stops at once
        return {"center": center, "nodes": [{**center, "depth": 0}], "relationships": [], "truncated": False}, str(busy)


def _narrowed(found: dict, node_types: list[str]) -> tuple[list[dict], list[dict]]:
    """The records of the chosen types (the centre always) and the relationships among them."""
    center_id = found["center"]["id"]
    nodes = [{**_summary(node), "depth": node["depth"]} for node in found["nodes"]
             if not node_types or node["type"] in node_types or node["id"] == center_id]
    labels = {node["id"]: node for node in nodes}
    return nodes, [_hop(rel, labels) for rel in found["relationships"]
                   if rel["from"] in labels and rel["to"] in labels]


def _page_number(text: str, total: int) -> int:
    """A table's page from the address: 1 unless a page that exists."""
    return min(int(text), _page_count(total)) if text.isdigit() and int(text) > 0 else 1


def _paging(pages: dict[str, int], name: str, total: int, address) -> dict:
    """One table's page: which rows it shows (start:stop) and the addresses of its neighbours, which
    keep every other choice (the other table's page too)."""
    page, last_page = pages[name], _page_count(total)
    start = (page - 1) * TABLE_ROWS
    return {"page": page, "pages": last_page, "start": start, "stop": min(start + TABLE_ROWS, total),
            "total": total,
            "previous": f"{address({**pages, name: page - 1})}#{name}" if page > 1 else None,
            "next": f"{address({**pages, name: page + 1})}#{name}" if page < last_page else None}


def _page_count(total: int) -> int:
    return max(1, -(-total // TABLE_ROWS))


def _explorer_address(record_id: str, chosen: dict, pages: dict[str, int]) -> str:
    query = [("depth", chosen["depth"]), ("limit", chosen["limit"]),
             *(("types", name) for name in chosen["types"]), *(("node_types", name) for name in chosen["node_types"]),
             *((f"{name}_page", page) for name, page in pages.items() if page > 1)]
    return f"/records/{quote(record_id, safe='')}/graph?{urlencode(query)}"


def _summary(node: dict) -> dict:
    """A node as the pages show it: id, readable type, name and the example mark."""
    return {"id": node["id"], "type": node.get("type") or "", "type_label": phrase(node.get("type") or ""),
            "label": node.get("name") or node["id"], "example": node.get("example") is True}


def _hop(rel: dict, nodes: dict) -> dict:
    return {"id": rel["id"], "type": rel["type"], "label": phrase(rel["type"]).lower(),
            "from": rel["from"], "to": rel["to"],
            "from_label": nodes[rel["from"]]["label"], "to_label": nodes[rel["to"]]["label"]}


def _path(path: dict) -> dict:
    """A path as steps: each record, and the link to the next one, read forwards or backwards."""
    nodes = [_summary(node) for node in path["nodes"]]
    by_id = {node["id"]: node for node in nodes}
    hops = [_hop(rel, by_id) for rel in path["relationships"]]
    steps = []
    for index, node in enumerate(nodes):
        step = {"node": node, "link": None}
        if index < len(hops):
            step["link"] = {"label": hops[index]["label"], "forwards": hops[index]["from"] == node["id"]}
        steps.append(step)
    return {"count": path["hops"], "nodes": nodes, "hops": hops, "steps": steps}


def _drawing(nodes: list[dict], hops: list[dict]) -> dict:
    """What the script draws: cytoscape elements, each record and relationship once."""
    seen_nodes = {node["id"]: node for node in nodes}
    seen_hops = {hop["id"]: hop for hop in hops}
    return {"nodes": [{"id": node["id"], "label": node["label"], "type": node["type"]}
                      for node in seen_nodes.values()],
            "edges": [{"id": hop["id"], "source": hop["from"], "target": hop["to"], "label": hop["label"]}
                      for hop in seen_hops.values()]}


def _end(service, name: str, legend: str, chosen_id: str, text: str, types: list[str] | None = None) -> dict:
    """One end of a question: the chosen record, else the records matching what was typed."""
    end = {"name": name, "legend": legend, "query": text.strip()[:QUERY_MAX_CHARACTERS], "chosen": None,
           "choices": None, "error": None}
    if chosen_id:
        try:
            node = service.get_node(chosen_id)
        except NotFound:
            end["error"] = "That record no longer exists. Type a name and choose again."
        else:
            if types and node.type not in types:
                end["error"] = f"Choose a {phrase(types[0]).lower()}."
            else:
                end["chosen"] = _summary({"id": node.id, "type": node.type, "example": node.properties.get(
                    EXAMPLE_PROPERTY) is True, "name": label_of(service.vocabulary, node.type, node.properties,
                                                                 node.id)})
                return end
    if end["query"]:
        found, _ = service.search(end["query"], types, CHOICES, 0)
        end["choices"] = [_summary({"id": node.id, "type": node.type, "example": node.properties.get(
            EXAMPLE_PROPERTY) is True, "name": label_of(service.vocabulary, node.type, node.properties, node.id)})
            for node, _snippet in found]
        if not end["choices"]:
            end["error"] = f"No records match “{end['query']}”. Try other words."
    return end


def _all_of(service, node_type: str) -> list[dict]:
    """Every record of a type, as the pages show them (read from the graph the queries read)."""
    graph, vocabulary = service.graph(), service.vocabulary
    return [_summary({"id": node, "type": node_type, "example": data.get(EXAMPLE_PROPERTY) is True,
                      "name": label_of(vocabulary, node_type, data, node)})
            for node, data in graph.nodes(data=True) if data.get("type") == node_type]


def _person_named(service, name: str) -> str | None:
    """The Person record whose name is exactly the signed-in person's, if there is just one."""
    found, _ = service.search(name, ["Person"], 5, 0)
    same = [node.id for node, _snippet in found if str(node.properties.get("name", "")).lower() == name.lower()]
    return same[0] if len(same) == 1 else None
