"""`/api/v1/erasures`: erase a person's personal data from the graph and the history (admin only)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..app import get_service
from ..erasure import MAX_REASON, erase_person
from .identity import current_actor
from .security import requires

__all__ = ["blp"]

blp = Blueprint("erasures", __name__, url_prefix="/api/v1/erasures",
                description="Erase a person: the record, its relationships and its personal values in the "
                            "history (admin only). See docs/data-protection.md.")


class ErasureRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=validate.Length(1, 128),
                       metadata={"description": "The id of the record to erase (a type with personal properties)."})
    reason = fields.String(validate=validate.Length(max=MAX_REASON), load_default=None,
                           metadata={"description": "Kept in the history: a case reference, never the person's "
                                                    "name, email or id."})


class ErasureSchema(Schema):
    id = fields.String(metadata={"description": "The id that was erased (it appears nowhere any more)."})
    pseudonym = fields.String(metadata={"description": "What the history calls the erased record now."})
    type = fields.String()
    relationships = fields.Integer(metadata={"description": "Relationships deleted with it."})
    redacted_entries = fields.Integer(metadata={"description": "Earlier history entries rewritten."})
    reason = fields.String(allow_none=True)
    seq = fields.Integer(metadata={"description": "The change-log entry recording the erasure."})
    at = fields.String()
    actor = fields.String()
    files_purged = fields.Boolean(metadata={"description": "False if the store could not yet rewrite its files "
                                                           "(busy readers); the next erasure finishes it."})


@blp.route("")
class Erasures(MethodView):
    @requires("admin")
    @blp.arguments(ErasureRequestSchema)
    @blp.response(200, ErasureSchema)
    def post(self, body):
        """Erase a person: 404 for an unknown id, 422 for a record type that holds no personal data."""
        return erase_person(get_service(), body["id"], current_actor(), body["reason"])
