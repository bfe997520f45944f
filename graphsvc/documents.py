"""Loading native graph documents (``{"nodes": [...], "relationships": [...]}``) atomically.

Used by the seed command. Nodes are upserted by id; a relationship without an id is the same as
an existing one of the same type between the same nodes. The whole document is one transaction:
if any row is wrong nothing is written, and every problem is reported with its location.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DomainError, Invalid
from .service import GraphService
from .vocabulary import yaml_load

__all__ = ["LoadResult", "load_document", "read_document"]

_HEAD = ("type", "from", "to", "id")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    tolerated: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.errors, "tolerated": self.tolerated}


def read_document(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON document file (JSON is YAML, so one parser serves both)."""
    with open(path, encoding="utf-8") as handle:
        document = yaml_load(handle)
    if not isinstance(document, dict):
        raise Invalid(f"{path}: expected an object with 'nodes' and 'relationships'.")
    return document


def load_document(service: GraphService, document: dict[str, Any], actor: str, source: str = "",
                  tolerate: frozenset[str] = frozenset()) -> LoadResult:
    """Upsert every node and relationship of ``document`` in one transaction.

    Raises Invalid, with every problem listed in ``errors``, if any row is wrong. Breaches of the
    cardinality rules named in ``tolerate`` are loaded and listed in ``tolerated`` instead.
    """
    result = LoadResult()
    with service.store.transaction(actor) as tx:
        for index, row in enumerate(document.get("nodes") or []):
            _attempt(result, source, "nodes", index, lambda row=row: _upsert_node(service, tx, row, result))
        for index, row in enumerate(document.get("relationships") or []):
            _attempt(result, source, "relationships", index,
                     lambda row=row, index=index: _upsert_relationship(service, tx, row, result, tolerate,
                                                                       index))
        if result.errors:
            raise Invalid(f"{len(result.errors)} problem(s) found; nothing was written.",
                          {"rows": result.errors})
    return result


def _attempt(result: LoadResult, source: str, section: str, index: int, work) -> None:
    try:
        work()
    except DomainError as exc:
        result.errors.append({"source": source, "section": section, "row": index + 1,
                              "message": exc.message, "fields": exc.errors})


def _upsert_node(service: GraphService, tx, row: Any, result: LoadResult) -> None:
    if not isinstance(row, dict) or not row.get("id") or not row.get("type"):
        raise Invalid("Each node needs an 'id' and a 'type'.")
    node_type = service.node_type(str(row["type"]))
    body = {key: value for key, value in row.items() if key != "type"}
    properties = service.node_properties(node_type, body)
    node_id = properties.pop("id")
    existing = tx.get_node(node_id)
    if existing is None:
        tx.create_node(node_type.name, node_id, properties)
        result.created += 1
    elif existing.type != node_type.name:
        raise Invalid(f"'{node_id}' is already a {existing.type}, not a {node_type.name}.", {"type": ["Mismatch."]})
    elif existing.properties == properties:
        result.unchanged += 1
    else:
        tx.update_node(node_id, properties)
        result.updated += 1


def _upsert_relationship(service: GraphService, tx, row: Any, result: LoadResult,
                         tolerate: frozenset[str], index: int) -> None:
    if not isinstance(row, dict) or not all(row.get(key) for key in ("type", "from", "to")):
        raise Invalid("Each relationship needs 'type', 'from' and 'to'.")
    rel_type = service.relationship_type(str(row["type"]))
    properties = service.relationship_properties(rel_type, {k: v for k, v in row.items() if k not in _HEAD})
    existing = _same_relationship(tx, row)
    if existing is not None and existing.type != rel_type.name:
        raise Invalid(f"Relationship '{existing.id}' is a {existing.type}, not a {rel_type.name}.")
    if existing is not None:
        if properties == existing.properties and (existing.source, existing.target) == (row["from"], row["to"]):
            result.unchanged += 1
            return
        tx.delete_relationship(existing.id)
        service.add_relationship(tx, row["type"], row["from"], row["to"], properties, existing.id, tolerate,
                                 validated=True)
        # (an update of a tolerated row was already reported when it was first loaded)
        result.updated += 1
        return
    breached: list[str] = []
    service.add_relationship(tx, row["type"], row["from"], row["to"], properties, row.get("id"), tolerate,
                             breached, validated=True)
    if breached:
        result.tolerated.append({"section": "relationships", "row": index + 1, "rules": breached})
    result.created += 1


def _same_relationship(tx, row: dict[str, Any]):
    if row.get("id"):
        return tx.get_relationship(row["id"])
    candidates: Iterable = tx.find_relationships(rel_type=row["type"], source=row["from"], target=row["to"],
                                                 limit=1)[0]
    return next(iter(candidates), None)
