"""The ``as_of`` and ``judged_on`` query parameters: one definition for every read endpoint that takes them.

``as_of`` (the graph as it stood) is a change seq, an ISO 8601 date-time or a date; ``judged_on`` (the
"today" the date rules judge against) is a date. See docs/as-of.md and graphsvc/queries/moments.py.
"""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate

from ..analysis.gaps import AS_OF_BOUNDS
from ..app import get_service
from ..queries.moments import AS_OF_HELP, Moment, When, parse_as_of, resolve
from ..schemas import IsoDate

__all__ = ["AS_OF_RANGE", "AsOfField", "MomentSchema", "as_of_field", "judged_on_field", "moment_headers",
           "when_asked"]

# ISO dates compare correctly as text.
AS_OF_RANGE = validate.Range(min=AS_OF_BOUNDS[0].isoformat(), max=AS_OF_BOUNDS[1].isoformat(),
                             error=f"Use a date from {AS_OF_BOUNDS[0]} to {AS_OF_BOUNDS[1]}.")
AS_OF_DESCRIPTION = (
    "The graph as it stood at a moment: a change seq (e.g. 1520), an ISO 8601 date-time (e.g. "
    "2026-12-01T09:30:00Z; UTC unless it gives an offset) or a date YYYY-MM-DD (the end of that day, UTC). "
    "A moment at or after the newest change answers from the current graph. Default: now.")
JUDGED_ON_DESCRIPTION = (
    "Judge the date rules (overdue, stale, due soon, current memberships, scheduled events) as if today were "
    "this date. Default: the day of `as_of` (the date given, the date-time's UTC date, the date of the seq's "
    "change), or today when `as_of` is not given.")


class AsOfField(fields.String):
    """``as_of``: loads as a :class:`graphsvc.queries.moments.AsOf`; a value of no known form is a 422."""

    default_error_messages = {"invalid": AS_OF_HELP}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 64:
            raise self.make_error("invalid")
        try:
            return parse_as_of(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class MomentSchema(Schema):
    seq = fields.Integer(metadata={"description": "The newest change-log entry the graph reflects (0: none)."})
    at = fields.String(allow_none=True, metadata={"description": "When that change was made (UTC ISO 8601)."})


def as_of_field() -> AsOfField:
    return AsOfField(metadata={"description": AS_OF_DESCRIPTION})


def judged_on_field() -> IsoDate:
    return IsoDate(validate=AS_OF_RANGE, metadata={"description": JUDGED_ON_DESCRIPTION})


def when_asked(args: dict) -> When:
    """The moment (None: now) and judging day a loaded query asks for."""
    judged_on = args.get("judged_on")
    return resolve(get_service().store, args.get("as_of"), dt.date.fromisoformat(judged_on) if judged_on else None)


def moment_headers(moment: Moment) -> dict[str, str]:
    """Headers naming the moment a file or a record answers for (its body has no room to say so)."""
    headers = {"Graph-As-Of-Seq": str(moment.seq)}
    if moment.at:
        headers["Graph-As-Of-Time"] = moment.at
    return headers
