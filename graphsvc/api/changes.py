"""`/api/v1/changes`: what changed between two moments, in the reader's terms (docs/changes.md).

A thin edge over ``graphsvc.queries.changes``: it parses the query, says what the caller may see (sensitive
values from coordinators up, token events for admins only, as ``/api/v1/history`` shows them) and returns
the summary. Bad moments, unknown types and over-long windows are 422s with field messages.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..queries.changes import Audience, summarise_changes
from .history import TOKEN_READER
from .security import SENSITIVE_READER, current_identity

__all__ = ["WindowQuerySchema", "audience_of", "blp"]

blp = Blueprint("changes", __name__, url_prefix="/api/v1/changes",
                description="What changed between two moments: records, owners, statuses, decisions.")


def audience_of(identity) -> Audience:
    """What this caller may see of the change log (the roles are the edge's rules: api.security, api.history)."""
    if identity is None:
        return Audience()
    return Audience(sensitive=identity.can(SENSITIVE_READER), tokens=identity.can(TOKEN_READER))


class WindowQuerySchema(Schema):
    """A window of the change log: where it starts and ends, and whose meetings `last-meeting` counts."""

    class Meta:
        unknown = RAISE

    since = fields.String(validate=validate.Length(1, 64), metadata={"description": (
        "Where the window starts: a UTC date `YYYY-MM-DD` (from 00:00 that day), an ISO 8601 date-time, a "
        "change seq (the changes after it) or `last-meeting` (from 00:00 UTC on the day of the last held "
        "meeting of the group that oversees the work). Default: `last-meeting` if one has been held, else "
        "00:00 UTC seven days ago.")})
    until = fields.String(validate=validate.Length(1, 64), metadata={"description": (
        "Where it ends: a UTC date (to the end of that day), an ISO 8601 date-time or a change seq "
        "(included). Default: now.")})
    group = fields.String(validate=validate.Length(1, 200), metadata={"description": (
        "The group whose last held meeting `last-meeting` means (default: the governance group that "
        "oversees the work).")})


class ChangesQuerySchema(WindowQuerySchema):
    types = fields.String(validate=validate.Length(1, 2000), metadata={"description": (
        "Only these node types, comma-separated (e.g. `Action,Decision`).")})


_STAMP = {"seq": fields.Integer(), "at": fields.String(), "actor": fields.String()}


class RefSchema(Schema):
    id = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    label = fields.String(allow_none=True, metadata={"description": "Its name or title; null once erased."})
    example = fields.Boolean(metadata={"description": "Fictional example data."})
    erased = fields.Boolean(metadata={"description": "Present (true) when the record has been erased."})


def _listing(name: str, item: type[Schema] | Schema) -> fields.Nested:
    schema = Schema.from_dict({"count": fields.Integer(metadata={"description": "How many in all."}),
                               "items": fields.List(fields.Nested(item), metadata={
                                   "description": "Newest first; at most 500."})}, name=name)
    return fields.Nested(schema)


StampSchema = Schema.from_dict(dict(_STAMP), name="ChangeStamp")
FieldChangeSchema = Schema.from_dict({"name": fields.String(), "before": fields.Raw(allow_none=True),
                                      "after": fields.Raw(allow_none=True)}, name="FieldChange")


class RecordChangeSchema(RefSchema):
    first = fields.Nested(StampSchema)
    last = fields.Nested(StampSchema)
    # ("fields" is the key; a Schema cannot have an attribute of that name.)
    changed_fields = fields.List(fields.Nested(FieldChangeSchema), attribute="fields", data_key="fields", metadata={
        "description": "Changed records only: each property with its first value before and last value after."})


TypeChangesSchema = Schema.from_dict({kind: _listing(f"Records{kind.title()}", RecordChangeSchema)
                                      for kind in ("created", "changed", "deleted")}, name="TypeChanges")
HandoverSchema = Schema.from_dict({
    "record": fields.Nested(RefSchema), "from": fields.List(fields.Nested(RefSchema)),
    "to": fields.List(fields.Nested(RefSchema)), **_STAMP}, name="Handover")
StatusSchema = Schema.from_dict({
    "record": fields.Nested(RefSchema), "property": fields.String(), "before": fields.String(allow_none=True),
    "after": fields.String(allow_none=True), **_STAMP}, name="StatusTransition")
RagSchema = Schema.from_dict({
    "record": fields.Nested(RefSchema), "update": fields.Nested(RefSchema), "before": fields.String(allow_none=True),
    "after": fields.String(allow_none=True), "kind": fields.String(metadata={
        "description": "`new_update` (against the action's previous update) or `changed_update`."}), **_STAMP},
    name="RagTransition")
ReviewSchema = Schema.from_dict({
    "a": fields.Nested(RefSchema), "b": fields.Nested(RefSchema), "change": fields.String(metadata={
        "description": "recorded, changed or removed."}), "decision": fields.String(allow_none=True),
    "before": fields.String(allow_none=True), "has_note": fields.Boolean(),
    "note": fields.String(allow_none=True, metadata={"description": "Left out for pairs of people."}), **_STAMP},
    name="OverlapDecisionChange")
ImportSchema = Schema.from_dict({
    "actor": fields.String(), "entries": fields.Integer(),
    "first": fields.Dict(), "last": fields.Dict(),
    "created": fields.Dict(keys=fields.String(), values=fields.Integer()),
    "changed": fields.Dict(keys=fields.String(), values=fields.Integer()),
    "relationships": fields.Dict(keys=fields.String(), values=fields.Integer())}, name="ImportFound")
ErasureSchema = Schema.from_dict({"type": fields.String(allow_none=True), **_STAMP}, name="ErasureEvent")
TokenEventSchema = Schema.from_dict({"event": fields.String(), "name": fields.String(allow_none=True),
                                     "role": fields.String(allow_none=True), **_STAMP}, name="TokenEvent")
MeetingSchema = Schema.from_dict({
    "id": fields.String(), "title": fields.String(), "date": fields.String(), "status": fields.String(),
    "example": fields.Boolean(), "group": fields.Dict()}, name="MeetingRef")


class UntilSchema(Schema):
    given = fields.String(metadata={"description": "As asked for (`now` when not given)."})
    seq = fields.Integer(metadata={"description": "The window's last change (included)."})
    at = fields.String(allow_none=True, metadata={"description": "The UTC moment it ends."})


class SinceSchema(UntilSchema):
    given = fields.String(metadata={"description": "As asked for (`default` when not given)."})
    seq = fields.Integer(metadata={"description": "The window holds the changes after this seq."})
    at = fields.String(allow_none=True, metadata={"description": "The UTC moment it starts (null for seq 0)."})
    meeting = fields.Nested(MeetingSchema, allow_none=True, metadata={
        "description": "The meeting it counts from (for `last-meeting`, and by default)."})


class ChangesSchema(Schema):
    since = fields.Nested(SinceSchema)
    until = fields.Nested(UntilSchema)
    types_selected = fields.List(fields.String(), allow_none=True)
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    types = fields.Dict(keys=fields.String(), values=fields.Nested(TypeChangesSchema), metadata={
        "description": "Per node type: records created, changed (fields before -> after) and deleted."})
    relationships = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                                metadata={"description": "Per relationship type: how many created and deleted."})
    handovers = _listing("Handovers", HandoverSchema)
    transitions = fields.Nested(Schema.from_dict({"status": _listing("StatusTransitions", StatusSchema),
                                                  "rag": _listing("RagTransitions", RagSchema)}, name="Transitions"))
    overlap_decisions = _listing("OverlapDecisionChanges", ReviewSchema)
    imports = _listing("ImportsFound", ImportSchema)
    erasures = _listing("Erasures", ErasureSchema)
    tokens = _listing("TokenEvents", TokenEventSchema)
    limits = fields.Dict(keys=fields.String(), values=fields.Integer())


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangesQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, ChangesSchema)
    def get(self, args):
        """What changed between two moments: records created, changed and deleted per type, owner hand-overs,
        status and RAG transitions, overlap decisions, imports and erasures, each with who and when.

        Erased people are counted, never named; sensitive values need the coordinator role and token events
        the admin role. A window of more than 200,000 changes is refused (422): narrow it."""
        types = args["types"].split(",") if "types" in args else None
        return summarise_changes(get_service(), args.get("since"), args.get("until"), types,
                                 audience_of(current_identity()), args.get("group"))
