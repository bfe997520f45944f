"""Moments in the graph's history: what a reader may ask for (``as_of``) and the day it is judged on.

``as_of`` names the graph as it stood: a change-log seq, a UTC date-time, or a day (its end, UTC).
Whatever the form, it becomes a seq: the newest change at or before it. A moment at or after the
newest change is "now" and is answered from the live projection; an earlier one from the graph
reconstructed at that seq (:mod:`.reconstruct`).

``judged_on`` is the "today" of the date rules (overdue, stale, due soon, current memberships,
scheduled events). Unless given, it is the asked moment's own day: the day given, the date-time's
UTC date, the date of the seq's change; today for no ``as_of`` and for a seq beyond the newest. So
``as_of=<a future day>`` judges the current graph on that day, as ``as_of`` always did.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..analysis.gaps import AS_OF_BOUNDS
from .settings import today

__all__ = ["AS_OF_HELP", "LOG_TIME", "AsOf", "Moment", "When", "change_time", "parse_as_of", "resolve"]

LOG_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # the change log's stamps (store.model.utc_now), which sort as text
AS_OF_HELP = ("Use a change seq (a whole number), a date-time such as 2026-12-01T09:30:00Z (UTC unless it "
              "gives an offset), or a date YYYY-MM-DD (its end, UTC).")
_SEQ = re.compile(r"[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class AsOf:
    """What a reader asked for: exactly one of a seq, a UTC date-time or a day."""

    seq: int | None = None
    time: dt.datetime | None = None  # aware, in UTC
    day: dt.date | None = None


@dataclass(frozen=True)
class Moment:
    """A point in the change log: its seq and the time of that change (None before the first)."""

    seq: int
    at: str | None

    def as_dict(self) -> dict:
        return {"seq": self.seq, "at": self.at}


@dataclass(frozen=True)
class When:
    """A resolved request: ``moment`` None means now (the live projection); ``judged_on`` is "today"."""

    moment: Moment | None
    judged_on: dt.date


def parse_as_of(text: str) -> AsOf:
    """An ``as_of`` value from its text; ValueError (with a message for the caller) if it is none.

    >>> parse_as_of("42"), parse_as_of("2026-12-01").day
    (AsOf(seq=42, time=None, day=None), datetime.date(2026, 12, 1))
    >>> parse_as_of("2026-12-01T10:30:00+01:00").time.isoformat()
    '2026-12-01T09:30:00+00:00'
    """
    text = text.strip()
    if _SEQ.fullmatch(text):  # digits alone are always a seq, never a compact date
        return AsOf(seq=int(text))
    try:
        if _DAY.fullmatch(text):
            day = dt.date.fromisoformat(text)
            time = None
        else:
            parsed = dt.datetime.fromisoformat(text)
            time = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
            day = time.date()
    except (ValueError, OverflowError):
        raise ValueError(AS_OF_HELP) from None
    if not AS_OF_BOUNDS[0] <= day <= AS_OF_BOUNDS[1]:
        raise ValueError(f"Use a moment from {AS_OF_BOUNDS[0]} to {AS_OF_BOUNDS[1]}.")
    return AsOf(time=time) if time else AsOf(day=day)


def resolve(store, asked: AsOf | None, judged_on: dt.date | None = None) -> When:
    """The moment ``asked`` names in ``store``'s change log (None: now) and the day it is judged on."""
    if asked is None:
        return When(None, judged_on or today())
    last = store.last_seq()
    if asked.seq is not None:
        seq = min(asked.seq, last)  # beyond the newest: now
    else:
        end = asked.time or dt.datetime.combine(asked.day, dt.time.max, dt.UTC)
        seq = store.seq_at(end.strftime(LOG_TIME))
    at = change_time(store, seq)
    if judged_on is None:
        judged_on = _own_day(asked, at if asked.seq is not None and asked.seq <= last else None)
    return When(None if seq >= last else Moment(seq, at), judged_on)


def change_time(store, seq: int) -> str | None:
    """When change ``seq`` was made (None for seq 0, before the first change)."""
    if seq <= 0:
        return None
    found = store.changes_since(seq - 1, 1)
    return found[0].at if found and found[0].seq == seq else None


def _own_day(asked: AsOf, change_at: str | None) -> dt.date:
    if asked.day is not None:
        return asked.day
    if asked.time is not None:
        return asked.time.date()
    return dt.date.fromisoformat(change_at[:10]) if change_at else today()
