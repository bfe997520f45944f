"""Framework coverage (docs/frameworks.md): which items of a national framework the work evidences.

A framework's items (ITEM_OF it) form a tree by PART_OF, in published order (``number``, then ``code``).
Each item carries what EVIDENCES it directly (work: initiatives and actions; outcomes; indicators judged
by :func:`graphsvc.analysis.indicators.judge`); a parent also shows its parts' evidence. Whether an item
is flagged comes from :func:`graphsvc.analysis.gap_rules_frameworks.unevidenced_leaves`, the gap rule's
own function, so the grid and the gap report cannot disagree.

People are named only as accountable owners (DESIGN.md §9): a person who leads an initiative is shown as
"a person".
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from ..analysis.common import is_example_node, label, linked, parse_date
from ..analysis.gap_rules_frameworks import (
    EVIDENCES,
    FRAMEWORK,
    RULE,
    framework_items,
    has_evidence,
    parts_of,
    unevidenced_leaves,
)
from ..analysis.indicators import judge, series
from ..errors import NotFound
from ..reports.documents import contains_examples
from ..reports.evidence_pack import build_pack
from .as_of import graph_as_of

__all__ = ["NOT_IN_USE", "coverage", "evidence_pack", "framework_coverage", "framework_list", "frameworks"]

WORK_TYPES = ("Initiative", "Action")
OUTCOME, INDICATOR, PERSON = "Outcome", "Indicator", "Person"
ACCOUNTABLE, LEADS = "ACCOUNTABLE_FOR", "LEADS"
FRAMEWORK_FIELDS = ("name", "short_name", "publisher", "publication", "published", "url", "description", "note")
ITEM_FIELDS = ("code", "title", "kind", "number", "description")
NOT_IN_USE = ("Not in use here yet: nothing recorded evidences any of its items, so its items are not flagged "
              "one by one.")
UNNAMED = "a person"


def frameworks(graph: nx.MultiDiGraph) -> list[dict]:
    """Each framework with its item counts, by short name (else name)."""
    found = []
    for node in _frameworks(graph):
        items = framework_items(graph, node)
        in_use, flagged = unevidenced_leaves(graph, node)
        evidenced = _evidenced(graph, items)
        found.append({**_framework(graph, node), "in_use": in_use,
                      "summary": _summary(graph, items, evidenced, flagged)})
    return sorted(found, key=lambda f: (str(f.get("short_name") or f.get("name") or "").lower(), f["id"]))


def coverage(graph: nx.MultiDiGraph, framework_id: str, as_of: dt.date, with_series: bool = False) -> dict:
    """The framework and its items in published order (parent, then its parts), each with its evidence.
    ``with_series`` adds each indicator's values up to ``as_of`` (for the evidence pack). NotFound unless
    ``framework_id`` is a Framework."""
    if framework_id not in graph or graph._node[framework_id].get("type") != FRAMEWORK:
        raise NotFound(f"No framework has id '{framework_id}'.")
    items = framework_items(graph, framework_id)
    in_use, flagged = unevidenced_leaves(graph, framework_id)
    flagged_set = set(flagged)
    direct = {item: _direct(graph, item, as_of, with_series) for item in items}
    evidenced = _evidenced(graph, items)
    rows = []
    for item, depth, parent in _tree(graph, items):
        rows.append(_item(graph, item, depth, parent, direct, evidenced, item in flagged_set))
    return {"framework": _framework(graph, framework_id), "judged_on": as_of.isoformat(), "in_use": in_use,
            "in_use_note": None if in_use else NOT_IN_USE,
            "summary": _summary(graph, items, evidenced, flagged), "items": rows,
            "flagged": [row["id"] for row in rows if row["flags"]],
            "contains_examples": is_example_node(graph, framework_id) or contains_examples(rows)}


def framework_list(service, examples: bool = True) -> list[dict]:
    """:func:`frameworks` on the current graph (without example records unless ``examples``)."""
    graph, _ = graph_as_of(service, None, examples)
    return frameworks(graph)


def framework_coverage(service, framework_id: str, judged_on: dt.date | None = None, examples: bool = True,
                       with_series: bool = False) -> dict:
    """:func:`coverage` on the current graph, judged on ``judged_on`` (default today, UTC)."""
    graph, moment = graph_as_of(service, None, examples)
    answer = coverage(graph, framework_id, judged_on or dt.datetime.now(dt.UTC).date(), with_series)
    return {**answer, "graph_as_of": moment.as_dict(), "examples": examples}


def evidence_pack(service, framework_id: str, judged_on: dt.date | None = None, examples: bool = True) -> dict:
    """The evidence pack (reports/evidence_pack.py): the coverage with each indicator's series, by section."""
    return build_pack(framework_coverage(service, framework_id, judged_on, examples, with_series=True))


# -- helpers ------------------------------------------------------------------------------------

def _frameworks(graph: nx.MultiDiGraph) -> list[str]:
    return [node for node, kind in graph.nodes(data="type") if kind == FRAMEWORK]


def _framework(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph._node[node]
    return {"id": node, **{key: data.get(key) for key in FRAMEWORK_FIELDS}, "example": is_example_node(graph, node)}


def _evidenced(graph: nx.MultiDiGraph, items: list[str]) -> set[str]:
    """Items with evidence: their own, or any part's (at any depth)."""
    found = {item for item in items if has_evidence(graph, item)}
    members = set(items)
    parents = {item: [p for p in linked(graph._succ[item], "PART_OF") if p in members] for item in items}
    stack = list(found)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in found:
                found.add(parent)
                stack.append(parent)
    return found


def _summary(graph: nx.MultiDiGraph, items: list[str], evidenced: set[str], flagged: list[str]) -> dict:
    leaves = [item for item in items if not parts_of(graph, item)]
    return {"items": len(items), "with_evidence": len(evidenced), "without_evidence": len(items) - len(evidenced),
            "leaves": len(leaves), "leaves_with_evidence": sum(1 for leaf in leaves if leaf in evidenced),
            "flagged": len(flagged)}


def _order(graph: nx.MultiDiGraph, item: str) -> tuple:
    data = graph._node[item]
    number = data.get("number")
    number = number if isinstance(number, int | float) and not isinstance(number, bool) else None
    return (number is None, number or 0, str(data.get("code") or ""), str(data.get("title") or "").lower(), item)


def _tree(graph: nx.MultiDiGraph, items: list[str]) -> list[tuple[str, int, str | None]]:
    """(item, depth, parent) in published order, each parent before its parts; items caught in a PART_OF
    loop (bad data) come last as roots rather than vanish."""
    members = set(items)
    parent_of = {item: next(iter(sorted(p for p in linked(graph._succ[item], "PART_OF") if p in members)), None)
                 for item in items}
    children: dict[str | None, list[str]] = {}
    for item in items:
        children.setdefault(parent_of[item], []).append(item)
    out: list[tuple[str, int, str | None]] = []
    seen: set[str] = set()

    def walk(node: str, depth: int, parent: str | None) -> None:
        seen.add(node)
        out.append((node, depth, parent))
        for child in sorted(children.get(node, ()), key=lambda c: _order(graph, c)):
            if child not in seen:
                walk(child, depth + 1, node)

    for root in sorted(children.get(None, ()), key=lambda c: _order(graph, c)):
        walk(root, 0, None)
    for item in sorted((i for i in items if i not in seen), key=lambda c: _order(graph, c)):
        if item not in seen:
            walk(item, 0, None)
    return out


def _direct(graph: nx.MultiDiGraph, item: str, as_of: dt.date, with_series: bool) -> dict:
    """What EVIDENCES the item itself, by kind, each kind by name."""
    sources = sorted(set(linked(graph._pred[item], EVIDENCES)))
    kinds = {source: graph._node[source].get("type") for source in sources}
    work = [_work(graph, s) for s in sources if kinds[s] in WORK_TYPES]
    outcomes = [_outcome(graph, s) for s in sources if kinds[s] == OUTCOME]
    indicators = [_indicator(graph, s, as_of, with_series) for s in sources if kinds[s] == INDICATOR]
    by_name = lambda entry: (entry["name"].lower(), entry["id"])  # noqa: E731
    return {"work": sorted(work, key=by_name), "outcomes": sorted(outcomes, key=by_name),
            "indicators": sorted(indicators, key=by_name)}


def _item(graph, item: str, depth: int, parent: str | None, direct: dict, evidenced: set[str],
          flagged: bool) -> dict:
    data = graph._node[item]
    parts = parts_of(graph, item)
    own = direct[item]
    row = {"id": item, **{key: data.get(key) for key in ITEM_FIELDS}, "depth": depth, "parent": parent,
           "parts": sorted(parts, key=lambda c: _order(graph, c)), "leaf": not parts,
           "example": is_example_node(graph, item), **own,
           "direct_evidence": any(own.values()), "evidence": item in evidenced,
           "flags": [RULE] if flagged else []}
    row["from_parts"] = _from_parts(graph, item, direct) if parts else {"work": [], "outcomes": [], "indicators": []}
    return row


def _from_parts(graph: nx.MultiDiGraph, item: str, direct: dict) -> dict:
    """The evidence of the item's parts at any depth, each record once."""
    found: dict[str, dict[str, dict]] = {"work": {}, "outcomes": {}, "indicators": {}}
    stack, seen = list(parts_of(graph, item)), {item}
    while stack:
        part = stack.pop()
        if part in seen or part not in direct:
            continue
        seen.add(part)
        for kind, entries in direct[part].items():
            for entry in entries:
                found[kind].setdefault(entry["id"], entry)
        stack.extend(parts_of(graph, part))
    return {kind: sorted(entries.values(), key=lambda e: (e["name"].lower(), e["id"]))
            for kind, entries in found.items()}


def _work(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph._node[node]
    leads = [_party(graph, p) for p in sorted(set(linked(graph._pred[node], LEADS)))] if data["type"] == "Initiative" \
        else []
    return {"id": node, "type": data["type"], "name": label(graph, node), "status": data.get("status"),
            "owners": _owners(graph, node), "leads": leads, "example": is_example_node(graph, node)}


def _outcome(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph._node[node]
    return {"id": node, "type": OUTCOME, "name": label(graph, node), "level": data.get("level"),
            "owners": _owners(graph, node), "example": is_example_node(graph, node)}


def _indicator(graph: nx.MultiDiGraph, node: str, as_of: dt.date, with_series: bool) -> dict:
    data = graph._node[node]
    judged = judge(graph, node, as_of)
    latest = judged["latest"] or {}
    found = {"id": node, "type": INDICATOR, "name": label(graph, node), "unit": data.get("unit"),
             "direction": data.get("direction"), "target": data.get("target"), "target_date": data.get("target_date"),
             "latest": {"value": latest.get("value"), "date": latest.get("date"), "period": latest.get("period")}
             if judged["latest"] else None,
             "trend": judged["trend"], "on_track": judged["on_track"], "expected": judged["expected"],
             "example": is_example_node(graph, node)}
    if with_series:
        found["series"] = [{"period": p.get("period"), "date": p.get("date"), "value": p.get("value")}
                           for p in series(graph, node) if (parse_date(p.get("date")) or as_of) <= as_of]
    return found


def _owners(graph: nx.MultiDiGraph, node: str) -> list[dict]:
    """Accountable owners, named (accountability needs the name)."""
    return [{"id": o, "type": graph._node[o].get("type"), "name": label(graph, o), "example": is_example_node(graph, o)}
            for o in sorted(set(linked(graph._pred[node], ACCOUNTABLE)))]


def _party(graph: nx.MultiDiGraph, node: str) -> dict:
    kind = graph._node[node].get("type")
    if kind == PERSON:
        return {"id": None, "type": PERSON, "name": UNNAMED, "example": is_example_node(graph, node)}
    return {"id": node, "type": kind, "name": label(graph, node), "example": is_example_node(graph, node)}

