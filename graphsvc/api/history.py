"""`/api/v1/history`: the audit trail, straight from the change log (read-only; nothing deletes it)."""

from __future__ import annotations

import datetime as dt

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..app import get_service
from .security import redact

__all__ = ["blp", "changed_fields"]

blp = Blueprint("history", __name__, url_prefix="/api/v1/history",
                description="Who changed what and when: the change log, newest first.")

_STAMPS = {"created_at", "updated_at", "version"}


class SinceField(fields.String):
    """A UTC date (`YYYY-MM-DD`) or date-time (ISO 8601), normalised to the change log's format."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError("Use a date (YYYY-MM-DD) or an ISO 8601 date-time.") from exc
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class HistoryQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    subject = fields.String(validate=validate.Length(1, 200), metadata={"description": "A node or relationship id."})
    actor = fields.String(validate=validate.Length(1, 200), metadata={"description": "A token name."})
    since = SinceField(metadata={"description": "Only changes at or after this UTC date or time."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class ChangeSchema(Schema):
    seq = fields.Integer()
    at = fields.String()
    actor = fields.String()
    operation = fields.String()
    subject = fields.String()
    changed = fields.List(fields.String(), metadata={"description": "Properties whose value changed."})
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class HistorySchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))


@blp.route("")
class History(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query", unknown=RAISE)
    @blp.response(200, HistorySchema)
    def get(self, args):
        """Change-log entries, newest first, filtered by subject, actor and time."""
        changes = get_service().store.history(subject=args.get("subject"), actor=args.get("actor"),
                                              since=args.get("since"), limit=args["limit"])
        return {"changes": [_entry(change) for change in changes]}


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    """Names whose value differs between two records (stamps left out)."""
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if k not in _STAMPS and before.get(k) != after.get(k))


def _entry(change) -> dict:
    before, after = _visible(change.before), _visible(change.after)
    return {"seq": change.seq, "at": change.at, "actor": change.actor, "operation": change.operation,
            "subject": change.subject, "changed": changed_fields(before, after), "before": before, "after": after}


def _visible(record: dict | None) -> dict | None:
    if record is None or "relationships" in record:
        return record
    return redact(record)
