"""Overlaps: pairs of initiatives (or actions) whose scope coincides, scored 0..1 with reasons.

The score is a weighted sum of cosine similarities (weights in ``PROFILES``; see docs/overlaps.md)::

    score = 0.4 text + 0.5 scope + 0.1 who

text: TF-IDF of name and description. scope: what an item works on times where (initiatives: themes and
populations times places) or why (actions: themes times recommendations and outcomes), over tags weighted
by rarity (idf), each also bringing what it is PART_OF. who: partner organisations (actions: owners). Each item is
one sparse vector whose dot products are the scores; ``cosine_join`` (from ``similarity``) finds the pairs
above a threshold by prefix filtering (AllPairs) without losing any, and ``brute_force_overlaps`` scores every pair.
Reviews are read from the graph: OVERLAP_REVIEWED (either way) marks a pair, ``distinct`` pairs are left
out unless asked for, and ALIGNED_WITH counts as ``aligned`` when there is no OVERLAP_REVIEWED.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .common import label
from .similarity import _EPS, _concat, _csr, _norms, cosine_join

__all__ = ["DEFAULT_MIN_SCORE", "KINDS", "PROFILES", "Facet", "Profile", "brute_force_overlaps", "cosine_join",
           "find_overlaps", "pair_review"]

DEFAULT_MIN_SCORE = {"initiative": 0.4, "action": 0.45, "record": 0.85}
KINDS = tuple(DEFAULT_MIN_SCORE)
REVIEWED, ALIGNED = "OVERLAP_REVIEWED", "ALIGNED_WITH"


@dataclass(frozen=True)
class Facet:
    key: str  # its name in ``reasons``
    role: str  # "what" times "where" (or "why") is the scope; "who" is compared on its own
    relationships: frozenset[str]
    incoming: bool  # the neighbour is at the start of the relationship (partners, owners)
    node_type: str | None = None  # the neighbour's type, when it matters


@dataclass(frozen=True)
class Profile:
    node_type: str
    facets: tuple[Facet, ...]
    text: float = 0.4  # the weights of the three similarities, summing to 1
    scope: float = 0.5
    who: float = 0.1


PROFILES = {
    "initiative": Profile("Initiative", (
        Facet("themes", "what", frozenset({"ADDRESSES"}), False, "Theme"),
        Facet("populations", "what", frozenset({"SERVES"}), False, "Population"),
        Facet("places", "where", frozenset({"OPERATES_IN"}), False, "Place"),
        Facet("partners", "who", frozenset({"LEADS", "PARTNERS_IN", "FUNDS"}), True, "Organisation"),
    )),
    "action": Profile("Action", (
        Facet("recommendations", "why", frozenset({"IMPLEMENTS"}), False, "Recommendation"),
        Facet("themes", "what", frozenset({"ADDRESSES"}), False, "Theme"),
        Facet("outcomes", "why", frozenset({"CONTRIBUTES_TO"}), False, "Outcome"),
        Facet("owners", "who", frozenset({"ACCOUNTABLE_FOR", "RESPONSIBLE_FOR"}), True),
    )),
}


def find_overlaps(graph: nx.MultiDiGraph, kind: str = "initiative", min_score: float | None = None,
                  limit: int | None = None, include_reviewed: bool = False) -> list[dict]:
    """Pairs of one kind scoring at least ``min_score``, best first, each with its reasons and review.

    An entry is ``{"a": {id, name}, "b": {id, name}, "type", "score", "reasons", "review"}``; the
    review is None or ``{"decision", "note", "relationship"}``. Kind ``record`` finds duplicates.

    >>> find_overlaps(nx.MultiDiGraph(), "initiative")
    []
    """
    if kind == "record":
        from .duplicates import find_duplicates

        return find_duplicates(graph, min_score=min_score, limit=limit, include_reviewed=include_reviewed)
    threshold = _threshold(kind, min_score)
    return _overlaps(graph, PROFILES[kind], threshold, limit, include_reviewed, cosine_join)


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
            _note_review(noted, source, target, key, attrs)
    return next(iter(_reviews(noted).values()), None)


# -- helpers ---------------------------------------------------------------------------------------

def _threshold(kind: str, min_score: float | None) -> float:
    if kind not in PROFILES:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return max(DEFAULT_MIN_SCORE[kind] if min_score is None else float(min_score), _EPS)


def _overlaps(graph, profile: Profile, threshold: float, limit, include_reviewed: bool, join) -> list[dict]:
    ids, texts, sets, reviews = _collect(graph, profile)
    if len(ids) < 2:
        return []
    text = _tfidf(texts)
    vectors = _vectors(profile, text, sets)
    index = {node: position for position, node in enumerate(ids)}
    hidden = [_pair_key(*sorted((index[a], index[b])), len(ids)) for (a, b), review in reviews.items()
              if review["decision"] == "distinct" and not include_reviewed]
    # With a limit, try high thresholds first: the best pairs are the cheapest to find.
    cuts = [cut for cut in (0.8, 0.65, 0.5) if cut > threshold and limit and join is cosine_join]
    for cut in [*cuts, threshold]:
        rows, cols, scores = join(vectors, cut)
        shown = ~np.isin(_pair_key(rows, cols, len(ids)), hidden)
        if limit is None or shown.sum() >= limit:
            break
    rows, cols, scores = rows[shown], cols[shown], scores[shown]
    rank = np.argsort(np.argsort(np.array(ids, dtype=str), kind="stable"))  # ties go by ids
    first, second = np.minimum(rank[rows], rank[cols]), np.maximum(rank[rows], rank[cols])
    order = np.lexsort((second, first, -np.round(scores, 9)))[:limit]
    rows, cols, scores = rows[order], cols[order], scores[order]
    found = []
    for i, j, score, cosine in zip(rows.tolist(), cols.tolist(), scores.tolist(),
                                   _pair_dots(text, rows, cols).tolist(), strict=True):
        pair = (ids[i], ids[j]) if ids[i] < ids[j] else (ids[j], ids[i])
        reasons = {facet.key: _shared(graph, column[i] & column[j])
                   for facet, column in zip(profile.facets, sets, strict=True)}
        reasons["text"] = round(min(cosine, 1.0), 4)
        found.append({"a": _ref(graph, pair[0]), "b": _ref(graph, pair[1]), "type": profile.node_type,
                      "score": round(min(score, 1.0), 4), "reasons": reasons, "review": reviews.get(pair)})
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


def _collect(graph, profile: Profile) -> tuple[list[str], list[str], list[list[set]], dict]:
    """Ids, texts, each facet's sets of neighbours and the reviews, in one pass over the items' edges.

    Themes, populations, places and the like bring the nodes they are PART_OF too, so work in a ward
    shares its borough with borough-wide work.
    """
    facet_of = {(rel, facet.incoming): (position, facet) for position, facet in enumerate(profile.facets)
                for rel in facet.relationships}
    ids, texts, sets, reviews, wider = [], [], [[] for _ in profile.facets], {}, {}
    for node, data in graph.nodes(data=True):
        if data.get("type") != profile.node_type:
            continue
        ids.append(node)
        texts.append(f"{label(graph, node)} {data.get('description') or ''}")
        found = [set() for _ in profile.facets]
        for incoming, adjacency in ((False, graph.succ[node]), (True, graph.pred[node])):
            for other, edges in adjacency.items():
                other_type = graph.nodes[other].get("type")
                for key, attrs in edges.items():
                    if not incoming and other_type == profile.node_type:
                        _note_review(reviews, node, other, key, attrs)
                    position, facet = facet_of.get((attrs.get("type"), incoming), (None, None))
                    if facet is not None and facet.node_type in (None, other_type):
                        found[position].add(other)
                        if facet.role != "who":
                            found[position].update(_ancestors(graph, other, wider))
        for column, items in zip(sets, found, strict=True):
            column.append(items)
    return ids, texts, sets, _reviews(reviews)


def _ancestors(graph, node: str, memo: dict[str, frozenset]) -> frozenset:
    """Every node of the same type that ``node`` is PART_OF, directly or not (cycles tolerated)."""
    if node not in memo:
        memo[node] = frozenset()  # stops a cycle while this one is worked out
        kind, found = graph.nodes[node].get("type"), set()
        for _, parent, rel in graph.out_edges(node, data="type"):
            if rel == "PART_OF" and parent != node and graph.nodes[parent].get("type") == kind:
                found |= {parent} | _ancestors(graph, parent, memo)
        memo[node] = frozenset(found)
    return memo[node]


def _note_review(reviews: dict, node: str, other: str, key: str, attrs: dict) -> None:
    if attrs.get("type") in (REVIEWED, ALIGNED) and node != other:
        pair = (node, other) if node < other else (other, node)
        decision = attrs.get("decision") if attrs["type"] == REVIEWED else "aligned"
        reviews[(attrs["type"] == REVIEWED, pair)] = {"decision": decision, "note": attrs.get("note"),
                                                      "relationship": key}


def _reviews(noted: dict) -> dict[tuple[str, str], dict]:
    """One review per pair; an OVERLAP_REVIEWED wins over an ALIGNED_WITH."""
    return {pair: review for (_, pair), review in sorted(noted.items(), key=lambda item: item[0][0])}


def _tfidf(texts: list[str]) -> sp.csr_matrix:
    try:
        return TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float64).fit_transform(texts)
    except ValueError:  # no words at all (empty, or only stop words)
        return sp.csr_matrix((len(texts), 0))


def _vectors(profile: Profile, text: sp.csr_matrix, sets: list[list[set]]) -> sp.csr_matrix:
    """Each item's vector: its parts scaled by the square roots of their weights, so dot products are scores."""
    parts = {role: _tag_matrix([column for facet, column in zip(profile.facets, sets, strict=True)
                                if facet.role == role]) for role in ("what", "where", "why", "who")}
    scope = parts["what"]
    for factor in (parts["where"], parts["why"]):
        scope = scope if factor is None else _row_kron(scope, factor)
    return sp.hstack([np.sqrt(weight) * part for weight, part in
                      ((profile.text, text), (profile.scope, scope), (profile.who, parts["who"]))
                      if part is not None], format="csr")


def _tag_matrix(columns: list[list[set]]) -> sp.csr_matrix | None:
    """Unit rows over the items' tags, each tag weighted by its rarity (smooth idf, as in TF-IDF)."""
    if not columns:
        return None
    vocabulary: dict[tuple[int, str], int] = {}
    rows = [row for column in columns for row, items in enumerate(column) for _ in items]
    indices = [vocabulary.setdefault((position, item), len(vocabulary))
               for position, column in enumerate(columns) for items in column for item in items]
    matrix = _csr(sp.coo_matrix((np.ones(len(rows)), (rows, indices)), shape=(len(columns[0]), len(vocabulary))))
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    matrix.data *= np.log((1 + matrix.shape[0]) / (1 + counts[matrix.indices])) + 1
    norms = _norms(matrix)
    return sp.diags(np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)) @ matrix


def _row_kron(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    """Row-wise Kronecker product: the dot products of its rows are those of ``a``'s times ``b``'s.

    >>> _row_kron(sp.csr_matrix([[1.0, 2.0]]), sp.csr_matrix([[3.0, 0.0]])).toarray()
    array([[3., 0., 6., 0.]])
    """
    a, b = _csr(a), _csr(b)
    counts_b = np.diff(b.indptr)
    sizes = np.diff(a.indptr) * counts_b
    row = np.repeat(np.arange(a.shape[0]), sizes)
    offset = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    at_a = a.indptr[row] + offset // np.maximum(counts_b, 1)[row]
    at_b = b.indptr[row] + offset % np.maximum(counts_b, 1)[row]
    indices = a.indices[at_a].astype(np.int64) * b.shape[1] + b.indices[at_b]
    return sp.csr_matrix((a.data[at_a] * b.data[at_b], indices, np.concatenate([[0], np.cumsum(sizes)])),
                         shape=(a.shape[0], a.shape[1] * b.shape[1]))


def _pair_dots(m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    m = _csr(m)
    return np.concatenate([np.zeros(0)] + [np.asarray(m[rows[k:k + chunk]].multiply(m[cols[k:k + chunk]])
                                                      .sum(axis=1)).ravel() for k in range(0, len(rows), chunk)])


def _pair_key(rows, cols, n: int):
    return np.asarray(rows, dtype=np.int64) * n + np.asarray(cols, dtype=np.int64)


def _shared(graph, nodes: set) -> list[dict]:
    return sorted((_ref(graph, node) for node in nodes), key=lambda ref: (ref["name"].lower(), ref["id"]))


def _ref(graph, node: str) -> dict:
    return {"id": node, "name": label(graph, node)}
