"""An indicator's series, its trajectory and how its latest value is judged: the one place these rules live.

The series is the indicator's whole-population measurements (MEASUREMENT_OF, no BROKEN_DOWN_BY), oldest
first. An indicator with no measurements but a ``latest_value`` is a series of that one value, so data
recorded before measurements existed still counts.

The trajectory runs in a straight line from (``baseline_date``, ``baseline``) to (``target_date``,
``target``) and stays at the target after it; without a baseline date it starts at the first value's
date. A value is *off track* when it is worse than the trajectory at its own date ("worse" by the
indicator's ``direction``); for ``maintain`` the line is flat at the target, and a value more than 5% of
the target away from it is off track. The trend compares the latest value with the one before it.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("i1", type="Indicator", name="Booked by 10 weeks", baseline=50, baseline_date="2026-01-01",
...            target=70, target_date="2027-01-01", direction="increase")
>>> g.add_node("m1", type="Measurement", period="Q1 2026", value=52, date="2026-03-31")
>>> g.add_node("m2", type="Measurement", period="Q2 2026", value=55, date="2026-06-30")
>>> _ = g.add_edges_from([(m, "i1", f"r{m}", {"type": "MEASUREMENT_OF"}) for m in ("m1", "m2")])
>>> judged = judge(g, "i1", dt.date(2026, 12, 1))
>>> judged["latest"]["value"], judged["trend"], judged["expected"], judged["on_track"]
(55, 'improving', 59.863014, False)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from .common import parse_date

__all__ = ["BREAKDOWN", "MAINTAIN_TOLERANCE", "MEASUREMENT", "MEASUREMENT_OF", "TRENDS", "breakdowns",
           "expected_at", "is_worse", "judge", "measurements", "series", "trend"]

MEASUREMENT, MEASUREMENT_OF, BREAKDOWN = "Measurement", "MEASUREMENT_OF", "BROKEN_DOWN_BY"
MAINTAIN_TOLERANCE = 0.05  # a `maintain` indicator is off track beyond 5% of its target either way
TRENDS = ("improving", "worsening", "unchanged")


def measurements(graph: nx.MultiDiGraph, indicator: str) -> list[dict]:
    """Every measurement of the indicator, oldest first (by date, then period, then id), each
    ``{id, <properties>, breakdown: [{id, type, name}]}``; the breakdown is empty for the whole population."""
    found = []
    for source, keyed in graph._pred[indicator].items():
        if graph._node[source].get("type") != MEASUREMENT:
            continue
        if any(data["type"] == MEASUREMENT_OF for data in keyed.values()):
            found.append({"id": source, **graph._node[source], "breakdown": _breakdown(graph, source)})
    return sorted(found, key=_order)


def series(graph: nx.MultiDiGraph, indicator: str) -> list[dict]:
    """The whole-population values, oldest first: :func:`measurements` without breakdowns, or, when there
    are none, the indicator's own ``latest_value`` as one point ``{value, date, period: None, id: None}``."""
    points = [m for m in measurements(graph, indicator) if not m["breakdown"]]
    if points:
        return points
    data = graph._node[indicator]
    if _number(data.get("latest_value")) is None:
        return []
    return [{"id": None, "value": data["latest_value"], "date": data.get("latest_date"), "period": None,
             "breakdown": []}]


def breakdowns(graph: nx.MultiDiGraph, indicator: str) -> dict[str, list[dict]]:
    """The values broken down by a population or place, grouped by what they are for (its id), each group
    oldest first."""
    groups: dict[str, list[dict]] = {}
    for point in measurements(graph, indicator):
        if point["breakdown"]:
            key = "+".join(part["id"] for part in point["breakdown"])
            groups.setdefault(key, []).append(point)
    return groups


def expected_at(indicator: dict, day: dt.date, start: dt.date | None = None) -> float | None:
    """Where the trajectory says the indicator should be on ``day`` (None without baseline, target and
    target date, or for ``maintain``, the target). ``start`` stands in for a missing baseline date.

    >>> expected_at({"baseline": 10, "target": 20, "baseline_date": "2026-01-01", "target_date": "2026-01-11"},
    ...             dt.date(2026, 1, 6))
    15.0
    """
    target = _number(indicator.get("target"))
    if indicator.get("direction") == "maintain":
        return float(target) if target is not None else None
    baseline, end = _number(indicator.get("baseline")), parse_date(indicator.get("target_date"))
    begin = parse_date(indicator.get("baseline_date")) or start
    if baseline is None or target is None or end is None or begin is None:
        return None
    if day >= end or begin >= end:
        return float(target)
    if day <= begin:
        return float(baseline)
    return round(baseline + (target - baseline) * (day - begin).days / (end - begin).days, 6)


def is_worse(direction: str | None, value: float, than: float) -> bool:
    """Whether ``value`` is worse than ``than`` for an indicator going ``direction``."""
    if direction == "decrease":
        return value > than
    if direction == "maintain":
        return abs(value - than) > MAINTAIN_TOLERANCE * abs(than)
    return value < than  # increase, and an indicator that does not say: more is taken as better


def trend(direction: str | None, points: list[dict]) -> str | None:
    """'improving', 'worsening' or 'unchanged' from the last two values; None with fewer than two."""
    if len(points) < 2:
        return None
    before, latest = _number(points[-2].get("value")), _number(points[-1].get("value"))
    if before is None or latest is None or latest == before:
        return "unchanged" if latest == before else None
    if direction == "maintain":
        target = points[-1].get("_target")
        return "improving" if target is not None and abs(latest - target) < abs(before - target) else "worsening"
    better = latest > before if direction != "decrease" else latest < before
    return "improving" if better else "worsening"


def judge(graph: nx.MultiDiGraph, indicator: str, as_of: dt.date) -> dict[str, Any]:
    """How the indicator stands on ``as_of``: ``{latest, previous, points, trend, expected, on_track,
    trajectory}``. Values dated after ``as_of`` are not yet known and are left out. ``on_track`` is None
    when there is no value or no trajectory to judge it by; ``expected`` is the trajectory at the latest
    value's date; ``trajectory`` is ``{start, baseline, end, target}`` or None."""
    data = graph._node[indicator]
    points = [p for p in series(graph, indicator) if (parse_date(p.get("date")) or as_of) <= as_of]
    latest = points[-1] if points else None
    start = parse_date(points[0].get("date")) if points else None
    direction = data.get("direction")
    expected = on_track = None
    if latest is not None and _number(latest.get("value")) is not None:
        expected = expected_at(data, parse_date(latest.get("date")) or as_of, start)
        if expected is not None:
            on_track = not is_worse(direction, latest["value"], expected)
    target = _number(data.get("target"))
    if direction == "maintain" and target is not None and len(points) >= 2:
        points = [*points[:-1], {**points[-1], "_target": target}]
    moved = trend(direction, points)
    return {"latest": _public(latest), "previous": _public(points[-2]) if len(points) > 1 else None,
            "points": len(points), "trend": moved, "expected": expected, "on_track": on_track,
            "trajectory": _trajectory(data, start)}


# -- helpers ------------------------------------------------------------------------------------

def _trajectory(data: dict, start: dt.date | None) -> dict | None:
    begin = parse_date(data.get("baseline_date")) or start
    end = parse_date(data.get("target_date"))
    if data.get("direction") == "maintain" or None in (begin, end, _number(data.get("baseline")),
                                                        _number(data.get("target"))):
        return None
    return {"start": begin.isoformat(), "baseline": data["baseline"], "end": end.isoformat(),
            "target": data["target"]}


def _breakdown(graph: nx.MultiDiGraph, measurement: str) -> list[dict]:
    nodes = graph._node
    return sorted(({"id": end, "type": nodes[end].get("type"), "name": nodes[end].get("name") or end}
                   for end, keyed in graph._succ[measurement].items()
                   if any(data["type"] == BREAKDOWN for data in keyed.values())), key=lambda part: part["id"])


def _order(point: dict) -> tuple:
    return (str(point.get("date") or ""), str(point.get("period") or ""), point["id"])


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _public(point: dict | None) -> dict | None:
    return None if point is None else {key: value for key, value in point.items() if not key.startswith("_")}
