"""Vocabulary rules beyond property types: allowed endpoints, forbidden links, cardinality.

Checked inside the write transaction, so the state they read is the state the write commits on.
"""

from __future__ import annotations

from .errors import Conflict, Invalid
from .store.model import Node
from .store.port import GraphReader
from .vocabulary import RelationshipType, Rule, Vocabulary

__all__ = ["check_links_after_update", "check_new_relationship"]


def check_new_relationship(vocabulary: Vocabulary, reader: GraphReader, rel_type: RelationshipType,
                           source: Node, target: Node, tolerate: frozenset[str] = frozenset()) -> list[str]:
    """Raise Invalid if a ``rel_type`` relationship from ``source`` to ``target`` is not allowed.

    Breaches of rules named in ``tolerate`` are returned instead of raised: bulk loads of legacy
    data use this to bring in, say, an action with two owners so that the gap report flags it.
    """
    if not rel_type.allows(source.type, target.type):
        raise Invalid(
            f"{rel_type.name} cannot join {source.type} '{source.id}' to {target.type} '{target.id}'. "
            f"Allowed: {rel_type.describe_endpoints()}.",
            {"type": [f"{rel_type.name} allows only {rel_type.describe_endpoints()}."]})
    tolerated = []
    for rule in vocabulary.rules_for(rel_type.name):
        if _breaks(rule, reader, source, target, adding=True):
            if rule.kind == "forbidden_link":
                raise Invalid(rule.message, {"rule": [rule.id]})
            if rule.id not in tolerate:
                # A cardinality limit clashes with what is already stored: a conflict, not bad input.
                raise Conflict(rule.message.replace("{target}", target.id), {"rule": [rule.id]})
            tolerated.append(rule.id)
    return tolerated


def check_links_after_update(vocabulary: Vocabulary, reader: GraphReader, node: Node) -> None:
    """Raise Invalid if an edit to ``node`` makes one of its existing relationships break a rule
    (e.g. turning a group with people in it into a caucus)."""
    nodes = {node.id: node}
    for rel in reader.relationships_of(node.id):
        for rule in vocabulary.rules_for(rel.type):
            if rule.kind != "forbidden_link":
                continue
            source = nodes.get(rel.source) or reader.get_node(rel.source)
            target = nodes.get(rel.target) or reader.get_node(rel.target)
            if _breaks(rule, reader, source, target, adding=False):
                raise Invalid(rule.message, {"rule": [rule.id]})


def _breaks(rule: Rule, reader: GraphReader, source: Node, target: Node, adding: bool) -> bool:
    if rule.from_type and source.type != rule.from_type:
        return False
    if rule.to_type and target.type != rule.to_type:
        return False
    if rule.kind == "forbidden_link":
        return all(target.properties.get(key) == value for key, value in rule.to_where.items())
    if rule.kind == "max_incoming":
        _, existing = reader.find_relationships(rel_type=rule.relationship, target=target.id, limit=1)
        return existing + (1 if adding else 0) > rule.max
    return False
