"""Typed collections, one blueprint per node type, generated from the vocabulary."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..errors import Invalid
from ..queries.as_of import record_at
from ..schemas import SAFE_INTEGER, FiniteNumber, PartialDate
from ..service import GraphService, node_etag
from ..vocabulary import NodeType
from .identity import current_actor, current_role
from .moments import as_of_field, moment_headers, when_asked
from .security import SENSITIVE_READER, redact, require_role, require_write_roles

__all__ = ["RecordQuery", "list_arguments", "list_query_schema", "node_blueprint", "nodes_blp", "read_record",
           "sort_keys"]

EXACT_FILTERS = frozenset({"string", "enum", "boolean", "number", "integer", "email", "url"})
RANGE_FILTERS = frozenset({"date", "partial_date", "number", "integer"})
DATE_TYPES = frozenset({"date", "partial_date"})

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
    """The list query of one type, from the vocabulary: `q`, paging, `sort`, an exact filter per
    property of a type in EXACT_FILTERS (`status=active`, `example=true`) and `<name>_from`/`<name>_to`
    per property of a type in RANGE_FILTERS."""
    sortable = sort_keys(node_type)
    attrs: dict = {
        "q": fields.String(validate=validate.Length(max=200), metadata={"description": (
            "Words that must all appear (any case, any accents) in the record's names, titles, job titles, "
            "descriptions or statements. Unless `sort` is given, best matches come first: the "
            f"{node_type.main_property} starting with the words, then containing them, then other fields.")}),
        "sort": fields.String(validate=validate.OneOf(
            [*sortable, *(f"-{key}" for key in sortable)],
            error=f"Sort by one of: {', '.join(sortable)}; put '-' before it for descending order."),
            metadata={"description": f"Order (default `{node_type.sort_property}`, or best match with `q`); "
                                     "records missing the value come last either way."}),
        **page_fields(),
        # Refused with a pointer (list_arguments): a list's search, ranking and order are the store's own,
        # which a reconstructed graph cannot repeat without writing them twice.
        "as_of": fields.String(metadata={"description": "Not offered on lists: use `/api/v1/export?types="
                                                        f"{node_type.name}&as_of=...` for the records as they stood."}),
    }
    for name, spec in node_type.properties.items():
        if spec.type in EXACT_FILTERS:
            attrs[name] = _query_field(spec.type, spec.values, f"Exactly this {name}.")
        if spec.type in RANGE_FILTERS:
            bound = "a date as YYYY, YYYY-MM or YYYY-MM-DD" if spec.type in DATE_TYPES else "a number"
            attrs[f"{name}_from"] = _query_field(spec.type, (), f"{name} at or after {bound}.")
            attrs[f"{name}_to"] = _query_field(spec.type, (), f"{name} at or before {bound} (a partial date "
                                                              "takes in its whole month or year).")
    allowed = ", ".join(sorted(attrs))
    return type(f"{node_type.name}ListQuery", (Schema,), {
        "Meta": type("Meta", (), {"unknown": RAISE}),
        "error_messages": {"unknown": f"Unknown parameter. The parameters are: {allowed}."}, **attrs})


def sort_keys(node_type: NodeType) -> list[str]:
    """What a list may be sorted by: its properties but long text (the main one is kept), and the stamps."""
    return [name for name, spec in node_type.properties.items()
            if spec.type != "text" or name == node_type.main_property] + ["created_at", "updated_at"]


def list_arguments(node_type: NodeType, args: dict) -> dict:
    """The store's filters and order from a loaded list query, refusing (403) a filter or sort on a
    sensitive property to a caller who may not see it: the answer would reveal it."""
    if "as_of" in args:
        raise Invalid("Lists of one type are not offered as they stood at a moment.", {"as_of": [
            f"Not offered on lists: GET /api/v1/export?types={node_type.name}&as_of={args['as_of']} gives these "
            "records as they stood (any export format), and GET /api/v1/" + node_type.plural + "/<id>?as_of= one."]})
    equals, ranges = {}, {}
    for name, spec in node_type.properties.items():
        if spec.type in EXACT_FILTERS and name in args:
            equals[name] = args[name]
        low, high = args.get(f"{name}_from"), args.get(f"{name}_to")
        if low is not None or high is not None:
            ranges[name] = (low, high)
    sort = args.get("sort")
    used = {*equals, *ranges, *([sort.lstrip("-")] if sort else [])}
    if any(node_type.properties[name].sensitive for name in used if name in node_type.properties):
        require_role(SENSITIVE_READER)
    return {"equals": equals, "ranges": ranges, "sort": sort}


def _query_field(kind: str, values: tuple[str, ...], description: str) -> fields.Field:
    metadata = {"description": description}
    if kind == "enum":
        return fields.String(validate=validate.OneOf(values), metadata=metadata)
    if kind in DATE_TYPES:
        return PartialDate(metadata=metadata)  # a date range may end at a month or a year
    if kind == "integer":
        return fields.Integer(validate=SAFE_INTEGER, metadata=metadata)
    if kind == "number":
        return FiniteNumber(metadata=metadata)
    if kind == "boolean":
        return fields.Boolean(metadata=metadata)
    return fields.String(validate=validate.Length(max=2000), metadata=metadata)


def node_blueprint(service: GraphService, node_type: NodeType) -> Blueprint:
    """The collection `/api/v1/<plural>` and item `/api/v1/<plural>/<id>` for one node type."""
    plural, type_name = node_type.plural, node_type.name
    blp = Blueprint(plural, __name__, url_prefix=f"/api/v1/{plural}",
                    description=node_type.description or f"{type_name} records.")
    input_schema = service.schemas.node_input(node_type)
    output_schema = service.schemas.node_output(node_type)
    query_schema = list_query_schema(node_type)

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(query_schema, location="query", unknown=RAISE)
        @blp.response(200, service.schemas.node_page(node_type))
        def get(self, args):
            """List, search (`q`), filter and sort; filtering or sorting on contact details needs a coordinator."""
            query = list_arguments(node_type, args)
            items, total = get_service().list_nodes(type_name, args.get("q"), query["equals"], args["limit"],
                                                    args["offset"], ranges=query["ranges"], sort=query["sort"])
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
        @blp.arguments(RecordQuery, location="query", unknown=RAISE)
        @blp.response(200, output_schema)
        def get(self, args, node_id):
            """Fetch one; the ETag header lets a later PATCH or DELETE say which state it saw (If-Match).
            With `as_of`, the record as it stood then (its stamps and version too; no ETag), or 404 if it
            did not exist then; the Graph-As-Of-Seq and Graph-As-Of-Time headers name the moment."""
            return read_record(node_id, args, type_name)

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
            """Delete, with every relationship that touches it. Deleting a record that carries governance
            decisions (accountability, RACI, oversight, overlap reviews, an action's status) needs the
            governance role."""
            get_service().delete_node(node_id, current_actor(), type_name, request.headers.get("If-Match"),
                                      role=current_role())

    return blp


nodes_blp = Blueprint("nodes", __name__, url_prefix="/api/v1/nodes", description="Any node, whatever its type.")


class RecordQuery(Schema):
    class Meta:
        unknown = RAISE

    as_of = as_of_field()


def read_record(node_id: str, args: dict, type_name: str | None = None):
    """One record now (with its ETag) or as it stood at ``as_of``; redacted for the caller's role."""
    moment = when_asked(args).moment
    if moment is None:
        node = get_service().get_node(node_id, type_name)
        return redact(node.as_record()), 200, {"ETag": node_etag(node)}
    node = record_at(get_service(), node_id, moment, type_name)
    return redact(node.as_record()), 200, moment_headers(moment)


@nodes_blp.route("/<node_id>")
class AnyNode(MethodView):
    @nodes_blp.arguments(RecordQuery, location="query", unknown=RAISE)
    @nodes_blp.response(200)
    @nodes_blp.doc(responses={"200": {"description": "The node: id, type, its properties, stamps.",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "additionalProperties": True,
                                          "required": ["id", "type"]}}}}})
    def get(self, args, node_id):
        """Find a node of any type by id (`as_of`: as it stood then, as for one type's records)."""
        return read_record(node_id, args)
