"""`/api/v1/meetings/<id>/...`: marking a meeting held, which pins the board pack it saw, and reopening it;
the decisions taken at a meeting, and recording one (governance and up; graphsvc/decisions.py).

Also the board pack's answer schema and formats, shared with `GET /api/v1/reports/board-pack`.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..decisions import DECISION, RECORD_ROLE, decision_input_schema, record_decision
from ..meetings_record import HOLD_ROLE, mark_held
from ..queries.board_pack import decisions_at, meeting_pack
from ..queries.moments import Moment
from ..reports.action_log import RAGS
from ..reports.board_pack import to_html, to_xlsx
from ..schemas import IsoDate
from .identity import current_actor
from .moments import MomentSchema, as_of_field, judged_on_field, moment_headers
from .security import requires

__all__ = ["PACK_DESCRIPTION", "XLSX", "BoardPackQuery", "BoardPackSchema", "blp", "pack_response"]

TEXT = {"type": "string"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACK_FORMATS = ("json", "html", "xlsx")
PACK_DESCRIPTION = (
    "format=json (default): application/json, described by the schema. format=html: text/html, a print-ready "
    "A4 document (title page, contents, a page per area and section, table headers repeated on each page; no "
    "scripts or external files). format=xlsx: a workbook, one sheet per section with a frozen header row, "
    "attachment board-pack-<judged_on>-seq-<seq>.xlsx. Example (fictional) records are marked in every format; "
    "Graph-As-Of-Seq and Graph-As-Of-Time name the moment.")
_LOOSE = {"description": "Shaped as in GET /api/v1/changes (docs/changes.md), without who made each change."}


class PackRefSchema(Schema):
    id = fields.String(allow_none=True, metadata={"description": "Null for a person who is not named (below)."})
    type = fields.String(allow_none=True)
    label = fields.String(metadata={"description": "The record's name; 'a person' where the pack names no one."})
    example = fields.Boolean(metadata={"description": "Fictional example data."})


class PackOwnerSchema(Schema):
    id = fields.String()
    type = fields.String()
    name = fields.String(metadata={"description": "Named: accountability needs it (DESIGN.md §9)."})
    example = fields.Boolean()


class PackActionSchema(Schema):
    id, reference, title = fields.String(), fields.String(), fields.String()
    example = fields.Boolean()
    owners = fields.List(fields.Nested(PackOwnerSchema), metadata={"description": "Accountable owner(s)."})
    status = fields.String(allow_none=True)
    rag = fields.String(validate=validate.OneOf(RAGS), metadata={"description": "Derived (docs/action-log.md)."})
    rag_reasons = fields.List(fields.String())
    reported_rag = fields.String(allow_none=True, metadata={"description": "The owner's, in the latest update."})
    latest_update_date = IsoDate(allow_none=True)
    due_date = IsoDate(allow_none=True)
    original_due_date = IsoDate(allow_none=True, metadata={"description": "Before the first revision, if revised."})


class PackRecommendationSchema(Schema):
    id, title = fields.String(), fields.String()
    number = fields.Integer(allow_none=True, metadata={"description": "Its number in the report."})
    example = fields.Boolean()
    actions = fields.List(fields.Nested(PackActionSchema))
    no_action = fields.Boolean(metadata={"description": "True when no action implements it: 'No action yet'."})


class PackAreaSchema(Schema):
    area = fields.String(allow_none=True, metadata={
        "description": "The report's area, in its order; null for actions implementing no recommendation."})
    recommendations = fields.List(fields.Nested(PackRecommendationSchema))
    actions = fields.List(fields.Nested(PackActionSchema), metadata={"description": "Only in the null area."})


class PackMeetingSchema(Schema):
    id, title, status = fields.String(), fields.String(), fields.String(allow_none=True)
    date = IsoDate(allow_none=True)
    example = fields.Boolean()


class PackDecisionSchema(Schema):
    id, title = fields.String(), fields.String()
    kind, status = fields.String(allow_none=True), fields.String(allow_none=True)
    due_date = IsoDate(allow_none=True)
    overdue = fields.Boolean()
    meeting = fields.Nested(PackMeetingSchema, allow_none=True, metadata={"description": "Where it was taken."})
    owner = fields.Nested(PackOwnerSchema, allow_none=True)
    concerns = fields.List(fields.Nested(PackRefSchema), metadata={"description": "What it is about."})
    example = fields.Boolean()


class PackDecisionsSchema(Schema):
    taken = fields.List(fields.Nested(PackDecisionSchema), metadata={
        "description": "Taken at the group's meetings dated from the window's first day to the judging day."})
    due = fields.List(fields.Nested(PackDecisionSchema), metadata={
        "description": "Open, and due by the next planned meeting or overdue."})


class PackListSchema(Schema):
    count = fields.Integer()
    items = fields.List(fields.Dict(), metadata=_LOOSE)


class PackChangesSchema(Schema):
    entries = fields.Integer(metadata={"description": "Change-log entries in the window."})
    counts = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                         metadata={"description": "Per node type: records created, changed, deleted."})
    handovers, status_transitions, rag_transitions = (fields.Nested(PackListSchema) for _ in range(3))
    overlap_decisions, imports = fields.Nested(PackListSchema), fields.Nested(PackListSchema)


class PackFlagsSchema(Schema):
    available = fields.Boolean(metadata={"description": "False while this server cannot tell flags over time."})
    opened = fields.List(fields.Dict(), metadata={"description": "Flags as /api/v1/gaps shows them, with open_since."})
    closed = fields.List(fields.Dict())
    still_open = fields.Integer(allow_none=True)
    counts = fields.Dict()


class PackIndicatorValueSchema(Schema):
    value = fields.Raw(allow_none=True)
    date = fields.String(allow_none=True)


class PackIndicatorSchema(Schema):
    id, name, unit = fields.String(), fields.String(), fields.String(allow_none=True)
    example = fields.Boolean()
    before, after = fields.Nested(PackIndicatorValueSchema), fields.Nested(PackIndicatorValueSchema)


class PackWindowEndSchema(Schema):
    given = fields.String()
    seq = fields.Integer()
    at = fields.String(allow_none=True)
    meeting = fields.Dict(allow_none=True, metadata={"description": "The last held meeting it counts from."})


class PackWindowSchema(Schema):
    since = fields.Nested(PackWindowEndSchema)
    until = fields.Nested(PackWindowEndSchema)


class BoardPackSchema(Schema):
    window = fields.Nested(PackWindowSchema, metadata={"description": "The changes the pack reports (seqs)."})
    graph_as_of = fields.Nested(MomentSchema, metadata={"description": "The moment of the map the pack shows."})
    judged_on = IsoDate(metadata={"description": "The day RAG, overdue and due were judged against."})
    group = fields.Nested(PackRefSchema, allow_none=True, metadata={"description": "The overseeing group."})
    meeting = fields.Nested(PackMeetingSchema, allow_none=True, metadata={
        "description": "The meeting the pack is for: the group's next planned one on or after judged_on."})
    contains_examples = fields.Boolean(metadata={"description": "True when any record shown is example data."})
    areas = fields.List(fields.Nested(PackAreaSchema))
    decisions = fields.Nested(PackDecisionsSchema)
    changes = fields.Nested(PackChangesSchema)
    flags = fields.Nested(PackFlagsSchema)
    indicators = fields.List(fields.Nested(PackIndicatorSchema), metadata={
        "description": "Indicators whose latest value changed in the window: before and after, with dates."})
    settings = fields.Dict(metadata={"description": "due_soon_days and stale_days, as the action log's."})


class BoardPackQuery(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="json", validate=validate.OneOf(PACK_FORMATS))
    since = fields.String(validate=validate.Length(max=64), metadata={
        "description": "Where 'since the last meeting' starts: a date, a date-time, a seq or last-meeting "
                       "(default: the last held meeting, else seven days ago); as in GET /api/v1/changes."})
    as_of = as_of_field()
    judged_on = judged_on_field()
    group = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The group whose meetings count (default: the overseeing governance group)."})
    examples = fields.Boolean(load_default=True, metadata={"description": "Include example records (default true)."})


class PackFormatQuery(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="json", validate=validate.OneOf(PACK_FORMATS))
    examples = fields.Boolean(load_default=True, metadata={"description": "Include example records (default true)."})


class HeldMeetingSchema(Schema):
    id = fields.String()
    status = fields.String()
    date = IsoDate()
    pack_since_seq = fields.Integer(metadata={"description": "The pack's window starts after this change."})
    pack_as_of_seq = fields.Integer(metadata={"description": "The pack shows the map as it stood at this change."})
    pack_judged_on = IsoDate(metadata={"description": "The pack's dates are judged on this day."})


class HeldBodySchema(Schema):
    """Nothing to send but an empty JSON object: the pins come from the log and the meeting's own date."""

    class Meta:
        unknown = RAISE


blp = Blueprint("meeting_packs", __name__, url_prefix="/api/v1/meetings",
                description="Marking a meeting held, which pins the board pack it saw, and reopening that pack.")


@blp.route("/<meeting_id>/held")
class Held(MethodView):
    @requires(HOLD_ROLE)
    @blp.arguments(HeldBodySchema)
    @blp.response(200, HeldMeetingSchema)
    def post(self, _body, meeting_id):
        """Mark a planned meeting held (governance and up) and pin its board pack: since the group's previous
        held meeting, the map as it stands now, judged on the meeting's date. 409 unless it is planned (a held
        meeting's pack is never re-pinned); 422 if it is dated after today. The body is `{}`."""
        meeting = mark_held(get_service(), meeting_id, current_actor())
        return {"id": meeting.id, **meeting.properties}


@blp.route("/<meeting_id>/board-pack")
class MeetingPack(MethodView):
    @blp.arguments(PackFormatQuery, location="query", unknown=RAISE)
    @blp.response(200, BoardPackSchema, description=PACK_DESCRIPTION)
    @blp.alt_response(200, schema=TEXT, content_type="text/html", success=True, description=PACK_DESCRIPTION)
    @blp.alt_response(200, schema=TEXT, content_type=XLSX, success=True, description=PACK_DESCRIPTION)
    def get(self, args, meeting_id):
        """The board pack a held meeting saw, rebuilt from its pins (or, for a meeting marked held without them,
        from its date), exactly as then except that anyone erased since stays erased. 409 for a meeting not
        held (ask GET /api/v1/reports/board-pack)."""
        pack = meeting_pack(get_service(), meeting_id, current_app.config, args["examples"], held_only=True)
        return pack_response(pack, args["format"], "board-pack-" + re.sub(r"[^A-Za-z0-9_-]+", "-", meeting_id)[:60])


DECISION_INPUT = "DecisionRecordInput"


class MeetingDecisionsSchema(Schema):
    meeting = fields.Nested(PackMeetingSchema)
    items = fields.List(fields.Nested(PackDecisionSchema), metadata={
        "description": "Taken at the meeting, by title; overdue is judged today (UTC)."})


@blp.record_once
def _document(state) -> None:
    """Name the vocabulary-made body of a recorded decision in this app's OpenAPI document."""
    spec = state.app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    spec.components.schema(DECISION_INPUT, schema=decision_input_schema(get_service(state.app).schemas))


@blp.route("/<meeting_id>/decisions")
class MeetingDecisions(MethodView):
    @blp.response(200, MeetingDecisionsSchema)
    def get(self, meeting_id):
        """The decisions taken at a meeting (viewer and up), each with its accountable owner and what it
        concerns (a person it concerns is shown as "a person", as in the board pack)."""
        service = get_service()
        meeting = service.get_node(meeting_id, "Meeting")
        return {"meeting": {"id": meeting.id, **meeting.properties,
                            "example": meeting.properties.get("example") is True},
                "items": decisions_at(service.graph(), meeting_id, _today())}

    @requires(RECORD_ROLE)
    @blp.response(201, PackDecisionSchema)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{DECISION_INPUT}"}}}})
    def post(self, meeting_id):
        """Record a decision taken at a meeting (governance and up): `title`, optional `description`, `kind`,
        `status` (default open) and `due_date`; `owner`, the id of its one accountable person, group or
        organisation; `concerns`, the ids of what it is about (at most 20). One transaction; the decision is
        example data exactly when the meeting is, and the vocabulary's rules apply to every link. 404 for an
        unknown meeting; 422 with field messages."""
        service = get_service()
        saved = record_decision(service, meeting_id, request.get_json(silent=True), current_actor())
        entry = next(d for d in decisions_at(service.graph(), meeting_id, _today()) if d["id"] == saved.decision.id)
        plural = service.node_type(DECISION).plural
        return entry, 201, {"Location": url_for(f"{plural}.Item", node_id=saved.decision.id)}


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def pack_response(pack: dict, form: str, name: str):
    """The pack as JSON (the view's schema dumps it), a printable page or a workbook named after its day."""
    headers = moment_headers(Moment(**pack["graph_as_of"]))
    if form == "html":
        return Response(to_html(pack), content_type="text/html; charset=utf-8", headers=headers)
    if form == "xlsx":
        response = Response(to_xlsx(pack), content_type=XLSX, headers=headers)
        filename = f"{name}-{pack['judged_on']}-seq-{pack['graph_as_of']['seq']}.xlsx"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return pack


