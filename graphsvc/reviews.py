"""Overlap reviews: a coordinator's decision on a pair the overlap detector flagged.

A review is an OVERLAP_REVIEWED relationship from ``a`` to ``b`` carrying ``decision`` (aligned,
duplicate or distinct) and an optional ``note``; who made it and when come from the change log. It
lives in the graph, so every server process reads the same reviews. Reviewing a pair again replaces
the earlier review (in either direction) in the same transaction. ``aligned`` on two initiatives also
records ALIGNED_WITH between them, unless they are aligned already; it is left in place if the pair is
later reviewed otherwise (the alignment is an agreement between the initiatives, removed on its own).
"""

from __future__ import annotations

from typing import Any

from .analysis.overlaps import ALIGNED, REVIEWED
from .errors import Invalid
from .service import GraphService
from .store.model import Operation

__all__ = ["decisions", "record_review", "review_stamps", "stamp_reviews"]


def decisions(service: GraphService) -> list[str]:
    """The decisions a review may record, as the vocabulary declares them."""
    return list(service.relationship_type(REVIEWED).properties["decision"].values)


def record_review(service: GraphService, a: str, b: str, decision: str, note: str | None, actor: str) -> dict:
    """Record (or replace) the review of the pair ``a``, ``b``; return it with who made it and when.

    Raises ``Invalid`` (HTTP 422, with field errors) for an unknown node, a pair of different types, a
    node paired with itself or an unknown decision.
    """
    errors: dict[str, list[str]] = {}
    if decision not in decisions(service):
        errors["decision"] = [f"Must be one of: {', '.join(decisions(service))}."]
    if a == b:
        errors["b"] = ["Must be a different node from a."]
    with service.store.transaction(actor) as tx:
        nodes = {field: tx.get_node(node_id) for field, node_id in (("a", a), ("b", b))}
        for field, node in nodes.items():
            if node is None:
                errors.setdefault(field, []).append(f"No node has id '{a if field == 'a' else b}'.")
        if nodes["a"] and nodes["b"] and nodes["a"].type != nodes["b"].type:
            errors.setdefault("b", []).append(f"Must be of the same type as a ({nodes['a'].type}), "
                                              f"not {nodes['b'].type}.")
        if errors:
            raise Invalid("The review must name two different existing nodes of one type and a known decision.",
                          errors)
        for rel in _between(tx, REVIEWED, a, b):
            tx.delete_relationship(rel.id)
        review = service.add_relationship(tx, REVIEWED, a, b, {"decision": decision, "note": note})
        if (decision == "aligned" and service.relationship_type(ALIGNED).allows(nodes["a"].type, nodes["b"].type)
                and not _between(tx, ALIGNED, a, b)):
            service.add_relationship(tx, ALIGNED, a, b, {"note": note})
    by, at = review_stamps(service, [review.id])[review.id]
    return {"a": a, "b": b, "decision": decision, "note": note, "by": by, "at": at}


def review_stamps(service: GraphService, relationship_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """Who created each relationship and when (UTC), from the change log: ``{id: (actor, at)}``."""
    stamps = {}
    for rel_id in dict.fromkeys(relationship_ids):
        created = [change for change in service.store.history(subject=rel_id, limit=10)
                   if change.operation == Operation.CREATE_RELATIONSHIP]
        stamps[rel_id] = (created[0].actor, created[0].at) if created else (None, None)
    return stamps


def stamp_reviews(service: GraphService, overlaps: list[dict]) -> list[dict]:
    """The overlaps with each review given as ``{decision, note, by, at}`` (who and when from the change log)."""
    stamps = review_stamps(service, [entry["review"]["relationship"] for entry in overlaps if entry["review"]])
    for entry in overlaps:
        if entry["review"]:
            review = entry["review"]
            by, at = stamps[review["relationship"]]
            entry["review"] = {"decision": review["decision"], "note": review["note"], "by": by, "at": at}
    return overlaps


def _between(tx, rel_type: str, a: str, b: str) -> list[Any]:
    """Relationships of one type between ``a`` and ``b``, either way round."""
    return [rel for source, target in ((a, b), (b, a))
            for rel in tx.find_relationships(rel_type=rel_type, source=source, target=target, limit=1000)[0]]
