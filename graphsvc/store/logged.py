"""Writes and their change-log entries, once for every engine.

Each adapter's transaction supplies a few engine primitives (insert, rewrite and erase a node; insert
and remove a relationship; append a log entry); this mixin turns them into the port's writes, so the
entry each write leaves in the change log is defined in one place for every store.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from ..errors import NotFound
from .model import Change, Node, Operation, Relationship, utc_now
from .port import GraphTransaction, WriteBatch

__all__ = ["LoggedTransaction"]


class LoggedTransaction(GraphTransaction):
    # -- the port's writes ------------------------------------------------------------------------

    def create_node(self, node_type, node_id, properties) -> Node:
        now = utc_now()
        node = Node(node_id, node_type, dict(properties), now, now, 1)
        self._insert_node(node)
        self._log(Operation.CREATE_NODE, node.id, None, node.as_record(), now)
        return node

    def update_node(self, node_id, properties) -> Node:
        before = self._require_node(node_id)
        now = utc_now()
        after = Node(node_id, before.type, dict(properties), before.created_at, now, before.version + 1)
        self._write_node(after)
        self._log(Operation.UPDATE_NODE, node_id, before.as_record(), after.as_record(), now)
        return after

    def delete_node(self, node_id) -> Node:
        node = self._require_node(node_id)
        for rel in self.relationships_of(node_id):  # each logged, oldest first, before the node
            self._log(Operation.DELETE_RELATIONSHIP, rel.id, rel.as_record(), None)
        self._erase_node(node_id)
        self._log(Operation.DELETE_NODE, node_id, node.as_record(), None)
        return node

    def create_relationship(self, rel_type, source, target, properties, rel_id) -> Relationship:
        rel = self._insert_relationship(rel_type, source, target, properties, rel_id)
        self._log(Operation.CREATE_RELATIONSHIP, rel.id, None, rel.as_record(), rel.created_at)
        return rel

    def delete_relationship(self, rel_id) -> Relationship:
        rel = self._remove_relationship(rel_id)
        self._log(Operation.DELETE_RELATIONSHIP, rel_id, rel.as_record(), None)
        return rel

    def write_batch(self, batch: WriteBatch) -> None:
        now = utc_now()
        entries: list[tuple] = []
        if batch.create_nodes:
            self._insert_nodes(batch.create_nodes)
            entries += [(Operation.CREATE_NODE, n.id, None, n.as_record(), n.created_at) for n in batch.create_nodes]
        if batch.update_nodes:
            self._write_nodes([after for _, after in batch.update_nodes])
            entries += [(Operation.UPDATE_NODE, after.id, before.as_record(), after.as_record(), after.updated_at)
                        for before, after in batch.update_nodes]
        if batch.remove_relationships:
            self._remove_relationships([rel.id for rel in batch.remove_relationships])
            entries += [(Operation.DELETE_RELATIONSHIP, rel.id, rel.as_record(), None, now)
                        for rel in batch.remove_relationships]
        if batch.create_relationships:
            self._insert_relationships(batch.create_relationships)
            entries += [(Operation.CREATE_RELATIONSHIP, rel.id, None, rel.as_record(), rel.created_at)
                        for rel in batch.create_relationships]
        self._log_many(entries)

    def log_import(self, subject, summary) -> None:
        self._log(Operation.IMPORT, subject, None, dict(summary))

    def replace_relationships(self, subject, remove, rel_type, source, target, properties, rel_id) -> Relationship:
        removed = [self._remove_relationship(old_id).as_record() for old_id in remove]
        rel = self._insert_relationship(rel_type, source, target, properties, rel_id)
        self._log(Operation.REPLACE_RELATIONSHIPS, subject, {"relationships": removed},
                  {"relationships": [rel.as_record()]}, rel.created_at)
        return rel

    def erase_node(self, node_id, redaction, reason=None) -> dict[str, Any]:
        node = self._require_node(node_id)
        relationships = self.relationships_of(node_id)
        earlier = self._changes_mentioning(node_id)
        self._erase_node(node_id)
        self._rewrite_changes([redaction.scrub_change(change) for change in earlier])
        now = utc_now()
        # The relationships' ends stay, so their history still says when they went (pseudonymised).
        entries = [(Operation.DELETE_RELATIONSHIP, rel.id, redaction.scrub(rel.as_record()), None, now)
                   for rel in relationships]
        summary = {"type": node.type, "relationships": len(relationships), "redacted_entries": len(earlier),
                   "reason": reason}
        self._log_many([*entries, (Operation.ERASE_NODE, redaction.pseudonym, None, summary, now)])
        return summary

    # -- engine primitives --------------------------------------------------------------------------

    @abstractmethod
    def _insert_node(self, node: Node) -> None:
        """Store a new node; Conflict if its id is taken."""

    @abstractmethod
    def _write_node(self, node: Node) -> None:
        """Replace a stored node's properties, stamps and version with ``node``'s."""

    @abstractmethod
    def _erase_node(self, node_id: str) -> None:
        """Remove the node and every relationship touching it."""

    @abstractmethod
    def _insert_relationship(self, rel_type: str, source: str, target: str, properties: dict[str, Any],
                             rel_id: str) -> Relationship:
        """Store a new relationship; Conflict on a taken id, NotFound when an end is missing."""

    @abstractmethod
    def _remove_relationship(self, rel_id: str) -> Relationship:
        """Remove a relationship and return it; NotFound if there is none."""

    @abstractmethod
    def _log(self, operation: str, subject: str, before: dict | None, after: dict | None,
             at: str | None = None) -> None:
        """Append one change-log entry in this transaction."""

    # Erasure primitives: find the committed change-log entries that mention an id (subject equal to
    # it, or before/after JSON containing it as a quoted string), and rewrite entries in place by seq.

    @abstractmethod
    def _changes_mentioning(self, value: str) -> list[Change]: ...

    @abstractmethod
    def _rewrite_changes(self, changes: list[Change]) -> None:
        """Store each entry's subject, before and after under its seq (seq, at, actor, operation kept)."""

    # Batched primitives for write_batch. The caller has checked ids and ends; engines write each
    # list in as few statements as they can.

    @abstractmethod
    def _insert_nodes(self, nodes: list[Node]) -> None: ...

    @abstractmethod
    def _write_nodes(self, nodes: list[Node]) -> None: ...

    @abstractmethod
    def _remove_relationships(self, rel_ids: list[str]) -> None: ...

    @abstractmethod
    def _insert_relationships(self, relationships: list[Relationship]) -> None: ...

    @abstractmethod
    def _log_many(self, entries: list[tuple[str, str, dict | None, dict | None, str]]) -> None:
        """Append (operation, subject, before, after, at) entries, in order."""

    def _require_node(self, node_id: str) -> Node:
        node = self.get_node(node_id)
        if node is None:
            raise NotFound(f"No node has id '{node_id}'.")
        return node
