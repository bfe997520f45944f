"""The board pack for a governance meeting (docs/board-pack.md): gathered here, shaped by reports/board_pack.py.

Everything answers for one moment of the graph (``as_of``, None: now) judged on one day (``judged_on``,
default the moment's own day), so a past pack is rebuilt exactly from three numbers — which is how a held
meeting's pack is reopened (graphsvc/meetings_record.py). Packs are kept among the past answers per (since
seq, as_of seq, judged_on, group, examples, settings): the answer for a window of the log does not change as
the log grows, and an erasure empties that cache (queries/cache.py) so an erased person never comes back.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from ..analysis.common import in_neighbours, is_example_node, label, nodes_of_type, out_neighbours, parse_date
from ..analysis.gaps import GapSettings
from ..meetings import overseeing_group
from ..reports.action_log import SOON_DAYS
from ..reports.board_pack import changes_section, contains_examples, pack_areas
from .action_log import action_log_rows
from .as_of import graph_as_of
from .cache import caches_for
from .changes import NOBODY_SPECIAL, resolve_window, summarise_changes
from .moments import Moment

__all__ = ["board_pack", "decisions_at", "group_meetings", "meeting_pack"]

MEETING, DECISION, INDICATOR, RECOMMENDATION = "Meeting", "Decision", "Indicator", "Recommendation"
MEETING_OF, DECIDED_AT, CONCERNS, ACCOUNTABLE = "MEETING_OF", "DECIDED_AT", "CONCERNS", "ACCOUNTABLE_FOR"
PLANNED, OPEN = "planned", "open"
PERSON = "Person"
UNNAMED = "a person"
MOVED_FIELDS = ("latest_value", "latest_date")


def board_pack(service, since: str | None = None, as_of: Moment | None = None, judged_on: dt.date | None = None,
               group: str | None = None, examples: bool = True, settings: GapSettings | None = None) -> dict:
    """The pack (see docs/board-pack.md for its shape). ``since`` takes the forms of /api/v1/changes (a date,
    a date-time, a seq or ``last-meeting``; default the last held meeting, else a week); ``Invalid`` with field
    messages for a bad ``since`` or ``group`` or a window too long to summarise."""
    graph, moment = graph_as_of(service, as_of, examples)
    judged_on = judged_on or (dt.date.fromisoformat(moment.at[:10]) if as_of is not None and moment.at
                              else dt.datetime.now(dt.UTC).date())
    settings = settings or GapSettings(as_of=judged_on)
    window = resolve_window(service, since, str(moment.seq), group, judged_on)
    key = ("board_pack", window.since_seq, moment.seq, judged_on, group, examples, settings)
    body = caches_for(service).past_answers.get(
        service.graph(), key, lambda: _body(service, graph, as_of, window, judged_on, group, examples, settings))
    meeting = window.meeting
    return {"window": {"since": {"given": window.since_given, "seq": window.since_seq, "at": window.since_at,
                                 "meeting": meeting},
                       "until": {"seq": window.until_seq, "at": window.until_at}},
            "graph_as_of": moment.as_dict(), "judged_on": judged_on.isoformat(), **body,
            "contains_examples": body["contains_examples"] or bool(meeting and meeting.get("example"))}


def _body(service, graph: nx.MultiDiGraph, as_of: Moment | None, window, judged_on: dt.date, group: str | None,
          examples: bool, settings: GapSettings) -> dict:
    rows = action_log_rows(service, settings, examples, as_of)
    group_id = group if group is not None else overseeing_group(graph)
    meeting = _next_meeting(graph, group_id, judged_on)
    summary = summarise_changes(service, str(window.since_seq), str(window.until_seq), None, NOBODY_SPECIAL)
    body = {
        "group": _ref(graph, group_id) if group_id is not None and group_id in graph else None,
        "meeting": meeting,
        "areas": pack_areas(_recommendations(graph), rows),
        "decisions": {"taken": _decisions_taken(graph, group_id, window.since_at, judged_on),
                      "due": _decisions_due(graph, group_id, judged_on, meeting)},
        "changes": changes_section(summary, lambda node: label(graph, node) if node in graph else None, examples),
        "flags": _flags(service, window, group, examples, settings),
        "indicators": _indicators(graph, summary, examples),
        "settings": {"due_soon_days": SOON_DAYS, "stale_days": settings.stale_days},
    }
    return {**body, "contains_examples": contains_examples(body)}


def meeting_pack(service, meeting_id: str, config, examples: bool = True, held_only: bool = False) -> dict | None:
    """The pack a meeting sees: a held meeting's pinned pack (meetings_record.pack_pins, rebuilt as then);
    for a planned one, since the group's last held meeting, the map now, judged on the meeting's date.
    None for a cancelled meeting (it sees none). NotFound unless ``meeting_id`` is a Meeting; with ``held_only``,
    Conflict unless it was held (as reopening a pinned pack answers)."""
    from ..meetings_record import HELD, meeting_group, pack_pins
    from .moments import AsOf, resolve
    from .settings import gap_settings

    meeting = service.get_node(meeting_id, MEETING)
    status = meeting.properties.get("status")
    if status == HELD or held_only:
        pins = pack_pins(service, meeting_id)
        when = resolve(service.store, AsOf(seq=pins.as_of_seq), pins.judged_on)
        return board_pack(service, str(pins.since_seq), when.moment, pins.judged_on, pins.group, examples,
                          gap_settings(config, {"as_of": pins.judged_on}))
    if status != PLANNED:
        return None
    judged_on = dt.date.fromisoformat(meeting.properties["date"])
    return board_pack(service, None, None, judged_on, meeting_group(service.store, meeting_id), examples,
                      gap_settings(config, {"as_of": judged_on}))


def group_meetings(graph: nx.MultiDiGraph, group_id: str | None) -> list[dict]:
    """The group's meetings (every meeting when ``group_id`` is None), each with its decisions' count: planned
    first, soonest first; then held, newest first; then cancelled (and any other status), newest first."""
    found = [{**_meeting_ref(graph, node), "format": graph.nodes[node].get("format"),
              "decisions": len(set(in_neighbours(graph, node, DECIDED_AT, DECISION)))}
             for node in _meetings(graph, group_id)]
    rank = {PLANNED: 0, "held": 1}
    planned = sorted((m for m in found if m["status"] == PLANNED), key=lambda m: (m["date"] or "", m["id"]))
    others = sorted((m for m in found if m["status"] != PLANNED), key=lambda m: (m["date"] or "", m["id"]),
                    reverse=True)
    return planned + sorted(others, key=lambda m: rank.get(m["status"], 2))  # sorted is stable: newest first kept


def decisions_at(graph: nx.MultiDiGraph, meeting_id: str, judged_on: dt.date) -> list[dict]:
    """The decisions taken at the meeting, as the pack shows them (owner, what they concern), by title."""
    found = [_decision(graph, node, judged_on) for node in set(in_neighbours(graph, meeting_id, DECIDED_AT, DECISION))]
    return sorted(found, key=lambda d: (d["title"].lower(), d["id"]))


def _recommendations(graph: nx.MultiDiGraph) -> list[dict]:
    return [{"id": node, "title": label(graph, node), "number": graph.nodes[node].get("number"),
             "area": graph.nodes[node].get("area"), "example": is_example_node(graph, node)}
            for node in nodes_of_type(graph, RECOMMENDATION)]


def _next_meeting(graph: nx.MultiDiGraph, group_id: str | None, judged_on: dt.date) -> dict | None:
    """The meeting the pack is for: the group's earliest planned meeting dated on or after ``judged_on``."""
    found = []
    for node in _meetings(graph, group_id):
        data = graph.nodes[node]
        date = parse_date(data.get("date"))
        if data.get("status") == PLANNED and date is not None and date >= judged_on:
            found.append((date, node))
    return _meeting_ref(graph, min(found)[1]) if found else None


def _decisions_taken(graph, group_id: str | None, since_at: str | None, judged_on: dt.date) -> list[dict]:
    """Decisions taken at the group's meetings dated in the window: from the day it starts to the judging day."""
    first = dt.date.fromisoformat(since_at[:10]) if since_at else dt.date.min
    meetings = {node for node in _meetings(graph, group_id)
                if first <= (parse_date(graph.nodes[node].get("date")) or dt.date.min) <= judged_on}
    found = [_decision(graph, node, judged_on) for meeting in meetings
             for node in in_neighbours(graph, meeting, DECIDED_AT, DECISION)]
    return sorted(found, key=lambda d: ((d["meeting"] or {}).get("date") or "", d["title"].lower(), d["id"]))


def _decisions_due(graph, group_id: str | None, judged_on: dt.date, meeting: dict | None) -> list[dict]:
    """Open decisions (of the group's meetings, or of none) overdue or due by the next planned meeting."""
    by = dt.date.fromisoformat(meeting["date"]) if meeting else judged_on - dt.timedelta(days=1)
    ours = set(_meetings(graph, group_id))
    found = []
    for node in nodes_of_type(graph, DECISION):
        data = graph.nodes[node]
        due = parse_date(data.get("due_date"))
        held_at = out_neighbours(graph, node, DECIDED_AT, MEETING)
        if (data.get("status") or OPEN) == OPEN and due is not None and (due < judged_on or due <= by) \
                and (not held_at or ours.intersection(held_at)):
            found.append(_decision(graph, node, judged_on))
    return sorted(found, key=lambda d: (d["due_date"], d["title"].lower(), d["id"]))


def _decision(graph, node: str, judged_on: dt.date) -> dict:
    data = graph.nodes[node]
    meetings = sorted(out_neighbours(graph, node, DECIDED_AT, MEETING))
    owners = sorted(in_neighbours(graph, node, ACCOUNTABLE))
    due = parse_date(data.get("due_date"))
    concerns = [_ref(graph, other) for other in sorted(set(out_neighbours(graph, node, CONCERNS)))]
    return {"id": node, "title": label(graph, node), "kind": data.get("kind"), "status": data.get("status"),
            "due_date": due.isoformat() if due else None,
            "overdue": bool(due and due < judged_on and (data.get("status") or OPEN) == OPEN),
            "meeting": _meeting_ref(graph, meetings[0]) if meetings else None,
            "owner": _owner(graph, owners[0]) if owners else None,
            "concerns": concerns, "example": is_example_node(graph, node)}


def _indicators(graph, summary: dict, examples: bool) -> list[dict]:
    """Indicators whose latest value moved in the window: before -> after with their dates."""
    changed = summary["types"].get(INDICATOR, {}).get("changed", {}).get("items", ())
    found = []
    for item in changed:
        fields = {field["name"]: field for field in item["fields"] if field["name"] in MOVED_FIELDS}
        value = fields.get("latest_value")
        if value is None or (value["before"] is None and value["after"] is None):
            continue
        if not examples and item["example"]:
            continue
        date = fields.get("latest_date") or {}
        node = item["id"]
        known = node in graph
        found.append({"id": node, "name": label(graph, node) if known else item["label"],
                      "unit": graph.nodes[node].get("unit") if known else None, "example": item["example"],
                      "before": {"value": value["before"], "date": date.get("before")},
                      "after": {"value": value["after"], "date": date.get("after",
                                                                          graph.nodes[node].get("latest_date")
                                                                          if known else None)}})
    return sorted(found, key=lambda i: (i["name"].lower(), i["id"]))


def _flags(service, window, group: str | None, examples: bool, settings: GapSettings) -> dict:
    try:
        from .flag_changes import flags_between
    except ImportError:  # written beside this module; until it is there the pack says so
        return {"available": False, "opened": [], "closed": [], "still_open": None, "counts": {}}
    found = flags_between(service, since=str(window.since_seq), until=str(window.until_seq), group=group,
                          examples=examples, settings=settings)
    return {"available": True, "opened": found["opened"], "closed": found["closed"],
            "still_open": len(found["still_open"]), "counts": found["counts"]}


def _meetings(graph, group_id: str | None) -> list[str]:
    if group_id is None:
        return list(nodes_of_type(graph, MEETING))
    return in_neighbours(graph, group_id, MEETING_OF, MEETING) if group_id in graph else []


def _meeting_ref(graph, node: str) -> dict:
    data = graph.nodes[node]
    return {"id": node, "title": label(graph, node), "date": data.get("date"), "status": data.get("status"),
            "example": is_example_node(graph, node)}


def _ref(graph, node: str) -> dict:
    kind, example = graph.nodes[node].get("type"), is_example_node(graph, node)
    if kind == PERSON:  # a person is named where accountability needs it (an owner), and nowhere else
        return {"id": None, "type": kind, "label": UNNAMED, "example": example}
    return {"id": node, "type": kind, "label": label(graph, node), "example": example}


def _owner(graph, node: str) -> dict:
    return {"id": node, "type": graph.nodes[node].get("type"), "name": label(graph, node),
            "example": is_example_node(graph, node)}
