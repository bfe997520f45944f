"""Reads and write transactions of the Neo4j store (see neo4j.py for the store and cypher.py for
the statements and the data model).

The change-log rows of a transaction are gathered as it goes and appended in one ``UNWIND $rows``
statement just before commit, with seqs following the counter the transaction locked first.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..auth import TokenRecord
from ..errors import Conflict, NotFound, StoreUnavailable
from . import cypher
from .logged import LoggedTransaction
from .model import Change, Node, Operation, Relationship, json_text, utc_now
from .port import GraphReader, Page
from .search import FIELD_SEPARATOR, RANK, STAMPS, Words, high_bound, plan_order, search_fields, search_text

__all__ = ["Catalogue", "Neo4jReader", "Neo4jTransaction"]

PENDING_CHANGES = 10_000  # change-log rows a batched write lets gather before appending them


class Catalogue:
    """The generated statements for one vocabulary, built once; type names outside it are refused."""

    def __init__(self, vocabulary):
        self.main_property = {name: t.main_property for name, t in vocabulary.node_types.items()}
        self.search_fields = search_fields(vocabulary)
        self.create_node = {t: cypher.create_node(t) for t in vocabulary.node_types}
        self.copy_nodes = {t: cypher.copy_nodes(t) for t in vocabulary.node_types}
        self.count_nodes = {t: cypher.count_nodes(t) for t in vocabulary.node_types}
        self.page_nodes = {t: cypher.page_nodes(t) for t in vocabulary.node_types}
        self.node_labels = {t: cypher.node_labels(t) for t in vocabulary.node_types}
        rel_types = sorted(vocabulary.relationship_types)
        self.create_relationship = {t: cypher.create_relationship(t) for t in rel_types}
        self.copy_relationships = {t: cypher.copy_relationships(t) for t in rel_types}
        self.delete_relationship = {t: cypher.delete_relationship(t) for t in rel_types}
        self.delete_relationships = {t: cypher.delete_relationships(t) for t in rel_types}
        self.find_links = {t: cypher.find_links(t) for t in rel_types}
        self.count_incoming = {t: cypher.count_incoming(t) for t in rel_types}
        self.count_relationships = {t: cypher.count_relationships_of_type(t) for t in rel_types}
        self.page_relationships = {t: cypher.page_relationships_of_type(t) for t in rel_types}
        self.relationship_by_id = cypher.relationship_by_id(rel_types)
        self.relationships_by_ids = cypher.relationships_by_ids(rel_types)
        self.schema = cypher.schema_statements(vocabulary)

    @staticmethod
    def pick(table: dict[str, str], name: str) -> str:
        try:
            return table[name]
        except KeyError:
            raise ValueError(f"'{name}' is not a type in the vocabulary this store was opened with.") from None


class Neo4jReader(GraphReader):
    """The port's reads, over ``_query``: the store runs them in a read transaction, a write
    transaction runs them in itself (so it sees its own writes)."""

    catalogue: Catalogue

    def _query(self, *queries: tuple[str, dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Run the statements in one transaction; each one's records as plain dicts."""
        raise NotImplementedError

    def get_node(self, node_id: str) -> Node | None:
        [rows] = self._query((cypher.GET_NODE, {"id": node_id}))
        return node_from(rows[0]) if rows else None

    def find_nodes(self, node_type, *, text=None, equals=None, ranges=None, sort=None, limit=50, offset=0) -> Page:
        if node_type not in self.catalogue.count_nodes:
            return [], 0
        words = Words.of(text)
        order = plan_order(sort if sort is not None else [RANK] if words else [],
                           self.catalogue.main_property.get(node_type))
        # Filters and the sort key run on the p_<name> mirrors of the JSON properties (see cypher.py).
        args = {"words": list(words.words) if words else [], "match_props": dict(equals or {}),
                "low": {name: low for name, (low, _) in (ranges or {}).items() if low is not None},
                "high": {name: high_bound(high) for name, (_, high) in (ranges or {}).items() if high is not None}}
        page = {**args, **_rank_args(words), "ranked": order.ranked and words is not None,
                "sort_field": _sort_field(order.key), "descending": order.descending, "limit": limit, "offset": offset}
        counted, rows = self._query((self.catalogue.count_nodes[node_type], args),
                                    (self.catalogue.page_nodes[node_type], page))
        return [node_from(row) for row in rows], counted[0]["total"]

    def search(self, text, types=None, limit=50, offset=0) -> Page:
        words = Words.of(text)
        args = {"types": None if types is None else sorted(types), "words": list(words.words) if words else []}
        counted, rows = self._query((cypher.COUNT_SEARCH, args), (cypher.PAGE_SEARCH, {
            **args, **_rank_args(words), "limit": limit, "offset": offset}))
        return [node_from(row) for row in rows], counted[0]["total"]

    def get_relationship(self, rel_id: str) -> Relationship | None:
        [rows] = self._query((self.catalogue.relationship_by_id, {"id": rel_id}))
        return relationship_from(rows[0]) if rows else None

    def find_relationships(self, *, rel_type=None, source=None, target=None, limit=50, offset=0) -> Page:
        page = {"limit": limit, "offset": offset}
        # Pick the statement that starts from an index: a node id, else the relationship type.
        if source is not None:
            args = {"source": source, "target": target, "rel_type": rel_type}
            count, rows = cypher.COUNT_RELATIONSHIPS_FROM, cypher.PAGE_RELATIONSHIPS_FROM
        elif target is not None:
            args = {"target": target, "rel_type": rel_type}
            count, rows = cypher.COUNT_RELATIONSHIPS_TO, cypher.PAGE_RELATIONSHIPS_TO
        elif rel_type is not None:
            if rel_type not in self.catalogue.count_relationships:
                return [], 0
            args = {}
            count, rows = self.catalogue.count_relationships[rel_type], self.catalogue.page_relationships[rel_type]
        else:
            args = {}
            count, rows = cypher.COUNT_RELATIONSHIPS, cypher.PAGE_RELATIONSHIPS
        counted, found = self._query((count, args), (rows, {**args, **page}))
        return [relationship_from(row) for row in found], counted[0]["total"]

    def relationships_of(self, node_id: str) -> list[Relationship]:
        [rows] = self._query((cypher.RELATIONSHIPS_OF, {"id": node_id}))
        return [relationship_from(row) for row in rows]

    # -- bulk reads: the ids travel as one list parameter; empty input costs no round trip. Types
    # outside the vocabulary match nothing (as in find_nodes) rather than raise.

    def get_nodes(self, node_ids) -> dict[str, Node]:
        if not node_ids:
            return {}
        [rows] = self._query((cypher.GET_NODES, {"ids": list(node_ids)}))
        return {row["id"]: node_from(row) for row in rows}

    def get_relationships(self, rel_ids) -> dict[str, Relationship]:
        if not rel_ids:
            return {}
        [rows] = self._query((self.catalogue.relationships_by_ids, {"ids": list(rel_ids)}))
        return {row["id"]: relationship_from(row) for row in rows}

    def find_links(self, keys) -> dict:
        pairs: dict[str, list[dict[str, str]]] = {}
        for rel_type, source, target in dict.fromkeys(keys):
            if rel_type in self.catalogue.find_links:
                pairs.setdefault(rel_type, []).append({"source": source, "target": target})
        if not pairs:
            return {}
        found: dict = {}
        for rows in self._query(*[(self.catalogue.find_links[t], {"rows": rows}) for t, rows in pairs.items()]):
            for rel in map(relationship_from, rows):  # oldest first, so the first per key is kept
                found.setdefault((rel.type, rel.source, rel.target), rel)
        return found

    def count_incoming(self, rel_type, targets) -> dict[str, int]:
        if not targets or rel_type not in self.catalogue.count_incoming:
            return {}
        [rows] = self._query((self.catalogue.count_incoming[rel_type], {"ids": list(targets)}))
        return {row["target"]: row["total"] for row in rows}

    def node_labels(self, node_type) -> list[tuple[str, str]]:
        if node_type not in self.catalogue.node_labels:
            return []
        [rows] = self._query((self.catalogue.node_labels[node_type], {}))
        return [(row["id"], row["label"]) for row in rows]


class Neo4jTransaction(Neo4jReader, LoggedTransaction):
    """One explicit Neo4j transaction, holding the writers' lock from ``begin`` to commit."""

    def __init__(self, tx, actor: str, catalogue: Catalogue):
        self.tx, self.actor, self.catalogue = tx, actor, catalogue
        self.base_seq = 0
        self.pending: list[dict[str, Any]] = []
        # Relationship ids this transaction has looked up and found free. Ids are unique across all
        # types, so each lookup seeks every type's index; an import looks its ids up first (create or
        # update?) and the insert need not seek them again. Only an insert makes a free id taken, and
        # every insert removes its ids from here; nobody else writes while the lock is held.
        self._free_relationship_ids: set[str] = set()

    def _query(self, *queries):
        return [self.tx.run(text, parameters).data() for text, parameters in queries]

    def get_relationships(self, rel_ids) -> dict[str, Relationship]:
        rel_ids = list(rel_ids)
        found = super().get_relationships(rel_ids)
        self._free_relationship_ids.update(rel_id for rel_id in rel_ids if rel_id not in found)
        return found

    def begin(self) -> None:
        [[row]] = self._query((cypher.LOCK_WRITERS, {}))
        self.base_seq = row["seq"]

    def finish(self) -> None:
        """Append the gathered change-log rows (called just before commit)."""
        self._append_pending()

    def _append_pending(self) -> None:
        # Also called during a bulk import, so that a large import does not hold its whole change log
        # in memory: still the same transaction, and the counter stays locked until commit.
        if not self.pending:
            return
        [[row]] = self._query((cypher.APPEND_CHANGES, {"seq": self.base_seq, "rows": self.pending}))
        if row["appended"] != len(self.pending):
            raise StoreUnavailable("The change log moved while this transaction held its lock; nothing was saved.")
        self.base_seq += len(self.pending)
        self.pending = []

    def _insert_node(self, node: Node) -> None:
        [rows] = self._query((self.catalogue.pick(self.catalogue.create_node, node.type),
                              {"id": node.id, "node_props": node_fields(node, self.catalogue)}))
        if not rows:
            raise Conflict(f"A node with id '{node.id}' already exists.", {"id": ["Already in use."]})

    def _write_node(self, node: Node) -> None:
        fields = node_fields(node, self.catalogue)
        self._query((cypher.UPDATE_NODE, {"id": node.id, "node_props": fields}))

    def _erase_node(self, node_id: str) -> None:
        self._query((cypher.DELETE_NODE, {"id": node_id}))  # DETACH DELETE: its relationships go too

    def _changes_mentioning(self, value: str) -> list[Change]:
        # Committed entries only: erase_node runs in a transaction of its own, before it logs anything.
        [rows] = self._query((cypher.CHANGES_MENTIONING, {"subject": value, "quoted": dumps(value)}))
        return [change_from(row) for row in rows]

    def _rewrite_changes(self, changes: list[Change]) -> None:
        if not changes:
            return
        rows = [{"seq": c.seq, "subject": c.subject, "before": None if c.before is None else dumps(c.before),
                 "after": None if c.after is None else dumps(c.after)} for c in changes]
        [[row]] = self._query((cypher.REWRITE_CHANGES, {"rows": rows}))
        if row["rewritten"] != len(rows):
            raise StoreUnavailable("A change-log entry vanished during an erasure; nothing was saved.")

    # -- tokens (not part of the port's transaction; the store calls these) ----------------------

    def create_token(self, record: TokenRecord) -> None:
        [rows] = self._query((cypher.CREATE_TOKEN, {"name": record.name, "role": record.role,
                                                    "token_hash": record.token_hash, "created_at": record.created_at}))
        if not rows:
            raise Conflict(f"A token named '{record.name}' already exists.", {"name": ["Already in use."]})
        self._log(Operation.CREATE_TOKEN, f"token:{record.name}", None, {"name": record.name, "role": record.role})

    def revoke_token(self, name: str) -> TokenRecord:
        [rows] = self._query((cypher.TOKEN_BY_NAME, {"name": name}))
        if not rows:
            raise NotFound(f"No token is named '{name}'.")
        record = TokenRecord(**rows[0])
        if record.revoked_at is None:
            record = TokenRecord(record.name, record.role, record.token_hash, record.created_at, utc_now())
            self._query((cypher.REVOKE_TOKEN, {"name": name, "revoked_at": record.revoked_at}))
            self._log(Operation.REVOKE_TOKEN, f"token:{name}", {"name": name, "role": record.role}, None)
        return record

    # -- migration -------------------------------------------------------------------------------

    def copy_in(self, nodes: list[Node], relationships: list[Relationship], changes: list[Change],
                tokens: list[TokenRecord]) -> None:
        """Write the records exactly as given, one ``UNWIND $rows`` batch per type, logging nothing."""
        for node_type, group in _by_type(nodes).items():
            rows = [node_fields(node, self.catalogue) for node in group]
            self._copy(self.catalogue.pick(self.catalogue.copy_nodes, node_type), rows)
        self._free_relationship_ids.difference_update(rel.id for rel in relationships)
        for rel_type, group in _by_type(relationships).items():
            rows = [relationship_row(r) for r in group]
            if self._copy(self.catalogue.pick(self.catalogue.copy_relationships, rel_type), rows) != len(rows):
                raise NotFound("A relationship must join two existing nodes; copy the nodes first.")
        if changes:
            self._copy(cypher.COPY_CHANGES, [
                {"seq": c.seq, "at": c.at, "actor": c.actor, "operation": c.operation, "subject": c.subject,
                 "before": None if c.before is None else dumps(c.before),
                 "after": None if c.after is None else dumps(c.after)} for c in changes])
            self._query((cypher.RAISE_COUNTER, {"seq": max(c.seq for c in changes)}))
        self._copy(cypher.COPY_TOKENS, [asdict(t) for t in tokens])

    def _copy(self, statement: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        [[row]] = self._query((statement, {"rows": rows}))
        return row["copied"]

    # -- helpers ---------------------------------------------------------------------------------

    def _insert_relationship(self, rel_type, source, target, properties, rel_id) -> Relationship:
        statement = self.catalogue.pick(self.catalogue.create_relationship, rel_type)
        # Ids are unique across all types (the constraints are per type): writers hold the lock, so
        # checking first is safe.
        if self.get_relationship(rel_id) is not None:
            raise Conflict(f"A relationship with id '{rel_id}' already exists.", {"id": ["Already in use."]})
        self._free_relationship_ids.discard(rel_id)
        rel = Relationship(rel_id, rel_type, source, target, dict(properties), utc_now())
        [rows] = self._query((statement, {"id": rel_id, "source": source, "target": target,
                                          "props_json": dumps(rel.properties), "created_at": rel.created_at}))
        if not rows:
            raise NotFound("A relationship must join two existing nodes.")
        return rel

    def _remove_relationship(self, rel_id: str) -> Relationship:
        rel = self.get_relationship(rel_id)
        if rel is None:
            raise NotFound(f"No relationship has id '{rel_id}'.")
        self._query((self.catalogue.pick(self.catalogue.delete_relationship, rel.type), {"id": rel_id}))
        return rel

    def _log(self, operation, subject, before, after, at=None) -> None:
        self.pending.append({
            "seq": self.base_seq + len(self.pending) + 1, "at": at or utc_now(), "actor": self.actor,
            "operation": operation, "subject": subject,
            "before": None if before is None else dumps(before), "after": None if after is None else dumps(after)})

    # -- batched primitives (write_batch): one UNWIND statement per type and list. The caller has
    # checked ids and ends; the checks here only make sure a slip fails the transaction instead of
    # leaving the graph and the change log apart.

    def _insert_nodes(self, nodes: list[Node]) -> None:
        ids = [node.id for node in nodes]
        if len(set(ids)) != len(ids) or self.get_nodes(ids):  # the lock keeps this true until commit
            raise Conflict("A node id in the batch is already in use.", {"id": ["Already in use."]})
        for node_type, group in _by_type(nodes).items():
            rows = [node_fields(node, self.catalogue) for node in group]
            self._copy(self.catalogue.pick(self.catalogue.copy_nodes, node_type), rows)

    def _write_nodes(self, nodes: list[Node]) -> None:
        # Whole property sets, as _write_node: stale p_<name> mirrors go (see cypher.WRITE_NODES).
        self._query((cypher.WRITE_NODES, {"rows": [node_fields(node, self.catalogue)
                                                   for node in nodes]}))

    def _remove_relationships(self, rel_ids: list[str]) -> None:
        # The type of each is needed to reach its id index; ids not found are skipped (as in SQLite).
        found = self.get_relationships(rel_ids)
        queries = [(self.catalogue.pick(self.catalogue.delete_relationships, rel_type), {"ids": [r.id for r in group]})
                   for rel_type, group in _by_type(found.values()).items()]
        if queries:
            self._query(*queries)

    def _insert_relationships(self, relationships: list[Relationship]) -> None:
        ids = [rel.id for rel in relationships]
        # Ids are unique across all types but the constraints are per type, so check first (as
        # _insert_relationship does), those not already found free; a removal earlier in the same batch
        # frees its id.
        unknown = [rel_id for rel_id in ids if rel_id not in self._free_relationship_ids]
        if len(set(ids)) != len(ids) or (unknown and self.get_relationships(unknown)):
            raise Conflict("A relationship id in the batch is already in use.", {"id": ["Already in use."]})
        self._free_relationship_ids.difference_update(ids)
        for rel_type, group in _by_type(relationships).items():
            rows = [relationship_row(rel) for rel in group]
            # A row whose end is missing matches nothing, so fewer are created than given.
            if self._copy(self.catalogue.pick(self.catalogue.copy_relationships, rel_type), rows) != len(rows):
                raise Conflict("A relationship in the batch must join two existing nodes.")

    def _log_many(self, entries) -> None:
        for operation, subject, before, after, at in entries:
            self._log(operation, subject, before, after, at)
        if len(self.pending) >= PENDING_CHANGES:
            self._append_pending()


def node_fields(node: Node, catalogue: Catalogue) -> dict[str, Any]:
    """The node's Neo4j properties: JSON for the record, the main property for order, its folded
    search text, and a ``p_<name>`` mirror of each scalar property for filters and sorting."""
    label = str(node.properties.get(catalogue.main_property.get(node.type, ""), ""))
    fields = {f"p_{name}": value for name, value in node.properties.items()
              if isinstance(value, str | int | float | bool)}
    fields.update(id=node.id, type=node.type, label=label, props=dumps(node.properties),
                  created_at=node.created_at, updated_at=node.updated_at, version=node.version,
                  search_text=search_text(node.properties, catalogue.search_fields.get(node.type, ())))
    return fields


def relationship_row(rel: Relationship) -> dict[str, Any]:
    """A relationship as a row of copy_relationships' $rows."""
    return {"id": rel.id, "source": rel.source, "target": rel.target, "props": dumps(rel.properties),
            "created_at": rel.created_at}


dumps = json_text  # the same JSON text as the SQLite store writes


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def node_from(row: dict[str, Any]) -> Node:
    return Node(row["id"], row["type"], json.loads(row["props"]), row["created_at"], row["updated_at"], row["version"])


def relationship_from(row: dict[str, Any]) -> Relationship:
    return Relationship(row["id"], row["type"], row["source"], row["target"], json.loads(row["props"]),
                        row["created_at"])


def _sort_field(key: str | None) -> str:
    """The Neo4j property a sort key reads (see node_fields): no key is the main property (label)."""
    return "label" if key is None else key if key in STAMPS else f"p_{key}"


def _rank_args(words: Words | None) -> dict[str, Any]:
    # An empty phrase starts every text: with no words every node ranks 0 and the order falls through.
    return {"phrase": words.phrase if words else "", "separator": FIELD_SEPARATOR}


def _by_type(records) -> dict[str, list]:
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.type, []).append(record)
    return groups


def change_from(row: dict[str, Any]) -> Change:
    return Change(row["seq"], row["at"], row["actor"], row["operation"], row["subject"], loads(row["before"]),
                  loads(row["after"]))
