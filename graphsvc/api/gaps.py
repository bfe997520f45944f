"""`/api/v1/gaps`: the gap flags, each explained with a suggested fix."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.gaps import AS_OF_BOUNDS, RULES, SEVERITIES
from ..app import get_service
from ..errors import Invalid
from ..queries.gaps import gap_answer
from ..queries.settings import gap_settings
from ..schemas import IsoDate
from ..service import GraphService

__all__ = ["AS_OF_RANGE", "gaps_blueprint"]

# ISO dates compare correctly as text.
AS_OF_RANGE = validate.Range(min=AS_OF_BOUNDS[0].isoformat(), max=AS_OF_BOUNDS[1].isoformat(),
                             error=f"Use a date from {AS_OF_BOUNDS[0]} to {AS_OF_BOUNDS[1]}.")


class SubjectSchema(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()


class GapSchema(Schema):
    rule = fields.String(metadata={"description": "Stable rule id, e.g. action-without-owner."})
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    subject = fields.Nested(SubjectSchema)
    message = fields.String(metadata={"description": "Why this is flagged, in plain words."})
    fix = fields.String(metadata={"description": "The suggested next step."})
    related = fields.List(fields.String(), metadata={"description": "Ids of the nodes involved."})
    example = fields.Boolean(metadata={"description": "True when the subject is example data (absent otherwise)."})


class SettingsSchema(Schema):
    as_of = IsoDate()
    stale_days = fields.Integer()
    overload_actions = fields.Integer()
    schedule_days = fields.Integer()


class GapReportSchema(Schema):
    gaps = fields.List(fields.Nested(GapSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    settings = fields.Nested(SettingsSchema)


class RuleSchema(Schema):
    id = fields.String()
    severity = fields.String()
    subject_type = fields.String()
    summary = fields.String()


class GapQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    rule = fields.List(fields.String(validate=validate.Length(max=2000)),
                       metadata={"description": "Only these rules (repeat the parameter or separate by commas)."})
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    type = fields.String(metadata={"description": "Only gaps whose subject is of this node type."})
    as_of = IsoDate(validate=AS_OF_RANGE, metadata={"description": "Judge as of this date (default: today)."})
    stale_days = fields.Integer(validate=validate.Range(1, 3650))
    overload_actions = fields.Integer(validate=validate.Range(1, 1000))
    schedule_days = fields.Integer(validate=validate.Range(1, 3650))
    examples = fields.Boolean(load_default=True, metadata={
        "description": "Include example (fictional demo) records; false judges the real records only."})


def gaps_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("gaps", __name__, url_prefix="/api/v1/gaps",
                    description="Gap flags: accountability, coverage and engagement gaps, each with a fix.")
    node_types = sorted(service.vocabulary.node_types)

    @blp.route("")
    class Gaps(MethodView):
        @blp.arguments(GapQuerySchema, location="query", unknown=RAISE)
        @blp.response(200, GapReportSchema)
        def get(self, args):
            """The gap report: most severe first; `counts` per rule."""
            if args.get("type") and args["type"] not in node_types:
                raise Invalid("Unknown node type.", {"type": [f"Must be one of: {', '.join(node_types)}."]})
            return gap_answer(get_service(), gap_settings(current_app.config, args), args["examples"],
                              rules=_rules(args.get("rule")), severity=args.get("severity"),
                              subject_type=args.get("type"))

    @blp.route("/rules")
    class GapRules(MethodView):
        @blp.response(200, RuleSchema(many=True))
        def get(self):
            """The catalogue of gap rules with their severity."""
            return [{"id": r.id, "severity": r.severity, "subject_type": r.subject_type, "summary": r.summary}
                    for r in RULES.values()]

    return blp


def _rules(values: list[str] | None) -> list[str] | None:
    """Rule ids from repeated and/or comma-separated parameters, each checked."""
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise Invalid(f"Unknown gap rule(s): {', '.join(unknown)}.",
                      {"rule": [f"Must be among: {', '.join(RULES)}."]})
    return names
