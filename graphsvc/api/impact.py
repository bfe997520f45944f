"""From a recommendation or initiative to its effect: the trace and the impact summary (docs/trace.md).

Thin: the query is checked here, the answer comes from the read layer (graphsvc/queries/impact.py), the
same one the /impact and trace pages render.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.indicators import TRENDS
from ..app import get_service
from ..queries.impact import BREAK_KINDS, impact, trace_of
from ..queries.settings import gap_settings, today
from ..reports.action_log import RAGS
from ..schemas import IsoDate
from .moments import MomentSchema, judged_on_field

__all__ = ["blp"]

blp = Blueprint("impact", __name__, url_prefix="/api/v1",
                description="From a recommendation or initiative to its effect: the trace and the impact summary.")

EXAMPLE = "True when the record is fictional example data (absent otherwise)."


class ImpactQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    judged_on = judged_on_field()
    examples = fields.Boolean(load_default=True, metadata={
        "description": "Include fictional example records (default true); false leaves them out."})


class TraceRefSchema(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()
    example = fields.Boolean(metadata={"description": EXAMPLE})


class TraceBreakSchema(Schema):
    kind = fields.String(validate=validate.OneOf(tuple(BREAK_KINDS)))
    subject = fields.Nested(TraceRefSchema, metadata={"description": "Where the chain breaks."})
    message = fields.String(metadata={"description": "The gap flag's words for the subject, where a rule flags it."})
    fix = fields.String(metadata={"description": "The suggested next step."})


class TracePointSchema(Schema):
    value = fields.Raw(metadata={"description": "A number."})
    date = IsoDate(allow_none=True)
    period = fields.String(allow_none=True)


class TraceIndicatorSchema(TraceRefSchema):
    unit = fields.String(allow_none=True)
    direction = fields.String(allow_none=True)
    baseline = fields.Raw(allow_none=True)
    target = fields.Raw(allow_none=True)
    target_date = IsoDate(allow_none=True)
    latest = fields.Nested(TracePointSchema, allow_none=True,
                           metadata={"description": "The newest value known on the day."})
    trend = fields.String(allow_none=True, validate=validate.OneOf(TRENDS),
                          metadata={"description": "From the last two values; null with fewer than two."})
    expected = fields.Float(allow_none=True, metadata={"description": "The trajectory at the latest value's date."})
    on_track = fields.Boolean(allow_none=True, metadata={"description": "Null without a value or a trajectory."})
    points = fields.Integer(metadata={"description": "Whole-population values known on the day."})
    breaks = fields.List(fields.Nested(TraceBreakSchema))


class TraceOutcomeSchema(TraceRefSchema):
    level = fields.String(allow_none=True)
    breaks = fields.List(fields.Nested(TraceBreakSchema))
    indicators = fields.List(fields.Nested(TraceIndicatorSchema), metadata={"description": "MEASURES the outcome."})


class TraceReportedSchema(Schema):
    rag = fields.String(allow_none=True)
    date = IsoDate(allow_none=True)


class TraceActionSchema(TraceRefSchema):
    reference = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    counted = fields.Boolean(metadata={"description": "False for a cancelled action: shown, not counted as work, "
                                                      "its chain not followed."})
    owners = fields.List(fields.Nested(TraceRefSchema), metadata={"description": "ACCOUNTABLE_FOR the action."})
    due_date = IsoDate(allow_none=True)
    rag = fields.String(validate=validate.OneOf(RAGS), metadata={"description": "Derived, as the action log's."})
    rag_reasons = fields.List(fields.String())
    reported = fields.Nested(TraceReportedSchema, allow_none=True,
                             metadata={"description": "The latest progress update's RAG and date, or null."})
    breaks = fields.List(fields.Nested(TraceBreakSchema))
    outcomes = fields.List(fields.Nested(TraceOutcomeSchema), metadata={"description": "CONTRIBUTES_TO."})


class TraceSubjectSchema(TraceRefSchema):
    number = fields.Integer(allow_none=True)
    area = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    start_date = IsoDate(allow_none=True)
    end_date = IsoDate(allow_none=True)
    leads = fields.List(fields.Nested(TraceRefSchema), metadata={"description": "An initiative's LEADS."})
    accountable = fields.List(fields.Nested(TraceRefSchema),
                              metadata={"description": "An initiative's ACCOUNTABLE_FOR."})
    breaks = fields.List(fields.Nested(TraceBreakSchema))


class TraceActionCountsSchema(Schema):
    open = fields.Integer()
    done = fields.Integer()


class TraceCountsSchema(Schema):
    actions = fields.Nested(TraceActionCountsSchema, metadata={"description": "Uncancelled actions (the work)."})
    outcomes = fields.Integer()
    indicators = fields.Integer()
    with_data = fields.Integer()
    improving = fields.Integer()
    off_track = fields.Integer()


class TraceSchema(Schema):
    subject = fields.Nested(TraceSubjectSchema)
    breaks = fields.List(fields.Nested(TraceBreakSchema), metadata={
        "description": "Every break in the chain, once each, in the order met; also beside the link it is at."})
    counts = fields.Nested(TraceCountsSchema, metadata={"description": "Each outcome and indicator counted once."})
    actions = fields.List(fields.Nested(TraceActionSchema), metadata={"description": "A recommendation's actions."})
    outcomes = fields.List(fields.Nested(TraceOutcomeSchema), metadata={"description": "An initiative's."})
    judged_on = IsoDate()
    graph_as_of = fields.Nested(MomentSchema)
    contains_examples = fields.Boolean()


class ImpactRecommendationSchema(Schema):
    id = fields.String()
    number = fields.Integer(allow_none=True)
    title = fields.String()
    example = fields.Boolean()
    work = fields.Boolean(metadata={"description": "An action that is not cancelled implements it."})
    outcomes = fields.Boolean(metadata={"description": "Such an action contributes to an outcome."})
    data = fields.Boolean(metadata={"description": "An indicator of those outcomes has a value."})
    moving = fields.Boolean(metadata={"description": "One of them is improving."})
    off_track = fields.Boolean(metadata={"description": "One of them is off its trajectory."})


class ImpactCountsSchema(Schema):
    count = fields.Integer(metadata={"description": "Recommendations."})
    with_work = fields.Integer()
    with_outcomes = fields.Integer()
    with_data = fields.Integer()
    moving = fields.Integer()
    off_track = fields.Integer()


class ImpactAreaSchema(ImpactCountsSchema):
    area = fields.String(metadata={"description": "The source report's section; Other for none."})
    recommendations = fields.List(fields.Nested(ImpactRecommendationSchema))


class ImpactSchema(Schema):
    judged_on = IsoDate()
    areas = fields.List(fields.Nested(ImpactAreaSchema), metadata={
        "description": "In the report's order (each area's smallest recommendation number); Other last."})
    totals = fields.Nested(ImpactCountsSchema)
    graph_as_of = fields.Nested(MomentSchema)
    contains_examples = fields.Boolean()


def _judged_on(args: dict) -> dt.date:
    return dt.date.fromisoformat(args["judged_on"]) if args.get("judged_on") else today()


def _trace(args: dict, node_id: str, node_type: str) -> dict:
    settings = gap_settings(current_app.config, {"as_of": _judged_on(args)})
    return trace_of(get_service(), node_id, node_type, settings, args["examples"])


@blp.route("/recommendations/<node_id>/trace")
class RecommendationTrace(MethodView):
    @blp.arguments(ImpactQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, TraceSchema)
    def get(self, args, node_id):
        """From a recommendation to its effect: its actions (owners, RAG), their outcomes, the outcomes'
        indicators judged on `judged_on` (default today), and where the chain breaks. 404 for any other id."""
        return _trace(args, node_id, "Recommendation")


@blp.route("/initiatives/<node_id>/trace")
class InitiativeTrace(MethodView):
    @blp.arguments(ImpactQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, TraceSchema)
    def get(self, args, node_id):
        """From an initiative to its effect: its status, leads and accountable owner, its outcomes and their
        indicators judged on `judged_on` (default today), and where the chain breaks. 404 for any other id."""
        return _trace(args, node_id, "Initiative")


@blp.route("/impact")
class Impact(MethodView):
    @blp.arguments(ImpactQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ImpactSchema)
    def get(self, args):
        """The impact summary: per area of the source report, how many recommendations have work, outcomes,
        an indicator with data, a moving (improving) indicator and one off track; plus totals."""
        return impact(get_service(), _judged_on(args), args["examples"])
