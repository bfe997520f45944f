"""Gap rules on the frameworks the system reports against (docs/frameworks.md).

A framework's items are the FrameworkItems ITEM_OF it; an item's parts are the FrameworkItems PART_OF it, and
an item with no parts is a *leaf* (an EDS 2022 outcome, a WRES indicator). A framework is *in use* when at
least one of its items is evidenced (EVIDENCES from an initiative, action, outcome or indicator). Only a
framework in use is flagged, leaf by leaf: shipping a framework nobody has linked to yet adds no noise.

:func:`unevidenced_leaves` is the one place that rule lives: the gap report and the coverage answer
(graphsvc/queries/frameworks.py) both ask it.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("f", type="Framework", name="A framework")
>>> for item in ("f-1", "f-2"):
...     g.add_node(item, type="FrameworkItem", title=item)
...     _ = g.add_edge(item, "f", key=f"r-{item}", type="ITEM_OF")
>>> unevidenced_leaves(g, "f")
(False, [])
>>> g.add_node("i", type="Initiative", name="Work")
>>> _ = g.add_edge("i", "f-1", key="r-i", type="EVIDENCES")
>>> unevidenced_leaves(g, "f")
(True, ['f-2'])
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from .common import is_linked, linked
from .gaps import Gap, GapContext, gap_rule

__all__ = ["EVIDENCES", "FRAMEWORK", "ITEM", "ITEM_OF", "PART_OF", "RULE", "framework_items", "has_evidence",
           "parts_of", "unevidenced_leaves"]

FRAMEWORK, ITEM = "Framework", "FrameworkItem"
ITEM_OF, PART_OF, EVIDENCES = "ITEM_OF", "PART_OF", "EVIDENCES"
RULE = "framework-item-without-evidence"


def framework_items(graph: nx.MultiDiGraph, framework: str) -> list[str]:
    """The framework's items (parents and leaves), each once, in id order."""
    return sorted({node for node in linked(graph._pred[framework], ITEM_OF)
                   if graph._node[node].get("type") == ITEM})


def parts_of(graph: nx.MultiDiGraph, item: str) -> list[str]:
    """The items PART_OF ``item`` (its children), each once, in id order."""
    return sorted({node for node in linked(graph._pred[item], PART_OF) if graph._node[node].get("type") == ITEM})


def has_evidence(graph: nx.MultiDiGraph, item: str) -> bool:
    """Whether anything EVIDENCES the item itself (its parts not counted)."""
    return is_linked(graph._pred[item], EVIDENCES)


def unevidenced_leaves(graph: nx.MultiDiGraph, framework: str) -> tuple[bool, list[str]]:
    """``(in use, leaves to flag)``: whether any item of the framework is evidenced, and, if so, its leaf
    items nothing evidences (in id order; none when the framework is not in use)."""
    items = framework_items(graph, framework)
    evidenced = {item for item in items if has_evidence(graph, item)}
    if not evidenced:
        return False, []
    return True, [item for item in items if item not in evidenced and not parts_of(graph, item)]


@gap_rule(RULE, "low", ITEM, "Item of a framework in use that nothing evidences")
def framework_item_without_evidence(ctx: GapContext) -> Iterator[Gap]:
    for framework in ctx.nodes(FRAMEWORK):
        _, missing = unevidenced_leaves(ctx.graph, framework)
        called = _called(ctx, framework)
        for item in missing:
            code = ctx.data(item).get("code")
            named = f"{code} '{ctx.name(item)}'" if code else f"'{ctx.name(item)}'"
            yield ctx.gap(RULE, item,
                          f"Nothing recorded evidences {named} of {called}, though other items of it have "
                          "evidence, so a return against it would have nothing to cite here.",
                          "Link the initiatives, actions, outcomes or indicators that count toward it "
                          "(EVIDENCES); if there are none, plan the work that would.",
                          [framework, *ctx.targets(item, PART_OF, ITEM)])


def _called(ctx: GapContext, framework: str) -> str:
    """What people call the framework: its short name (EDS 2022), else its name."""
    return str(ctx.data(framework).get("short_name") or ctx.name(framework))
