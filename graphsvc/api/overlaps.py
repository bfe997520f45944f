"""`/api/v1/overlaps`: pairs whose scope coincides, likely duplicate records, and coordinators' reviews.

Coordinators record reviews; changing or undoing one takes the role the vocabulary gives for deleting an
OVERLAP_REVIEWED (checked in graphsvc.reviews against the caller's role, inside the write).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.overlap_items import REVIEWED
from ..analysis.overlaps import DEFAULT_MIN_SCORE, KINDS
from ..app import get_service
from ..queries.overlaps import overlaps
from ..reviews import decisions, record_review, undo_review
from ..schemas import TEXT_MAX, id_validator
from ..service import GraphService
from .identity import current_actor, current_role
from .security import WRITE_ROLE, requires

__all__ = ["overlaps_blueprint"]

MAX_LIMIT = 1000


class OverlapNodeSchema(Schema):
    id = fields.String()
    name = fields.String()
    example = fields.Boolean(metadata={"description": "Present (true) on fictional example records."})


class OverlapLeadSchema(OverlapNodeSchema):
    type = fields.String()


class OverlapSideSchema(OverlapNodeSchema):
    leads = fields.List(fields.Nested(OverlapLeadSchema), metadata={
        "description": "Who leads the initiative (LEADS) or is accountable for the action (ACCOUNTABLE_FOR)."})


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
    a = fields.Nested(OverlapSideSchema)
    b = fields.Nested(OverlapSideSchema)
    type = fields.String(metadata={"description": "The node type of both."})
    score = fields.Float(metadata={"description": "0..1, higher is a closer overlap."})
    reasons = fields.Nested(OverlapReasonsSchema)
    review = fields.Nested(OverlapReviewSchema, allow_none=True)


class OverlapListSchema(Schema):
    overlaps = fields.List(fields.Nested(OverlapSchema))
    kind = fields.String()
    id = fields.String(metadata={"description": "The record whose overlaps these are, when one was asked for."})
    min_score = fields.Float(metadata={"description": "The threshold applied."})
    examples = fields.Boolean(metadata={"description": "Whether example records were compared."})


class OverlapQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(validate=validate.OneOf(KINDS), metadata={
        "description": "initiative (the default), action, or record (likely duplicate records); with `id`, "
                       "the record's own kind."})
    id = fields.String(validate=id_validator("Not a valid node id."), metadata={
        "description": "One initiative or action: only its overlaps, scored against the items sharing a word, "
                       "tag or partner with it."})
    min_score = fields.Float(validate=validate.Range(0, 1), metadata={
        "description": "Lowest score shown; default " + ", ".join(f"{k} {v}" for k, v in DEFAULT_MIN_SCORE.items())})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    include_reviewed = fields.Boolean(load_default=False,
                                      metadata={"description": "Also show pairs reviewed as distinct."})
    examples = fields.Boolean(load_default=True, metadata={
        "description": "Compare example records too (each pair among themselves); false compares real records only."})


class ReviewPairSchema(Schema):
    class Meta:
        unknown = RAISE

    a = fields.String(required=True, validate=id_validator("Not a valid node id."))
    b = fields.String(required=True, validate=id_validator("Not a valid node id."))


class RemovedSchema(Schema):
    id = fields.String()
    type = fields.String()
    from_ = fields.String(data_key="from")
    to = fields.String()


class UndoneReviewSchema(Schema):
    a = fields.String()
    b = fields.String()
    decision = fields.String(metadata={"description": "The decision undone."})
    note = fields.String(allow_none=True)
    removed = fields.List(fields.Nested(RemovedSchema), metadata={
        "description": "The relationships removed: the review and, for an aligned one, the pair's ALIGNED_WITH."})


def _review_input(service: GraphService) -> type[Schema]:
    node_id = {"required": True, "validate": id_validator("Not a valid node id.")}
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
            """Pairs scoring at least `min_score`, best first, each with its reasons, leads and any review;
            with `id`, only that initiative's or action's pairs."""
            return overlaps(get_service(), args.get("kind"), args.get("id"), args["examples"], args.get("min_score"),
                            args["limit"], args["include_reviewed"])

    @blp.route("/reviews")
    class Reviews(MethodView):
        @blp.arguments(_review_input(service))
        @blp.response(201, OverlapReviewRecordSchema)
        @blp.alt_response(200, schema=OverlapReviewRecordSchema,
                          description="The same decision and note were recorded already: nothing changed.")
        def post(self, body):
            """Record a decision on a pair (coordinator); changing an earlier one needs the governance role.
            `aligned` initiatives also get ALIGNED_WITH."""
            review, changed = record_review(get_service(), body["a"], body["b"], body["decision"], body.get("note"),
                                            current_actor(), role=current_role())
            return review, 201 if changed else 200

        @requires(service.relationship_type(REVIEWED).role_to_delete or WRITE_ROLE)
        @blp.arguments(ReviewPairSchema, location="query", unknown=RAISE)
        @blp.response(200, UndoneReviewSchema)
        def delete(self, args):
            """Undo the review of a pair (governance). Undoing `aligned` also removes the pair's ALIGNED_WITH."""
            return undo_review(get_service(), args["a"], args["b"], current_actor(), role=current_role())

    return blp
