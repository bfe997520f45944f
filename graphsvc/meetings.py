"""Meetings of the group that oversees the work, as the graph holds them (reads only).

"Since the last meeting" needs two answers: which group oversees the work, and which of its meetings was
the last one held. Both are read from the projection, so every server process gives the same answers.

The overseeing group, when the reader names none:

- the governance group (a Group of kind ``governance_group``), if there is exactly one;
- otherwise the governance group that OVERSEES the most (actions, initiatives, groups): the one the
  work reports to; ties go to the first by name (then id), so the choice never depends on load order;
- none when there is no governance group (name the group, e.g. a board, with ``group_id``).

The last held meeting is the newest Meeting with status ``held``, dated on or before the day asked
about (today, UTC, unless given) and MEETING_OF that group; a planned or cancelled meeting never
counts, nor does one dated later (a meeting marked held in advance). Ties on a date go to the id.

A meeting's moment is the START of its day, 00:00 UTC (:func:`meeting_start`): the log records
times, meetings record days, and changes made on the meeting's day, before or after it, are counted
as "since the last meeting", so nothing the meeting might not have seen is left out.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from .analysis.common import in_neighbours, is_example_node, label, nodes_of_type, out_neighbours, parse_date

__all__ = ["GOVERNANCE_KIND", "governance_groups", "last_held_meeting", "meeting_start", "overseeing_group"]

GROUP = "Group"
GOVERNANCE_KIND = "governance_group"
MEETING = "Meeting"
MEETING_OF = "MEETING_OF"
OVERSEES = "OVERSEES"
HELD = "held"


def governance_groups(graph: nx.MultiDiGraph) -> list[str]:
    """Ids of the groups of kind ``governance_group``, by name (then id).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("g1", type="Group", name="Board", kind="board")
    >>> g.add_node("g2", type="Group", name="Governance group", kind="governance_group")
    >>> governance_groups(g)
    ['g2']
    """
    found = [node for node in nodes_of_type(graph, GROUP) if graph.nodes[node].get("kind") == GOVERNANCE_KIND]
    return sorted(found, key=lambda node: _by_name(graph, node))


def overseeing_group(graph: nx.MultiDiGraph) -> str | None:
    """The governance group that oversees the work (see the module's rule), or None when there is none."""
    groups = governance_groups(graph)
    if len(groups) <= 1:
        return groups[0] if groups else None
    # min over (-count, name): the most OVERSEES first, then the first by name.
    return min(groups, key=lambda node: (-len(out_neighbours(graph, node, OVERSEES)), *_by_name(graph, node)))


def last_held_meeting(graph: nx.MultiDiGraph, group_id: str | None = None,
                      before: dt.date | None = None) -> dict | None:
    """The newest held meeting of ``group_id`` (default: the overseeing group) dated on or before
    ``before`` (default: today, UTC), as ``{id, title, date, status, example, group: {id, name, example}}``;
    None when the group has held no meeting by then (or there is no group to ask about)."""
    group = group_id if group_id is not None else overseeing_group(graph)
    if group is None or group not in graph:
        return None
    day = before or dt.datetime.now(dt.UTC).date()
    held = [(parse_date(graph.nodes[node].get("date")), node)
            for node in in_neighbours(graph, group, MEETING_OF, MEETING)
            if graph.nodes[node].get("status") == HELD]
    held = [(date, node) for date, node in held if date is not None and date <= day]
    if not held:
        return None
    date, meeting = max(held)
    return {"id": meeting, "title": label(graph, meeting), "date": date.isoformat(), "status": HELD,
            "example": is_example_node(graph, meeting),
            "group": {"id": group, "name": label(graph, group), "example": is_example_node(graph, group)}}


def meeting_start(meeting: dict) -> dt.datetime:
    """The moment "since the meeting" starts: 00:00 UTC on the meeting's date (naive, in UTC)."""
    return dt.datetime.combine(dt.date.fromisoformat(meeting["date"]), dt.time())


def _by_name(graph: nx.MultiDiGraph, node: str) -> tuple[str, str]:
    return label(graph, node).casefold(), node
