"""`/api/v1/actions/<id>/updates`: progress updates on an action (docs/governance.md, "Progress updates").

The bodies and answers follow the vocabulary's ProgressUpdate, which the app loads when it starts: so
their schemas are built then, registered in the OpenAPI document when this blueprint joins an app, and
referred to from the operations below. The body is checked by ``graphsvc.progress.record_update`` with
that same schema, which is what the web form calls too.
"""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..app import get_service
from ..progress import RECORD_ROLE, UPDATE, new_entry, record_update, update_entries, update_input_schema
from ..schemas import IsoDate, property_field
from ..service import node_etag
from .identity import current_actor
from .nodes import IF_MATCH
from .security import requires
from .subcollections import PageQuerySchema, json_answer, schema_ref

__all__ = ["blp"]

blp = Blueprint("progress", __name__, url_prefix="/api/v1/actions",
                description="Progress updates on an action: RAG, what was done, what is next, blockers.")

INPUT, ENTRY, PAGE, RECORDED = ("ProgressUpdateRecordInput", "ProgressUpdateEntry", "ProgressUpdateList",
                                "ProgressUpdateRecorded")


class ActionDatesSchema(Schema):
    id = fields.String()
    due_date = IsoDate(allow_none=True, metadata={"description": "The due date now (revised if an update moved it)."})
    original_due_date = IsoDate(allow_none=True, metadata={
        "description": "The due date before the first revision; null if it was never revised."})
    last_update = IsoDate(allow_none=True, metadata={"description": "The latest update's date."})


@blp.record_once
def _document(state) -> None:
    """Name the vocabulary-made schemas in this app's OpenAPI document (the operations refer to them)."""
    service = get_service(state.app)
    spec = state.app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    entry = _entry_schema(service)
    spec.components.schema(INPUT, schema=update_input_schema(service.schemas))
    spec.components.schema(ENTRY, schema=entry)
    spec.components.schema(PAGE, schema=type(PAGE, (Schema,), {
        "action": fields.String(),
        "items": fields.List(fields.Nested(entry), metadata={"description": "Newest first."}),
        "total": fields.Integer(), "limit": fields.Integer(), "offset": fields.Integer()}))
    spec.components.schema(RECORDED, schema=type(RECORDED, (Schema,), {
        "update": fields.Nested(entry), "action": fields.Nested(ActionDatesSchema)}))


@blp.route("/<action_id>/updates")
class Updates(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200)
    @blp.doc(responses={"200": json_answer(
        PAGE, "The action's updates, newest first (latest date, then newest record); "
              "the ETag is the action's, for a later POST's If-Match.")})
    def get(self, args, action_id):
        """The updates on an action, newest first, each with who recorded it and when (from the change log)."""
        service = get_service()
        action = service.get_node(action_id, "Action")
        return update_entries(service, action_id, args["limit"], args["offset"]), 200, {"ETag": node_etag(action)}

    @requires(RECORD_ROLE)
    @blp.response(201)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": schema_ref(INPUT)}}},
             responses={"201": json_answer(RECORDED, "The update as recorded, and the action's dates after it."),
                        **IF_MATCH["responses"]},
             parameters=IF_MATCH["parameters"])
    def post(self, action_id):
        """Record an update: `date` (not after today, UTC), `rag`, optional `summary` (default "Progress
        update, <date>"), `done`, `next`, `blockers`, and `revised_due_date` with its `revision_reason`.
        The action's `last_update` follows the latest update; a revised due date becomes the `due_date`,
        and the first one revised is kept as `original_due_date`. A done or cancelled action takes updates
        but no revised due date. The update is example data exactly when the action is."""
        service = get_service()
        saved = record_update(service, action_id, request.get_json(), current_actor(), request.headers.get("If-Match"))
        answer = {"update": new_entry(saved.update, current_actor()),
                  "action": {"id": saved.action.id, **{name: saved.action.properties.get(name) for name in (
                      "due_date", "original_due_date", "last_update")}}}
        return answer, 201, {"ETag": node_etag(saved.action),
                             "Location": url_for(f"{service.node_type(UPDATE).plural}.Item", node_id=saved.update.id)}


def _entry_schema(service) -> type[Schema]:
    """An update as the API shows it: the vocabulary's properties, plus who recorded it and when."""
    node_type = service.vocabulary.node_type(UPDATE)
    attrs = {"id": fields.String(), **{name: property_field(spec) for name, spec in node_type.properties.items()},
             "updated_at": fields.String(allow_none=True, metadata={"description": "UTC time of its last change."}),
             "recorded_by": fields.String(allow_none=True, metadata={
                 "description": "The token name that created it (from the change log); null if unknown."}),
             "recorded_at": fields.String(allow_none=True, metadata={"description": "UTC time it was created."})}
    return type(ENTRY, (Schema,), attrs)
