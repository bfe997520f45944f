"""Vocabulary rules beyond property types: allowed endpoints, forbidden links, cardinality.

Checked inside the write transaction, so the state they read is the state the write commits on.
Single writes call ``check_new_relationship``; bulk imports call the parts it is made of
(``endpoint_error``, ``forbidden_link``, ``cardinality_limits``) once per row with counts read in bulk.
"""

from __future__ import annotations

from .errors import Conflict, Invalid
from .store.model import Node
from .store.port import GraphReader
from .vocabulary import RelationshipType, Rule, Vocabulary

__all__ = ["cardinality_limits", "check_links_after_update", "check_new_relationship", "endpoint_error",
           "forbidden_link", "limit_breached"]


def check_new_relationship(vocabulary: Vocabulary, reader: GraphReader, rel_type: RelationshipType,
                           source: Node, target: Node, tolerate: frozenset[str] = frozenset()) -> list[str]:
    """Raise Invalid if a ``rel_type`` relationship from ``source`` to ``target`` is not allowed.

    Breaches of rules named in ``tolerate`` are returned instead of raised: bulk loads of legacy
    data use this to bring in, say, an action with two owners so that the gap report flags it.
    """
    problem = endpoint_error(rel_type, source.id, source.type, target.id, target.type)
    if problem is not None:
        raise problem
    rule = forbidden_link(vocabulary, rel_type.name, source.type, target)
    if rule is not None:
        raise Invalid(rule.message, {"rule": [rule.id]})
    tolerated = []
    for rule in cardinality_limits(vocabulary, rel_type.name, target.type):
        existing = reader.count_incoming(rule.relationship, [target.id]).get(target.id, 0)
        if existing + 1 > rule.max:
            if rule.id not in tolerate:
                raise limit_breached(rule, target.id)
            tolerated.append(rule.id)
    return tolerated


def endpoint_error(rel_type: RelationshipType, source_id: str, source_type: str, target_id: str,
                   target_type: str) -> Invalid | None:
    """The error for joining these two node types with ``rel_type``, or None when it is allowed."""
    if rel_type.allows(source_type, target_type):
        return None
    return Invalid(f"{rel_type.name} cannot join {source_type} '{source_id}' to {target_type} '{target_id}'. "
                   f"Allowed: {rel_type.describe_endpoints()}.",
                   {"type": [f"{rel_type.name} allows only {rel_type.describe_endpoints()}."]})


def forbidden_link(vocabulary: Vocabulary, rel_type: str, source_type: str, target: Node) -> Rule | None:
    """The privacy rule a ``rel_type`` link from a ``source_type`` node to ``target`` breaks, if any.
    These never yield, whatever the write path."""
    for rule in vocabulary.rules_for(rel_type):
        if rule.kind == "forbidden_link" and _applies(rule, source_type, target.type) and \
                all(target.properties.get(key) == value for key, value in rule.to_where.items()):
            return rule
    return None


def forbidden_target_types(vocabulary: Vocabulary, rel_type: str) -> set[str | None]:
    """Target types whose properties a forbidden-link rule on ``rel_type`` reads (None: any type)."""
    return {rule.to_type for rule in vocabulary.rules_for(rel_type) if rule.kind == "forbidden_link"}


def cardinality_limits(vocabulary: Vocabulary, rel_type: str, target_type: str) -> list[Rule]:
    """The max_incoming rules that count ``rel_type`` relationships ending at a ``target_type`` node."""
    return [rule for rule in vocabulary.rules_for(rel_type)
            if rule.kind == "max_incoming" and (not rule.to_type or rule.to_type == target_type)]


def limit_breached(rule: Rule, target_id: str) -> Conflict:
    # A cardinality limit clashes with what is already stored: a conflict, not bad input.
    return Conflict(rule.message.replace("{target}", target_id), {"rule": [rule.id]})


def check_links_after_update(vocabulary: Vocabulary, reader: GraphReader, node: Node) -> None:
    """Raise Invalid if an edit to ``node`` makes one of its existing relationships break a rule
    (e.g. turning a group with people in it into a caucus)."""
    for rel in reader.relationships_of(node.id):
        if rel.target != node.id:
            continue  # forbidden-link rules read the target's properties only
        source = reader.get_node(rel.source)
        rule = forbidden_link(vocabulary, rel.type, source.type, node)
        if rule is not None:
            raise Invalid(rule.message, {"rule": [rule.id]})


def _applies(rule: Rule, source_type: str, target_type: str) -> bool:
    return (not rule.from_type or rule.from_type == source_type) and (not rule.to_type or rule.to_type == target_type)
