"""`/api/v1/gaps`: the gap flags, each explained with a suggested fix; `/changes`: flags over time."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.gaps import RULES, SEVERITIES
from ..app import get_service
from ..errors import Invalid
from ..queries.flag_changes import flags_between, select_flags
from ..queries.gaps import gap_answer
from ..queries.settings import gap_settings
from ..schemas import IsoDate
from ..service import GraphService
from .changes import WindowQuerySchema
from .moments import AS_OF_RANGE, MomentSchema, as_of_field, judged_on_field, when_asked

__all__ = ["AS_OF_RANGE", "gaps_blueprint"]


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
    recent_data_days = fields.Integer()


class GapReportSchema(Schema):
    gaps = fields.List(fields.Nested(GapSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    settings = fields.Nested(SettingsSchema, metadata={"description": "Thresholds; `as_of` here is the judging day."})
    graph_as_of = fields.Nested(MomentSchema, metadata={"description": "The moment of the graph judged."})
    judged_on = IsoDate(metadata={"description": "The day the date rules judged against."})


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
    as_of = as_of_field()
    judged_on = judged_on_field()
    stale_days = fields.Integer(validate=validate.Range(1, 3650))
    overload_actions = fields.Integer(validate=validate.Range(1, 1000))
    schedule_days = fields.Integer(validate=validate.Range(1, 3650))
    recent_data_days = fields.Integer(validate=validate.Range(1, 3650), metadata={
        "description": "An indicator with no value this recent is flagged (indicator-without-recent-data)."})
    examples = fields.Boolean(load_default=True, metadata={
        "description": "Include example (fictional demo) records; false judges the real records only."})


class OpenSinceSchema(Schema):
    date = IsoDate(metadata={"description": "The earliest moment compared from which the flag was open at every one."})
    meeting = fields.Dict(allow_none=True, metadata={
        "description": "That moment's meeting ({id, title, date, example}), or null when it is `since` itself."})
    days = fields.Integer(metadata={"description": (
        "Days from `date` to `until` (still open) or to `since` (closed): how long it had been open, at least.")})


class ClosedBySchema(Schema):
    seq = fields.Integer()
    at = fields.String()
    actor = fields.String()
    operation = fields.String(metadata={"description": "e.g. create_relationship (a link added), update_node."})


class FlagChangeSchema(GapSchema):
    open_since = fields.Nested(OpenSinceSchema, allow_none=True, metadata={
        "description": "Null for a flag opened in the window (it was not open at `since`)."})
    closed_by = fields.Nested(ClosedBySchema, allow_none=True, metadata={"description": (
        "Closed flags only: the newest change in the window about the flag's subject (the record, or a link to "
        "or from it); null when nothing changed it, e.g. a date rule that lapsed.")})


class FlagMomentSchema(MomentSchema):
    given = fields.String(metadata={"description": "As asked for (`default` or `now` when not given)."})
    judged_on = IsoDate(metadata={"description": "The day the date rules judged that moment's graph against."})


class FlagSinceSchema(FlagMomentSchema):
    meeting = fields.Dict(allow_none=True, metadata={"description": "The held meeting `since` counts from, if any."})


class FlagChangesSchema(Schema):
    since = fields.Nested(FlagSinceSchema)
    until = fields.Nested(FlagMomentSchema)
    opened = fields.List(fields.Nested(FlagChangeSchema), metadata={"description": "Open at `until`, not at `since`."})
    closed = fields.List(fields.Nested(FlagChangeSchema), metadata={"description": "Open at `since`, not at `until`."})
    still_open = fields.List(fields.Nested(FlagChangeSchema), metadata={"description": "Open at both."})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class FlagChangesQuerySchema(WindowQuerySchema):
    rule = fields.List(fields.String(validate=validate.Length(max=2000)),
                       metadata={"description": "Only these rules (repeat the parameter or separate by commas)."})
    subject_type = fields.String(validate=validate.Length(1, 100),
                                 metadata={"description": "Only flags whose subject is of this node type."})
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
            """The gap report: most severe first; `counts` per rule. `as_of` asks for the graph as it stood at a
            moment, `judged_on` for the day the date rules judge against (docs/as-of.md)."""
            if args.get("type") and args["type"] not in node_types:
                raise Invalid("Unknown node type.", {"type": [f"Must be one of: {', '.join(node_types)}."]})
            when = when_asked(args)
            settings = gap_settings(current_app.config, {**args, "as_of": when.judged_on})
            return gap_answer(get_service(), settings, args["examples"], when.moment, rules=_rules(args.get("rule")),
                              severity=args.get("severity"), subject_type=args.get("type"))

    @blp.route("/changes")
    class FlagChanges(MethodView):
        @blp.arguments(FlagChangesQuerySchema, location="query", unknown=RAISE)
        @blp.response(200, FlagChangesSchema)
        def get(self, args):
            """Flags over time: the flags opened, closed and still open between `since` and `until`, each with
            how long it has been open (`open_since`: at every held meeting since a date) and, once closed,
            the change that closed it (docs/gaps.md, "Flags over time")."""
            subject_type = args.get("subject_type")
            if subject_type and subject_type not in node_types:
                raise Invalid("Unknown node type.", {"subject_type": [f"Must be one of: {', '.join(node_types)}."]})
            rules = _rules(args.get("rule"))
            answer = flags_between(get_service(), args.get("since"), args.get("until"), args.get("group"),
                                   args["examples"], gap_settings(current_app.config))
            return select_flags(answer, rules, subject_type)

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
