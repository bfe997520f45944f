"""The store port: what the service needs from a store of record, whatever the engine.

A store keeps nodes, relationships and an append-only change log. Every write happens inside
``store.transaction(actor)`` and appends one change-log entry per change in the same engine
transaction, so the audit history and the projections never miss or invent a change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from ..auth import TokenRecord
from .model import Change, Node, Redaction, Relationship

__all__ = ["GraphReader", "GraphStore", "GraphTransaction", "LinkKey", "Page", "WriteBatch"]

Page = tuple[list[Any], int]  # (items, total matching)
LinkKey = tuple[str, str, str]  # (relationship type, from id, to id)


@dataclass
class WriteBatch:
    """Many writes applied together (bulk import): engines write each list in a few statements.

    Applied in this order: new nodes, node updates, relationship removals, new relationships; so a
    relationship may join nodes created in the same batch, and an existing relationship can be
    rewritten by removing it and adding it again with the same id.
    """

    create_nodes: list[Node] = field(default_factory=list)
    update_nodes: list[tuple[Node, Node]] = field(default_factory=list)  # (before, after)
    remove_relationships: list[Relationship] = field(default_factory=list)
    create_relationships: list[Relationship] = field(default_factory=list)

    def __len__(self) -> int:
        return (len(self.create_nodes) + len(self.update_nodes) + len(self.remove_relationships)
                + len(self.create_relationships))


class GraphReader(ABC):
    """Reads shared by the store and its transactions."""

    @abstractmethod
    def get_node(self, node_id: str) -> Node | None: ...

    @abstractmethod
    def find_nodes(self, node_type: str, *, text: str | None = None, equals: dict[str, Any] | None = None,
                   ranges: dict[str, tuple[Any, Any]] | None = None, sort: Sequence[str] | str | None = None,
                   limit: int = 50, offset: int = 0) -> Page:
        """Nodes of one type: whose searchable properties hold every word of ``text`` (case- and
        accent-insensitive, see search.py), whose properties equal ``equals`` and lie within
        ``ranges`` (property: (low, high), inclusive, either end None; a text upper end also takes in
        the values it begins). Ordered by ``sort`` (``[search.RANK]`` and/or one property or stamp,
        ``-`` for descending, missing values last), then main property, then id; with no ``sort``,
        by rank when ``text`` is given, else by main property."""

    @abstractmethod
    def search(self, text: str, types: Collection[str] | None = None, limit: int = 50, offset: int = 0) -> Page:
        """Nodes of any of ``types`` (all when None) whose searchable properties hold every word of
        ``text``: best match first (search.py), then main property, then id."""

    @abstractmethod
    def get_relationship(self, rel_id: str) -> Relationship | None: ...

    @abstractmethod
    def find_relationships(self, *, rel_type: str | None = None, source: str | None = None,
                           target: str | None = None, limit: int = 50, offset: int = 0) -> Page: ...

    @abstractmethod
    def relationships_of(self, node_id: str) -> list[Relationship]:
        """Every relationship that starts or ends at the node."""

    # -- bulk reads (imports look up thousands of records at once) --------------------------------

    @abstractmethod
    def get_nodes(self, node_ids: Collection[str]) -> dict[str, Node]:
        """The nodes that exist among ``node_ids``, by id."""

    @abstractmethod
    def get_relationships(self, rel_ids: Collection[str]) -> dict[str, Relationship]:
        """The relationships that exist among ``rel_ids``, by id."""

    @abstractmethod
    def find_links(self, keys: Collection[LinkKey]) -> dict[LinkKey, Relationship]:
        """For each (type, from, to) key, one relationship of that type between those nodes, if any
        (the oldest)."""

    @abstractmethod
    def count_incoming(self, rel_type: str, targets: Collection[str]) -> dict[str, int]:
        """How many ``rel_type`` relationships end at each of ``targets`` (absent when none)."""

    @abstractmethod
    def node_labels(self, node_type: str) -> list[tuple[str, str]]:
        """(id, main property as text) of every node of the type: for matching names on import."""


class GraphTransaction(GraphReader):
    """One atomic unit of writes; each write is logged in the change log as it is made."""

    @abstractmethod
    def create_node(self, node_type: str, node_id: str, properties: dict[str, Any]) -> Node: ...

    @abstractmethod
    def update_node(self, node_id: str, properties: dict[str, Any]) -> Node:
        """Replace the node's properties with ``properties`` (the whole new set)."""

    @abstractmethod
    def delete_node(self, node_id: str) -> Node:
        """Delete the node and, first, every relationship touching it (each logged)."""

    @abstractmethod
    def create_relationship(self, rel_type: str, source: str, target: str,
                            properties: dict[str, Any], rel_id: str) -> Relationship: ...

    @abstractmethod
    def delete_relationship(self, rel_id: str) -> Relationship: ...

    @abstractmethod
    def write_batch(self, batch: WriteBatch) -> None:
        """Apply the batch (checked by the caller) with the same change-log entries as the single
        writes would leave: create_node, update_node, delete_relationship, create_relationship."""

    @abstractmethod
    def log_import(self, subject: str, summary: dict[str, Any]) -> None:
        """Append an ``import`` entry (changing no record) that closes a bulk import: ``summary["entries"]``
        says how many entries before it the import wrote, so readers of the log can tell them apart."""

    @abstractmethod
    def replace_relationships(self, subject: str, remove: list[str], rel_type: str, source: str, target: str,
                              properties: dict[str, Any], rel_id: str) -> Relationship:
        """Delete the relationships ``remove`` and create one new relationship, logged as ONE change
        (operation ``replace_relationships`` about ``subject``): e.g. handing an action to a new owner."""

    @abstractmethod
    def erase_node(self, node_id: str, redaction: Redaction, reason: str | None = None) -> dict[str, Any]:
        """Erase a person: delete the node and its relationships, rewrite every earlier change-log entry
        mentioning it by ``redaction`` (keeping seq, time, actor, operation) and log one ``erase_node``
        entry about the pseudonym. Returns that entry's ``after``. Run it in a transaction of its own."""


class GraphStore(GraphReader):
    """A store of record. Adapters are named after their engine."""

    name: str = "abstract"

    @abstractmethod
    def initialise(self) -> None:
        """Create tables, constraints and indexes if missing; harmless to run twice."""

    @abstractmethod
    def transaction(self, actor: str) -> AbstractContextManager[GraphTransaction]:
        """Commit on normal exit, roll back on an exception. Durable once the block returns."""

    @abstractmethod
    def count(self) -> tuple[int, int]:
        """(number of nodes, number of relationships)."""

    @abstractmethod
    def last_seq(self) -> int:
        """The seq of the newest change-log entry (0 when the log is empty)."""

    @abstractmethod
    def seq_at(self, moment: str) -> int:
        """The seq of the newest change-log entry made at or before the UTC time ``moment`` (ISO 8601
        in the log's format), 0 when there is none: where "as it stood at that time" ends. Entries are
        stamped with their writer's clock and seqs follow commit order, so this assumes the writers'
        clocks agree (as NTP keeps them)."""

    @abstractmethod
    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]:
        """Change-log entries with seq greater than ``seq``, oldest first."""

    @abstractmethod
    def history(self, *, subject: str | None = None, actor: str | None = None, since: str | None = None,
                limit: int = 100) -> list[Change]:
        """Change-log entries, newest first, optionally about one subject, by one actor, or at or
        after the UTC time ``since`` (ISO 8601)."""

    @abstractmethod
    def snapshot(self, *, for_replay: bool = False) -> AbstractContextManager[
            tuple[int, Iterator[Node], Iterator[Relationship]]]:
        """A consistent read view for building a projection: (seq, all nodes, all relationships),
        the nodes and relationships being exactly those after change ``seq``, each in id order (so every
        engine builds the same graph, and an analysis choosing among equal answers, such as shortest
        paths of one length, chooses alike). Iterate inside the block.

        ``for_replay``: the caller applies every change after ``seq`` over what it read, and applying a
        change twice leaves what applying it once does (the projection). The records may then also
        reflect writes committed after ``seq``, whose changes are all later in the log, so an engine
        whose reads are not snapshots need not hold writers back for the length of the read."""

    @abstractmethod
    def copy_in(self, nodes: list[Node], relationships: list[Relationship], changes: list[Change],
                tokens: list[TokenRecord]) -> None:
        """Write records exactly as given (ids, stamps, versions, seqs) in one transaction, adding no
        change-log entries of its own: for migrating a whole graph and its history between stores."""

    # -- access tokens (stored as hashes; each change is logged in the change log) ---------------

    @abstractmethod
    def save_token(self, record: TokenRecord, actor: str) -> None:
        """Store a new token; Conflict if the name is taken."""

    @abstractmethod
    def find_token(self, token_hash: str) -> TokenRecord | None: ...

    @abstractmethod
    def list_tokens(self) -> list[TokenRecord]: ...

    @abstractmethod
    def revoke_token(self, name: str, actor: str) -> TokenRecord:
        """Mark the token revoked (kept for the record); NotFound if no token has that name."""

    @abstractmethod
    def purge_deleted(self) -> bool:
        """After an erasure: make deleted and rewritten values unrecoverable from the engine's files as
        far as the engine allows; False if that could not be completed now (e.g. readers held it off)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def checkpoint(self) -> None:
        """Tidy up after bulk work (fold a write-ahead log back into the database); never raises
        for a busy store: the next checkpoint will do."""
