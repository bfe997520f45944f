"""Gap flags: who and what the governance group should look at, each explained with a fix.

Every rule has a stable id (see DESIGN.md §4) and is a generator over a :class:`GapContext`.
Rules live in :mod:`graphsvc.analysis.gap_rules`; this module runs them.

>>> import networkx as nx, datetime as dt
>>> g = nx.MultiDiGraph()
>>> g.add_node("a1", type="Action", title="Publish the programme", status="not_started")
>>> [gap.rule for gap in find_gaps(g, GapSettings(as_of=dt.date(2026, 12, 1)), rules=["action-without-owner"])]
['action-without-owner']
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from .common import is_example_node, is_linked, label, linked, parse_date

__all__ = ["AS_OF_BOUNDS", "RULES", "SEVERITIES", "Gap", "GapContext", "GapSettings", "Rule", "count_by_rule",
           "find_gaps"]

SEVERITIES = ("high", "medium", "low")
# Rules look up to ten years either side of as_of; this keeps that arithmetic inside the dates
# Python can hold.
AS_OF_BOUNDS = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))
CLOSED_ACTION = frozenset({"done", "cancelled"})
LIVE_INITIATIVE = frozenset({"proposed", "active", "paused"})
SENIOR = frozenset({"board", "executive"})
ENGAGEMENT_GROUPS = frozenset({"community_of_practice", "governance_group"})


@dataclass(frozen=True)
class GapSettings:
    """'Today' and thresholds; each has a default and can be given per request."""

    as_of: dt.date = field(default_factory=dt.date.today)
    stale_days: int = 60
    overload_actions: int = 5
    schedule_days: int = 183
    recent_data_days: int = 400  # an indicator needs a value this recent (a year's return, and a month's grace)


@dataclass(frozen=True)
class Gap:
    rule: str
    severity: str
    subject: dict
    message: str
    fix: str
    related: list[str] = field(default_factory=list)
    example: bool = False  # the subject is fictional example data (DESIGN.md §9: marked wherever shown)

    def as_dict(self) -> dict:
        found = {"rule": self.rule, "severity": self.severity, "subject": self.subject,
                 "message": self.message, "fix": self.fix, "related": self.related}
        return {**found, "example": True} if self.example else found


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    subject_type: str
    summary: str
    check: Callable[[GapContext], Iterable[Gap]]


RULES: dict[str, Rule] = {}


class GapContext:
    """The graph plus indexes the rules share, each built at most once per report.

    Reading relationships is most of a report's cost: each is several cache misses into networkx's
    nested dicts. So the context reads a node's relationships once for all the rules that ask, reads
    them from whichever side has fewer, and checks a neighbour's id against a set before reading the
    relationship to it.
    """

    def __init__(self, graph: nx.MultiDiGraph, settings: GapSettings):
        self.graph = graph
        self.settings = settings
        self.as_of = settings.as_of
        # The raw adjacency dicts, as networkx's own algorithms use them: the public views cost
        # several times more per lookup.
        self._node, self._pred, self._succ = graph._node, graph._pred, graph._succ
        self._names: dict[str, str] = {}
        self._ids: dict[str, set[str]] = {}
        self._initiative_sources: dict[str, dict[str, tuple[str, ...]]] | None = None
        self._children: dict[str | None, dict[str, tuple[str, ...]]] = {}
        self._index_nodes()

    def _index_nodes(self) -> None:
        """The report's only pass over all nodes: each node by type, and the states rules ask about
        (the pass has each node's attributes in the CPU cache; a later look reads memory again)."""
        by_type: dict[str | None, list[str]] = {}
        open_actions: list[str] = []
        uncancelled: set[str] = set()
        live: list[str] = []
        active: set[str] = set()
        senior: set[str] = set()
        engagement: set[str] = set()
        for node, data in self._node.items():
            kind = data.get("type")
            if kind in by_type:
                by_type[kind].append(node)
            else:
                by_type[kind] = [node]
            if kind == "Action":
                if data.get("status") not in CLOSED_ACTION:
                    open_actions.append(node)
                if data.get("status") != "cancelled":
                    uncancelled.add(node)
            elif kind == "Initiative":
                if data.get("status", "active") in LIVE_INITIATIVE:
                    live.append(node)
                if data.get("status") == "active":
                    active.add(node)
            elif kind == "Person" and data.get("seniority") in SENIOR:
                senior.add(node)
            elif kind == "Group" and data.get("kind") in ENGAGEMENT_GROUPS:
                engagement.add(node)
        self.by_type = by_type
        self.open_actions = open_actions
        self.uncancelled_actions = uncancelled
        self.live_initiatives = live
        self.active_initiatives = active
        self.senior_people = senior
        self.engagement_groups = engagement  # the CoP and governance groups

    def nodes(self, node_type: str) -> list[str]:
        return self.by_type.get(node_type, [])

    def ids(self, node_type: str) -> set[str]:
        """The nodes of one type, as a set: to check a neighbour's type without reading it."""
        if node_type not in self._ids:
            self._ids[node_type] = set(self.nodes(node_type))
        return self._ids[node_type]

    @cached_property
    def owners(self) -> dict[str, tuple[str, ...]]:
        """Each open action's ACCOUNTABLE_FOR sources, one per relationship (seven rules ask)."""
        pred = self._pred
        return {action: tuple([owner for owner, keyed in pred[action].items() for data in keyed.values()
                               if data["type"] == "ACCOUNTABLE_FOR"]) for action in self.open_actions}

    def data(self, node: str) -> dict:
        """The node's attributes (type and properties)."""
        return self._node[node]

    def is_open_action(self, node: str) -> bool:
        data = self._node[node]
        return data.get("type") == "Action" and data.get("status") not in CLOSED_ACTION

    def sources(self, node: str, rel_type: str, node_type: str | None = None,
                among: Container[str] | None = None) -> list[str]:
        """Sources of ``node``'s incoming ``rel_type`` relationships, one per relationship; only those
        of ``node_type``, or only those ``among`` the given nodes, when asked."""
        return linked(self._pred[node], rel_type, self.ids(node_type) if node_type else among)

    def targets(self, node: str, rel_type: str, node_type: str | None = None,
                among: Container[str] | None = None) -> list[str]:
        """Targets of ``node``'s outgoing ``rel_type`` relationships, like :meth:`sources`."""
        return linked(self._succ[node], rel_type, self.ids(node_type) if node_type else among)

    def has_source(self, node: str, rel_type: str, among: Container[str] | None = None) -> bool:
        """Whether a ``rel_type`` relationship comes into ``node`` (from one ``among`` the given nodes);
        stops at the first, so a hub costs no more than a leaf."""
        return is_linked(self._pred[node], rel_type, among)

    def has_target(self, node: str, rel_type: str, among: Container[str] | None = None) -> bool:
        """Whether a ``rel_type`` relationship leaves ``node``, like :meth:`has_source`."""
        return is_linked(self._succ[node], rel_type, among)

    def initiative_sources(self, rel_type: str) -> dict[str, tuple[str, ...]]:
        """Live initiative -> sources of its incoming ``rel_type`` relationships, one per relationship
        (no entry when none). Four rules ask, so each initiative's relationships are read once, all
        types together. Tuples, not lists: the garbage collector stops tracking them, so they do not
        hasten its next full collection (a pass over every object of the graph, ~0.4 s here)."""
        if self._initiative_sources is None:
            index: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
            for initiative in self.live_initiatives:
                found: dict[str, list[str]] = defaultdict(list)
                for source, keyed in self._pred[initiative].items():
                    for data in keyed.values():
                        found[data["type"]].append(source)
                for kind, sources in found.items():
                    index[kind][initiative] = tuple(sources)
            self._initiative_sources = index
        return self._initiative_sources.get(rel_type, {})

    def current_links(self, node: str, rel_types: frozenset[str],
                      among: Container[str] | None = None) -> Iterator[tuple[str, dict]]:
        """Outgoing relationships of the given types (to targets ``among`` the given nodes, when asked)
        that have started and not ended as of today."""
        for target, keyed in self._succ[node].items():
            if among is None or target in among:
                for data in keyed.values():
                    if data["type"] in rel_types and self.is_current(data):
                        yield target, data

    def out_links(self, node: str) -> Iterator[tuple[str, dict]]:
        """(target, relationship attributes) for each outgoing relationship."""
        for target, keyed in self._succ[node].items():
            for data in keyed.values():
                yield target, data

    def in_links(self, node: str) -> Iterator[tuple[str, dict]]:
        """(source, relationship attributes) for each incoming relationship."""
        for source, keyed in self._pred[node].items():
            for data in keyed.values():
                yield source, data

    def is_current(self, data: dict) -> bool:
        since, until = data.get("since"), data.get("until")
        if since is None and until is None:  # most relationships: nothing to parse
            return True
        since, until = parse_date(since), parse_date(until)
        return (since is None or since <= self.as_of) and (until is None or until >= self.as_of)

    def with_descendants(self, node: str) -> set[str]:
        """The node and everything of its type PART_OF it, transitively (a sub-theme covers its parent)."""
        children = self._part_of(self._node[node].get("type"))
        if node not in children:  # most nodes: no need to walk
            return {node}
        family, stack = {node}, [node]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in family:
                    family.add(child)
                    stack.append(child)
        return family

    def _part_of(self, node_type: str | None) -> dict[str, tuple[str, ...]]:
        """Parent -> children among one node type. PART_OF joins nodes of one type (the vocabulary's
        endpoints), so it is read from the children's side: a theme has thousands of neighbours, and
        a child few relationships of its own."""
        index = self._children.get(node_type)
        if index is None:
            found: dict[str, list[str]] = defaultdict(list)
            for child in self.nodes(node_type):
                for parent in self.targets(child, "PART_OF"):
                    found[parent].append(child)
            index = self._children[node_type] = {parent: tuple(children) for parent, children in found.items()}
        return index

    def subject(self, node: str) -> dict:
        return {"id": node, "type": self._node[node].get("type"), "name": self.name(node)}

    def name(self, node: str) -> str:
        name = self._names.get(node)
        if name is None:
            name = self._names[node] = label(self.graph, node)
        return name

    def gap(self, rule_id: str, node: str, message: str, fix: str, related: Iterable[str] = ()) -> Gap:
        rule = RULES[rule_id]
        return Gap(rule.id, rule.severity, self.subject(node), message, fix, sorted(set(related)) if related else [],
                   is_example_node(self.graph, node))


def gap_rule(rule_id: str, severity: str, subject_type: str, summary: str):
    """Register a rule function under its stable id."""
    def register(check: Callable[[GapContext], Iterable[Gap]]):
        RULES[rule_id] = Rule(rule_id, severity, subject_type, summary, check)
        return check
    return register


def find_gaps(graph: nx.MultiDiGraph, settings: GapSettings | None = None, rules: Iterable[str] | None = None,
              severity: str | None = None, subject_type: str | None = None) -> list[Gap]:
    """Run the gap rules over ``graph``; most severe first, then by rule and subject name."""
    context = GapContext(graph, settings or GapSettings())
    wanted = list(RULES) if rules is None else list(rules)
    unknown = [rule_id for rule_id in wanted if rule_id not in RULES]
    if unknown:
        raise KeyError(", ".join(unknown))
    gaps: list[Gap] = []
    for rule_id in wanted:
        rule = RULES[rule_id]
        if severity and rule.severity != severity:
            continue
        found = rule.check(context)
        gaps.extend((g for g in found if g.subject["type"] == subject_type) if subject_type else found)
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    gaps.sort(key=lambda g: (rank[g.severity], g.rule, g.subject["name"].lower(), g.subject["id"]))
    return gaps


def count_by_rule(gaps: Iterable[Gap]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for gap in gaps:
        counts[gap.rule] = counts.get(gap.rule, 0) + 1
    return counts


from . import gap_rules, gap_rules_frameworks, gap_rules_impact  # noqa: E402,F401  (rules register themselves; last)
