"""Exports of the graph (or a part of it) in several formats. Pure: no Flask, no store.

Every writer takes a projection-shaped graph (a networkx MultiDiGraph whose node attributes are
``type`` plus properties, optionally ``updated_at``, and whose edges are keyed by relationship id
with ``type`` plus properties), a *binary* stream, and optionally the vocabulary (for column order
and each node type's main property). ``FORMATS`` maps each format name to its writer, media type
and file extension. See docs/export.md for every format's shape.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

import networkx as nx

from .spreadsheet_safety import guard_cell, is_formula_like, xml_safe
from .store.cypher import quote_name

__all__ = ["FORMATS", "ExportFormat", "UnknownNode", "cypher_literal", "node_records", "redact_graph",
           "relationship_records", "select_subgraph", "write_csv", "write_cypher", "write_gexf", "write_graphml",
           "write_json", "write_kumu", "write_xlsx"]

# Projection attributes that are not properties of the node (not exported).
NOT_PROPERTIES = frozenset({"type", "updated_at", "created_at", "version"})
FALLBACK_MAIN = ("name", "title", "statement")


class UnknownNode(LookupError):
    """``around`` names a node that is not in the graph."""


# -- selection ---------------------------------------------------------------------------------


def select_subgraph(graph: nx.MultiDiGraph, types: Iterable[str] | None = None, ids: Iterable[str] | None = None,
                    around: str | None = None, depth: int = 1) -> nx.MultiDiGraph:
    """A copy of the part of `graph` the filters keep; each given filter narrows the selection.

    `types`: node types to keep. `ids`: explicit node ids (ids not in the graph are ignored).
    `around` + `depth`: nodes within `depth` hops of `around`, following relationships in either
    direction (through nodes of any type). Relationships are kept when both ends are kept.
    UnknownNode if `around` is not in the graph.
    """
    keep = set(graph.nodes)
    if types:
        wanted = set(types)
        keep = {n for n in keep if graph.nodes[n].get("type") in wanted}
    if ids:
        keep &= set(ids)
    if around is not None:
        if around not in graph:
            raise UnknownNode(around)
        keep &= _neighbourhood(graph, around, max(depth, 0))
    return graph.subgraph(keep).copy()


def _neighbourhood(graph: nx.MultiDiGraph, start: str, depth: int) -> set[str]:
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        node, distance = queue.popleft()
        if distance == depth:
            continue
        for other in (*graph.successors(node), *graph.predecessors(node)):
            if other not in seen:
                seen.add(other)
                queue.append((other, distance + 1))
    return seen


def redact_graph(graph: nx.MultiDiGraph, redact: Callable[[dict], dict]) -> nx.MultiDiGraph:
    """Replace, in place, each node's attributes by ``redact({"id", "type", ...attributes})`` (minus id)."""
    for node, attrs in graph.nodes(data=True):
        record = redact({"id": node, **attrs})
        attrs.clear()
        attrs.update({k: v for k, v in record.items() if k != "id"})
    return graph


# -- records -----------------------------------------------------------------------------------


def node_records(graph: nx.MultiDiGraph) -> list[dict]:
    """``{"id", "type", ...properties}`` per node, sorted by id; None values dropped."""
    return [{"id": node, "type": attrs.get("type"), **_properties(attrs)}
            for node, attrs in sorted(graph.nodes(data=True), key=lambda item: str(item[0]))]


def relationship_records(graph: nx.MultiDiGraph) -> list[dict]:
    """``{"id", "type", "from", "to", ...properties}`` per relationship, sorted by id."""
    edges = sorted(graph.edges(keys=True, data=True), key=lambda item: str(item[2]))
    return [{"id": key, "type": attrs.get("type"), "from": source, "to": target, **_properties(attrs)}
            for source, target, key, attrs in edges]


def _properties(attrs: dict) -> dict:
    # xml_safe: text stored before the API refused control characters must not break any format
    # (XML writers, openpyxl and UTF-8 encoding all fail on them).
    return {k: xml_safe(v) for k, v in attrs.items() if k not in NOT_PROPERTIES and v is not None}


def _main_property(node_type: str, attrs: dict, vocabulary) -> str | None:
    spec = vocabulary.node_type(node_type) if vocabulary is not None else None
    if spec is not None:
        return spec.main_property
    return next((name for name in FALLBACK_MAIN if attrs.get(name) is not None), None)


def _label(record: dict, vocabulary) -> str:
    main = _main_property(record.get("type", ""), record, vocabulary)
    value = record.get(main) if main else None
    return str(value) if value not in (None, "") else str(record["id"])


def _columns(records: list[dict], fixed: tuple[str, ...], vocabulary_order: list[str]) -> list[str]:
    present = {key for record in records for key in record} - set(fixed)
    ordered = [name for name in dict.fromkeys(vocabulary_order) if name in present]
    return [*fixed, *ordered, *sorted(present - set(ordered))]


def _node_property_order(vocabulary) -> list[str]:
    if vocabulary is None:
        return []
    return [name for node_type in vocabulary.node_types.values() for name in node_type.properties]


def _relationship_property_order(vocabulary) -> list[str]:
    if vocabulary is None:
        return []
    return [name for rel_type in vocabulary.relationship_types.values() for name in rel_type.properties]


def _cell(value: Any) -> Any:
    """A spreadsheet cell: scalars as they are, anything else as JSON, None as empty."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _scalar(value: Any) -> str | int | float | bool:
    """A value networkx's XML writers accept: str, int, float or bool (anything else as JSON)."""
    return value if isinstance(value, bool | int | float | str) else json.dumps(value, ensure_ascii=False)


# -- writers -----------------------------------------------------------------------------------


def write_json(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """The native document, as graphsvc imports it: ``{"nodes": [...], "relationships": [...]}``."""
    document = {"nodes": node_records(graph), "relationships": relationship_records(graph)}
    stream.write(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))


def _flat_graph(graph: nx.MultiDiGraph, vocabulary, edge_type_name: str, edge_label: bool) -> nx.MultiDiGraph:
    """A copy with only str/int/float/bool attributes, no None; node `label` = main name. An
    attribute holding values of several kinds (e.g. int here, str there) becomes str everywhere."""
    flat = nx.MultiDiGraph()
    for record in node_records(graph):
        attrs = {k: _scalar(v) for k, v in record.items() if k != "id"}
        attrs["label"] = _label(record, vocabulary)
        flat.add_node(record["id"], **attrs)
    for record in relationship_records(graph):
        attrs = {k: _scalar(v) for k, v in record.items() if k not in ("id", "from", "to", "type")}
        attrs[edge_type_name] = record["type"]
        if edge_label:
            attrs["label"] = record["type"]
        flat.add_edge(record["from"], record["to"], key=record["id"], **attrs)
    _unify_kinds(flat.nodes(data=True))
    _unify_kinds((attrs for *_, attrs in flat.edges(keys=True, data=True)))
    return flat


def _unify_kinds(items) -> None:
    dicts = [item[1] if isinstance(item, tuple) else item for item in items]
    kinds: dict[str, set] = {}
    for attrs in dicts:
        for key, value in attrs.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, found in kinds.items():
        if found == {int, float}:
            convert = float
        elif len(found) > 1:
            convert = _csv_value
        else:
            continue
        for attrs in dicts:
            if key in attrs:
                attrs[key] = convert(attrs[key])


def write_graphml(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """GraphML (networkx): a directed multigraph; edge ids are relationship ids; edge `type` attribute."""
    nx.write_graphml(_flat_graph(graph, vocabulary, "type", edge_label=False), stream, encoding="utf-8")


def write_gexf(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """GEXF 1.2 (networkx): node label = main name; the relationship type is the edge label and the
    `relationship_type` attribute (GEXF's own edge `type` means directed/undirected)."""
    nx.write_gexf(_flat_graph(graph, vocabulary, "relationship_type", edge_label=True), stream, encoding="utf-8")


def write_kumu(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """Kumu's JSON blueprint: elements (label, type, id, properties) and connections by element id."""
    elements = []
    for record in node_records(graph):
        element = {"id": record["id"], "label": _label(record, vocabulary), "type": record["type"]}
        element.update({k: v for k, v in record.items() if k not in element})
        elements.append(element)
    connections = [{"id": r["id"], "from": r["from"], "to": r["to"], "type": r["type"], "direction": "directed",
                    **{k: v for k, v in r.items() if k not in ("id", "from", "to", "type")}}
                   for r in relationship_records(graph)]
    document = {"elements": elements, "connections": connections}
    stream.write(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))


def _table(records: list[dict], fixed: tuple[str, ...], order: list[str]) -> tuple[list[str], list[list]]:
    columns = _columns(records, fixed, order)
    return columns, [[_cell(record.get(column)) for column in columns] for record in records]


def _tables(graph: nx.MultiDiGraph, vocabulary) -> dict[str, tuple[list[str], list[list]]]:
    return {
        "nodes": _table(node_records(graph), ("id", "type"), _node_property_order(vocabulary)),
        "relationships": _table(relationship_records(graph), ("id", "type", "from", "to"),
                                _relationship_property_order(vocabulary)),
    }


def write_csv(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """A ZIP holding nodes.csv and relationships.csv (UTF-8 with a byte-order mark, header row first)."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in _tables(graph, vocabulary).items():
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(columns)
            writer.writerows([["" if v is None else _csv_value(guard_cell(v)) for v in row] for row in rows])
            archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())


def _csv_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def write_xlsx(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """An Excel workbook with sheets `nodes` and `relationships`, same columns as the CSV files."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)  # streams rows out: a national graph has ~600k of them
    for name, (columns, rows) in _tables(graph, vocabulary).items():
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "A2"
        sheet.append(columns)
        for row in rows:
            sheet.append([_text_cell(sheet, value, WriteOnlyCell) for value in row])
    workbook.save(stream)


def _text_cell(sheet, value: Any, cell_class) -> Any:
    if is_formula_like(value):
        # Text, never a formula, kept exactly: Excel's own "quote prefix" (what typing a leading
        # apostrophe does) instead of an apostrophe in the content, so the value imports back unchanged.
        cell = cell_class(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a JSON-like value; strings single-quoted with \\, ', newlines escaped."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("Cypher has no literal for a non-finite number.")
        return repr(value)
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
                   .replace("\t", "\\t"))
        return f"'{escaped}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_cypher_key(k)}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"No Cypher literal for {type(value).__name__}.")


def _cypher_key(name: str) -> str:
    return name if name.isidentifier() and name.isascii() else "`" + str(name).replace("`", "``") + "`"


def _json(value: Any) -> str:
    # As the Neo4j store writes ``props`` (graphsvc.store.neo4j_tx.dumps).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write_cypher(graph: nx.MultiDiGraph, stream: IO[bytes], vocabulary=None) -> None:
    """Parameter-free MERGE statements, one per line-ending `;`: nodes first, then relationships,
    in the Neo4j store's model (``:Node:<Type> {id}``, ``props`` JSON, ``label``, ``p_<name>``)."""
    lines = []
    for record in node_records(graph):
        props = {k: v for k, v in record.items() if k not in ("id", "type")}
        fields = {f"p_{k}": v for k, v in props.items() if isinstance(v, str | int | float | bool)}
        fields.update(type=record["type"], label=_label_or_empty(record, vocabulary), props=_json(props))
        updated = graph.nodes[record["id"]].get("updated_at")
        if updated is not None:
            fields["updated_at"] = updated
        lines.append(f"MERGE (n:Node:{quote_name(record['type'])} {{id: {cypher_literal(record['id'])}}}) "
                     f"SET n += {cypher_literal(fields)};")
    for record in relationship_records(graph):
        props = {k: v for k, v in record.items() if k not in ("id", "type", "from", "to")}
        lines.append(f"MATCH (a:Node {{id: {cypher_literal(record['from'])}}}) "
                     f"MATCH (b:Node {{id: {cypher_literal(record['to'])}}}) "
                     f"MERGE (a)-[r:{quote_name(record['type'])} {{id: {cypher_literal(record['id'])}}}]->(b) "
                     f"SET r.props = {cypher_literal(_json(props))};")
    stream.write(("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))


def _label_or_empty(record: dict, vocabulary) -> str:
    # The store's `label` is the main property as text, '' when missing (not the id).
    main = _main_property(record.get("type", ""), record, vocabulary)
    value = record.get(main) if main else None
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    write: Callable[..., None]
    media_type: str
    extension: str


FORMATS = {
    "json": ExportFormat("json", write_json, "application/json", "json"),
    "csv": ExportFormat("csv", write_csv, "application/zip", "csv.zip"),
    "xlsx": ExportFormat("xlsx", write_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "xlsx"),
    "graphml": ExportFormat("graphml", write_graphml, "application/graphml+xml", "graphml"),
    "gexf": ExportFormat("gexf", write_gexf, "application/gexf+xml", "gexf"),
    "cypher": ExportFormat("cypher", write_cypher, "text/plain; charset=utf-8", "cypher"),
    "kumu": ExportFormat("kumu", write_kumu, "application/json", "kumu.json"),
}
