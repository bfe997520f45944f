"""`/api/v1/relationships`: create, find, fetch and delete typed relationships."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..queries.as_of import present, relationships_at
from ..schemas import id_validator, property_field
from ..service import GraphService
from .identity import current_actor, current_role
from .moments import MomentSchema, as_of_field, when_asked
from .nodes import page_fields
from .security import require_write_roles

__all__ = ["relationships_blueprint"]


def relationships_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("relationships", __name__, url_prefix="/api/v1/relationships",
                    description="Typed relationships between nodes, checked against the vocabulary.")
    output_schema = _output_schema(service)
    page_schema = type("RelationshipPage", (Schema,), {
        "items": fields.List(fields.Nested(output_schema)), "total": fields.Integer(),
        "limit": fields.Integer(), "offset": fields.Integer(),
        "graph_as_of": fields.Nested(MomentSchema, metadata={"description": "With `as_of` only: the moment listed."})})

    @blp.route("")
    class Collection(MethodView):
        @blp.arguments(_query_schema(service), location="query", unknown=RAISE)
        @blp.response(200, page_schema)
        def get(self, args):
            """Find relationships by type, start (`from`) and end (`to`), oldest first; `as_of`: those that existed
            at that moment, in the same order (docs/as-of.md)."""
            return _page(args)

        @blp.arguments(service.schemas.relationship_input)
        @blp.response(201, output_schema)
        def post(self, body):
            """Create: `{type, from, to, ...properties}`; endpoints and rules come from the vocabulary."""
            body = dict(body)
            head = {key: body.pop(key) for key in ("type", "from_", "to")}
            require_write_roles(rel_type_name=head["type"])
            rel = get_service().create_relationship(head["type"], head["from_"], head["to"], body,
                                                    current_actor(), rel_id=body.pop("id", None))
            return _record(rel), 201, {"Location": url_for("relationships.Item", rel_id=rel.id)}

    @blp.route("/<rel_id>")
    class Item(MethodView):
        @blp.response(200, output_schema)
        def get(self, rel_id):
            """Fetch one relationship."""
            return _record(get_service().get_relationship(rel_id))

        @blp.response(204)
        def delete(self, rel_id):
            """Delete one relationship (the vocabulary's delete role applies, e.g. governance for accountability)."""
            get_service().delete_relationship(rel_id, current_actor(), role=current_role())

    return blp


def _output_schema(service: GraphService) -> type[Schema]:
    """id, type, from, to, stamp and every relationship property the vocabulary declares."""
    attrs: dict = {"id": fields.String(), "type": fields.String(), "from_": fields.String(data_key="from"),
                   "to": fields.String(), "created_at": fields.String()}
    for rel_type in service.vocabulary.relationship_types.values():
        for name, spec in rel_type.properties.items():
            attrs.setdefault(name, property_field(spec, for_patch=True))  # present on some types only
    return type("Relationship", (Schema,), attrs)


def _query_schema(service: GraphService) -> type[Schema]:
    attrs = {
        "type": fields.String(validate=validate.OneOf(sorted(service.vocabulary.relationship_types))),
        "from_": fields.String(data_key="from", validate=id_validator()),
        "to": fields.String(validate=id_validator()),
        "as_of": as_of_field(),
        **page_fields(),
    }
    return type("RelationshipQuery", (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})


def _page(args: dict) -> dict:
    service, filters = get_service(), (args.get("type"), args.get("from_"), args.get("to"))
    page = {"limit": args["limit"], "offset": args["offset"]}
    if "as_of" not in args:
        items, total = service.list_relationships(*filters, args["limit"], args["offset"])
        return {"items": [_record(r) for r in items], "total": total, **page}
    moment = when_asked(args).moment
    if moment is None:  # at or after the newest change: the store's list, and the newest change seen before it
        answered = present(service, service.store.last_seq())
        items, total = service.list_relationships(*filters, args["limit"], args["offset"])
    else:
        answered = moment
        items, total = relationships_at(service, moment, *filters, args["limit"], args["offset"])
    return {"items": [_record(r) for r in items], "total": total, **page, "graph_as_of": answered.as_dict()}


def _record(rel) -> dict:
    record = rel.as_record()
    record["from_"] = record.pop("from")
    return record
