"""Recording a meeting as held, which pins the board pack it saw, and finding that pack again.

A held meeting's pack is three numbers on the meeting (the vocabulary's ``pack_*`` properties, which only
the governance group writes): ``pack_since_seq``, the change-log seq just before 00:00 UTC on the day of
the group's previous held meeting (0 if none), so the window is "since the last meeting" as
graphsvc/meetings.py means it; ``pack_as_of_seq``, the newest seq when the meeting was marked held; and
``pack_judged_on``, the meeting's date. The pack is rebuilt from them (queries/board_pack.py) whenever it is
reopened; nothing else is stored. A person erased since is absent from the rebuilt pack, as erasure requires.

A meeting marked held another way (a PATCH of its status, an import) has no pins; its pack is worked out the
same way from its date: since the previous held meeting's day, the map at the end of the meeting's own day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import Conflict, Invalid, NotFound
from .rules import check_links_after_update
from .service import GraphService
from .store.model import Node
from .store.port import GraphReader

__all__ = ["HOLD_ROLE", "HELD", "Pins", "mark_held", "meeting_group", "pack_pins"]

HOLD_ROLE = "governance"  # marking a meeting held pins the pack it saw: the governance group's to do

MEETING, MEETING_OF = "Meeting", "MEETING_OF"
HELD, PLANNED = "held", "planned"
PINS = ("pack_since_seq", "pack_as_of_seq", "pack_judged_on")
MOST_MEETINGS = 100_000  # a bound on one read inside a write: far beyond any group's meetings


@dataclass(frozen=True)
class Pins:
    """What a held meeting's pack is rebuilt from; ``pinned`` False when worked out from its date."""

    since_seq: int
    as_of_seq: int
    judged_on: dt.date
    group: str | None
    pinned: bool


def mark_held(service: GraphService, meeting_id: str, actor: str, today: dt.date | None = None) -> Node:
    """Mark a planned meeting held and pin its pack, in one transaction. NotFound unless it is a Meeting;
    Conflict if it is not planned (a held meeting's pack is never re-pinned); Invalid if it is dated later
    than ``today`` (UTC): a meeting is held on its day, not before."""
    today = today or dt.datetime.now(dt.UTC).date()
    with service.store.transaction(actor) as tx:
        meeting = _meeting(tx, meeting_id)
        status = meeting.properties.get("status")
        if status != PLANNED:
            detail = " Its pack was pinned then and is not changed." if status == HELD else ""
            raise Conflict(f"Only a planned meeting can be marked held; this one is {status}.{detail}",
                           {"status": [f"Is {status}, not planned."]})
        date = dt.date.fromisoformat(meeting.properties["date"])
        if date > today:
            raise Invalid("A meeting is marked held on or after its day.",
                          {"date": [f"Is {date.isoformat()}, after today ({today.isoformat()}, UTC)."]})
        group = _group(tx, meeting_id)
        previous = _previous_held(tx, meeting_id, group, date)
        pins = {"pack_since_seq": _seq_before(service.store, previous), "pack_as_of_seq": service.store.last_seq(),
                "pack_judged_on": date.isoformat()}
        before = meeting.properties
        updated = tx.update_node(meeting_id, {**before, "status": HELD, **pins})
        check_links_after_update(service.vocabulary, tx, updated, before)
        return updated


def pack_pins(service: GraphService, meeting_id: str) -> Pins:
    """The pins of a held meeting's pack: stored, else worked out from its date. NotFound unless it is a
    Meeting; Conflict unless it was held (a planned meeting's pack is /api/v1/reports/board-pack)."""
    store = service.store
    meeting = _meeting(store, meeting_id)
    properties = meeting.properties
    if properties.get("status") != HELD:
        raise Conflict(f"This meeting is {properties.get('status')}: only a held meeting has a pack to reopen. "
                       "Ask for the current pack at /api/v1/reports/board-pack.",
                       {"status": [f"Is {properties.get('status')}, not held."]})
    group = _group(store, meeting_id)
    date = dt.date.fromisoformat(properties["date"])
    if all(properties.get(name) is not None for name in PINS):
        return Pins(properties["pack_since_seq"], properties["pack_as_of_seq"],
                    dt.date.fromisoformat(properties["pack_judged_on"]), group, True)
    previous = _previous_held(store, meeting_id, group, date)
    end_of_day = dt.datetime.combine(date, dt.time.max)
    return Pins(_seq_before(store, previous), store.seq_at(_log_time(end_of_day)), date, group, False)


def meeting_group(reader: GraphReader, meeting_id: str) -> str | None:
    """The group the meeting is of (MEETING_OF); None when it is of none."""
    return _group(reader, meeting_id)


# -- helpers ----------------------------------------------------------------------------------

def _meeting(reader: GraphReader, meeting_id: str) -> Node:
    node = reader.get_node(meeting_id)
    if node is None or node.type != MEETING:
        raise NotFound(f"No meeting has id '{meeting_id[:200]}'.")
    return node


def _group(reader: GraphReader, meeting_id: str) -> str | None:
    """The group the meeting is of (MEETING_OF); the first by id if someone linked several."""
    links, _ = reader.find_relationships(rel_type=MEETING_OF, source=meeting_id, limit=50)
    return min((link.target for link in links), default=None)


def _previous_held(reader: GraphReader, meeting_id: str, group: str | None, date: dt.date) -> dt.date | None:
    """The day of the group's newest held meeting dated before ``date`` (its other meetings that day are the
    same sitting's, not the previous one); None when there is none or the meeting is of no group."""
    if group is None:
        return None
    links, _ = reader.find_relationships(rel_type=MEETING_OF, target=group, limit=MOST_MEETINGS)
    others = reader.get_nodes([link.source for link in links if link.source != meeting_id])
    days = [_date(node) for node in others.values() if node.properties.get("status") == HELD]
    earlier = [day for day in days if day is not None and day < date]
    return max(earlier, default=None)


def _seq_before(store, day: dt.date | None) -> int:
    """The newest seq before 00:00 UTC on ``day`` (0 for none): the window then starts with that day's changes."""
    if day is None:
        return 0
    start = dt.datetime.combine(day, dt.time()) - dt.timedelta(microseconds=1)
    return store.seq_at(_log_time(start)) if start.year > 1 else 0


def _log_time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"


def _date(node: Node) -> dt.date | None:
    try:
        return dt.date.fromisoformat(node.properties.get("date") or "")
    except ValueError:
        return None
