"""What changed between two moments, in the reader's terms: the change log summarised (docs/changes.md).

``summarise_changes`` resolves ``since`` and ``until`` to change-log seqs (:func:`resolve_window`), refuses a
window of more than ``MAX_ENTRIES`` entries before reading any, reads the entries between them in batches
and hands them to :class:`~graphsvc.queries.change_digest.Digest`, which says what they mean: records
created, changed and deleted, owner hand-overs, status transitions, overlap decisions, erasures and (for
admins) token events, with RAG transitions from ``change_rag`` and imports from ``change_imports``.
Answers are kept per (window, types, audience) until the next change, an erasure rewriting the log
included.

The reader's rights arrive as an :class:`Audience` (what they may see) rather than a role: the roles
that see sensitive values and token events are the HTTP edge's rules (``api.security``, ``api.history``),
and the read layer imports nothing from there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import Invalid
from ..meetings import last_held_meeting, meeting_start
from .cache import caches_for
from .change_digest import ITEMS_PER_LIST, Audience, Digest

__all__ = ["DEFAULT_DAYS", "LAST_MEETING", "MAX_ENTRIES", "Audience", "Window", "last_meeting", "node_types",
           "resolve_window", "summarise_changes"]

MAX_ENTRIES = 200_000  # the most change-log entries one summary reads: about a large import's worth
BATCH = 10_000  # entries read from the store at a time
CACHED_ENTRIES = 20_000  # summaries of longer windows are computed afresh each time (memory, not speed)
LAST_MEETING = "last-meeting"
DEFAULT_DAYS = 7  # with no `since` and no held meeting: the last week (from 00:00 UTC seven days ago)
ONE_MICROSECOND = dt.timedelta(microseconds=1)
NOBODY_SPECIAL = Audience()  # a viewer: no sensitive values, no token events

_SEQ = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
FORMS = "Use a date (YYYY-MM-DD), a date-time (ISO 8601), a change number (seq)"


@dataclass(frozen=True)
class Window:
    """Entries with ``since_seq < seq <= until_seq``, and how each end was asked for."""

    since_seq: int
    until_seq: int
    since_at: str | None
    until_at: str | None
    since_given: str
    until_given: str
    meeting: dict | None  # the meeting `since` counts from, when it does
    newest: int  # the newest seq when the window was resolved: what a cached answer is filed under


def summarise_changes(service, since: str | None = None, until: str | None = None,
                      types: Iterable[str] | None = None, audience: Audience = NOBODY_SPECIAL,
                      group: str | None = None, today: dt.date | None = None) -> dict:
    """The summary of the changes between ``since`` and ``until`` (docs/changes.md for the shape), only of
    node ``types`` when given. Raises ``Invalid`` with field messages for bad input and over-long windows."""
    errors = {}
    try:
        selected = node_types(service.vocabulary, types)
    except Invalid as problem:
        selected, errors = None, problem.errors
    try:
        window = resolve_window(service, since, until, group, today)
    except Invalid as problem:
        errors = {**errors, **problem.errors}
    if errors:
        raise Invalid(f"Check: {', '.join(sorted(errors))}.", errors)
    key = ("changes", window.since_seq, window.until_seq, selected, audience)
    # The read layer's answers cache holds 32 answers; a summary of a very long window is not kept among them.
    cached_under = window.newest if window.until_seq - window.since_seq <= CACHED_ENTRIES else None
    body = caches_for(service).answers.get(cached_under, key,
                                           lambda: Digest(service, audience, selected).run(_entries(service, window)))
    return {"since": {"given": window.since_given, "seq": window.since_seq, "at": window.since_at,
                      "meeting": window.meeting},
            "until": {"given": window.until_given, "seq": window.until_seq, "at": window.until_at},
            "types_selected": sorted(selected) if selected else None, **body,
            "limits": {"max_entries": MAX_ENTRIES, "items_per_list": ITEMS_PER_LIST}}


def last_meeting(service, group: str | None = None, today: dt.date | None = None) -> dict | None:
    """The meeting ``since=last-meeting`` counts from (graphsvc.meetings has the rule), or None."""
    graph = service.graph()
    if group is not None and group not in graph:
        return None
    return last_held_meeting(graph, group, today or dt.datetime.now(dt.UTC).date())


def node_types(vocabulary, names: Iterable[str] | None) -> frozenset[str] | None:
    """The node types asked for (any case), None for all; ``Invalid`` naming the valid ones otherwise."""
    wanted = [name.strip() for name in names or () if name and name.strip()]
    if not wanted:
        return None
    known = {name.casefold(): name for name in vocabulary.node_types}
    unknown = [name for name in wanted if name.casefold() not in known]
    if unknown:
        listed = ", ".join(f"'{name[:40]}'" for name in unknown[:5])
        raise Invalid("Unknown record type.", {"types": [
            f"Unknown type {listed}. Must be one of: {', '.join(sorted(vocabulary.node_types))}."]})
    return frozenset(known[name.casefold()] for name in wanted)


def resolve_window(service, since: str | None, until: str | None, group: str | None = None,
                   today: dt.date | None = None) -> Window:
    """Turn ``since`` and ``until`` into seqs (see docs/changes.md for the forms); ``Invalid`` lists every
    field at fault. ``since`` defaults to the last meeting, else 7 days ago; ``until`` to now."""
    store, errors = service.store, {}
    newest, now = store.last_seq(), dt.datetime.now(dt.UTC).replace(tzinfo=None)
    today = today or now.date()
    graph = service.graph()
    if group is not None and (group not in graph or graph.nodes[group].get("type") != "Group"):
        errors["group"] = [f"No group has id '{group[:200]}'."]
    meeting = None if "group" in errors else last_held_meeting(graph, group, today)
    seqs = _StoreSeq(store)
    start = _start(seqs, since, meeting, today, newest, errors)
    end = _end(seqs, until, now, newest, errors)
    if errors:
        raise Invalid(f"Check: {', '.join(sorted(errors))}.", errors)
    since_seq, since_at, meeting = start
    until_seq, until_at = end
    if since_at and until_at and until_at < since_at or until_seq < since_seq:
        raise Invalid("The window ends before it starts.", {"until": ["Must not be before since."]})
    if until_seq - since_seq > MAX_ENTRIES:
        message = (f"That window holds up to {until_seq - since_seq:,} changes; a summary reads at most "
                   f"{MAX_ENTRIES:,}. Narrow it: a later since, an earlier until.")
        raise Invalid(message, {"since": [message]})
    return Window(since_seq, until_seq, since_at, until_at, since or "default",
                  until or "now", meeting, newest)


def _start(seqs: _StoreSeq, since: str | None, meeting: dict | None, today: dt.date, newest: int, errors: dict):
    """(seq after which the window starts, its moment, the meeting it counts from) or None on error."""
    text = (since or "").strip()
    if not text or text == LAST_MEETING:
        if meeting is not None:
            moment = meeting_start(meeting)
            return seqs.before(moment), _log_time(moment), meeting
        if text:
            errors["since"] = ["No meeting of the group has been held yet (a Meeting with status held, MEETING_OF "
                               "the group, dated today or earlier). Give a date instead."]
            return None
        moment = dt.datetime.combine(today - dt.timedelta(days=DEFAULT_DAYS), dt.time())
        return seqs.before(moment), _log_time(moment), None
    found = _moment_or_seq(text, "since", newest, errors, end_of_day=False)
    if found is None:
        return None
    if isinstance(found, int):
        return found, seqs.time_of(found), None
    return seqs.before(found), _log_time(found), None


def _end(seqs: _StoreSeq, until: str | None, now: dt.datetime, newest: int, errors: dict):
    """(the window's last seq, its moment) or None on error."""
    text = (until or "").strip()
    if not text:
        return newest, _log_time(now)
    found = _moment_or_seq(text, "until", newest, errors, end_of_day=True)
    if found is None:
        return None
    if isinstance(found, int):
        return found, seqs.time_of(found)
    return seqs.at(found), _log_time(found)


def _moment_or_seq(text: str, field: str, newest: int, errors: dict, end_of_day: bool):
    """A seq (int) or a naive UTC moment; None (with the field's error recorded) if it is neither."""
    if _SEQ.fullmatch(text):
        seq = int(text)
        if seq > newest:
            errors[field] = [f"There is no change {seq} yet: the newest is {newest}."]
            return None
        return seq
    try:
        if _DATE.fullmatch(text):
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max if end_of_day else dt.time())
        if _DATE_TIME.fullmatch(text):
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        pass
    more = "" if field == "until" else f" or {LAST_MEETING}"
    errors[field] = [f"{FORMS}{more}; '{text[:40]}' is none of these."]
    return None


def _log_time(moment: dt.datetime) -> str:
    """As the log writes times (store.model.utc_now), the year always in four digits so that text order is
    time order (strftime would write the year 500 as "500")."""
    return moment.isoformat(timespec="microseconds") + "Z"


class _StoreSeq:
    """Where moments fall in the store's change log."""

    def __init__(self, store):
        self.store = store

    def at(self, moment: dt.datetime) -> int:
        """The newest seq at or before ``moment``."""
        return self.store.seq_at(_log_time(moment))

    def before(self, moment: dt.datetime) -> int:
        """The newest seq strictly before ``moment``: the window then starts with the changes at it."""
        try:
            return self.store.seq_at(_log_time(moment - ONE_MICROSECOND))
        except OverflowError:  # 0001-01-01T00:00: nothing is before it
            return 0

    def time_of(self, seq: int) -> str | None:
        found = self.store.changes_since(seq - 1, 1) if seq > 0 else []
        return found[0].at if found and found[0].seq == seq else None


def _entries(service, window: Window) -> Iterator:
    """The entries of the window, oldest first, read ``BATCH`` at a time."""
    after = window.since_seq
    while after < window.until_seq:
        batch = service.store.changes_since(after, min(BATCH, window.until_seq - after))
        for change in batch:
            if change.seq > window.until_seq:
                return
            yield change
        if not batch:
            return
        after = batch[-1].seq
