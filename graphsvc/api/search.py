"""`GET /api/v1/search`: anything called or about X, whatever its type."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from webargs.fields import DelimitedList

from ..app import get_service
from ..service import GraphService
from .nodes import page_fields
from .security import redact

__all__ = ["search_blueprint"]


def _has_a_word(text: str) -> None:
    if not text.split():
        raise ValidationError("Give at least one word to search for.")


def search_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("search", __name__, url_prefix="/api/v1/search",
                    description="Search every node type at once: names, titles, job titles, descriptions, statements.")
    type_names = sorted(service.vocabulary.node_types)
    query_schema = type("SearchQuery", (Schema,), {
        "Meta": type("Meta", (), {"unknown": RAISE}),
        "q": fields.String(required=True, validate=[validate.Length(max=200), _has_a_word], metadata={
            "description": "Words that must all appear, in any case and with or without accents."}),
        "types": DelimitedList(fields.String(validate=validate.OneOf(type_names)), metadata={
            "description": f"Comma-separated node types to search (default all): {', '.join(type_names)}."}),
        **page_fields(),
    })
    page_schema = type("SearchPage", (Schema,), {
        "items": fields.List(fields.Dict(), metadata={"description": (
            "Best match first: the main property starting with the words, then containing them, then "
            "other fields. Each item: id, type, label, snippet (when another field matched), and the record.")}),
        "total": fields.Integer(), "limit": fields.Integer(), "offset": fields.Integer()})

    @blp.route("")
    class Search(MethodView):
        @blp.arguments(query_schema, location="query", unknown=RAISE)
        @blp.response(200, page_schema)
        def get(self, args):
            """Find records of any type by their words."""
            found, total = get_service().search(args["q"], args.get("types"), args["limit"], args["offset"])
            return {"items": [_hit(node, text) for node, text in found], "total": total,
                    "limit": args["limit"], "offset": args["offset"]}

    return blp


def _hit(node, text: str | None) -> dict:
    main = get_service().vocabulary.node_types.get(node.type)
    label = node.properties.get(main.main_property, "") if main else ""
    head = {"id": node.id, "type": node.type, "label": str(label)}
    if text:
        head["snippet"] = text
    return {**head, **redact(node.as_record())}
