"""Vocabulary rules beyond property types: allowed endpoints, forbidden links, cardinality.

Checked inside the write transaction, so the state they read is the state the write commits on.
Single writes call ``check_new_relationship``; bulk imports call the parts it is made of
(``endpoint_error``, ``link_breach``, ``cardinality_limits``) once per row with counts read in bulk.

Link rules (privacy and the example boundary) read a few properties of both ends — a group's
``kind``, a record's ``example`` mark — and never yield, whatever the write path.
"""

from __future__ import annotations

from typing import Any, Protocol

from .auth import role_at_least
from .errors import Conflict, Forbidden, Invalid
from .store.port import GraphReader
from .vocabulary import EXAMPLE_PROPERTY, RelationshipType, Rule, Vocabulary

__all__ = ["cardinality_limits", "check_links_after_update", "check_new_relationship", "check_not_self_link",
           "endpoint_error", "is_example", "limit_breached", "link_breach", "property_write_roles",
           "require_property_roles", "require_role", "role_to_delete", "rule_properties"]


class NodeLike(Protocol):
    """What link rules read of an end: its type and (some of) its properties."""

    id: str
    type: str
    properties: dict[str, Any]


def check_new_relationship(vocabulary: Vocabulary, reader: GraphReader, rel_type: RelationshipType,
                           source: NodeLike, target: NodeLike, tolerate: frozenset[str] = frozenset()) -> list[str]:
    """Raise Invalid if a ``rel_type`` relationship from ``source`` to ``target`` is not allowed.

    Breaches of rules named in ``tolerate`` are returned instead of raised: bulk loads of legacy
    data use this to bring in, say, an action with two owners so that the gap report flags it.
    """
    problem = endpoint_error(rel_type, source.id, source.type, target.id, target.type)
    if problem is not None:
        raise problem
    check_not_self_link(source.id, target.id)
    rule = link_breach(vocabulary, rel_type.name, source, target)
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


def check_not_self_link(source_id: str, target_id: str) -> None:
    """No relationship joins a node to itself (a ward part of itself, an initiative aligned with itself)."""
    if source_id == target_id:
        raise Invalid(f"A relationship cannot join '{source_id}' to itself.",
                      {"to": ["Must be a different node from 'from'."]})


def link_breach(vocabulary: Vocabulary, rel_type: str, source: NodeLike, target: NodeLike) -> Rule | None:
    """The link rule (privacy, example boundary) a ``rel_type`` link from ``source`` to ``target``
    breaks, if any."""
    for rule in vocabulary.rules_for(rel_type):
        if rule.kind == "forbidden_link" and (_forbidden(rule, source, target) or
                                              (rule.either_direction and _forbidden(rule, target, source))):
            return rule
        if (rule.kind == "link_needs_property" and source.type == rule.from_type
                and source.properties.get(rule.property) is None):
            return rule  # e.g. a measurement for a population must say how many people it describes
        if rule.kind == "example_boundary" and is_example(source) != is_example(target):
            if rel_type not in rule.may_cross or not is_example(source):
                return rule  # only example work may reach out, and only to what it is about
    return None


def is_example(node: NodeLike) -> bool:
    return node.properties.get(EXAMPLE_PROPERTY) is True


def rule_properties(vocabulary: Vocabulary) -> frozenset[str]:
    """The node properties link rules read: only a change to one of these can break a stored link."""
    names = {EXAMPLE_PROPERTY} if any(rule.kind == "example_boundary" for rule in vocabulary.rules) else set()
    for rule in vocabulary.rules:
        names.update(rule.to_where)
        if rule.property:
            names.add(rule.property)
    return frozenset(names)


def cardinality_limits(vocabulary: Vocabulary, rel_type: str, target_type: str) -> list[Rule]:
    """The max_incoming rules that count ``rel_type`` relationships ending at a ``target_type`` node."""
    return [rule for rule in vocabulary.rules_for(rel_type)
            if rule.kind == "max_incoming" and (not rule.to_type or rule.to_type == target_type)]


def limit_breached(rule: Rule, target_id: str) -> Conflict:
    # A cardinality limit clashes with what is already stored: a conflict, not bad input.
    return Conflict(rule.message.replace("{target}", target_id), {"rule": [rule.id]})


def check_links_after_update(vocabulary: Vocabulary, reader: GraphReader, node: NodeLike,
                             before: dict[str, Any] | None = None) -> None:
    """Raise Invalid if an edit to ``node`` makes one of its existing relationships break a rule
    (e.g. turning a group with people in it into a caucus, or marking a real record as an example).
    With ``before`` (the old properties), nothing is read unless a property the rules read changed."""
    watched = rule_properties(vocabulary)
    if before is not None and all(before.get(name) == node.properties.get(name) for name in watched):
        return
    for rel in reader.relationships_of(node.id):
        other = reader.get_node(rel.target if rel.source == node.id else rel.source)
        source, target = (node, other) if rel.source == node.id else (other, node)
        rule = link_breach(vocabulary, rel.type, source, target)
        if rule is not None:
            raise Invalid(rule.message, {"rule": [rule.id]})


def _forbidden(rule: Rule, source: NodeLike, target: NodeLike) -> bool:
    return ((not rule.from_type or rule.from_type == source.type) and (not rule.to_type or rule.to_type == target.type)
            and all(target.properties.get(key) == value for key, value in rule.to_where.items()))


def role_to_delete(vocabulary: Vocabulary, node: NodeLike, relationships: list) -> tuple[str | None, list[str]]:
    """The role deleting ``node`` (with ``relationships``, all its links) needs beyond a coordinator's,
    and what makes it so: deleting a record must not undo governance decisions by the back door
    (an owner's accountability, an action's status, an overlap review)."""
    needed: str | None = None
    reasons: list[str] = []
    node_type = vocabulary.node_type(node.type)
    for name, spec in (node_type.properties.items() if node_type else ()):
        if spec.write_role and node.properties.get(name) is not None:
            needed = _higher(needed, spec.write_role)
            reasons.append(f"its {name}")
    for rel in relationships:
        rel_type = vocabulary.relationship_type(rel.type)
        if rel_type is not None and rel_type.role_to_delete:
            needed = _higher(needed, rel_type.role_to_delete)
            reasons.append(f"{rel.type} {rel.source} -> {rel.target}")
    return needed, reasons


def require_role(needed: str | None, held: str | None, what: str) -> None:
    """Raise Forbidden unless ``held`` reaches ``needed`` (None held: a trusted caller, e.g. the CLI)."""
    if needed is not None and held is not None and not role_at_least(held, needed):
        raise Forbidden(f"{what} needs the '{needed}' role; your token has '{held}'.", {"role": [needed]})


def property_write_roles(node_type, names) -> dict[str, str]:
    """The properties among ``names`` whose vocabulary entry names a ``write_role`` (e.g. an action's
    status, a governance decision), each with that role."""
    return {name: spec.write_role for name in names
            if (spec := node_type.properties.get(name)) is not None and spec.write_role}


def require_property_roles(node_type, names, held: str | None) -> None:
    """Raise Forbidden, naming each property, unless ``held`` may set every one of ``names``."""
    refused = {name: [f"Only the '{needed}' role can set this; you have '{held}'."]
               for name, needed in property_write_roles(node_type, names).items()
               if held is not None and not role_at_least(held, needed)}
    if refused:
        raise Forbidden(f"Setting {', '.join(refused)} needs a higher role than '{held}'.", refused)


def _higher(held: str | None, other: str) -> str:
    return other if held is None or not role_at_least(held, other) else held
