"""Accountability for actions: exactly one accountable owner, and the rest of RACI.

Handing an action to a new owner replaces every earlier ACCOUNTABLE_FOR in one transaction and one
change-log entry, so after any sequence of assignments an action has exactly one owner and the
history shows each hand-over with its actor and time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .errors import Invalid, NotFound, PreconditionFailed
from .rules import link_breach
from .service import GraphService, new_relationship_id
from .store.model import Node, Relationship
from .store.port import GraphReader

__all__ = ["RACI_TYPES", "Assignment", "accountable_etag", "add_party", "display_name", "owner_of", "parties",
           "remove_party", "set_owner"]

ACCOUNTABLE = "ACCOUNTABLE_FOR"
RACI_TYPES = {"responsible": "RESPONSIBLE_FOR", "consulted": "CONSULTED_ON", "informed": "INFORMED_OF"}
AFFILIATIONS = ("WORKS_FOR", "MEMBER_OF")


@dataclass
class Assignment:
    action: Node
    owner: Node | None
    relationship: Relationship | None
    warnings: list[str] = field(default_factory=list)


def owner_of(service: GraphService, action_id: str) -> Assignment:
    """The action's accountable owner (None when it has none)."""
    action = _action(service.store, action_id)
    owners = _owner_links(service.store, action_id)
    rel = owners[0] if owners else None
    owner = service.store.get_node(rel.source) if rel else None
    warnings = [f"This action has {len(owners)} accountable owners; assign one."] if len(owners) > 1 else []
    return Assignment(action, owner, rel, warnings)


def accountable_etag(assignment: Assignment) -> str:
    """Changes whenever the owner changes, so two people cannot unknowingly overwrite each other."""
    return f'"owner-{assignment.relationship.id if assignment.relationship else "none"}"'


def set_owner(service: GraphService, action_id: str, owner_id: str, actor: str,
              if_match: str | None = None, today: dt.date | None = None) -> Assignment:
    """Make ``owner_id`` the one accountable owner of the action, replacing any others atomically."""
    with service.store.transaction(actor) as tx:
        action = _action(tx, action_id)
        current = _owner_links(tx, action_id)
        if if_match is not None:
            now = Assignment(action, None, current[0] if current else None)
            if if_match.strip() != "*" and if_match.strip() != accountable_etag(now):
                raise PreconditionFailed("The owner changed since you read it; fetch it again and retry.")
        owner = tx.get_node(owner_id)
        if owner is None:
            raise Invalid("No such owner.", {"owner": [f"No node has id '{owner_id}'."]})
        rel_type = service.vocabulary.relationship_type(ACCOUNTABLE)
        if not rel_type.allows(owner.type, action.type):
            raise Invalid(f"A {owner.type} cannot be accountable for an action.",
                          {"owner": [f"Must be one of: {rel_type.describe_endpoints()}."]})
        breached = link_breach(service.vocabulary, ACCOUNTABLE, owner, action)
        if breached is not None:
            raise Invalid(breached.message, {"owner": [breached.message], "rule": [breached.id]})
        if len(current) == 1 and current[0].source == owner_id:
            rel = current[0]
        else:
            rel = tx.replace_relationships(action_id, [r.id for r in current], ACCOUNTABLE, owner_id, action_id,
                                           {}, new_relationship_id())
        return Assignment(action, owner, rel, _departure_warnings(tx, owner, today or dt.date.today()))


def parties(service: GraphService, action_id: str) -> dict[str, list[dict]]:
    """Everyone with a RACI role on the action, by role."""
    _action(service.store, action_id)
    links = service.store.relationships_of(action_id)
    out: dict[str, list[dict]] = {"accountable": []} | {role: [] for role in RACI_TYPES}
    role_of = {ACCOUNTABLE: "accountable"} | {rel: role for role, rel in RACI_TYPES.items()}
    for rel in links:
        if rel.target == action_id and rel.type in role_of:
            node = service.store.get_node(rel.source)
            out[role_of[rel.type]].append({"id": node.id, "type": node.type, "name": display_name(service, node),
                                           "relationship": rel.id})
    return out


def add_party(service: GraphService, action_id: str, role: str, party_id: str, actor: str) -> tuple[Relationship, bool]:
    """Record a responsible, consulted or informed party; (relationship, created?) — repeating is harmless."""
    rel_type = RACI_TYPES[role]
    with service.store.transaction(actor) as tx:
        _action(tx, action_id)
        existing = tx.find_relationships(rel_type=rel_type, source=party_id, target=action_id, limit=1)[0]
        if existing:
            return existing[0], False
        try:
            return service.add_relationship(tx, rel_type, party_id, action_id, {}), True
        except Invalid as exc:
            raise Invalid(exc.message, {"party": [exc.message]}) from exc


def remove_party(service: GraphService, action_id: str, role: str, party_id: str, actor: str) -> None:
    with service.store.transaction(actor) as tx:
        _action(tx, action_id)
        found = tx.find_relationships(rel_type=RACI_TYPES[role], source=party_id, target=action_id, limit=10)[0]
        if not found:
            raise NotFound(f"'{party_id}' is not recorded as {role} for this action.")
        for rel in found:
            tx.delete_relationship(rel.id)


def _action(reader: GraphReader, action_id: str) -> Node:
    node = reader.get_node(action_id)
    if node is None or node.type != "Action":
        raise NotFound(f"No Action has id '{action_id}'.")
    return node


def _owner_links(reader: GraphReader, action_id: str) -> list[Relationship]:
    return reader.find_relationships(rel_type=ACCOUNTABLE, target=action_id, limit=100)[0]


def _departure_warnings(reader: GraphReader, owner: Node, today: dt.date) -> list[str]:
    links = [r for r in reader.relationships_of(owner.id) if r.source == owner.id and r.type in AFFILIATIONS]
    ended = [r for r in links if r.properties.get("until") and dt.date.fromisoformat(r.properties["until"]) < today]
    if links and len(ended) == len(links):
        return [f"Every recorded role and membership of '{owner.id}' has ended; check they can still be "
                "accountable (the gap report will flag this as owner-left)."]
    return []


def display_name(service: GraphService, node: Node) -> str:
    """The node's main property (name or title), or its id."""
    node_type = service.vocabulary.node_type(node.type)
    return str(node.properties.get(node_type.main_property, node.id)) if node_type else node.id



