"""`/api/v1/export`: the graph, or a selected part of it, as a downloadable file in one of several formats."""

from __future__ import annotations

import datetime as dt
import io

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList

from ..app import get_service
from ..errors import NotFound
from ..exporting import FORMATS, UnknownNode, redact_graph, select_subgraph
from ..queries.as_of import graph_as_of
from ..queries.moments import Moment
from ..service import GraphService
from .moments import as_of_field, moment_headers, when_asked
from .security import redact

__all__ = ["export_blueprint", "export_filename"]

MAX_DEPTH = 6
BINARY = {"type": "string", "format": "binary"}
# format=json (the native document) and format=kumu (Kumu's blueprint) are both JSON objects.
JSON_DOCUMENT = {"type": "object", "additionalProperties": True,
                 "properties": {"nodes": {"type": "array", "items": {"type": "object"}},
                                "relationships": {"type": "array", "items": {"type": "object"}},
                                "elements": {"type": "array", "items": {"type": "object"}},
                                "connections": {"type": "array", "items": {"type": "object"}}}}
RESPONSE_DESCRIPTION = (
    "A file sent as an attachment (graphsvc-export-<date>.<ext>): format=json (default) application/json, "
    "the native document graphsvc imports; csv application/zip holding nodes.csv and relationships.csv; "
    "xlsx an Excel workbook (sheets nodes, relationships); graphml application/graphml+xml; gexf "
    "application/gexf+xml; cypher text/plain, MERGE statements for an empty Neo4j; kumu application/json, "
    "Kumu's blueprint. See docs/export.md. Viewers do not get sensitive properties such as email. With "
    "`as_of`, the graph as it stood then (graphsvc-export-<date>-seq-<seq>.<ext>). Every file's moment is in the "
    "Graph-As-Of-Seq and Graph-As-Of-Time headers.")


def export_filename(fmt: str, today: dt.date | None = None, past: Moment | None = None) -> str:
    """graphsvc-export-<today>.<ext>; for a past moment graphsvc-export-<its date>-seq-<its seq>.<ext>."""
    if past is not None:
        day = (past.at or "0000-00-00")[:10]
        return f"graphsvc-export-{day}-seq-{past.seq}.{FORMATS[fmt].extension}"
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    return f"graphsvc-export-{day}.{FORMATS[fmt].extension}"


def export_query(node_types: list[str]) -> type[Schema]:
    attrs = {
        "format": fields.String(load_default="json", validate=validate.OneOf(list(FORMATS)),
                                metadata={"description": ", ".join(FORMATS) + " (default json)."}),
        "types": DelimitedList(fields.String(validate=validate.OneOf(node_types)),
                               metadata={"description": "Only nodes of these types (comma-separated)."}),
        "ids": DelimitedList(fields.String(validate=validate.Length(min=1, max=200)),
                             validate=validate.Length(max=1000),
                             metadata={"description": "Only these node ids (comma-separated; unknown ids are "
                                                      "ignored)."}),
        "around": fields.String(validate=validate.Length(min=1, max=200),
                                metadata={"description": "Only nodes within `depth` hops of this node, either "
                                                         "direction (404 if it does not exist)."}),
        "depth": fields.Integer(load_default=1, validate=validate.Range(0, MAX_DEPTH),
                                metadata={"description": f"Hops from `around` (0-{MAX_DEPTH}, default 1)."}),
        "examples": fields.Boolean(load_default=True, metadata={
            "description": "Include fictional example records (default true; each carries `example: true`). "
                           "false exports real records only."}),
        "as_of": as_of_field(),
    }
    return type("ExportQuery", (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})


def export_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("export", __name__, url_prefix="/api/v1/export",
                    description="Export the graph or a part of it: JSON, CSV, Excel, GraphML, GEXF, Cypher, Kumu.")
    query = export_query(sorted(service.vocabulary.node_types))

    @blp.route("")
    class Export(MethodView):
        @blp.arguments(query, location="query", unknown=RAISE)
        @blp.response(200, JSON_DOCUMENT, content_type="application/json", description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=BINARY, content_type="application/zip", success=True,
                          description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=BINARY, content_type=FORMATS["xlsx"].media_type, success=True,
                          description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=BINARY, content_type="application/graphml+xml", success=True,
                          description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=BINARY, content_type="application/gexf+xml", success=True,
                          description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=BINARY, content_type="text/plain", success=True,
                          description=RESPONSE_DESCRIPTION)
        def get(self, args):
            """Download the graph (or the part the filters select) as a file."""
            current, past = get_service(), when_asked(args).moment
            whole, moment = graph_as_of(current, past, args["examples"])
            try:  # a copy: the shared graph is never redacted in place
                graph = select_subgraph(whole, types=args.get("types"), ids=args.get("ids"),
                                        around=args.get("around"), depth=args["depth"])
            except UnknownNode:
                raise NotFound(f"No node has the id {args['around']!r}{' at that moment' if past else ''}.",
                               {"around": ["No such node."]}) from None
            redact_graph(graph, redact)
            fmt = FORMATS[args["format"]]
            buffer = io.BytesIO()
            fmt.write(graph, buffer, current.vocabulary)
            response = Response(buffer.getvalue(), content_type=fmt.media_type, headers=moment_headers(moment))
            response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(fmt.name, past=past)}"'
            return response

    return blp
