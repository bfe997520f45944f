"""The items of one overlap kind made ready to compare: each a sparse vector whose dot products are the scores.

A ``Profile`` says which relationships give an item's facets (themes, populations, places, partners; for actions
recommendations, themes, outcomes, owners) and how the three similarities are weighted. ``prepare`` reads the
items' edges once, vectorises their text (TF-IDF) and their facet sets (tags weighted by rarity, the scope as the
row-wise Kronecker product of "what" and "where"/"why"), and notes the reviews recorded between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ..vocabulary import EXAMPLE_PROPERTY
from .common import label
from .similarity import _csr, _norms, _row_kron

__all__ = ["ALIGNED", "PROFILES", "REVIEWED", "Facet", "Items", "Profile", "is_example", "note_review", "prepare",
           "reviews_by_pair"]

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
    leads: str  # the relationship whose sources answer for an item: who to talk to about a pair
    text: float = 0.4  # the weights of the three similarities, summing to 1
    scope: float = 0.5
    who: float = 0.1


PROFILES = {
    "initiative": Profile("Initiative", (
        Facet("themes", "what", frozenset({"ADDRESSES"}), False, "Theme"),
        Facet("populations", "what", frozenset({"SERVES"}), False, "Population"),
        Facet("places", "where", frozenset({"OPERATES_IN"}), False, "Place"),
        Facet("partners", "who", frozenset({"LEADS", "PARTNERS_IN", "FUNDS"}), True, "Organisation"),
    ), leads="LEADS"),
    "action": Profile("Action", (
        Facet("recommendations", "why", frozenset({"IMPLEMENTS"}), False, "Recommendation"),
        Facet("themes", "what", frozenset({"ADDRESSES"}), False, "Theme"),
        Facet("outcomes", "why", frozenset({"CONTRIBUTES_TO"}), False, "Outcome"),
        Facet("owners", "who", frozenset({"ACCOUNTABLE_FOR", "RESPONSIBLE_FOR"}), True),
    ), leads="ACCOUNTABLE_FOR"),
}


def is_example(graph: nx.MultiDiGraph, node: str) -> bool:
    return graph.nodes[node].get(EXAMPLE_PROPERTY) is True


@dataclass
class Items:
    """The items of one kind, ready to compare: ids, example marks, facet sets, reviews and vectors."""

    ids: list[str]
    examples: np.ndarray
    sets: list[list[set]]
    reviews: dict
    text: sp.csr_matrix
    vectors: sp.csr_matrix
    rows: dict[str, int] = field(init=False, repr=False)  # each id's position: one record's row at once

    def __post_init__(self):
        self.rows = {node: position for position, node in enumerate(self.ids)}


def prepare(graph, profile: Profile) -> Items:
    ids, texts, sets, reviews = _collect(graph, profile)
    text = _csr(_tfidf(texts))
    examples = np.array([is_example(graph, node) for node in ids], dtype=bool)
    # In canonical form (indices sorted, no duplicates) the joins find nothing to sort in place, so
    # prepared items can be shared by readers on several threads.
    return Items(ids, examples, sets, reviews, text, _csr(_vectors(profile, text, sets)))


def _collect(graph, profile: Profile) -> tuple[list[str], list[str], list[list[set]], dict]:
    """Ids, texts, each facet's sets of neighbours and the reviews, in one pass over the items' edges.

    Themes, populations, places and the like bring the nodes they are PART_OF too, so work in a ward
    shares its borough with borough-wide work.
    """
    facet_of = {(rel, facet.incoming): (position, facet) for position, facet in enumerate(profile.facets)
                for rel in facet.relationships}
    ids, texts, sets, reviews, wider = [], [], [[] for _ in profile.facets], {}, {}
    # The raw dicts behind networkx's views: every item's every edge is read, and the views cost more
    # than the reading (the overlaps of one record need this pass too, for the idf weights).
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    for node, data in nodes.items():
        if data.get("type") != profile.node_type:
            continue
        ids.append(node)
        texts.append(f"{label(graph, node)} {data.get('description') or ''}")
        found = [set() for _ in profile.facets]
        for incoming, adjacency in ((False, succ[node]), (True, pred[node])):
            for other, edges in adjacency.items():
                other_type = nodes[other].get("type")
                for key, attrs in edges.items():
                    if not incoming and other_type == profile.node_type:
                        note_review(reviews, node, other, key, attrs)
                    position, facet = facet_of.get((attrs.get("type"), incoming), (None, None))
                    if facet is not None and facet.node_type in (None, other_type):
                        found[position].add(other)
                        if facet.role != "who":
                            found[position].update(_ancestors(graph, other, wider))
        for column, items in zip(sets, found, strict=True):
            column.append(items)
    return ids, texts, sets, reviews_by_pair(reviews)


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


def note_review(reviews: dict, node: str, other: str, key: str, attrs: dict) -> None:
    if attrs.get("type") in (REVIEWED, ALIGNED) and node != other:
        pair = (node, other) if node < other else (other, node)
        decision = attrs.get("decision") if attrs["type"] == REVIEWED else "aligned"
        reviews[(attrs["type"] == REVIEWED, pair)] = {"decision": decision, "note": attrs.get("note"),
                                                      "relationship": key}


def reviews_by_pair(noted: dict) -> dict[tuple[str, str], dict]:
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
