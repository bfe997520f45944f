"""Typed collections, one blueprint per node type, generated from the vocabulary."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..service import GraphService, node_etag
from ..vocabulary import NodeType
from .identity import current_actor
from .security import redact, require_write_roles

__all__ = ["node_blueprint", "nodes_blp"]

MAX_PAGE = 500
IF_MATCH = {"parameters": [{"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
                            "description": "The ETag from your last read; the write applies only if it still "
                                           "matches (else 412)."}],
            "responses": {"412": {"description": "The record changed since that ETag."}}}


def page_fields() -> dict[str, fields.Field]:
    return {
        "limit": fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE),
                                metadata={"description": f"Page size, 1 to {MAX_PAGE}."}),
        "offset": fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000)),
    }


def list_query_schema(node_type: NodeType) -> type[Schema]:
    """`q`, paging, and an exact-match filter for each enum property (e.g. `status=active`)."""
    attrs: dict = {
        "q": fields.String(validate=validate.Length(max=200),
                           metadata={"description": f"Text contained in the {node_type.main_property}."}),
        **page_fields(),
    }
    for name, spec in node_type.properties.items():
        if spec.type == "enum":
            attrs[name] = fields.String(validate=validate.OneOf(spec.values))
    return type(f"{node_type.name}ListQuery", (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})


def node_blueprint(service: GraphService, node_type: NodeType) -> Blueprint:
    """The collection `/api/v1/<plural>` and item `/api/v1/<plural>/<id>` for one node type."""
    plural, type_name = node_type.plural, node_type.name
    blp = Blueprint(plural, __name__, url_prefix=f"/api/v1/{plural}",
                    description=node_type.description or f"{type_name} records.")
    input_schema = service.schemas.node_input(node_type)
    output_schema = service.schemas.node_output(node_type)
    query_schema = list_query_schema(node_type)
    enum_filters = [name for name, spec in node_type.properties.items() if spec.type == "enum"]

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(query_schema, location="query", unknown=RAISE)
        @blp.response(200, service.schemas.node_page(node_type))
        def get(self, args):
            """List, search (`q`) and filter."""
            equals = {name: args[name] for name in enum_filters if name in args}
            items, total = get_service().list_nodes(type_name, args.get("q"), equals, args["limit"], args["offset"])
            return {"items": [redact(n.as_record()) for n in items], "total": total,
                    "limit": args["limit"], "offset": args["offset"]}

        @blp.arguments(input_schema)
        @blp.response(201, output_schema)
        def post(self, body):
            """Create; give an `id` or let the service make one."""
            require_write_roles(node_type, body)
            node = get_service().create_node(type_name, body, current_actor())
            return node.as_record(), 201, {"Location": url_for(f"{plural}.Item", node_id=node.id),
                                           "ETag": node_etag(node)}

    @blp.route("/<node_id>")
    class Item(MethodView):
        @blp.response(200, output_schema)
        def get(self, node_id):
            """Fetch one; the ETag header lets a later PATCH or DELETE say which state it saw (If-Match)."""
            node = get_service().get_node(node_id, type_name)
            return redact(node.as_record()), 200, {"ETag": node_etag(node)}

        @blp.arguments(service.schemas.node_patch(node_type))
        @blp.response(200, output_schema)
        @blp.doc(**IF_MATCH)
        def patch(self, body, node_id):
            """Change some properties; `null` removes an optional one."""
            require_write_roles(node_type, body)
            node = get_service().update_node(node_id, body, current_actor(), type_name, request.headers.get("If-Match"))
            return node.as_record(), 200, {"ETag": node_etag(node)}

        @blp.response(204)
        @blp.doc(**IF_MATCH)
        def delete(self, node_id):
            """Delete, with every relationship that touches it."""
            get_service().delete_node(node_id, current_actor(), type_name, request.headers.get("If-Match"))

    return blp


nodes_blp = Blueprint("nodes", __name__, url_prefix="/api/v1/nodes", description="Any node, whatever its type.")


@nodes_blp.route("/<node_id>")
class AnyNode(MethodView):
    @nodes_blp.response(200)
    @nodes_blp.doc(responses={"200": {"description": "The node: id, type, its properties, stamps.",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "additionalProperties": True,
                                          "required": ["id", "type"]}}}}})
    def get(self, node_id):
        """Find a node of any type by id."""
        return redact(get_service().get_node(node_id).as_record())
