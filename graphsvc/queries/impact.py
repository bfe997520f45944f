"""From a recommendation or initiative to its effect: the trace, and the impact summary (docs/trace.md).

The trace follows the chain recommendation > action (IMPLEMENTS) > outcome (CONTRIBUTES_TO) > indicator
(MEASURES), or initiative > outcome > indicator, and says where it breaks. Every judgement is borrowed:
an action's RAG is the action log's (``derive_rag``, with the same flags), its reported RAG the latest
progress update's, an indicator's latest value, trend and track are ``judge()``'s, and a break's words are
the gap flag's for the same subject whenever a rule flags it, so the trace and the gap report never
disagree. A node reached twice is shown under each parent (it is a chain) and counted once.

The pure functions take the projection graph; the service-level ones pick the graph (with or without
example records) and pass the gap report already kept for the day (queries/gaps.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from ..analysis.common import is_example_node, label, linked, nodes_of_type, parse_date
from ..analysis.gaps import RULES, Gap, GapSettings, find_gaps
from ..analysis.indicators import judge
from ..errors import NotFound
from ..progress import latest_update
from ..reports.action_log import derive_rag, natural_key
from ..reports.documents import contains_examples
from .as_of import answer_at, present
from .cache import snapshot
from .gaps import gap_report

__all__ = ["BREAK_KINDS", "OTHER_AREA", "impact", "impact_summary", "trace", "trace_of"]

RECOMMENDATION, INITIATIVE, ACTION = "Recommendation", "Initiative", "Action"
OUTCOME, INDICATOR = "Outcome", "Indicator"
OTHER_AREA = "Other"
# Each break and the gap rule whose flag words it: the flag's message and fix are the break's.
BREAK_KINDS = {"recommendation-without-action": "recommendation-without-action",
               "action-without-outcome": "action-without-outcome",
               "outcome-without-indicator": "outcome-without-indicator",
               "indicator-without-data": "indicator-without-recent-data",  # its no-data wording
               "indicator-off-track": "indicator-off-track"}
RAG_RULES = ("action-stale", "owner-left")  # the flags derive_rag weighs, as the action log passes them
# Words for the two indicator breaks if the day's report holds no flag for them (a report judged with
# other settings): the chain still says why it breaks.
NO_DATA = ("No value of '{name}' is recorded, so whether the work moves it cannot be shown.",
           "Record its values as measurements, from the return or survey they come from.")
OFF_TRACK = ("'{name}' was {value} on {date}, worse than the {expected} its trajectory expects by then.",
             "Ask the owner of the outcome it measures, and review the actions that contribute to it.")


# -- the trace --------------------------------------------------------------------------------------

def trace(graph: nx.MultiDiGraph, node_id: str, as_of: dt.date, gaps: Iterable[Gap] | None = None) -> dict:
    """The chain from a Recommendation or Initiative to its indicators, judged on ``as_of``:
    ``{subject, breaks, counts, actions | outcomes, ...}`` (docs/trace.md). ``gaps`` are the day's flags
    (None: the rules the trace needs are run here). NotFound unless the node is one of the two types."""
    kind = graph.nodes[node_id].get("type") if node_id in graph else None
    if kind not in (RECOMMENDATION, INITIATIVE):
        raise NotFound(f"'{node_id}' is not a recommendation or an initiative.")
    walk = _Walk(graph, as_of, _flags(graph, as_of, gaps))
    subject = {**_ref(graph, node_id), **_subject_fields(graph, node_id)}
    if kind == RECOMMENDATION:
        subject["breaks"] = walk.breaks_of(node_id, "recommendation-without-action")
        actions = _sorted_actions(graph, _sources(graph, node_id, "IMPLEMENTS", ACTION))
        chain = {"actions": [walk.action(a) for a in actions]}
    else:
        subject |= {"breaks": [], "leads": _parties(graph, node_id, "LEADS"),
                    "accountable": _parties(graph, node_id, "ACCOUNTABLE_FOR")}
        chain = {"outcomes": [walk.outcome(o) for o in _outcomes_of(graph, node_id)]}
    return {"subject": subject, "breaks": walk.all_breaks, "counts": walk.counts(), **chain,
            "judged_on": as_of.isoformat()}


class _Walk:
    """One walk down the chain: what it has met (to count each node once) and the breaks, in order."""

    def __init__(self, graph: nx.MultiDiGraph, as_of: dt.date, flags: dict):
        self.graph, self.as_of, self.flags = graph, as_of, flags
        self.all_breaks: list[dict] = []
        self.actions: dict[str, str] = {}
        self.outcomes: set[str] = set()
        self.judged: dict[str, dict] = {}

    def action(self, node: str) -> dict:
        data, graph = self.graph.nodes[node], self.graph
        owners = _parties(graph, node, "ACCOUNTABLE_FOR")
        flags = [*self.flags["rules"].get(node, ()),
                 *(rule for owner in owners for rule in self.flags["owners"].get((owner["id"], node), ()))]
        due = parse_date(data.get("due_date"))
        rag, reasons = derive_rag(data.get("status"), due, len(owners), flags, as_of=self.as_of)
        update = latest_update(graph, node)
        cancelled = data.get("status") == "cancelled"
        if not cancelled:
            self.actions[node] = "done" if data.get("status") == "done" else "open"
        return {**_ref(graph, node), "reference": data.get("reference"), "status": data.get("status"),
                "counted": not cancelled, "owners": owners, "due_date": due.isoformat() if due else None,
                "rag": rag, "rag_reasons": reasons,
                "reported": {"rag": update.get("rag"), "date": update.get("date")} if update else None,
                "breaks": self.breaks_of(node, "action-without-outcome"),
                # A cancelled action is not work: shown, but its chain is not followed.
                "outcomes": [] if cancelled else [self.outcome(o) for o in _outcomes_of(graph, node)]}

    def outcome(self, node: str) -> dict:
        self.outcomes.add(node)
        indicators = sorted(_sources(self.graph, node, "MEASURES", INDICATOR), key=self._order)
        return {**_ref(self.graph, node), "level": self.graph.nodes[node].get("level"),
                "breaks": self.breaks_of(node, "outcome-without-indicator"),
                "indicators": [self.indicator(i) for i in indicators]}

    def indicator(self, node: str) -> dict:
        judged = self.judged.get(node) or self.judged.setdefault(node, judge(self.graph, node, self.as_of))
        data = self.graph.nodes[node]
        latest = judged["latest"]
        breaks = []
        if not judged["points"]:
            breaks = self.breaks_of(node, "indicator-without-data", NO_DATA)
        elif judged["on_track"] is False:
            breaks = self.breaks_of(node, "indicator-off-track", OFF_TRACK, latest=latest, expected=judged["expected"])
        return {**_ref(self.graph, node), "unit": data.get("unit"), "direction": data.get("direction"),
                "baseline": data.get("baseline"), "target": data.get("target"), "target_date": data.get("target_date"),
                "latest": {key: latest.get(key) for key in ("value", "date", "period")} if latest else None,
                "trend": judged["trend"], "expected": judged["expected"], "on_track": judged["on_track"],
                "points": judged["points"], "breaks": breaks}

    def breaks_of(self, node: str, kind: str, fallback: tuple[str, str] | None = None, **facts) -> list[dict]:
        """The break of ``kind`` at ``node``, in the flag's words (or, for an indicator no rule flags yet,
        ``fallback``); empty when there is none. Listed once at the top, however often it is met."""
        gap = self.flags["gaps"].get((BREAK_KINDS[kind], node))
        if gap is None and fallback is None:
            return []
        if gap is not None:
            message, fix = gap.message, gap.fix
        else:
            message, fix = (text.format(**_wording(self.graph, node, **facts)) for text in fallback)
        found = {"kind": kind, "subject": _ref(self.graph, node), "message": message, "fix": fix}
        if not any(b["kind"] == kind and b["subject"]["id"] == node for b in self.all_breaks):
            self.all_breaks.append(found)
        return [found]

    def counts(self) -> dict:
        judged = [self.judged[i] for i in self.judged]
        states = list(self.actions.values())
        return {"actions": {"open": states.count("open"), "done": states.count("done")},
                "outcomes": len(self.outcomes), "indicators": len(judged),
                "with_data": sum(1 for j in judged if j["points"]),
                "improving": sum(1 for j in judged if j["trend"] == "improving"),
                "off_track": sum(1 for j in judged if j["on_track"] is False)}

    def _order(self, node: str) -> tuple:
        return (label(self.graph, node).lower(), node)


def _flags(graph: nx.MultiDiGraph, as_of: dt.date, gaps: Iterable[Gap] | None) -> dict:
    """The day's flags, indexed three ways: by (rule, subject), rules by subject, and owner rules by
    (owner, action) (the action log's way of weighing owner-left)."""
    if gaps is None:
        wanted = [rule for rule in (*BREAK_KINDS.values(), *RAG_RULES) if rule in RULES]
        gaps = find_gaps(graph, GapSettings(as_of=as_of), rules=wanted)
    by_key, rules, owners = {}, defaultdict(list), defaultdict(list)
    for gap in gaps:
        subject = gap.subject["id"]
        by_key[(gap.rule, subject)] = gap
        rules[subject].append(gap.rule)
        if gap.subject["type"] != ACTION:
            for item in gap.related:
                owners[(subject, item)].append(gap.rule)
    return {"gaps": by_key, "rules": rules, "owners": owners}


# -- the impact summary -----------------------------------------------------------------------------

FLAGS = ("work", "outcomes", "data", "moving", "off_track")
COUNT_NAMES = {"work": "with_work", "outcomes": "with_outcomes", "data": "with_data", "moving": "moving",
               "off_track": "off_track"}


def impact_summary(graph: nx.MultiDiGraph, as_of: dt.date) -> dict:
    """Per area of the source report (in the order of its smallest recommendation number; no area:
    ``Other``, last), how many recommendations have work, outcomes, an indicator with data, a moving
    (improving) indicator and one off track, each recommendation listed with those flags; plus totals."""
    judged: dict[str, dict] = {}

    def judged_of(indicator: str) -> dict:
        return judged.get(indicator) or judged.setdefault(indicator, judge(graph, indicator, as_of))

    areas: dict[str, list[dict]] = defaultdict(list)
    for rec in nodes_of_type(graph, RECOMMENDATION):
        areas[graph.nodes[rec].get("area") or OTHER_AREA].append(_rec_flags(graph, rec, judged_of))
    ordered = sorted(areas.items(), key=lambda item: (item[0] == OTHER_AREA, min(_number(r) for r in item[1])))
    found = [{"area": name, **_tally(recs), "recommendations": sorted(recs, key=_number)} for name, recs in ordered]
    return {"judged_on": as_of.isoformat(), "areas": found,
            "totals": _tally([rec for recs in areas.values() for rec in recs])}


def _rec_flags(graph: nx.MultiDiGraph, rec: str, judged_of) -> dict:
    work = [a for a in _sources(graph, rec, "IMPLEMENTS", ACTION) if graph.nodes[a].get("status") != "cancelled"]
    outcomes = {o for a in work for o in _outcomes_of(graph, a)}
    states = [judged_of(i) for o in outcomes for i in set(_sources(graph, o, "MEASURES", INDICATOR))]
    data = graph.nodes[rec]
    return {"id": rec, "number": data.get("number"), "title": label(graph, rec), "example": is_example_node(graph, rec),
            "work": bool(work), "outcomes": bool(outcomes), "data": any(s["points"] for s in states),
            "moving": any(s["trend"] == "improving" for s in states),
            "off_track": any(s["on_track"] is False for s in states)}


def _tally(recs: list[dict]) -> dict:
    return {"count": len(recs), **{COUNT_NAMES[flag]: sum(1 for r in recs if r[flag]) for flag in FLAGS}}


def _number(rec: dict) -> tuple:
    number = rec["number"]
    return (number is None, number if isinstance(number, int) else 0, natural_key(rec["title"]), rec["id"])


# -- through the service ------------------------------------------------------------------------------

def trace_of(service, node_id: str, node_type: str, settings: GapSettings, examples: bool = True) -> dict:
    """The trace of a ``node_type`` (Recommendation or Initiative) on the live graph, judged on
    ``settings.as_of``, with the day's kept gap report; NotFound, saying what the id is, otherwise."""
    seq, graph = snapshot(service, examples)
    _check(service, graph, node_id, node_type, examples)
    found = trace(graph, node_id, settings.as_of, gap_report(service, settings, examples))
    return {**found, "graph_as_of": present(service, seq).as_dict(), "contains_examples": contains_examples(found)}


def impact(service, judged_on: dt.date, examples: bool = True) -> dict:
    """The impact summary on the live graph, kept per (seq, examples, judged_on)."""
    answer, moment = answer_at(service, None, examples, "answers", ("impact_summary", examples, judged_on),
                               lambda graph, _moment: impact_summary(graph, judged_on))
    return {**answer, "graph_as_of": moment.as_dict(),
            "contains_examples": any(r["example"] for a in answer["areas"] for r in a["recommendations"])}


def _check(service, graph: nx.MultiDiGraph, node_id: str, node_type: str, examples: bool) -> None:
    if node_id in graph:
        kind = graph.nodes[node_id].get("type")
        if kind != node_type:
            raise NotFound(f"'{node_id}' is {_article(kind)} {kind} ('{label(graph, node_id)}'), not "
                           f"{_article(node_type)} {node_type}: only {node_type.lower()}s have this trace.")
        return
    if not examples and node_id in service.graph():
        raise NotFound(f"'{node_id}' is an example record, left out because examples=false.")
    raise NotFound(f"No {node_type.lower()} has id '{node_id}'.")



# -- small readers ------------------------------------------------------------------------------------

def _ref(graph: nx.MultiDiGraph, node: str) -> dict:
    found = {"id": node, "type": graph.nodes[node].get("type"), "name": label(graph, node)}
    return {**found, "example": True} if is_example_node(graph, node) else found


def _subject_fields(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph.nodes[node]
    keys = ("number", "area") if data.get("type") == RECOMMENDATION else ("status", "kind", "start_date", "end_date")
    return {key: data.get(key) for key in keys}


def _sources(graph: nx.MultiDiGraph, node: str, rel_type: str, node_type: str) -> list[str]:
    nodes = graph._node
    return list(dict.fromkeys(s for s in linked(graph._pred[node], rel_type) if nodes[s].get("type") == node_type))


def _outcomes_of(graph: nx.MultiDiGraph, node: str) -> list[str]:
    nodes = graph._node
    found = dict.fromkeys(t for t in linked(graph._succ[node], "CONTRIBUTES_TO") if nodes[t].get("type") == OUTCOME)
    return sorted(found, key=lambda o: (label(graph, o).lower(), o))


def _sorted_actions(graph: nx.MultiDiGraph, actions: list[str]) -> list[str]:
    def key(action: str) -> tuple:
        reference = graph.nodes[action].get("reference") or ""
        return (not reference, natural_key(reference), label(graph, action).lower(), action)
    return sorted(actions, key=key)


def _parties(graph: nx.MultiDiGraph, node: str, rel_type: str) -> list[dict]:
    return sorted((_ref(graph, p) for p in dict.fromkeys(linked(graph._pred[node], rel_type))),
                  key=lambda p: (p["name"].lower(), p["id"]))


def _wording(graph: nx.MultiDiGraph, node: str, latest: dict | None = None, expected: float | None = None) -> dict:
    unit = graph.nodes[node].get("unit") or ""
    def value(number) -> str:
        return f"{number:g}{unit}" if unit == "%" else f"{number:g} {unit}".strip()
    return {"name": label(graph, node), "date": (latest or {}).get("date") or "an unrecorded date",
            "value": value(latest["value"]) if latest else "",
            "expected": value(expected) if expected is not None else ""}


def _article(word: str | None) -> str:
    return "an" if (word or "")[:1].lower() in "aeiou" else "a"
