"""`/api/v1/history`: the audit trail, straight from the change log (read-only; nothing deletes it).

Token events (creating and revoking access tokens, subject ``token:<name>``) name tokens and their
roles, which only admins may see (as on `/api/v1/tokens`): for anyone else they are left out, and
asking for a token's history (``subject=token:...``) is refused with 403.
"""

from __future__ import annotations

import datetime as dt

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..app import get_service
from ..store.model import Operation
from .security import current_identity, redact, require_role

__all__ = ["blp", "changed_fields"]

blp = Blueprint("history", __name__, url_prefix="/api/v1/history",
                description="Who changed what and when: the change log, newest first.")

_STAMPS = {"created_at", "updated_at", "version"}
TOKEN_SUBJECT_PREFIX = "token:"
TOKEN_OPERATIONS = frozenset({Operation.CREATE_TOKEN, Operation.REVOKE_TOKEN})
TOKEN_READER = "admin"


class SinceField(fields.String):
    """A UTC date (`YYYY-MM-DD`) or date-time (ISO 8601), normalised to the change log's format."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        except ValueError as exc:
            raise ValidationError("Use a date (YYYY-MM-DD) or an ISO 8601 date-time.") from exc
        except OverflowError as exc:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
            raise ValidationError("That time is outside the years 1-9999 in UTC.") from exc
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
        """Change-log entries, newest first, filtered by subject, actor and time.

        Token events are shown to admins only; `subject=token:<name>` needs the admin role."""
        if (args.get("subject") or "").startswith(TOKEN_SUBJECT_PREFIX):
            require_role(TOKEN_READER)
        return {"changes": [_entry(change) for change in _visible_changes(args)]}


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    """Names whose value differs between two records (stamps left out)."""
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if k not in _STAMPS and before.get(k) != after.get(k))


def _visible_changes(args: dict) -> list:
    """Up to `limit` entries the caller may see. Token events are rare, so when some are left out
    the window is widened (doubling) until `limit` remain or the log is exhausted."""
    identity = current_identity()
    sees_tokens = identity is not None and identity.can(TOKEN_READER)
    store, limit, window = get_service().store, args["limit"], args["limit"]
    while True:
        changes = store.history(subject=args.get("subject"), actor=args.get("actor"), since=args.get("since"),
                                limit=window)
        visible = [change for change in changes if sees_tokens or not _is_token_event(change)]
        if len(visible) >= limit or len(changes) < window:
            return visible[:limit]
        window *= 2


def _is_token_event(change) -> bool:
    return change.operation in TOKEN_OPERATIONS or (change.subject or "").startswith(TOKEN_SUBJECT_PREFIX)


def _entry(change) -> dict:
    before, after = _visible(change.before), _visible(change.after)
    return {"seq": change.seq, "at": change.at, "actor": change.actor, "operation": change.operation,
            "subject": change.subject, "changed": changed_fields(before, after), "before": before, "after": after}


def _visible(record: dict | None) -> dict | None:
    if record is None or "relationships" in record:
        return record
    return redact(record)
