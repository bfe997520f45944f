"""`/api/v1/overlaps`: pairs whose scope coincides, likely duplicate records, and coordinators' reviews."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.overlaps import DEFAULT_MIN_SCORE, KINDS, find_overlaps
from ..app import get_service
from ..reviews import decisions, record_review, stamp_reviews
from ..schemas import ID_PATTERN, TEXT_MAX
from ..service import GraphService
from .identity import current_actor
from .security import requires

__all__ = ["overlaps_blueprint"]

MAX_LIMIT = 1000


class OverlapNodeSchema(Schema):
    id = fields.String()
    name = fields.String()


def _refs(description: str) -> fields.List:
    return fields.List(fields.Nested(OverlapNodeSchema), metadata={"description": description})


class OverlapReasonsSchema(Schema):
    themes = _refs("Shared themes (including themes one's themes are part of).")
    populations = _refs("Shared populations (initiatives).")
    places = _refs("Shared places, including the areas they are part of (initiatives).")
    partners = _refs("Organisations leading, partnering in or funding both (initiatives).")
    recommendations = _refs("Recommendations both implement (actions).")
    outcomes = _refs("Outcomes both contribute to (actions).")
    owners = _refs("Accountable or responsible for both (actions).")
    text = fields.Float(metadata={"description": "Cosine similarity of the TF-IDF of name and description, 0..1."})
    name_similarity = fields.Float(metadata={"description": "Similarity of the normalised names, 0..1 (record)."})
    same_email = fields.Boolean(metadata={"description": "Both people have the same e-mail address (record)."})
    same_identifier = fields.Boolean(metadata={"description": "Both organisations have the same identifier (record)."})
    shared = _refs("Nodes both records are linked to, e.g. an employer (record).")


class OverlapReviewSchema(Schema):
    decision = fields.String(metadata={"description": "aligned, duplicate or distinct."})
    note = fields.String(allow_none=True)
    by = fields.String(allow_none=True, metadata={"description": "Who recorded it (from the change log)."})
    at = fields.String(allow_none=True, metadata={"description": "When, UTC ISO 8601 (from the change log)."})


class OverlapSchema(Schema):
    a = fields.Nested(OverlapNodeSchema)
    b = fields.Nested(OverlapNodeSchema)
    type = fields.String(metadata={"description": "The node type of both."})
    score = fields.Float(metadata={"description": "0..1, higher is a closer overlap."})
    reasons = fields.Nested(OverlapReasonsSchema)
    review = fields.Nested(OverlapReviewSchema, allow_none=True)


class OverlapListSchema(Schema):
    overlaps = fields.List(fields.Nested(OverlapSchema))
    kind = fields.String()
    min_score = fields.Float(metadata={"description": "The threshold applied."})


class OverlapQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(load_default="initiative", validate=validate.OneOf(KINDS),
                         metadata={"description": "initiative, action, or record (likely duplicate records)."})
    min_score = fields.Float(validate=validate.Range(0, 1), metadata={
        "description": "Lowest score shown; default " + ", ".join(f"{k} {v}" for k, v in DEFAULT_MIN_SCORE.items())})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    include_reviewed = fields.Boolean(load_default=False,
                                      metadata={"description": "Also show pairs reviewed as distinct."})


def _review_input(service: GraphService) -> type[Schema]:
    node_id = {"required": True, "validate": validate.Regexp(ID_PATTERN, error="Not a valid node id.")}
    return type("OverlapReviewInput", (Schema,), {
        "a": fields.String(**node_id), "b": fields.String(**node_id),
        "decision": fields.String(required=True, validate=validate.OneOf(decisions(service))),
        "note": fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX)),
    })


class OverlapReviewRecordSchema(OverlapReviewSchema):
    a = fields.String()
    b = fields.String()


def overlaps_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("overlaps", __name__, url_prefix="/api/v1/overlaps",
                    description="Overlapping initiatives and actions, likely duplicate records, and their reviews.")

    @blp.route("")
    class Overlaps(MethodView):
        @blp.arguments(OverlapQuerySchema, location="query", unknown=RAISE)
        @blp.response(200, OverlapListSchema)
        def get(self, args):
            """Pairs scoring at least `min_score`, best first, each with its reasons and any review."""
            kind, min_score = args["kind"], args.get("min_score", DEFAULT_MIN_SCORE[args["kind"]])
            service = get_service()
            found = find_overlaps(service.graph(), kind, min_score, args["limit"], args["include_reviewed"])
            return {"overlaps": stamp_reviews(service, found), "kind": kind, "min_score": min_score}

    @blp.route("/reviews")
    class Reviews(MethodView):
        @requires("governance")
        @blp.arguments(_review_input(service))
        @blp.response(201, OverlapReviewRecordSchema)
        def post(self, body):
            """Record a decision on a pair (replacing any earlier one); `aligned` initiatives get ALIGNED_WITH."""
            return record_review(get_service(), body["a"], body["b"], body["decision"], body.get("note"),
                                 current_actor())

    return blp
