"""`/api/v1/gaps`: the gap flags, each explained with a suggested fix."""

from __future__ import annotations

import datetime as dt
import threading

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..analysis.gaps import AS_OF_BOUNDS, RULES, SEVERITIES, GapSettings, count_by_rule, find_gaps
from ..app import get_service
from ..errors import Invalid
from ..schemas import IsoDate
from ..service import GraphService

__all__ = ["AS_OF_RANGE", "gap_settings", "gaps_blueprint"]

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


def gap_settings(args: dict) -> GapSettings:
    """Per-request values over the app's configured defaults."""
    config = current_app.config
    return GapSettings(
        as_of=dt.date.fromisoformat(args["as_of"]) if args.get("as_of") else dt.datetime.now(dt.UTC).date(),
        stale_days=args.get("stale_days") or config["GAP_STALE_DAYS"],
        overload_actions=args.get("overload_actions") or config["GAP_OVERLOAD_ACTIONS"],
        schedule_days=args.get("schedule_days") or config["GAP_SCHEDULE_DAYS"],
    )


def gaps_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("gaps", __name__, url_prefix="/api/v1/gaps",
                    description="Gap flags: accountability, coverage and engagement gaps, each with a fix.")
    node_types = sorted(service.vocabulary.node_types)
    reports = _RecentReports()

    @blp.route("")
    class Gaps(MethodView):
        @blp.arguments(GapQuerySchema, location="query", unknown=RAISE)
        @blp.response(200, GapReportSchema)
        def get(self, args):
            """The gap report: most severe first; `counts` per rule."""
            if args.get("type") and args["type"] not in node_types:
                raise Invalid("Unknown node type.", {"type": [f"Must be one of: {', '.join(node_types)}."]})
            settings, wanted = gap_settings(args), _rules(args.get("rule"))
            service = get_service()
            graph = service.graph(examples=args["examples"])
            every = reports.get((service.projection.seq, args["examples"], settings),
                                lambda: find_gaps(graph, settings))
            gaps = [g for g in every if (wanted is None or g.rule in wanted)
                    and (not args.get("severity") or g.severity == args["severity"])
                    and (not args.get("type") or g.subject["type"] == args["type"])]
            return {"gaps": [g.as_dict() for g in gaps], "counts": count_by_rule(gaps),
                    "settings": settings.__dict__}

    @blp.route("/rules")
    class GapRules(MethodView):
        @blp.response(200, RuleSchema(many=True))
        def get(self):
            """The catalogue of gap rules with their severity."""
            return [{"id": r.id, "severity": r.severity, "subject_type": r.subject_type, "summary": r.summary}
                    for r in RULES.values()]

    return blp


class _RecentReports:
    """The last few full reports of this process, keyed by (projection seq, examples, settings): a dashboard
    asking again, or for another filter, before anything changed gets the answer at once."""

    def __init__(self, size: int = 8):
        self._size, self._items, self._lock = size, {}, threading.Lock()

    def get(self, key, compute):
        with self._lock:
            if key in self._items:
                return self._items[key]
        value = compute()
        with self._lock:
            if len(self._items) >= self._size:
                self._items.pop(next(iter(self._items)))
            self._items[key] = value
        return value


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
