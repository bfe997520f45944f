"""Likely duplicate records: the same organisation or person entered twice.

Names are normalised (accents and punctuation dropped, lower case, "&" read as "and", abbreviations
written out: "Cncl" as "council", "FT" as "foundation trust", "PCN" as "primary care network"...;
titles such as "Dr" dropped) and compared with rapidfuzz: the name similarity is the higher of the
plain and the word-order-blind (token sort) ratio. Then::

    score = name similarity + 0.10 if the two share an e-mail address or identifier
                            - 0.25 if both have one and they differ
                            + 0.05 if they share a neighbour (an employer, a group, an initiative...)

capped at 1; a shared e-mail address or identifier alone makes at least 0.9. Only records of the same
type are compared, and an example record only with example records (each side is marked ``example: true``).
E-mail addresses are never shown: the reasons say whether they match.

Blocking: only pairs that share an e-mail address or identifier, that are close in a sorted list of
the normalised names (sorted as written, last word first, and run together), or that share a block key
are scored, in bulk (``rapidfuzz.process.cpdist``). The keys are the words, the pairs of neighbouring
words, each also with one letter left out of one word (so a dropped, doubled, swapped or wrong letter
still meets the right spelling), and the name run together; keys held by more than ``BLOCK_CAP`` names
are too common to use. ``brute_force_duplicates`` compares every pair of the same type instead
(``rapidfuzz.process.cdist``, a block of rows at a time), as the reference.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import combinations

import networkx as nx
import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process

from .common import label
from .overlap_items import ALIGNED, REVIEWED
from .overlaps import DEFAULT_MIN_SCORE, is_example, pair_review, side

__all__ = ["ABBREVIATIONS", "RECORD_TYPES", "block_keys", "brute_force_duplicates", "find_duplicates", "normalise_name"]

RECORD_TYPES = ("Organisation", "Person")
ABBREVIATIONS = {
    "cncl": "council", "cnl": "council", "ft": "foundation trust", "fdn": "foundation", "pcn": "primary care network",
    "icb": "integrated care board", "ccg": "clinical commissioning group", "hosp": "hospital",
    "hosps": "hospitals", "univ": "university", "uni": "university", "assoc": "association", "dept": "department",
    "ctr": "centre", "ctre": "centre", "center": "centre", "svc": "service", "svcs": "services",
    "mh": "mental health", "comm": "community", "natl": "national", "intl": "international", "ltd": "limited",
    "govt": "government", "grp": "group",
}
TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "rev", "cllr"})
CONTACTS = ("email", "identifier")
WINDOW = 16  # each name is compared with the next WINDOW names in every sorted list
BLOCK_CAP = 200  # a key shared by more names than this is too common to block on
_EPS = 1e-9


def find_duplicates(graph: nx.MultiDiGraph, min_score: float | None = None, limit: int | None = None,
                    include_reviewed: bool = False, types: tuple[str, ...] = RECORD_TYPES) -> list[dict]:
    """Likely duplicate pairs of records of the same type, best first, scored 0..1 with reasons.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", type="Organisation", name="Example Borough Council")
    >>> g.add_node("b", type="Organisation", name="Example Borough Cncl")
    >>> [(e["a"]["id"], e["b"]["id"], e["score"]) for e in find_duplicates(g)]
    [('a', 'b', 1.0)]
    """
    return _duplicates(graph, min_score, limit, include_reviewed, types, _candidates)


def brute_force_duplicates(graph: nx.MultiDiGraph, min_score: float | None = None, include_reviewed: bool = False,
                           types: tuple[str, ...] = RECORD_TYPES) -> list[dict]:
    """The answer of ``find_duplicates`` with every pair of the same type compared: the recall reference.

    >>> brute_force_duplicates(nx.MultiDiGraph())
    []
    """
    return _duplicates(graph, min_score, None, include_reviewed, types, _all_candidates)


def normalise_name(name: str) -> str:
    """Lower case, no accents or punctuation, abbreviations written out and titles dropped.

    >>> normalise_name("Dr. Example Mental Health NHS FT & Partners")
    'example mental health nhs foundation trust and partners'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    return " ".join(ABBREVIATIONS.get(word, word) for word in re.findall(r"[a-z0-9]+", text) if word not in TITLES)


# -- helpers ---------------------------------------------------------------------------------------

def _duplicates(graph, min_score, limit, include_reviewed, types, candidates) -> list[dict]:
    threshold = DEFAULT_MIN_SCORE["record"] if min_score is None else float(min_score)
    found, neighbours = [], {}
    for node_type in types:
        records = sorted((node, data) for node, data in graph.nodes(data=True) if data.get("type") == node_type)
        if len(records) < 2:
            continue
        names = np.array([normalise_name(label(graph, node)) for node, _ in records], dtype=object)
        rows, cols = candidates(records, names, threshold)
        if not len(rows):
            continue
        similarity = np.maximum(*(process.cpdist(names[rows], names[cols], scorer=scorer, workers=-1)
                                  for scorer in (fuzz.ratio, fuzz.token_sort_ratio))) / 100
        same, differ = _contacts(records, rows, cols)
        hopeful = np.flatnonzero(_score(similarity, same.any(axis=0), differ, True) >= threshold - _EPS)
        for k in hopeful.tolist():
            a, b = records[rows[k]][0], records[cols[k]][0]
            if is_example(graph, a) != is_example(graph, b):
                continue  # a fictional namesake is not a duplicate of a real record, and could not be reviewed
            shared = _neighbours(graph, a, neighbours) & _neighbours(graph, b, neighbours) - {a, b}
            score = float(_score(similarity[k], same[:, k].any(), differ[k], bool(shared)))
            review = pair_review(graph, a, b)
            if score < threshold - _EPS or (review and review["decision"] == "distinct" and not include_reviewed):
                continue
            reasons = {"name_similarity": round(float(similarity[k]), 4), "same_email": bool(same[0, k]),
                       "same_identifier": bool(same[1, k]), "shared": _refs(graph, shared)[:20]}
            found.append({"a": side(graph, a), "b": side(graph, b), "type": node_type, "score": round(score, 4),
                          "reasons": reasons, "review": review})
    found.sort(key=lambda entry: (-entry["score"], entry["type"], entry["a"]["id"], entry["b"]["id"]))
    return found[:limit]


def _score(similarity, same, differ, shared):
    """The score from the name similarity and the evidence (numbers or numpy arrays alike)."""
    score = similarity + np.where(same, 0.1, np.where(differ, -0.25, 0.0)) + np.where(shared, 0.05, 0.0)
    return np.minimum(1.0, np.maximum(score, np.where(same, 0.9, 0.0)))


def _candidates(records: list, names: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``i < j`` worth scoring: a shared contact, neighbours in sorted lists of the names, or a
    shared block key that is not too common (one sparse product finds the pairs sharing a key)."""
    found = [_same_contact(records)]
    for key in (names, [" ".join(reversed(name.split())) for name in names], [name.replace(" ", "") for name in names]):
        order = np.argsort(np.array(key, dtype=str), kind="stable")
        found += [(order[:-step], order[step:]) for step in range(1, min(WINDOW, len(order) - 1) + 1)]
    vocabulary: dict[str, int] = {}
    entries = np.array([(index, vocabulary.setdefault(key, len(vocabulary))) for index, name in enumerate(names)
                        for key in block_keys(name)], dtype=np.int64).reshape(-1, 2)
    incidence = sp.csr_matrix((np.ones(len(entries)), (entries[:, 0], entries[:, 1])),
                              shape=(len(names), len(vocabulary)))
    incidence = incidence[:, np.flatnonzero(np.bincount(incidence.indices, minlength=len(vocabulary)) <= BLOCK_CAP)]
    shared = sp.triu(incidence @ incidence.T, k=1).tocoo()
    found.append((shared.row, shared.col))
    return _unique_pairs(found, len(names))


def block_keys(name: str) -> set[str]:
    """Keys two spellings of one name are likely to share: each word, each pair of neighbouring words in
    either order, also with a letter left out of one of them (so one slip in a word still meets the word),
    and the name run together (so does a slipped space).

    >>> sorted(block_keys("ann lee"))
    ['an lee', 'ann *', 'ann ee', 'ann le', 'ann lee', 'annlee', 'lee *', 'lee nn']
    """
    words = name.split()
    keys = {"".join(words), *(f"{word} *" for word in words)}
    for first, second in list(zip(words, words[1:], strict=False)) or [(word, "") for word in words]:
        variants = [(first, second)] + [(first[:at] + first[at + 1:], second) for at in range(len(first))]
        variants += [(first, second[:at] + second[at + 1:]) for at in range(len(second))]
        keys.update(" ".join(sorted(pair)) for pair in variants)
    return keys


def _all_candidates(records: list, names: np.ndarray, threshold: float, chunk: int = 2000) -> tuple:
    """Every pair that can reach ``threshold``: names within 0.15 of it (rapidfuzz's all-pairs ``cdist``, a
    block of rows at a time), or a shared contact."""
    everyone = np.arange(len(names))
    return _unique_pairs([_same_contact(records)] + [_similar(names, everyone[start:start + chunk], everyone, threshold)
                                                     for start in range(0, len(names), chunk)], len(names))


def _similar(names: np.ndarray, left: np.ndarray, right: np.ndarray, threshold: float) -> tuple:
    """Pairs from ``left`` x ``right`` whose names are similar enough to reach ``threshold`` with every bonus."""
    found = []
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        scores = process.cdist(names[left], names[right], scorer=scorer, workers=-1,
                               score_cutoff=max(0.0, threshold - 0.15) * 100)
        rows, cols = np.nonzero(scores)
        keep = left[rows] < right[cols]
        found.append((left[rows][keep], right[cols][keep]))
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))


def _same_contact(records: list) -> tuple[np.ndarray, np.ndarray]:
    groups: dict[tuple[str, str], list[int]] = {}
    for index, (_, data) in enumerate(records):
        for field in CONTACTS:
            if data.get(field):
                groups.setdefault((field, str(data[field]).strip().lower()), []).append(index)
    pairs = [pair for members in groups.values() for pair in combinations(members, 2)]
    return np.array([a for a, _ in pairs], dtype=np.int64), np.array([b for _, b in pairs], dtype=np.int64)


def _contacts(records: list, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pair, whether it shares each contact field (one row per field), and whether any differs."""
    same, differ = np.zeros((len(CONTACTS), len(rows)), dtype=bool), np.zeros(len(rows), dtype=bool)
    for position, field in enumerate(CONTACTS):
        codes: dict[str, int] = {}
        values = np.array([codes.setdefault(str(data[field]).strip().lower(), len(codes)) if data.get(field) else -1
                           for _, data in records], dtype=np.int64)
        known = (values[rows] >= 0) & (values[cols] >= 0)
        same[position] = known & (values[rows] == values[cols])
        differ |= known & (values[rows] != values[cols])
    return same, differ


def _unique_pairs(found: list[tuple], n: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.concatenate([np.asarray(a, dtype=np.int64) for a, _ in found])
    cols = np.concatenate([np.asarray(b, dtype=np.int64) for _, b in found])
    keys = np.sort(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]]) & (keys // n != keys % n)]
    return keys // n, keys % n


def _neighbours(graph, node: str, memo: dict) -> set[str]:
    """Nodes linked to ``node`` either way, other than by a review or an alignment."""
    if node not in memo:
        memo[node] = {other for adjacency in (graph.succ[node], graph.pred[node]) for other, edges in adjacency.items()
                      if any(attrs.get("type") not in (REVIEWED, ALIGNED) for attrs in edges.values())}
    return memo[node]


def _refs(graph, nodes) -> list[dict]:
    return sorted((side(graph, node) for node in nodes), key=lambda ref: (ref["name"].lower(), ref["id"]))
