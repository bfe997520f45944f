"""Overlaps for readers: the list of pairs, or one record's pairs, with reviews stamped.

Preparing the items of a kind (reading every item's edges, TF-IDF, the scope vectors) is most of the
work of one record's overlaps; the prepared items are kept per (seq, examples, kind), so asking about
record after record answers from them. The whole list of pairs is kept per seq too: the queue is
read far more often than the map changes. (Reviews are stamped on each answer, so they stay current.)
"""

from __future__ import annotations

from ..analysis.overlap_items import PROFILES, Items, prepare
from ..analysis.overlaps import DEFAULT_MIN_SCORE, find_overlaps, kind_of, overlaps_of
from ..errors import Invalid, NotFound
from ..reviews import stamp_reviews
from .cache import caches_for, snapshot

__all__ = ["overlap_items", "overlaps"]


def overlaps(service, kind: str | None = None, node_id: str | None = None, examples: bool = True,
             min_score: float | None = None, limit: int | None = 100, include_reviewed: bool = False) -> dict:
    """Pairs of ``kind`` (default initiative) scoring at least ``min_score``, best first; with ``node_id``,
    only that initiative's or action's pairs. Each review carries who recorded it and when.

    Raises NotFound for an unknown ``node_id`` and Invalid for one that has no overlaps, is left out
    by ``examples=False``, or is not of ``kind``.
    """
    seq, graph = snapshot(service, examples)
    kind = _kind(service, graph, kind, node_id)
    min_score = DEFAULT_MIN_SCORE[kind] if min_score is None else min_score
    options = {"min_score": min_score, "limit": limit, "include_reviewed": include_reviewed}
    if kind in PROFILES:
        options["items"] = _items(service, seq, graph, examples, kind)
    if node_id is None:  # the whole queue: the same for every reader until the next change
        key = (examples, kind, min_score, limit, include_reviewed)
        cached = caches_for(service).overlap_pairs.get(seq, key, lambda: find_overlaps(graph, kind, **options))
        found = [dict(entry) for entry in cached]  # stamping replaces an entry's review: not the cached one
    else:
        found = overlaps_of(graph, node_id, **options)
    return {"overlaps": stamp_reviews(service, found), "kind": kind, "min_score": min_score,
            "examples": examples, **({} if node_id is None else {"id": node_id})}


def overlap_items(service, kind: str, examples: bool = True) -> Items:
    """The prepared items of ``kind`` (initiative or action) as of the newest change."""
    seq, graph = snapshot(service, examples)
    return _items(service, seq, graph, examples, kind)


def _items(service, seq: int | None, graph, examples: bool, kind: str) -> Items:
    return caches_for(service).overlap_items.get(seq, (examples, kind), lambda: prepare(graph, PROFILES[kind]))


def _kind(service, graph, kind: str | None, node_id: str | None) -> str:
    """The kind asked for: the record's own with ``node_id`` (NotFound unknown, Invalid no overlaps or left out)."""
    if node_id is None:
        return kind or "initiative"
    if node_id not in graph:
        if node_id in service.graph():
            raise Invalid(f"'{node_id}' is an example record; examples=false compares real records only.",
                          {"id": ["An example record; leave out examples=false to compare it."]})
        raise NotFound(f"No node has id '{node_id}'.")
    own = kind_of(graph, node_id)
    if own is None:
        node_type = graph.nodes[node_id].get("type")
        raise Invalid(f"{node_type} records have no overlaps: give an initiative or an action "
                      "(kind=record lists likely duplicate organisations and people).",
                      {"id": [f"A {node_type}; must be an Initiative or an Action."]})
    if (kind or own) != own:
        raise Invalid(f"'{node_id}' is an {graph.nodes[node_id].get('type')}, so its overlaps are of kind '{own}'.",
                      {"kind": [f"Must be '{own}' (or left out) with this id."]})
    return own
