"""`/api/v1/reports`: reports for the governance group: the board action log and the board pack."""

from __future__ import annotations

from flask import Response, current_app, render_template
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from webargs.fields import DelimitedList

from ..app import get_service
from ..queries.action_log import action_log
from ..queries.board_pack import board_pack
from ..queries.moments import Moment
from ..queries.settings import gap_settings
from ..reports.action_log import RAG_RULES, RAGS, to_csv
from ..schemas import IsoDate
from ..service import GraphService
from .meetings import PACK_DESCRIPTION, XLSX, BoardPackQuery, BoardPackSchema, pack_response
from .moments import MomentSchema, as_of_field, judged_on_field, moment_headers, when_asked

__all__ = ["reports_blueprint"]

FORMATS = ("json", "csv", "html")
TEXT = {"type": "string"}
# One description for the three media types of the 200 answer (OpenAPI keeps one per status code).
RESPONSE_DESCRIPTION = (
    "format=json (default): application/json, described by the schema. format=csv: text/csv in UTF-8 with a "
    "byte-order mark, sent as the attachment action-log-<judged_on>.csv (action-log-<judged_on>-seq-<seq>.csv "
    "for a past `as_of`): a header row, then one row per action; "
    "several values in a cell are joined with '; '. format=html: text/html, a printable A4-landscape page "
    "for a board meeting (no scripts or external files).")


class ActionLogPartySchema(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String()


class ActionLogRecommendationSchema(Schema):
    id = fields.String()
    title = fields.String()


class ActionLogUpdateSchema(Schema):
    id = fields.String()
    date = IsoDate()
    rag = fields.String(metadata={"description": "The owner's RAG in the update (red, amber, green); the row's `rag` "
                                                 "is derived and is the log's rule."})
    summary = fields.String()
    blockers = fields.String(allow_none=True)


class ActionLogRowSchema(Schema):
    id = fields.String()
    reference = fields.String(metadata={"description": "The action's reference on the log, e.g. A-07 ('' if none)."})
    title = fields.String()
    recommendations = fields.List(fields.Nested(ActionLogRecommendationSchema),
                                  metadata={"description": "The recommendations the action IMPLEMENTS."})
    accountable = fields.List(fields.Nested(ActionLogPartySchema),
                              metadata={"description": "ACCOUNTABLE_FOR the action (flagged when more than one)."})
    multiple_owners = fields.Boolean(metadata={"description": "More than one accountable owner (flagged)."})
    owner_flags = fields.List(fields.String(), metadata={
        "description": "Gap rules about an accountable owner that name this action (owner-left, owner-overloaded)."})
    responsible = fields.List(fields.Nested(ActionLogPartySchema),
                              metadata={"description": "RESPONSIBLE_FOR the action."})
    due_date = IsoDate(allow_none=True)
    original_due_date = IsoDate(allow_none=True, metadata={
        "description": "The due date before it was first revised by a progress update (null if never revised)."})
    latest_update = fields.Nested(ActionLogUpdateSchema, allow_none=True, metadata={
        "description": "The latest progress update (latest date, then newest record), or null."})
    status = fields.String(allow_none=True)
    priority = fields.String(allow_none=True)
    rag = fields.String(validate=validate.OneOf(RAGS), metadata={"description": "Derived; see docs/action-log.md."})
    rag_reasons = fields.List(fields.String(), metadata={"description": "Why the action has that RAG."})
    last_changed = fields.String(allow_none=True, metadata={
        "description": "UTC ISO 8601: the later of the record's last update and the newest change-log entry about it."})
    last_changed_by = fields.String(allow_none=True, metadata={"description": "The actor of that change-log entry."})
    flags = fields.List(fields.String(), metadata={"description": "Ids of the gap rules whose subject is the action."})
    example = fields.Boolean(metadata={"description": "True when the action is fictional example data."})


class ActionLogSettingsSchema(Schema):
    due_soon_days = fields.Integer()
    stale_days = fields.Integer()


class ActionLogSchema(Schema):
    as_of = IsoDate(metadata={"description": "The judging day (the same as `judged_on`; kept for existing readers)."})
    judged_on = IsoDate(metadata={"description": "The day RAG and the flags were judged against."})
    graph_as_of = fields.Nested(MomentSchema, metadata={"description": "The moment of the graph the log shows."})
    generated_at = fields.String(metadata={"description": "UTC ISO 8601."})
    rows = fields.List(fields.Nested(ActionLogRowSchema))
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(RAGS)), values=fields.Integer(),
                         metadata={"description": "Rows per RAG value (all values, zeros included)."})
    settings = fields.Nested(ActionLogSettingsSchema)


def action_log_query(statuses: tuple[str, ...]) -> type[Schema]:
    attrs = {
        "format": fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                                metadata={"description": "json (default), csv (spreadsheet), html (printable page)."}),
        "as_of": as_of_field(),
        "judged_on": judged_on_field(),
        "status": DelimitedList(fields.String(validate=validate.OneOf(statuses)),
                                metadata={"description": "Only actions with these statuses (comma-separated)."}),
        "rag": DelimitedList(fields.String(validate=validate.OneOf(RAGS)),
                             metadata={"description": "Only rows with these RAG values (comma-separated)."}),
        "examples": fields.Boolean(load_default=True, metadata={
            "description": "Include fictional example records (default true); false leaves them out."}),
    }
    return type("ActionLogQuery", (Schema,), {"Meta": type("Meta", (), {"unknown": RAISE}), **attrs})


def reports_blueprint(service: GraphService) -> Blueprint:
    blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                    description="Reports for the governance group: the board action log and the board pack.")
    action_type = service.vocabulary.node_type("Action")
    query = action_log_query(tuple(action_type.properties["status"].values) if action_type else ())

    @blp.route("/action-log")
    class ActionLog(MethodView):
        @blp.arguments(query, location="query", unknown=RAISE)
        @blp.response(200, ActionLogSchema, description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=TEXT, content_type="text/csv", success=True, description=RESPONSE_DESCRIPTION)
        @blp.alt_response(200, schema=TEXT, content_type="text/html", success=True, description=RESPONSE_DESCRIPTION)
        def get(self, args):
            """The board action log: one row per action with owner, due date, RAG and open gap flags. `as_of` asks
            for the actions as they stood at a moment, `judged_on` for the day RAG is judged on (docs/as-of.md);
            CSV and HTML name the moment in the Graph-As-Of-Seq and Graph-As-Of-Time headers."""
            when = when_asked(args)
            settings = gap_settings(current_app.config, {"as_of": when.judged_on})
            report = action_log(get_service(), settings, args["examples"], args.get("status"), args.get("rag"),
                                when.moment)
            if args["format"] == "csv":
                return _csv(report, past=when.moment is not None)
            if args["format"] == "html":
                return _html(report, args)
            return report

    @blp.route("/board-pack")
    class BoardPack(MethodView):
        @blp.arguments(BoardPackQuery, location="query", unknown=RAISE)
        @blp.response(200, BoardPackSchema, description=PACK_DESCRIPTION)
        @blp.alt_response(200, schema=TEXT, content_type="text/html", success=True, description=PACK_DESCRIPTION)
        @blp.alt_response(200, schema=TEXT, content_type=XLSX, success=True, description=PACK_DESCRIPTION)
        def get(self, args):
            """The board pack for the next governance meeting (docs/board-pack.md): progress recommendation by
            recommendation in the report's areas, decisions taken and due, what changed since the last meeting,
            flags opened and closed, indicators that moved. `as_of` and `judged_on` rebuild a past pack."""
            when = when_asked(args)
            settings = gap_settings(current_app.config, {"as_of": when.judged_on})
            pack = board_pack(get_service(), args.get("since"), when.moment, when.judged_on, args.get("group"),
                              args["examples"], settings)
            return pack_response(pack, args["format"], "board-pack")

    return blp


def _csv(report: dict, past: bool) -> Response:
    response = Response(to_csv(report["rows"]).encode("utf-8"), content_type="text/csv; charset=utf-8",
                        headers=_moment_headers(report))
    # A past moment's log is named after it too, so two files judged on one day do not collide.
    moment = f"-seq-{report['graph_as_of']['seq']}" if past else ""
    response.headers["Content-Disposition"] = f'attachment; filename="action-log-{report["as_of"]}{moment}.csv"'
    return response


def _html(report: dict, args: dict) -> Response:
    filters = "; ".join(f"{name} {', '.join(args[name])}" for name in ("status", "rag") if args.get(name))
    page = render_template("action_log.html", **report, filters=filters, rags=RAGS, rag_rules=RAG_RULES,
                           stale_days=report["settings"]["stale_days"])
    return Response(page, content_type="text/html; charset=utf-8", headers=_moment_headers(report))


def _moment_headers(report: dict) -> dict[str, str]:
    return moment_headers(Moment(**report["graph_as_of"]))
