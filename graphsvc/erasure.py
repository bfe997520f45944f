"""Erasure: remove a person's personal data from the graph *and* from the history.

Deleting a node leaves its values in the change log's before/after records for ever; erasing it
does not. In one store transaction the node and its relationships go, and every earlier entry that
mentions it is rewritten by one :class:`~graphsvc.store.model.Redaction`: its personal properties
(and the personal properties of relationships touching it, such as a role) read ``[erased]``, and its
id — often made of the person's name — becomes a random pseudonym, the same in every entry so the
history stays coherent. Each rewritten entry keeps its seq, time, actor and operation. One
``erase_node`` entry (subject the pseudonym) records who erased, when and why. Then the store purges
its files (SQLite: VACUUM and an emptied WAL) so the values survive on disk nowhere.
"""

from __future__ import annotations

import secrets
from typing import Any

from .errors import Invalid, NotFound
from .service import GraphService
from .store.model import Node, Redaction
from .vocabulary import NodeType, Vocabulary

__all__ = ["MAX_REASON", "PSEUDONYM_PREFIX", "erase_person", "redaction_for"]

PSEUDONYM_PREFIX = "erased-"
MAX_REASON = 500
SHORTEST_CHECKED_VALUE = 3  # shorter names are too common as fragments of ordinary words


def erase_person(service: GraphService, node_id: str, actor: str, reason: str | None = None) -> dict[str, Any]:
    """Erase the node ``node_id`` (a type with personal properties) and return a summary.

    NotFound for an unknown id; Invalid (422) for a type without personal properties, or a reason
    that would itself keep the person's name, email or id in the history.
    """
    with service.store.transaction(actor) as tx:
        node = tx.get_node(node_id)
        if node is None:
            raise NotFound(f"No node has id '{node_id}'.")
        node_type = service.node_type(node.type)
        _check_erasable(node_type)
        _check_reason(node, node_type, reason)
        redaction = redaction_for(service.vocabulary, node_type, node_id)
        summary = tx.erase_node(node_id, redaction, reason)
    files_purged = service.store.purge_deleted()
    [entry] = service.store.history(subject=redaction.pseudonym, limit=1)
    return {"id": node_id, "pseudonym": redaction.pseudonym, **summary, "seq": entry.seq, "at": entry.at,
            "actor": entry.actor, "files_purged": files_purged}


def redaction_for(vocabulary: Vocabulary, node_type: NodeType, node_id: str) -> Redaction:
    """The rewriting rule for erasing ``node_id``: a fresh pseudonym and the vocabulary's personal marks."""
    relationship_properties = {
        name: frozenset(n for n, spec in rel_type.properties.items() if spec.personal)
        for name, rel_type in vocabulary.relationship_types.items()
        if any(spec.personal for spec in rel_type.properties.values())}
    return Redaction(node_id, f"{PSEUDONYM_PREFIX}{secrets.token_hex(8)}", frozenset(node_type.personal_properties),
                     relationship_properties)


def _check_erasable(node_type: NodeType) -> None:
    if not node_type.personal_properties:
        raise Invalid(f"{node_type.name} records hold no personal data, so there is nothing to erase; delete the "
                      "record instead.", {"id": [f"A {node_type.name}, which has no personal properties."]})


def _check_reason(node: Node, node_type: NodeType, reason: str | None) -> None:
    """The reason stays in the history: it must not bring back what the erasure removes."""
    if reason is None:
        return
    if len(reason) > MAX_REASON:
        raise Invalid(f"The reason is longer than {MAX_REASON} characters.",
                      {"reason": [f"At most {MAX_REASON} characters."]})
    identifying = [node.id, node.properties.get(node_type.main_property)]
    identifying += [value for name, value in node.properties.items() if node_type.properties[name].sensitive]
    text = reason.casefold()
    if any(isinstance(value, str) and len(value) >= SHORTEST_CHECKED_VALUE and value.casefold() in text
           for value in identifying):
        raise Invalid("The reason is kept in the history, so it must not contain the person's name, email or "
                      "id; give a case reference instead.", {"reason": ["Names the person."]})
