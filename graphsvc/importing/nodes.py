"""Node rows of an import: upsert by id, ids for rows without one, and the convenience columns.

A row without an id gets ``<type>-<name slug>``. If a node with that id already exists it is the
same record imported again; otherwise, a row whose name matches (or comes close to) an existing
node of its type is a *possible duplicate*: reported, and not created unless duplicates are
accepted. Names in convenience columns (``themes``...) link to the node of that name, created
when there is none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from ..errors import DomainError
from ..rules import check_links_after_update
from ..schemas import ID_TAKEN
from ..store.model import Node, utc_now
from ..store.port import WriteBatch
from ..vocabulary import EXAMPLE_PROPERTY, NodeType
from .names import NameIndex, slug_id
from .rows import Row, problem
from .tabular import STAMPS

__all__ = ["NodeChunk"]


@dataclass
class _Item:
    row: Row
    node_type: NodeType
    id: str
    body: dict[str, Any]
    generated: bool  # the id was made from the name
    links: dict[str, list[str]] = field(default_factory=dict)


class NodeChunk:
    """Node rows waiting to be checked and written, one chunk at a time."""

    def __init__(self, importer):
        self.importer = importer
        self.vocabulary = importer.vocabulary
        self.rows: list[Row] = []
        self.ids: set[str] = set()  # ids of node rows (given or made) so far in this import
        self.names = NameIndex(importer.tx)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.importer.options.chunk_size:
            self.flush()

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        items = [item for item in map(self._item, rows) if item is not None]
        if not items:
            return
        existing = self.importer.tx.get_nodes({item.id for item in items})
        relationship_ids = self.importer.tx.get_relationships({item.id for item in items} - existing.keys())
        batch, now = WriteBatch(), utc_now()
        for item in items:
            if item.id in relationship_ids:
                self.importer.error(item.row, "id", ID_TAKEN.format(item.id))
                continue
            node_id = self._node(item, existing, batch, now)
            if node_id is not None:
                self._links(item, node_id, batch, now)
        if batch:
            self.importer.write(batch)

    # -- one row -----------------------------------------------------------------------------------

    def _item(self, row: Row) -> _Item | None:
        importer, data = self.importer, row.data
        if not isinstance(data, dict):
            importer.error(row, None, "Each node must be an object with an 'id' (optional) and a 'type'.")
            return None
        type_name = data.get("type")
        node_type = self.vocabulary.node_type(type_name) if isinstance(type_name, str) else None
        if node_type is None:
            known = ", ".join(sorted(self.vocabulary.node_types))
            importer.error(row, "type", "Every node needs a type." if type_name in (None, "") else
                           f"Unknown node type '{type_name}'. Must be one of: {known}.")
            return None
        body = {key: value for key, value in data.items() if key != "type" and key not in STAMPS}
        given = body.get("id")
        if given in (None, ""):
            name = body.get(node_type.main_property)
            made = slug_id(node_type.name, name) if isinstance(name, str) and name.strip() else \
                f"{node_type.name.lower()}-{uuid.uuid4().hex[:12]}"
            body["id"] = made
            return _Item(row, node_type, made, body, True, row.links)
        if isinstance(given, str) and given in self.ids:
            importer.error(row, "id", f"The id '{given}' appears more than once in this import.")
            return None
        if isinstance(given, str):
            self.ids.add(given)
        return _Item(row, node_type, given if isinstance(given, str) else str(given), body, False, row.links)

    def _node(self, item: _Item, existing: dict[str, Node], batch: WriteBatch, now: str) -> str | None:
        """Check one row and add its write to the batch; the node's id, or None if it was refused."""
        importer, row = self.importer, item.row
        if item.generated and not self._resolve_generated(item, existing):
            return None
        node = existing.get(item.id)
        if node is not None and node.type != item.node_type.name:
            importer.error(row, "type", f"'{item.id}' is already a {node.type}, not a {item.node_type.name}.")
            return None
        try:
            clean = importer.service.schemas.validate_node(item.node_type, item.body, partial=node is not None)
        except ValidationError as exc:
            importer.invalid(row, exc)
            return None
        clean.pop("id", None)
        if node is None:
            properties = {k: v for k, v in clean.items() if v is not None}
            if not self._may_set(item, properties, {}):
                return None
            batch.create_nodes.append(Node(item.id, item.node_type.name, properties, now, now, 1))
            self._remember(item.node_type.name, item.id, properties)
            importer.result.created += 1
            return item.id
        importer.know(node.id, node.type, node.properties)
        if importer.options.mode == "create_only":
            importer.error(row, "id", f"'{node.id}' already exists (mode=create_only); use mode=merge to update it.")
            return None
        merged = {k: v for k, v in {**node.properties, **clean}.items() if v is not None}
        if merged == node.properties:
            importer.result.unchanged += 1
        else:
            after = Node(node.id, node.type, merged, node.created_at, now, node.version + 1)
            if not self._may_set(item, merged, node.properties) or not self._links_still_allowed(row, after, node):
                return None
            batch.update_nodes.append((node, after))
            importer.know(node.id, node.type, merged)
            importer.result.updated += 1
        return node.id

    def _resolve_generated(self, item: _Item, existing: dict[str, Node]) -> bool:
        """Settle the id of a row given without one; False if it is a possible duplicate left out."""
        node_type, name = item.node_type.name, str(item.body.get(item.node_type.main_property, ""))
        same = existing.get(item.id)
        if same is not None and same.type == node_type and item.id not in self.ids:
            self.ids.add(item.id)
            return True  # this very record, imported before without an id
        earlier = item.id in self.ids
        match = {"id": item.id, "name": name, "score": 1.0} if earlier else \
            self._match(node_type, name)
        if match is not None and not self.importer.options.accept_duplicates:
            self._possible_duplicate(item.row, None, node_type, name, match)
            return False
        if earlier or same is not None:
            item.id = item.body["id"] = f"{item.id[:100]}-{uuid.uuid4().hex[:6]}"
        self.ids.add(item.id)
        return True

    def _match(self, node_type: str, name: str) -> dict | None:
        if not name:
            return None
        exact = self.names.exact(node_type, name)
        if exact is not None:
            found = self.importer.tx.get_node(exact)  # (rare: only for a duplicate, to quote its name)
            label = found.properties.get(self.vocabulary.node_types[node_type].main_property) if found else None
            return {"id": exact, "name": label or name, "score": 1.0}
        return self.names.close(node_type, name)

    def _may_set(self, item: _Item, properties: dict[str, Any], before: dict[str, Any]) -> bool:
        """Whether the caller may make the property changes the row makes (e.g. an action's status)."""
        allowed = True
        for name, spec in item.node_type.properties.items():
            if spec.write_role and properties.get(name) != before.get(name):
                allowed &= self.importer.may(item.row, name, spec.write_role, f"Setting {item.node_type.name}.{name}")
        return allowed

    def _links_still_allowed(self, row: Row, after: Node, before: Node) -> bool:
        try:
            check_links_after_update(self.vocabulary, self.importer.tx, after, before.properties)
        except DomainError as exc:
            self.importer.error(row, None, exc.message)
            return False
        return True

    # -- convenience columns -------------------------------------------------------------------------

    def _links(self, item: _Item, node_id: str, batch: WriteBatch, now: str) -> None:
        importer, row = self.importer, item.row
        for column, names in item.links.items():
            spec = self.vocabulary.link_columns[column]
            rel_type = self.vocabulary.relationship_types[spec.relationship]
            if not rel_type.allows(*spec.ends(item.node_type.name)):
                importer.error(row, column, f"A {item.node_type.name} cannot have {column}: {spec.relationship} "
                                            f"joins only {rel_type.describe_endpoints()}.")
                continue
            example = item.body.get(EXAMPLE_PROPERTY) is True  # names an example row brings in are examples too
            for name in names:
                other = self._named(row, column, spec.node_type, name, batch, now, example)
                if other is not None:
                    ends = (node_id, other) if spec.direction == "out" else (other, node_id)
                    link = Row("relationships", {"type": spec.relationship, "from": ends[0], "to": ends[1]},
                               row.file, row.sheet, row.number)
                    importer.pending.append((link, column))

    def _named(self, row: Row, column: str, node_type: str, name: str, batch: WriteBatch, now: str,
               example: bool = False) -> str | None:
        """The id of the ``node_type`` node called ``name``, created in the batch if there is none."""
        found = self.names.exact(node_type, name)
        if found is not None:
            return found
        close = self.names.close(node_type, name)
        if close is not None and not self.importer.options.accept_duplicates:
            self._possible_duplicate(row, column, node_type, name, close)
            return None
        spec = self.vocabulary.node_types[node_type]
        try:
            properties = self.importer.service.schemas.validate_node(
                spec, {spec.main_property: name, **({EXAMPLE_PROPERTY: True} if example else {})})
        except ValidationError as exc:
            self.importer.invalid(row, exc, column)
            return None
        node_id = self._free(slug_id(node_type, name))
        batch.create_nodes.append(Node(node_id, node_type, properties, now, now, 1))
        self._remember(node_type, node_id, properties)
        self.importer.result.created += 1
        return node_id

    def _free(self, node_id: str) -> str:
        if node_id in self.ids or self.importer.tx.get_node(node_id) is not None:
            node_id = f"{node_id[:100]}-{uuid.uuid4().hex[:6]}"
        self.ids.add(node_id)
        return node_id

    def _remember(self, node_type: str, node_id: str, properties: dict[str, Any]) -> None:
        self.importer.know(node_id, node_type, properties)
        name = properties.get(self.vocabulary.node_types[node_type].main_property)
        if isinstance(name, str):
            self.names.add(node_type, node_id, name)

    def _possible_duplicate(self, row: Row, column: str | None, node_type: str, name: str, match: dict) -> None:
        self.importer.result.possible_duplicates.append(
            {**problem(row, column, f"'{name}' looks like the existing {node_type} '{match['name']}' "
                                    f"({match['id']}); give the row that id to update it, or import with "
                                    "accept_duplicates=true to create it anyway."),
             "type": node_type, "name": name, "matches": match})
