"""Overlap pairs as the pages show them: the queue (/overlaps) and a record's own page shape them here.

What a kind of record is compared on comes from the analysis's profiles (`PROFILES`), so a facet added
there shows on both pages without a change here.
"""

from __future__ import annotations

from ..analysis.overlap_items import PROFILES
from .formatting import phrase, readable_time

__all__ = ["KIND_WORDS", "REVIEW_ROLE", "compared_on", "overlap_kind", "pair_view", "score_in_words"]

REVIEW_ROLE = "coordinator"
# How each kind's sides read: who `side` lists for it (the profile's `leads` relationship), in words.
KIND_WORDS = {
    "initiative": {"noun": "initiative", "plural": "initiatives", "leads": "Led by", "no_leads": "no lead recorded"},
    "action": {"noun": "action", "plural": "actions", "leads": "Accountable",
               "no_leads": "no accountable owner recorded"},
}
# The kind of each record type that has overlaps: {"Initiative": "initiative", "Action": "action"}.
_KINDS = {profile.node_type: kind for kind, profile in PROFILES.items()}


def overlap_kind(node_type: str) -> str | None:
    """The overlap kind of records of ``node_type``, or None when such records have no overlaps."""
    return _KINDS.get(node_type)


def compared_on(kind: str) -> str:
    """What pairs of ``kind`` are compared on, in words: "themes, populations, places, partners and descriptions"."""
    return ", ".join(facet.key for facet in PROFILES[kind].facets) + " and descriptions"


def pair_view(index: int, entry: dict, kind: str = "initiative") -> dict:
    """One pair of the read layer's answer, readable: the score in words, each shared facet labelled."""
    reasons = entry["reasons"]
    review = entry["review"]
    return {
        "index": index, "a": entry["a"], "b": entry["b"], "score": score_in_words(entry["score"]),
        "reasons": [{"key": facet.key, "label": f"Shared {facet.key}", "items": reasons.get(facet.key) or []}
                    for facet in PROFILES[kind].facets],
        "text": f"{reasons.get('text', 0):.2f}",
        "review": {**review, "decision_text": phrase(review["decision"]), "when": readable_time(review["at"])}
        if review else None,
    }


def score_in_words(score: float) -> str:
    """How close a pair is, in words with the figure: "Strong overlap (0.82)"."""
    words = "Strong overlap" if score >= 0.8 else "Likely overlap" if score >= 0.6 else "Possible overlap"
    return f"{words} ({score:.2f})"
