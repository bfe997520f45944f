"""The service: every write goes through here, checked against the vocabulary and its rules.

HTTP views, the CLI and the seed loader call these methods; none of them touches a store directly.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection
from typing import Any

from marshmallow import ValidationError

from .errors import Conflict, Invalid, NotFound, PreconditionFailed
from .projection import Projection
from .rules import check_links_after_update, check_new_relationship, require_role, role_to_delete
from .schemas import ID_TAKEN, SchemaSet
from .store.model import Node, Relationship
from .store.port import GraphStore, GraphTransaction, Page
from .store.search import RANK, Words, search_fields, snippet
from .vocabulary import EXAMPLE_PROPERTY, NodeType, RelationshipType, Vocabulary

__all__ = ["GraphService", "check_if_match", "node_etag"]


class GraphService:
    def __init__(self, vocabulary: Vocabulary, store: GraphStore):
        self.vocabulary = vocabulary
        self.schemas = SchemaSet(vocabulary)
        self.store = store
        self.projection = Projection(store)
        self._real_graph = None  # (seq, the projection without example records), made on demand
        self._real_lock = threading.Lock()

    # -- nodes ---------------------------------------------------------------------------------

    def create_node(self, type_name: str, body: dict[str, Any], actor: str) -> Node:
        node_type = self.node_type(type_name)
        properties = self._validated(node_type, body)
        node_id = properties.pop("id", None) or new_node_id(node_type)
        with self.store.transaction(actor) as tx:
            _check_id_free_of_relationships(tx, node_id)
            return tx.create_node(node_type.name, node_id, _without_nulls(properties))

    def update_node(self, node_id: str, body: dict[str, Any], actor: str, type_name: str | None = None,
                    if_match: str | None = None) -> Node:
        """Apply a partial change: given properties are replaced, ``null`` removes an optional one.

        With ``if_match`` (an ETag from ``node_etag``) the change applies only if nobody changed the
        node since: the check and the write happen in one transaction.
        """
        with self.store.transaction(actor) as tx:
            node = self._require(tx, node_id, type_name)
            check_if_match(node, if_match)
            changes = self._validated(self.node_type(node.type), body, partial=True)
            if "id" in changes and changes.pop("id") != node_id:
                raise Invalid("A node's id cannot be changed.", {"id": ["Cannot be changed."]})
            merged = _without_nulls({**node.properties, **changes})
            if merged == node.properties:
                return node
            updated = tx.update_node(node_id, merged)
            check_links_after_update(self.vocabulary, tx, updated, node.properties)
            return updated

    def delete_node(self, node_id: str, actor: str, type_name: str | None = None,
                    if_match: str | None = None, role: str | None = None) -> Node:
        """Delete a node and its relationships. With ``role`` (the caller's), refuse (Forbidden) when
        the deletion would undo what only a higher role may decide (see rules.role_to_delete)."""
        with self.store.transaction(actor) as tx:
            node = self._require(tx, node_id, type_name)
            check_if_match(node, if_match)
            needed, reasons = role_to_delete(self.vocabulary, node, tx.relationships_of(node_id))
            require_role(needed, role, f"Deleting '{node_id}' would also remove {', '.join(reasons[:5])}"
                                       f"{' and more' if len(reasons) > 5 else ''}; that")
            return tx.delete_node(node_id)

    def get_node(self, node_id: str, type_name: str | None = None) -> Node:
        return self._require(self.store, node_id, type_name)

    def list_nodes(self, type_name: str, text: str | None = None, equals: dict[str, Any] | None = None,
                   limit: int = 50, offset: int = 0, *, ranges: dict[str, tuple[Any, Any]] | None = None,
                   sort: str | None = None) -> Page:
        """A page of one type, filtered (see GraphReader.find_nodes). Ordered by ``sort`` if given (a
        property or stamp, ``-`` for descending), else best match first when there is ``text``, then
        the type's sort property (findings and recommendations in report order)."""
        node_type = self.node_type(type_name)
        order = [sort] if sort else [RANK, node_type.sort_property] if Words.of(text) else [node_type.sort_property]
        return self.store.find_nodes(node_type.name, text=text, equals=equals, ranges=ranges, sort=order,
                                     limit=limit, offset=offset)

    def search(self, text: str, types: list[str] | None = None, limit: int = 50,
               offset: int = 0) -> tuple[list[tuple[Node, str | None]], int]:
        """Nodes of any type (or of ``types``) holding every word of ``text``, best match first, each
        with a snippet of the first other field holding a word (None when there is none)."""
        words = Words.of(text)
        if words is None:  # nothing left to look for once folded (e.g. only accents)
            return [], 0
        names = [self.node_type(name).name for name in types] if types else None
        nodes, total = self.store.search(text, names, limit, offset)
        fields = search_fields(self.vocabulary)
        return [(node, snippet(node.properties, fields.get(node.type, ()), words)) for node in nodes], total

    # -- relationships -------------------------------------------------------------------------

    def create_relationship(self, rel_type: str, source: str, target: str, properties: dict[str, Any],
                            actor: str, rel_id: str | None = None) -> Relationship:
        with self.store.transaction(actor) as tx:
            return self.add_relationship(tx, rel_type, source, target, properties, rel_id)

    def add_relationship(self, tx: GraphTransaction, type_name: str, source_id: str, target_id: str,
                         properties: dict[str, Any], rel_id: str | None = None,
                         tolerate: frozenset[str] = frozenset(),
                         tolerated: list[str] | None = None, validated: bool = False) -> Relationship:
        """Check and create one relationship inside an open transaction.

        ``tolerate`` names cardinality rules a bulk load of legacy data may breach (see rules.py);
        the ids of rules actually breached are appended to ``tolerated``. Privacy rules never yield.
        ``validated`` says ``properties`` already came from ``relationship_properties``.
        """
        rel_type = self.relationship_type(type_name)
        if not validated:
            properties = self.relationship_properties(rel_type, properties)
        source, target = tx.get_node(source_id), tx.get_node(target_id)
        missing = {key: [f"No node has id '{value}'."]
                   for key, value, node in (("from", source_id, source), ("to", target_id, target)) if node is None}
        if missing:
            raise Invalid("The relationship must join two existing nodes.", missing)
        breached = check_new_relationship(self.vocabulary, tx, rel_type, source, target, tolerate)
        if tolerated is not None:
            tolerated.extend(breached)
        if rel_id and tx.get_node(rel_id) is not None:
            raise Conflict(ID_TAKEN.format(rel_id), {"id": ["Already in use."]})
        return tx.create_relationship(rel_type.name, source_id, target_id, properties,
                                      rel_id or new_relationship_id())

    def relationship_type(self, name: str) -> RelationshipType:
        rel_type = self.vocabulary.relationship_type(name)
        if rel_type is None:
            known = ", ".join(sorted(self.vocabulary.relationship_types))
            raise Invalid(f"Unknown relationship type '{name}'.", {"type": [f"Must be one of: {known}."]})
        return rel_type

    def relationship_properties(self, rel_type: RelationshipType, properties: Any) -> dict[str, Any]:
        """The relationship's properties, checked against its type, without nulls."""
        try:
            clean = self.schemas.validate_relationship_properties(rel_type, properties)
        except ValidationError as exc:
            raise _invalid(exc, f"Invalid properties for {rel_type.name}.") from exc
        return _without_nulls(clean)

    def delete_relationship(self, rel_id: str, actor: str, role: str | None = None) -> Relationship:
        with self.store.transaction(actor) as tx:
            rel = tx.get_relationship(rel_id)
            if rel is None:
                raise NotFound(f"No relationship has id '{rel_id}'.")
            rel_type = self.vocabulary.relationship_type(rel.type)
            require_role(rel_type.role_to_delete if rel_type else None, role, f"Deleting a {rel.type} relationship")
            return tx.delete_relationship(rel_id)

    def get_relationship(self, rel_id: str) -> Relationship:
        rel = self.store.get_relationship(rel_id)
        if rel is None:
            raise NotFound(f"No relationship has id '{rel_id}'.")
        return rel

    def list_relationships(self, rel_type=None, source=None, target=None, limit=50, offset=0) -> Page:
        return self.store.find_relationships(rel_type=rel_type, source=source, target=target,
                                             limit=limit, offset=offset)

    # -- reads for analyses ---------------------------------------------------------------------

    def graph(self, examples: bool = True):
        """The projection, caught up with every committed change; with ``examples=False``, a copy
        without the example records (built once per change-log seq)."""
        graph = self.projection.graph()
        if examples:
            return graph
        with self._real_lock:
            seq = self.projection.seq
            if self._real_graph is None or self._real_graph[0] != seq:
                real = [node for node, data in graph.nodes(data=True) if data.get(EXAMPLE_PROPERTY) is not True]
                self._real_graph = (seq, graph.subgraph(real).copy())
            return self._real_graph[1]

    def remove_examples(self, actor: str, also: Collection[str] = ()) -> dict[str, int]:
        """Delete every example record and its relationships in one logged transaction; real records
        and their history are untouched. ``also``: ids of example records that may predate the mark
        (a store seeded before the demo was marked), removed too where they exist."""
        with self.store.transaction(actor) as tx:
            doomed = [node for node_type in self.vocabulary.node_types
                      for node in tx.find_nodes(node_type, equals={EXAMPLE_PROPERTY: True}, limit=10**9)[0]]
            marked = {node.id for node in doomed}
            doomed += tx.get_nodes(set(also) - marked).values()
            relationships = {rel.id for node in doomed for rel in tx.relationships_of(node.id)}
            for node in doomed:
                tx.delete_node(node.id)
        return {"nodes": len(doomed), "relationships": len(relationships)}

    def counts(self) -> tuple[int, int]:
        graph = self.graph()
        return graph.number_of_nodes(), graph.number_of_edges()

    # -- helpers --------------------------------------------------------------------------------

    def node_type(self, name: str) -> NodeType:
        node_type = self.vocabulary.node_type(name)
        if node_type is None:
            known = ", ".join(sorted(self.vocabulary.node_types))
            raise Invalid(f"Unknown node type '{name}'.", {"type": [f"Must be one of: {known}."]})
        return node_type

    def node_properties(self, node_type: NodeType, body: Any) -> dict[str, Any]:
        """A full node body (``id`` allowed) checked against its type, without nulls."""
        return _without_nulls(self._validated(node_type, body))

    def _validated(self, node_type: NodeType, body: Any, partial: bool = False) -> dict[str, Any]:
        try:
            return self.schemas.validate_node(node_type, body, partial=partial)
        except ValidationError as exc:
            raise _invalid(exc, f"Invalid {node_type.name}.") from exc

    def _require(self, reader, node_id: str, type_name: str | None) -> Node:
        node = reader.get_node(node_id)
        if node is None or (type_name is not None and node.type != type_name):
            kind = f"{type_name}" if type_name else "node"
            raise NotFound(f"No {kind} has id '{node_id}'.")
        return node


def _check_id_free_of_relationships(reader, node_id: str) -> None:
    if reader.get_relationship(node_id) is not None:
        raise Conflict(ID_TAKEN.format(node_id), {"id": ["Already in use."]})


def node_etag(node: Node) -> str:
    """A strong validator for the node's current state: its version number, quoted."""
    return f'"v{node.version}"'


def check_if_match(node: Node, if_match: str | None) -> None:
    """PreconditionFailed unless ``if_match`` (an If-Match header, if any) names the node's ETag or ``*``."""
    if if_match is None:
        return
    offered = [tag.strip() for tag in if_match.split(",")]
    if "*" not in offered and node_etag(node) not in offered:
        raise PreconditionFailed(
            f"'{node.id}' has changed since you read it (it is now at {node_etag(node)}); "
            "fetch it again, reapply your change and retry.", {"If-Match": [f"Current ETag is {node_etag(node)}."]})


def new_node_id(node_type: NodeType) -> str:
    return f"{node_type.name.lower()}-{uuid.uuid4().hex[:12]}"


def new_relationship_id() -> str:
    return f"rel-{uuid.uuid4().hex[:16]}"


def _without_nulls(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if value is not None}


def _invalid(exc: ValidationError, message: str = "The request body is invalid.") -> Invalid:
    errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    fields = ", ".join(sorted(errors))
    return Invalid(f"{message} Check: {fields}.", errors)
