"""Flags over time: which gap flags opened, closed and stayed open between two moments (docs/gaps.md).

The flags at ``since`` are the gap report of the graph as it stood then, judged on that day; the flags at
``until`` those of the graph then (now by default), judged on that day. A flag is one (rule, subject id):
each rule raises at most one flag per subject, and the home page, the record pages and the action log
all match flags to subjects that way.

"Open since" is read at a few moments only (a gap report per moment): ``since`` itself, then each held
meeting of the group before it, newest first, stopping at the first where the flag was not open, at most
``MAX_SAMPLES`` moments in all. So "open since 15 Sep 2026" means "open at every governance meeting
since 15 Sep 2026", not "open without a break since then".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Iterable

from ..analysis.gaps import AS_OF_BOUNDS, Gap, GapSettings
from ..meetings import last_held_meeting, meeting_start, overseeing_group
from ..store.model import Operation
from .cache import caches_for
from .changes import Window, resolve_window
from .gaps import gap_report_at
from .moments import AsOf, Moment, change_time, resolve
from .reconstruct import NODE_OPERATIONS, entries_between

__all__ = ["LISTS", "MAX_SAMPLES", "flags_between", "select_flags"]

MAX_SAMPLES = 12  # moments read for "open since": since itself and up to 11 meetings before it
LISTS = ("opened", "closed", "still_open")
ONE_MICROSECOND = dt.timedelta(microseconds=1)
LINK_OPERATIONS = frozenset({Operation.CREATE_RELATIONSHIP, Operation.DELETE_RELATIONSHIP})


@dataclasses.dataclass(frozen=True)
class _Sample:
    """One moment "open since" is read at: its day (also the day it is judged on), its meeting, its seq."""

    day: dt.date
    meeting: dict | None
    seq: int


def flags_between(service, since: str | None = None, until: str | None = None, group: str | None = None,
                  examples: bool = True, settings: GapSettings | None = None) -> dict:
    """The flags opened, closed and still open between ``since`` and ``until`` (the forms of
    ``GET /api/v1/changes``: a date, a date-time, a seq or ``last-meeting``; default the last held meeting,
    else seven days ago, until now). ``settings`` gives the thresholds (default: GapSettings'); the day each
    moment is judged on is its own. ``Invalid`` with field messages for bad input. The answer is shared
    between callers: do not change it."""
    window = resolve_window(service, since, until, group)
    since_day, until_day = _day(window.since_at), _day(window.until_at)
    thresholds = dataclasses.replace(settings or GapSettings(), as_of=until_day)
    group_id = group or overseeing_group(service.graph())
    key = ("flags", window.since_seq, window.until_seq, window.since_at, since_day, until_day, examples,
           thresholds, group_id)
    body = caches_for(service).flag_changes.get(
        window.newest, key, lambda: _Comparison(service, window, group_id, examples, thresholds).run())
    return {"since": {"given": window.since_given, "seq": window.since_seq, "at": window.since_at,
                      "judged_on": since_day.isoformat(), "meeting": window.meeting},
            "until": {"given": window.until_given, "seq": window.until_seq, "at": window.until_at,
                      "judged_on": until_day.isoformat()},
            **body}


def select_flags(answer: dict, rules: Collection[str] | None = None, subject_type: str | None = None) -> dict:
    """``answer`` with only the flags of ``rules`` (None: any) whose subject is a ``subject_type`` (None:
    any), counted again; a new dict, so the shared answer is left as it was."""
    if rules is None and not subject_type:
        return answer
    lists = {name: [flag for flag in answer[name] if (rules is None or flag["rule"] in rules)
                    and (not subject_type or flag["subject"]["type"] == subject_type)] for name in LISTS}
    return {**answer, **lists, "counts": {name: len(found) for name, found in lists.items()}}


class _Comparison:
    """The two reports compared, with "open since" and what closed each closed flag."""

    def __init__(self, service, window: Window, group_id: str | None, examples: bool, settings: GapSettings):
        self.service, self.window, self.group_id = service, window, group_id
        self.examples, self.settings = examples, settings

    def run(self) -> dict:
        window = self.window
        start = _Sample(_day(window.since_at), window.meeting or self._meeting_at_since(), window.since_seq)
        before = self._flags(start.seq, start.day)
        after = self._flags(window.until_seq, _day(window.until_at))
        opened = [gap for key, gap in after.items() if key not in before]
        closed = [gap for key, gap in before.items() if key not in after]
        still_open = [gap for key, gap in after.items() if key in before]
        since_when = self._open_since(start, before, [*closed, *still_open])
        closers = _closing_changes(self.service.store, window, {gap.subject["id"] for gap in closed}) if closed else {}
        lists = {
            "opened": [{**gap.as_dict(), "open_since": None} for gap in opened],
            "closed": [{**gap.as_dict(), "open_since": _open_since(since_when[_key(gap)], start.day),
                        "closed_by": closers.get(gap.subject["id"])} for gap in closed],
            "still_open": [{**gap.as_dict(), "open_since": _open_since(since_when[_key(gap)], _day(window.until_at))}
                           for gap in still_open],
        }
        return {**lists, "counts": {name: len(found) for name, found in lists.items()}}

    def _flags(self, seq: int, day: dt.date) -> dict[tuple[str, str], Gap]:
        """The report of the graph just after ``seq`` judged on ``day``, by flag."""
        store = self.service.store
        moment = None if seq >= store.last_seq() else Moment(seq, change_time(store, seq))
        report, _ = gap_report_at(self.service, dataclasses.replace(self.settings, as_of=day), self.examples, moment)
        return {_key(gap): gap for gap in report}

    def _open_since(self, start: _Sample, at_start: dict, flags: list[Gap]) -> dict[tuple[str, str], _Sample]:
        """Each flag's earliest sample of the unbroken run back from ``start`` (where all of them were open)."""
        earliest = {_key(gap): start for gap in flags}
        pending = set(earliest)
        for sample in self._meetings_before(start):
            if not pending:
                break  # later samples cost a report each and could change nothing
            found = self._flags(sample.seq, sample.day) if sample.seq > 0 else {}
            for key in list(pending):
                if key in found:
                    earliest[key] = sample
                else:
                    pending.discard(key)
        return earliest

    def _meetings_before(self, start: _Sample) -> Iterable[_Sample]:
        """The group's held meetings that started before ``since``, newest first, up to MAX_SAMPLES - 1."""
        if self.group_id is None or not self.window.since_at:
            return
        graph = self.service.graph()
        try:
            day = (_moment(self.window.since_at) - ONE_MICROSECOND).date()
        except OverflowError:  # since the very first instant: nothing is before it
            return
        for _ in range(MAX_SAMPLES - 1):
            meeting = last_held_meeting(graph, self.group_id, day)
            if meeting is None or meeting["date"] < AS_OF_BOUNDS[0].isoformat():
                return  # (moments before 1900 are refused everywhere else too)
            yield _Sample(dt.date.fromisoformat(meeting["date"]), meeting, self._seq_before(meeting_start(meeting)))
            day = dt.date.fromisoformat(meeting["date"]) - dt.timedelta(days=1)

    def _meeting_at_since(self) -> dict | None:
        """The held meeting that starts exactly at ``since`` (a date given that is a meeting's day), if any."""
        if self.group_id is None or not self.window.since_at:
            return None
        meeting = last_held_meeting(self.service.graph(), self.group_id, _day(self.window.since_at))
        if meeting is not None and meeting_start(meeting) == _moment(self.window.since_at):
            return meeting
        return None

    def _seq_before(self, moment: dt.datetime) -> int:
        """The graph a meeting saw: the newest change before the start of its day (as ``last-meeting``)."""
        try:
            asked = AsOf(time=(moment - ONE_MICROSECOND).replace(tzinfo=dt.UTC))
        except OverflowError:  # a meeting dated 1 January of the year 1: nothing is before it
            return 0
        when = resolve(self.service.store, asked, moment.date())
        return when.moment.seq if when.moment is not None else self.service.store.last_seq()


def _closing_changes(store, window: Window, subjects: set[str]) -> dict[str, dict]:
    """The newest change in the window about each of ``subjects``: the record itself, or a link to or from it."""
    found = {}
    for change in entries_between(store, window.since_seq, window.until_seq):
        for subject in _about(change) & subjects:  # oldest first: a later change replaces an earlier one
            found[subject] = {"seq": change.seq, "at": change.at, "actor": change.actor,
                              "operation": change.operation}
    return found


def _about(change) -> set[str]:
    """The nodes a change-log entry is about: its node, or the ends of the links it adds or removes."""
    if change.operation in NODE_OPERATIONS:
        return {change.subject}
    records = [record for record in (change.before, change.after) if record]
    if change.operation == Operation.REPLACE_RELATIONSHIPS:  # a hand-over: about its record and the owners
        links = [link for record in records for link in record.get("relationships", ())]
        return {change.subject} | {link.get(end) for link in links for end in ("from", "to")} - {None}
    if change.operation in LINK_OPERATIONS:
        return {record.get(end) for record in records for end in ("from", "to")} - {None}
    return set()  # imports' summaries, tokens, erasures: about no record a flag names


def _open_since(sample: _Sample, until: dt.date) -> dict:
    meeting = sample.meeting and {"id": sample.meeting["id"], "title": sample.meeting["title"],
                                  "date": sample.meeting["date"], "example": sample.meeting["example"]}
    return {"date": sample.day.isoformat(), "meeting": meeting, "days": (until - sample.day).days}


def _key(gap: Gap) -> tuple[str, str]:
    return gap.rule, gap.subject["id"]


def _moment(stamp: str) -> dt.datetime:
    """A change-log stamp as a naive UTC datetime (as graphsvc.meetings gives a meeting's start)."""
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)


def _day(stamp: str | None) -> dt.date:
    """The UTC day of a moment: the day it is judged on (today before the first change, as ``as_of``)."""
    return _moment(stamp).date() if stamp else dt.datetime.now(dt.UTC).date()
