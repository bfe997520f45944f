"""Connections: paths, neighbourhoods, brokers, communities, the coverage matrix and who to talk to.

Views are thin: validate the query, call graphsvc.queries.connections, shape the answer. Every query takes
``examples`` (default true): false answers from the projection without the fictional example records.
Brokers and communities of a large graph are computed in the background; until a first result exists the
answer is 503 with Retry-After.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList

from ..analysis.paths import AWARENESS_LINKS, CONTEXT_LINKS
from ..app import get_service
from ..queries import connections as queries
from ..queries.memo import StillComputing
from ..schemas import id_validator
from ..service import GraphService
from .connection_answers import (
    BrokersAnswer,
    CommunitiesAnswer,
    ContactsAnswer,
    CoverageAnswer,
    NeighbourhoodAnswer,
    PathsAnswer,
)
from .moments import MomentSchema, as_of_field, when_asked

__all__ = ["connections_blueprint"]

COVERAGE_TYPES = ["Theme", "Population", "Place", "Organisation"]


class CoverageAtAnswer(CoverageAnswer):
    graph_as_of = fields.Nested(MomentSchema, metadata={"description": "The moment of the graph counted."})


def connections_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("connections", __name__, url_prefix="/api/v1",
                    description="How things connect: paths, neighbourhoods, brokers, communities, coverage, contacts.")
    query = _QuerySchemas(service.vocabulary)

    @blp.route("/paths")
    class Paths(MethodView):
        @blp.arguments(query.paths, location="query", unknown=RAISE)
        @blp.response(200, PathsAnswer)
        def get(self, args):
            """Up to k shortest paths between two nodes (direction ignored), shortest first."""
            return queries.paths(get_service(), args["from_"], args["to"], args["k"], args["max_hops"],
                                 args.get("types"), args["examples"])

    @blp.route("/nodes/<node_id>/neighbourhood")
    class Neighbourhood(MethodView):
        @blp.arguments(query.neighbourhood, location="query", unknown=RAISE)
        @blp.response(200, NeighbourhoodAnswer)
        def get(self, args, node_id):
            """The nodes within `depth` hops, nearest first (at most `limit`), and the relationships among them."""
            return queries.neighbourhood(get_service(), node_id, args["depth"], args.get("types"), args["limit"],
                                         args["examples"])

    @blp.route("/brokers")
    class Brokers(MethodView):
        @blp.arguments(query.brokers, location="query", unknown=RAISE)
        @blp.response(200, BrokersAnswer)
        def get(self, args):
            """Nodes ranked by betweenness centrality: who sits on the paths between others."""
            return _or_retry_later(lambda: queries.brokers(get_service(), args.get("type"), args["limit"],
                                                           args["examples"]))

    @blp.route("/communities")
    class Communities(MethodView):
        @blp.arguments(query.communities, location="query", unknown=RAISE)
        @blp.response(200, CommunitiesAnswer)
        def get(self, args):
            """Clusters of densely connected nodes (Louvain), labelled by their dominant theme and sector."""
            return _or_retry_later(lambda: queries.communities(get_service(), args["min_size"], args["limit"],
                                                               args["members"], args["examples"]))

    @blp.route("/coverage")
    class Coverage(MethodView):
        @blp.arguments(query.coverage, location="query", unknown=RAISE)
        @blp.response(200, CoverageAtAnswer)
        def get(self, args):
            """Initiatives per (row, column) cell, e.g. Theme x Population, with the empty cells listed; `as_of`:
            as the graph stood at that moment (docs/as-of.md)."""
            return queries.coverage(get_service(), args["rows"], args["cols"], args["status"], args["rollup"],
                                    args["examples"], when_asked(args).moment)

    @blp.route("/people/<node_id>/contacts")
    class Contacts(MethodView):
        @blp.arguments(query.contacts, location="query", unknown=RAISE)
        @blp.response(200, ContactsAnswer)
        def get(self, args, node_id):
            """The nearest people active on a theme, each with the path that connects them (over working links)."""
            return queries.contacts(get_service(), node_id, args["theme"], args["limit"], args["max_hops"],
                                    args.get("types"), args["examples"])

    return blp


def _or_retry_later(answer):
    """The answer, or 503 with Retry-After while a large graph's first result is still being computed."""
    try:
        return answer()
    except StillComputing as busy:
        abort(503, message=busy.message, headers={"Retry-After": str(busy.retry_after)})


class _QuerySchemas:
    """The query-string schemas, their choices taken from the vocabulary."""

    def __init__(self, vocabulary):
        rel_types = sorted(vocabulary.relationship_types)
        statuses = list(vocabulary.node_types["Initiative"].properties["status"].values) + ["any"]

        def types(default="every type"):
            return DelimitedList(fields.String(validate=validate.OneOf(rel_types)), metadata={
                "description": f"Relationship types to follow, comma-separated (default: {default})."})

        def examples():
            return fields.Boolean(load_default=True, metadata={
                "description": "Include example (fictional demo) records; false answers from the real records only."})

        never, ends = ", ".join(sorted(AWARENESS_LINKS)), ", ".join(sorted(CONTEXT_LINKS))
        path_links = f"the working links: every type except {never}, with {ends} taken only at the path's ends"
        contact_links = f"the working links: every type except {never}, {ends}"

        def node_id(**kwargs):
            return fields.String(validate=id_validator(), **kwargs)

        def count(default, low, high, description):
            return fields.Integer(load_default=default, validate=validate.Range(low, high),
                                  metadata={"description": f"{description} ({low} to {high}, default {default})."})

        self.paths = _schema("PathsQuery", {
            "from_": node_id(data_key="from", required=True), "to": node_id(required=True),
            "k": count(3, 1, 10, "How many paths"), "max_hops": count(4, 1, 8, "Longest path, in hops"),
            "types": types(path_links), "examples": examples()})
        self.neighbourhood = _schema("NeighbourhoodQuery", {
            "depth": count(1, 1, 3, "Hops from the node"), "types": types(),
            "limit": count(500, 1, 2000, "Most nodes returned"), "examples": examples()})
        self.brokers = _schema("BrokersQuery", {
            "type": fields.String(validate=validate.OneOf(sorted(vocabulary.node_types)),
                                  metadata={"description": "Rank only nodes of this type, e.g. Person (default: "
                                            "people, organisations and groups)."}),
            "limit": count(20, 1, 200, "How many brokers"), "examples": examples()})
        self.communities = _schema("CommunitiesQuery", {
            "min_size": count(2, 1, 1_000_000, "Smallest community listed"),
            "limit": count(20, 1, 200, "How many communities"),
            "members": count(20, 0, 200, "Members listed per community, best connected first"),
            "examples": examples()})
        self.coverage = _schema("CoverageQuery", {
            "rows": fields.String(load_default="Theme", validate=validate.OneOf(COVERAGE_TYPES)),
            "cols": fields.String(load_default="Population", validate=validate.OneOf(COVERAGE_TYPES)),
            "status": fields.String(load_default="active", validate=validate.OneOf(statuses),
                                    metadata={"description": "Initiative status counted; 'any' for all."}),
            "rollup": fields.Boolean(load_default=True, metadata={
                "description": "Count work on a sub-theme (or sub-place...) for its parents too."}),
            "examples": examples(), "as_of": as_of_field()})
        self.contacts = _schema("ContactsQuery", {
            "theme": node_id(required=True, metadata={"description": "The theme's id."}),
            "limit": count(5, 1, 50, "How many people"), "max_hops": count(6, 1, 8, "Furthest, in hops"),
            "types": types(contact_links), "examples": examples()})


def _schema(name: str, attrs: dict) -> type[Schema]:
    return type(name, (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})
