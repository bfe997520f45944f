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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx

from .common import label, parse_date

__all__ = ["RULES", "SEVERITIES", "Gap", "GapContext", "GapSettings", "Rule", "count_by_rule", "find_gaps"]

SEVERITIES = ("high", "medium", "low")
CLOSED_ACTION = frozenset({"done", "cancelled"})
LIVE_INITIATIVE = frozenset({"proposed", "active", "paused"})
SENIOR = frozenset({"board", "executive"})
ENGAGEMENT_GROUPS = frozenset({"community_of_practice", "governance_group"})
_HUB_DEGREE = 64


@dataclass(frozen=True)
class GapSettings:
    """'Today' and thresholds; each has a default and can be given per request."""

    as_of: dt.date = field(default_factory=dt.date.today)
    stale_days: int = 60
    overload_actions: int = 5
    schedule_days: int = 183


@dataclass(frozen=True)
class Gap:
    rule: str
    severity: str
    subject: dict
    message: str
    fix: str
    related: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "subject": self.subject,
                "message": self.message, "fix": self.fix, "related": self.related}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    subject_type: str
    summary: str
    check: Callable[[GapContext], Iterable[Gap]]


RULES: dict[str, Rule] = {}


class GapContext:
    """The graph plus indexes the rules share, each built at most once per report."""

    def __init__(self, graph: nx.MultiDiGraph, settings: GapSettings):
        self.graph = graph
        self.settings = settings
        self.as_of = settings.as_of
        # The raw adjacency dicts, as networkx's own algorithms use them: a report touches every
        # action, theme and owner, and the public views cost several times more per lookup.
        self._node, self._pred, self._succ = graph._node, graph._pred, graph._succ
        self._names: dict[str, str] = {}

    @cached_property
    def by_type(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for node, data in self._node.items():
            index[data.get("type")].append(node)
        return index

    def nodes(self, node_type: str) -> list[str]:
        return self.by_type.get(node_type, [])

    @cached_property
    def open_actions(self) -> list[str]:
        return [a for a in self.nodes("Action") if self._node[a].get("status") not in CLOSED_ACTION]

    @cached_property
    def active_initiatives(self) -> set[str]:
        return {i for i in self.nodes("Initiative") if self._node[i].get("status") == "active"}

    def data(self, node: str) -> dict:
        """The node's attributes (type and properties)."""
        return self._node[node]

    def is_open_action(self, node: str) -> bool:
        data = self._node[node]
        return data.get("type") == "Action" and data.get("status") not in CLOSED_ACTION

    def sources(self, node: str, rel_type: str, node_type: str | None = None) -> list[str]:
        found = self._neighbours(node, rel_type, self._inbound, self._pred)
        return [s for s in found if node_type is None or self._node[s].get("type") == node_type]

    def targets(self, node: str, rel_type: str, node_type: str | None = None) -> list[str]:
        found = self._neighbours(node, rel_type, self._outbound, self._succ)
        return [t for t in found if node_type is None or self._node[t].get("type") == node_type]

    @cached_property
    def _inbound(self) -> dict[str, dict[str, list[str]]]:
        return {}

    @cached_property
    def _outbound(self) -> dict[str, dict[str, list[str]]]:
        return {}

    @staticmethod
    def _neighbours(node: str, rel_type: str, memo: dict, adjacency) -> list[str]:
        near = adjacency[node]
        if len(near) < _HUB_DEGREE:
            return [n for n, keyed in near.items() for data in keyed.values() if data["type"] == rel_type]
        # Rules ask a hub (a theme with thousands of initiatives) several questions; grouping its
        # relationships by type once per report keeps each later question O(answer).
        if node not in memo:
            groups: dict[str, list[str]] = defaultdict(list)
            for neighbour, keyed in near.items():
                for data in keyed.values():
                    groups[data["type"]].append(neighbour)
            memo[node] = groups
        return memo[node].get(rel_type, [])

    def current_links(self, node: str, rel_types: frozenset[str]) -> Iterator[tuple[str, dict]]:
        """Outgoing relationships of the given types that have started and not ended as of today."""
        for target, data in self.out_links(node):
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
        since, until = parse_date(data.get("since")), parse_date(data.get("until"))
        return (since is None or since <= self.as_of) and (until is None or until >= self.as_of)

    def with_descendants(self, node: str) -> set[str]:
        """The node and everything PART_OF it, transitively (a sub-theme covers its parent)."""
        seen, stack = {node}, [node]
        while stack:
            for child in self.sources(stack.pop(), "PART_OF"):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def subject(self, node: str) -> dict:
        return {"id": node, "type": self._node[node].get("type"), "name": self.name(node)}

    def name(self, node: str) -> str:
        if node not in self._names:
            self._names[node] = label(self.graph, node)
        return self._names[node]

    def gap(self, rule_id: str, node: str, message: str, fix: str, related: Iterable[str] = ()) -> Gap:
        rule = RULES[rule_id]
        return Gap(rule.id, rule.severity, self.subject(node), message, fix, sorted(set(related)))


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
        gaps.extend(g for g in rule.check(context) if not subject_type or g.subject["type"] == subject_type)
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    gaps.sort(key=lambda g: (rank[g.severity], g.rule, g.subject["name"].lower(), g.subject["id"]))
    return gaps


def count_by_rule(gaps: Iterable[Gap]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for gap in gaps:
        counts[gap.rule] = counts.get(gap.rule, 0) + 1
    return counts


from . import gap_rules  # noqa: E402,F401  (the rules register themselves; imported last on purpose)
