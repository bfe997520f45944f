"""Connections: paths, neighbourhoods, brokers, communities, the coverage matrix and who to talk to.

Views are thin: validate the query, read the caught-up projection, call a pure analysis from
graphsvc/analysis, shape the answer. Every query takes ``examples`` (default true): false answers from
the projection without the fictional example records. Whole-graph analyses (brokers, communities)
are memoised per process by the projection's seq and that flag; see :class:`_Memo` for how large
graphs stay responsive.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList

from ..analysis.centrality import BROKER_TYPES, betweenness, brokers, communities, graph_index, partition
from ..analysis.coverage import contacts, coverage, initiative_links
from ..analysis.paths import AWARENESS_LINKS, CONTEXT_LINKS, k_shortest_paths, neighbourhood, node_summary
from ..app import get_service
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

__all__ = ["connections_blueprint"]

COVERAGE_TYPES = ["Theme", "Population", "Place", "Organisation"]
BACKGROUND_NODES = 10_000  # above this, brokers and communities are computed off the request
WAIT_SECONDS = 20.0  # how long a request waits for a first result before answering 503


def connections_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("connections", __name__, url_prefix="/api/v1",
                    description="How things connect: paths, neighbourhoods, brokers, communities, coverage, contacts.")
    vocabulary, memo = service.vocabulary, _Memo()
    query = _QuerySchemas(vocabulary)
    working = sorted(set(vocabulary.relationship_types) - AWARENESS_LINKS - CONTEXT_LINKS)
    at_ends = sorted(CONTEXT_LINKS & set(vocabulary.relationship_types))

    @blp.route("/paths")
    class Paths(MethodView):
        @blp.arguments(query.paths, location="query", unknown=RAISE)
        @blp.response(200, PathsAnswer)
        def get(self, args):
            """Up to k shortest paths between two nodes (direction ignored), shortest first."""
            graph = get_service().graph(examples=args["examples"])
            found = k_shortest_paths(graph, args["from_"], args["to"], args["k"], args["max_hops"], args.get("types"))
            return {"from": node_summary(graph, args["from_"]), "to": node_summary(graph, args["to"]), "k": args["k"],
                    "max_hops": args["max_hops"], "types": args.get("types") or working,
                    "types_at_ends": [] if args.get("types") else at_ends, "paths": found}

    @blp.route("/nodes/<node_id>/neighbourhood")
    class Neighbourhood(MethodView):
        @blp.arguments(query.neighbourhood, location="query", unknown=RAISE)
        @blp.response(200, NeighbourhoodAnswer)
        def get(self, args, node_id):
            """The nodes within `depth` hops, nearest first (at most `limit`), and the relationships among them."""
            graph = get_service().graph(examples=args["examples"])
            found = neighbourhood(graph, node_id, args["depth"], args.get("types"), args["limit"])
            return {**found, "depth": args["depth"]}

    @blp.route("/brokers")
    class Brokers(MethodView):
        @blp.arguments(query.brokers, location="query", unknown=RAISE)
        @blp.response(200, BrokersAnswer)
        def get(self, args):
            """Nodes ranked by betweenness centrality: who sits on the paths between others."""
            service, examples = get_service(), args["examples"]
            graph = service.graph(examples=examples)
            seq, centrality = memo.get("brokers", examples, service.projection.seq, graph, betweenness)
            types = {args["type"]} if args.get("type") else BROKER_TYPES
            return {**brokers(graph, types, args["limit"], centrality), "as_of_seq": seq}

    @blp.route("/communities")
    class Communities(MethodView):
        @blp.arguments(query.communities, location="query", unknown=RAISE)
        @blp.response(200, CommunitiesAnswer)
        def get(self, args):
            """Clusters of densely connected nodes (Louvain), labelled by their dominant theme and sector."""
            service, examples = get_service(), args["examples"]
            graph = service.graph(examples=examples)
            seq, found = memo.get("communities", examples, service.projection.seq, graph, partition)
            key = ("described", examples, service.projection.seq, seq, args["min_size"], args["limit"], args["members"])
            return memo.answer(key, lambda: {**communities(graph, args["min_size"], args["limit"], args["members"],
                                                           found), "as_of_seq": seq})

    @blp.route("/coverage")
    class Coverage(MethodView):
        @blp.arguments(query.coverage, location="query", unknown=RAISE)
        @blp.response(200, CoverageAnswer)
        def get(self, args):
            """Initiatives per (row, column) cell, e.g. Theme x Population, with the empty cells listed."""
            rows, cols = args["rows"], args["cols"]
            status = None if args["status"] == "any" else args["status"]
            graph = get_service().graph(examples=args["examples"])
            return coverage(graph, rows, cols, initiative_links(vocabulary, rows), initiative_links(vocabulary, cols),
                            status, args["rollup"])

    @blp.route("/people/<node_id>/contacts")
    class Contacts(MethodView):
        @blp.arguments(query.contacts, location="query", unknown=RAISE)
        @blp.response(200, ContactsAnswer)
        def get(self, args, node_id):
            """The nearest people active on a theme, each with the path that connects them (over working links)."""
            graph = get_service().graph(examples=args["examples"])
            found = contacts(graph, node_id, args["theme"], args["limit"], args["max_hops"],
                             rel_types=args.get("types"))
            return {**found, "types": args.get("types") or working}

    return blp


class _Memo:
    """Whole-graph results kept per process, keyed by the projection's seq (any write makes a new one).

    Small graphs compute in the request. On large ones the work runs in a background thread over a
    frozen copy of the structure (taken in the request, so the live graph is never read concurrently):
    meanwhile the latest finished result is served with its `as_of_seq`; when there is none yet the
    request waits up to WAIT_SECONDS and then answers 503 with Retry-After rather than hanging.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._results: dict[str, tuple[int, object]] = {}
        self._jobs: dict = {}
        self._answers: dict[tuple, dict] = {}
        self._pool: ThreadPoolExecutor | None = None

    def get(self, name: str, examples: bool, seq: int, graph, compute) -> tuple[int, object]:
        key = (name, examples)  # with and without the example records are two graphs
        with self._lock:
            done = self._results.get(key)
            if done is not None and done[0] == seq:
                return done
            if len(graph) <= BACKGROUND_NODES:  # (counting edges would itself take 0.2 s at 100k nodes)
                self._results[key] = (seq, compute(graph_index(graph)))
                return self._results[key]
            job = self._jobs.get(key)
            if job is None or job.done():
                self._pool = self._pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphsvc-memo")
                job = self._jobs[key] = self._pool.submit(self._run, key, seq, compute, graph_index(graph))
        if done is not None:
            return done
        try:
            return job.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            abort(503, message=f"The {name} of this graph are still being computed; retry in a little while.",
                  headers={"Retry-After": "30"})

    def answer(self, key: tuple, make):
        """A described answer, kept for repeated identical requests (describing a big community takes a while)."""
        with self._lock:
            if key in self._answers:
                return self._answers[key]
        value = make()
        with self._lock:
            if len(self._answers) >= 32:
                self._answers.clear()
            self._answers[key] = value
        return value

    def _run(self, key: tuple, seq: int, compute, frozen) -> tuple[int, object]:
        result = (seq, compute(frozen))
        with self._lock:
            if key not in self._results or self._results[key][0] < seq:
                self._results[key] = result
        return result


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
            "examples": examples()})
        self.contacts = _schema("ContactsQuery", {
            "theme": node_id(required=True, metadata={"description": "The theme's id."}),
            "limit": count(5, 1, 50, "How many people"), "max_hops": count(6, 1, 8, "Furthest, in hops"),
            "types": types(contact_links), "examples": examples()})


def _schema(name: str, attrs: dict) -> type[Schema]:
    return type(name, (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})
