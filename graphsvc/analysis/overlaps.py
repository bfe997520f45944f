"""Overlaps: pairs of initiatives (or actions) whose scope coincides, scored 0..1 with reasons.

The score is a weighted sum of cosine similarities (weights in ``PROFILES``; see docs/overlaps.md)::

    score = 0.4 text + 0.5 scope + 0.1 who

text: TF-IDF of name and description. scope: what an item works on times where (initiatives: themes and
populations times places) or why (actions: themes times recommendations and outcomes), over tags weighted
by rarity (idf), each also bringing what it is PART_OF. who: partner organisations (actions: owners). Each item is
one sparse vector whose dot products are the scores; ``cosine_join`` (from ``similarity``) finds the pairs
above a threshold by prefix filtering (AllPairs) without losing any, and ``brute_force_overlaps`` scores every pair.
``overlaps_of`` scores one record against the items sharing a feature with it only (``join_one``). Each side names
its leads and carries ``example: true`` when it is an example record; example records pair only with each other.
Reviews are read from the graph: OVERLAP_REVIEWED (either way) marks a pair, ``distinct`` pairs are left
out unless asked for, and ALIGNED_WITH counts as ``aligned`` when there is no OVERLAP_REVIEWED.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .common import label
from .overlap_items import PROFILES, Items, Profile, is_example, note_review, prepare, reviews_by_pair
from .similarity import _EPS, _concat, _csr, _pair_dots, cosine_join, join_one

__all__ = ["DEFAULT_MIN_SCORE", "KINDS", "PROFILES", "brute_force_overlaps", "cosine_join", "find_overlaps",
           "is_example", "kind_of", "overlaps_of", "pair_review", "side"]

DEFAULT_MIN_SCORE = {"initiative": 0.4, "action": 0.45, "record": 0.85}
KINDS = tuple(DEFAULT_MIN_SCORE)


def find_overlaps(graph: nx.MultiDiGraph, kind: str = "initiative", min_score: float | None = None,
                  limit: int | None = None, include_reviewed: bool = False, items: Items | None = None) -> list[dict]:
    """Pairs of one kind scoring at least ``min_score``, best first, each with its reasons and review.

    An entry is ``{"a": side, "b": side, "type", "score", "reasons", "review"}``, each side as ``side``
    gives it (with its leads); the review is None or ``{"decision", "note", "relationship"}``. Kind
    ``record`` finds duplicates. An example record is never paired with a real one. ``items``: the
    kind's items as ``prepare`` made them from this same graph, when the caller keeps them.

    >>> find_overlaps(nx.MultiDiGraph(), "initiative")
    []
    """
    if kind == "record":
        from .duplicates import find_duplicates

        return find_duplicates(graph, min_score=min_score, limit=limit, include_reviewed=include_reviewed)
    threshold = _threshold(kind, min_score)
    return _overlaps(graph, PROFILES[kind], threshold, limit, include_reviewed, cosine_join, items)


def brute_force_overlaps(graph: nx.MultiDiGraph, kind: str = "initiative", min_score: float | None = None,
                         include_reviewed: bool = False) -> list[dict]:
    """The answer of ``find_overlaps`` with every pair scored: the reference for measuring recall.

    >>> brute_force_overlaps(nx.MultiDiGraph(), "action")
    []
    """
    if kind == "record":
        from .duplicates import brute_force_duplicates

        return brute_force_duplicates(graph, min_score=min_score, include_reviewed=include_reviewed)
    threshold = _threshold(kind, min_score)
    return _overlaps(graph, PROFILES[kind], threshold, None, include_reviewed, _all_pairs)


def overlaps_of(graph: nx.MultiDiGraph, node: str, min_score: float | None = None, limit: int | None = None,
                include_reviewed: bool = False, items: Items | None = None) -> list[dict]:
    """The pairs one initiative or action forms, scored as ``find_overlaps`` scores them, best first.

    Only the items sharing a word, a tag or a partner with ``node`` are scored (an item sharing none
    scores 0). Raises KeyError for a node not in the graph and ValueError for a type without overlaps.
    ``items`` as for ``find_overlaps``: with them, one record's pairs cost a lookup, not a pass over every item.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("i1", type="Initiative", name="Maternity equity")
    >>> g.add_node("i2", type="Initiative", name="Maternity equity programme")
    >>> [(e["a"]["id"], e["b"]["id"]) for e in overlaps_of(g, "i2", min_score=0.2)]
    [('i1', 'i2')]
    """
    kind = kind_of(graph, node)
    if kind is None:
        raise ValueError(f"{graph.nodes[node].get('type')} records have no overlaps; "
                         f"only {', '.join(p.node_type for p in PROFILES.values())} do")
    profile, threshold = PROFILES[kind], _threshold(kind, min_score)
    items = items if items is not None else prepare(graph, profile)
    row = items.rows[node]
    others, scores = join_one(items.vectors, row, threshold)
    reviewed = [items.reviews.get(tuple(sorted((node, items.ids[j])))) for j in others.tolist()]
    shown = (items.examples[others] == items.examples[row]) & np.array(
        [include_reviewed or not review or review["decision"] != "distinct" for review in reviewed], dtype=bool)
    others, scores = others[shown], scores[shown]
    order = np.lexsort((np.array(items.ids, dtype=str)[others], -np.round(scores, 9)))[:limit]
    rows, cols = np.full(len(order), row), others[order]
    return _entries(graph, profile, items, rows, cols, scores[order])


def kind_of(graph: nx.MultiDiGraph, node: str) -> str | None:
    """The overlap kind of ``node`` (``initiative`` or ``action``), or None; KeyError if it is not in the graph."""
    node_type = graph.nodes[node].get("type")
    return next((kind for kind, profile in PROFILES.items() if profile.node_type == node_type), None)


def side(graph: nx.MultiDiGraph, node: str, leads: str | None = None) -> dict:
    """One side of a pair: ``{id, name}``, with ``leads`` when a relationship type names them (who leads an
    initiative, who is accountable for an action: ``[{id, type, name}]``), and ``example: true`` on example
    records, so fictional records are never read as real ones.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("i1", type="Initiative", name="Maternity equity", example=True)
    >>> g.add_node("o1", type="Organisation", name="Example Trust", example=True)
    >>> _ = g.add_edge("o1", "i1", type="LEADS")
    >>> side(g, "i1", "LEADS")
    {'id': 'i1', 'name': 'Maternity equity', 'leads': [{'id': 'o1', 'type': 'Organisation', \
'name': 'Example Trust', 'example': True}], 'example': True}
    """
    ref = {"id": node, "name": label(graph, node)}
    if leads:
        sources = {source for source, _, kind in graph.in_edges(node, data="type") if kind == leads}
        ref["leads"] = sorted((_marked(graph, other, {"id": other, "type": graph.nodes[other].get("type"),
                                                      "name": label(graph, other)}) for other in sources),
                              key=lambda lead: (lead["name"].lower(), lead["id"]))
    return _marked(graph, node, ref)


def pair_review(graph: nx.MultiDiGraph, a: str, b: str) -> dict | None:
    """The review of the pair ``a``, ``b`` recorded in the graph (either way round), or None.

    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("x", "y", key="rel-1", type="OVERLAP_REVIEWED", decision="distinct")
    'rel-1'
    >>> pair_review(g, "y", "x")
    {'decision': 'distinct', 'note': None, 'relationship': 'rel-1'}
    """
    noted: dict = {}
    for source, target in ((a, b), (b, a)):
        for key, attrs in graph.succ[source].get(target, {}).items() if source in graph else ():
            note_review(noted, source, target, key, attrs)
    return next(iter(reviews_by_pair(noted).values()), None)


# -- helpers ---------------------------------------------------------------------------------------

def _threshold(kind: str, min_score: float | None) -> float:
    if kind not in PROFILES:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return max(DEFAULT_MIN_SCORE[kind] if min_score is None else float(min_score), _EPS)


def _overlaps(graph, profile: Profile, threshold: float, limit, include_reviewed: bool, join,
              items: Items | None = None) -> list[dict]:
    items = items if items is not None else prepare(graph, profile)
    ids = items.ids
    if len(ids) < 2:
        return []
    index = items.rows
    hidden = [_pair_key(*sorted((index[a], index[b])), len(ids)) for (a, b), review in items.reviews.items()
              if review["decision"] == "distinct" and not include_reviewed]
    # With a limit, try high thresholds first: the best pairs are the cheapest to find.
    cuts = [cut for cut in (0.8, 0.65, 0.5) if cut > threshold and limit and join is cosine_join]
    for cut in [*cuts, threshold]:
        rows, cols, scores = join(items.vectors, cut)
        # Real and example records never pair: a fictional twin is no overlap, and no review could join them.
        shown = ~np.isin(_pair_key(rows, cols, len(ids)), hidden) & (items.examples[rows] == items.examples[cols])
        if limit is None or shown.sum() >= limit:
            break
    rows, cols, scores = rows[shown], cols[shown], scores[shown]
    rank = np.argsort(np.argsort(np.array(ids, dtype=str), kind="stable"))  # ties go by ids
    first, second = np.minimum(rank[rows], rank[cols]), np.maximum(rank[rows], rank[cols])
    order = np.lexsort((second, first, -np.round(scores, 9)))[:limit]
    return _entries(graph, profile, items, rows[order], cols[order], scores[order])


def _entries(graph, profile: Profile, items: Items, rows, cols, scores) -> list[dict]:
    """The answer's entries for the pairs of item positions ``rows[k]``, ``cols[k]``."""
    found = []
    for i, j, score, cosine in zip(rows.tolist(), cols.tolist(), scores.tolist(),
                                   _pair_dots(items.text, rows, cols).tolist(), strict=True):
        first, second = (i, j) if items.ids[i] < items.ids[j] else (j, i)
        pair = (items.ids[first], items.ids[second])
        reasons = {facet.key: _shared(graph, column[i] & column[j])
                   for facet, column in zip(profile.facets, items.sets, strict=True)}
        reasons["text"] = round(min(cosine, 1.0), 4)
        found.append({"a": side(graph, pair[0], profile.leads), "b": side(graph, pair[1], profile.leads),
                      "type": profile.node_type, "score": round(min(score, 1.0), 4), "reasons": reasons,
                      "review": items.reviews.get(pair)})
    return found


def _all_pairs(m: sp.csr_matrix, threshold: float, chunk: int = 1024) -> tuple[np.ndarray, ...]:
    """Every pair ``i < j`` scored with a dense product: the brute-force reference."""
    m, found = _csr(m), []
    for start in range(0, m.shape[0], chunk):
        scores = (m[start:start + chunk] @ m.T).toarray()
        rows, cols = np.nonzero(scores >= threshold - _EPS)
        keep = cols > rows + start
        found.append((rows[keep] + start, cols[keep], scores[rows[keep], cols[keep]]))
    return _concat(found)


def _pair_key(rows, cols, n: int):
    return np.asarray(rows, dtype=np.int64) * n + np.asarray(cols, dtype=np.int64)


def _shared(graph, nodes: set) -> list[dict]:
    return sorted((side(graph, node) for node in nodes), key=lambda ref: (ref["name"].lower(), ref["id"]))


def _marked(graph, node: str, ref: dict) -> dict:
    if is_example(graph, node):
        ref["example"] = True
    return ref
