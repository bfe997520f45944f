"""Overlap reviews: a coordinator's decision on a pair the overlap detector flagged.

A review is an OVERLAP_REVIEWED relationship from ``a`` to ``b`` carrying ``decision`` (aligned,
duplicate or distinct) and an optional ``note``; who made it and when come from the change log. It
lives in the graph, so every server process reads the same reviews.

Any coordinator records the first decision on a pair. Changing it, or undoing it, takes the role the
vocabulary gives for deleting an OVERLAP_REVIEWED (``delete_role``: the governance group), because
either would overwrite someone's recorded decision. Repeating a decision word for word changes nothing
and needs no more than recording it did, so a client may safely retry.

``aligned`` on two initiatives also records ALIGNED_WITH between them, unless they are aligned already.
A changed decision leaves that ALIGNED_WITH in place (the alignment is an agreement between the
initiatives, removed on its own); undoing an ``aligned`` review removes it, since an ALIGNED_WITH left
behind would still show the pair as aligned and the undo would change nothing a reader can see.
"""

from __future__ import annotations

from typing import Any

from .analysis.overlap_items import ALIGNED, REVIEWED
from .errors import Invalid, NotFound
from .rules import require_role
from .service import GraphService
from .store.model import Operation

__all__ = ["decisions", "record_review", "review_stamps", "stamp_reviews", "undo_review"]


def decisions(service: GraphService) -> list[str]:
    """The decisions a review may record, as the vocabulary declares them."""
    return list(service.relationship_type(REVIEWED).properties["decision"].values)


def record_review(service: GraphService, a: str, b: str, decision: str, note: str | None, actor: str,
                  role: str | None = None) -> tuple[dict, bool]:
    """Record the review of the pair ``a``, ``b`` (or replace one, with the role to undo reviews).

    Returns the review with who made it and when, and whether anything changed. ``role`` is the
    caller's (None: a trusted caller such as the CLI). Raises ``Invalid`` (HTTP 422, with field errors)
    for an unknown node, a pair of different types, a node paired with itself or an unknown decision,
    and ``Forbidden`` (403) when an earlier, different review would need replacing without that role.
    """
    with service.store.transaction(actor) as tx:
        nodes = _check_pair(service, tx, a, b, decision)
        earlier = _between(tx, REVIEWED, a, b)
        repeated = bool(earlier) and all(_says(rel, decision, note) for rel in earlier)
        if repeated:
            review = earlier[0]
        else:
            review = _replace(service, tx, nodes, earlier, decision, note, role)
    return _stamped(service, a, b, review), not repeated


def undo_review(service: GraphService, a: str, b: str, actor: str, role: str | None = None) -> dict:
    """Remove the review of the pair ``a``, ``b`` (either way round); an ``aligned`` one takes the pair's
    ALIGNED_WITH with it. Returns the decision undone and the relationships removed.

    Raises ``NotFound`` when the pair has no review and ``Forbidden`` without the role to undo reviews.
    """
    with service.store.transaction(actor) as tx:
        reviews = _between(tx, REVIEWED, a, b)
        if not reviews:
            raise NotFound(f"No review of '{a}' and '{b}' is recorded (an ALIGNED_WITH on its own is removed "
                           "with DELETE /api/v1/relationships/<id>).")
        aligned = any(rel.properties.get("decision") == "aligned" for rel in reviews)
        removed = reviews + (_between(tx, ALIGNED, a, b) if aligned else [])
        for rel in removed:
            _require_undo_role(service, rel, role, f"Undoing the review of '{a}' and '{b}'")
            tx.delete_relationship(rel.id)
    return {"a": a, "b": b, "decision": reviews[0].properties.get("decision"),
            "note": reviews[0].properties.get("note"),
            "removed": [{"id": rel.id, "type": rel.type, "from": rel.source, "to": rel.target} for rel in removed]}


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


# -- helpers ---------------------------------------------------------------------------------------

def _check_pair(service: GraphService, tx, a: str, b: str, decision: str) -> tuple[Any, Any]:
    """The two nodes, or ``Invalid`` naming every field at fault."""
    errors: dict[str, list[str]] = {}
    if decision not in decisions(service):
        errors["decision"] = [f"Must be one of: {', '.join(decisions(service))}."]
    if a == b:
        errors["b"] = ["Must be a different node from a."]
    nodes = {field: tx.get_node(node_id) for field, node_id in (("a", a), ("b", b))}
    for field, node_id in (("a", a), ("b", b)):
        if nodes[field] is None:
            errors.setdefault(field, []).append(f"No node has id '{node_id}'.")
    if nodes["a"] and nodes["b"] and nodes["a"].type != nodes["b"].type:
        errors.setdefault("b", []).append(f"Must be of the same type as a ({nodes['a'].type}), not {nodes['b'].type}.")
    if errors:
        raise Invalid("The review must name two different existing nodes of one type and a known decision.", errors)
    return nodes["a"], nodes["b"]


def _replace(service: GraphService, tx, nodes: tuple, earlier: list, decision: str, note: str | None,
             role: str | None):
    """Write the review in place of the ``earlier`` ones (which takes the role to undo them)."""
    a, b = nodes[0].id, nodes[1].id
    for rel in earlier:
        _require_undo_role(service, rel, role, f"Changing the review of '{a}' and '{b}' (recorded as "
                                               f"'{rel.properties.get('decision')}')")
        tx.delete_relationship(rel.id)
    review = service.add_relationship(tx, REVIEWED, a, b, {"decision": decision, "note": note})
    if (decision == "aligned" and service.relationship_type(ALIGNED).allows(nodes[0].type, nodes[1].type)
            and not _between(tx, ALIGNED, a, b)):
        service.add_relationship(tx, ALIGNED, a, b, {"note": note})
    return review


def _says(rel, decision: str, note: str | None) -> bool:
    return rel.properties.get("decision") == decision and (rel.properties.get("note") or None) == (note or None)


def _require_undo_role(service: GraphService, rel, role: str | None, what: str) -> None:
    require_role(service.relationship_type(rel.type).role_to_delete, role, what)


def _stamped(service: GraphService, a: str, b: str, review) -> dict:
    by, at = review_stamps(service, [review.id])[review.id]
    return {"a": a, "b": b, "decision": review.properties.get("decision"), "note": review.properties.get("note"),
            "by": by, "at": at}


def _between(tx, rel_type: str, a: str, b: str) -> list[Any]:
    """Relationships of one type between ``a`` and ``b``, either way round."""
    return [rel for source, target in ((a, b), (b, a))
            for rel in tx.find_relationships(rel_type=rel_type, source=source, target=target, limit=1000)[0]]
