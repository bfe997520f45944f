"""The importer: rows in, checked against the vocabulary and its rules, written in batches.

The whole import is one store transaction. Rows are checked a chunk at a time against what the
transaction already holds (the store plus earlier chunks of this import), so memory stays bounded
by the chunk and by the ids seen; each chunk is written with one ``write_batch``. Every problem is
recorded with its place; if there is any, or on a dry run, the transaction is rolled back at the
end and nothing is written. The change log gets one entry per change, with the importer as actor,
and a last ``import`` entry saying how many entries before it the import wrote (so that readers of
the log can tell an import apart).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

from marshmallow import ValidationError

from ..auth import role_at_least
from ..rules import cardinality_limits, endpoint_error, limit_breached, link_breach, rule_properties
from ..schemas import ID_MESSAGE, ID_PATTERN, ID_TAKEN
from ..store.model import Relationship, utc_now
from ..store.port import WriteBatch
from .nodes import NodeChunk
from .result import ImportOptions, ImportResult
from .rows import FileProblem, Row, problem
from .tabular import STAMPS

__all__ = ["Importer", "run_import"]

_REL_HEAD = ("id", "type", "from", "to")
_ID = re.compile(ID_PATTERN)


class _RollBack(Exception):
    """Leaves the import transaction so that it rolls back (errors, or a dry run)."""


def run_import(service, sources: Iterable[Iterable[Row]], actor: str, options: ImportOptions | None = None,
               on_rows=None) -> ImportResult:
    """Import every row of every source (one iterable of rows per input file) in one transaction."""
    options = options or ImportOptions()
    result = ImportResult(dry_run=options.dry_run)
    try:
        with service.store.transaction(actor) as tx:
            importer = Importer(service, tx, options, result, on_rows)
            for rows in sources:
                importer.consume(rows)
            importer.finish()
            if result.error_count or options.dry_run:
                raise _RollBack
            if importer.entries:
                tx.log_import(f"import:{uuid.uuid4().hex[:16]}", {
                    "entries": importer.entries, "rows": result.rows, "created": result.created,
                    "updated": result.updated, "unchanged": result.unchanged})
    except _RollBack:
        return result
    finally:
        # Bulk work leaves a large write-ahead log behind (even when rolled back); fold it back into
        # the database file now, while nothing else is likely to be writing.
        service.store.checkpoint()
    result.applied = True
    return result


class Importer:
    def __init__(self, service, tx, options: ImportOptions, result: ImportResult, on_rows=None):
        self.service, self.tx, self.options, self.result = service, tx, options, result
        self.vocabulary = service.vocabulary
        self.on_rows = on_rows  # progress callback: called with the number of rows read so far
        self.nodes = NodeChunk(self)
        self.pending: list[tuple[Row, str | None]] = []  # relationship rows (and the link column they came from)
        self.types: dict[str, str] = {}  # node id → type, for each node this import wrote or looked up
        # ... and, where set, the few properties link rules read (a group's kind, the example mark)
        self.rule_facts: dict[str, _End] = {}
        self._watched = rule_properties(self.vocabulary)
        self.relationship_ids: set[str] = set()  # ids given by relationship rows so far
        self._id_prefix, self._next_id = f"rel-{uuid.uuid4().hex[:10]}-", 0
        self._limits: dict[tuple[str, str], list] = {}  # memoised rule lookups: they run for every row
        self.entries = 0  # change-log entries written so far (one per record written)

    def write(self, batch: WriteBatch) -> None:
        """Write one chunk; the change log gets one entry per record in it."""
        self.tx.write_batch(batch)
        self.entries += len(batch)

    # -- reading ---------------------------------------------------------------------------------

    def consume(self, rows: Iterable[Row]) -> None:
        try:
            for row in rows:
                self.add(row)
        except FileProblem as exc:
            self.record(exc.as_problem())

    def add(self, row: Row) -> None:
        for column, message in row.problems.items():
            self.error(row, None if column.startswith("_") else column, message)
        if row.data is None:
            return  # a header row, or a row no reader could make sense of
        self.result.rows += 1
        if self.on_rows and self.result.rows % 1000 == 0:
            self.on_rows(self.result.rows)
        if row.section == "nodes":
            self.nodes.add(row)
        else:
            self.pending.append((row, None))
            if len(self.pending) >= self.options.chunk_size:
                self.flush_relationships()

    def finish(self) -> None:
        self.flush_relationships()
        if not self.result.rows and not self.result.error_count:
            self.record({"file": None, "sheet": None, "row": None, "column": None,
                         "message": "The input holds no nodes or relationships."})

    # -- problems --------------------------------------------------------------------------------

    def error(self, row: Row, column: str | None, message: str) -> None:
        self.record(problem(row, column, message))

    def record(self, entry: dict[str, Any]) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < self.options.max_errors:
            self.result.errors.append(entry)

    def may(self, row: Row, column: str | None, needed: str | None, what: str) -> bool:
        """Whether the caller's role allows a change the vocabulary reserves for ``needed``; if not, an error."""
        role = self.options.role
        if needed is None or role is None or role_at_least(role, needed):
            return True
        self.error(row, column, f"{what} needs the '{needed}' role; your token has '{role}'.")
        return False

    def invalid(self, row: Row, exc: ValidationError, column: str | None = None) -> None:
        """One error per field marshmallow rejected (column = the field, unless the row came from a
        convenience column)."""
        messages = exc.messages if isinstance(exc.messages, dict) else {None: exc.messages}
        for field, found in messages.items():
            for message in _flatten(found):
                self.error(row, column or field, message)

    # -- relationships ---------------------------------------------------------------------------

    def new_relationship_id(self) -> str:
        self._next_id += 1
        return f"{self._id_prefix}{self._next_id:x}"

    def flush_relationships(self) -> None:
        self.nodes.flush()  # a relationship may join nodes still waiting in the node chunk
        rows, self.pending = self.pending, []
        items = [item for item in (self._relationship_item(row, column) for row, column in rows) if item]
        if not items:
            return
        self._learn_types({end for item in items for end in (item["from"], item["to"])})
        by_id = self.tx.get_relationships([item["id"] for item in items if item["id"]])
        node_ids = self.tx.get_nodes([item["id"] for item in items if item["id"] and item["id"] not in by_id])
        for item in [item for item in items if item["id"] in node_ids]:
            self.error(item["row"], item["column"] or "id", ID_TAKEN.format(item["id"]))
            items.remove(item)
        by_key = self.tx.find_links([item["key"] for item in items if not item["id"]])
        targets = self._rule_targets(items)
        stored = {rule.id: self.tx.count_incoming(rule.relationship, ends) for rule, ends in targets.values()}
        batch, now, added, seen = WriteBatch(), utc_now(), Counter(), set()
        for item in items:
            self._relationship(item, by_id, by_key, stored, added, seen, batch, now)
        if batch:
            self.write(batch)

    def _relationship_item(self, row: Row, column: str | None) -> dict | None:
        data = row.data
        if not isinstance(data, dict):
            self.error(row, None, "Each relationship must be an object with 'type', 'from' and 'to'.")
            return None
        type_name, source, target, rel_id = data.get("type"), data.get("from"), data.get("to"), data.get("id")
        rel_type = self.vocabulary.relationship_types.get(type_name) if isinstance(type_name, str) else None
        well_formed = rel_type is not None and _is_id(source) and _is_id(target) and (not rel_id or _is_id(rel_id))
        if not well_formed or (rel_id and rel_id in self.relationship_ids):
            self._report_malformed(row, column, data, rel_type)
            return None
        if rel_id:
            self.relationship_ids.add(rel_id)
        properties = {k: v for k, v in data.items() if k not in _REL_HEAD and k not in STAMPS} \
            if len(data) > 3 + ("id" in data) else {}
        if properties:
            try:
                properties = self.service.schemas.validate_relationship_properties(rel_type, properties)
            except ValidationError as exc:
                self.invalid(row, exc, column)
                return None
            properties = {k: v for k, v in properties.items() if v is not None}
        return {"row": row, "column": column, "type": rel_type, "from": source, "to": target,
                "id": rel_id or None, "properties": properties, "key": (rel_type.name, source, target)}

    def _report_malformed(self, row: Row, column: str | None, data: dict, rel_type) -> None:
        problems = {key: "Required." for key in ("type", "from", "to") if data.get(key) in (None, "")}
        for key in ("from", "to", "id"):
            if key not in problems and data.get(key) not in (None, "") and not _is_id(data.get(key)):
                problems[key] = ID_MESSAGE
        if "type" not in problems and rel_type is None:
            known = ", ".join(sorted(self.vocabulary.relationship_types))
            problems["type"] = f"Unknown relationship type '{data.get('type')}'. Must be one of: {known}."
        rel_id = data.get("id")
        if "id" not in problems and rel_id and rel_id in self.relationship_ids:
            problems["id"] = f"The relationship id '{rel_id}' appears more than once in this import."
        for key, message in problems.items():
            self.error(row, column or key, message)

    def _learn_types(self, ids: set[str]) -> None:
        unknown = [node_id for node_id in ids if node_id not in self.types]
        if unknown:
            for node_id, node in self.tx.get_nodes(unknown).items():
                self.know(node_id, node.type, node.properties)

    def know(self, node_id: str, node_type: str, properties: dict[str, Any]) -> None:
        """Remember a node this import wrote or looked up: its type and what link rules read of it."""
        self.types[node_id] = node_type
        facts = {name: properties[name] for name in self._watched if name in properties}
        if facts:
            self.rule_facts[node_id] = _End(node_type, facts)
        else:
            self.rule_facts.pop(node_id, None)

    def _end(self, node_id: str) -> _End:
        return self.rule_facts.get(node_id) or _End(self.types[node_id], {})

    def _rule_targets(self, items: list[dict]) -> dict:
        """For each cardinality rule the chunk may breach: (rule, the target ids it must count)."""
        found: dict[str, tuple] = {}
        for item in items:
            target_type = self.types.get(item["to"])
            for rule in self._cardinality(item["type"].name, target_type or ""):
                found.setdefault(rule.id, (rule, set()))[1].add(item["to"])
        return found

    def _relationship(self, item, by_id, by_key, stored, added, seen, batch: WriteBatch, now: str) -> None:
        row, column, rel_type = item["row"], item["column"], item["type"]
        source, target = item["from"], item["to"]
        missing = [(key, end) for key, end in (("from", source), ("to", target)) if end not in self.types]
        for key, end in missing:
            self.error(row, column or key, f"No node has id '{end}' (in the store or in this import).")
        if missing:
            return
        source_type, target_type = self.types[source], self.types[target]
        wrong = endpoint_error(rel_type, source, source_type, target, target_type)
        if wrong is not None:
            self.error(row, column or "type", wrong.message)
            return
        if source == target:
            self.error(row, column or "to", f"A relationship cannot join '{source}' to itself.")
            return
        rule = link_breach(self.vocabulary, rel_type.name, self._end(source), self._end(target))
        if rule is not None:
            self.error(row, column or "to", rule.message)
            return
        existing = by_id.get(item["id"]) if item["id"] else by_key.get(item["key"])
        if existing is None and not item["id"] and item["key"] in seen:
            self.result.unchanged += 1  # the same link twice in this chunk (say, a row and a column)
            return
        if existing is not None:
            moved = existing.target != target  # a relationship given by id may now end elsewhere
            if not moved or self._within_limits(item, target_type, stored, added):
                self._update_relationship(item, existing, batch, now)
            return
        if not self.may(row, column or "type", rel_type.write_role, f"Adding a {rel_type.name} relationship"):
            return
        if not self._within_limits(item, target_type, stored, added):
            return
        seen.add(item["key"])
        batch.create_relationships.append(Relationship(item["id"] or self.new_relationship_id(), rel_type.name,
                                                       source, target, item["properties"], now))
        self.result.created += 1

    def _update_relationship(self, item, existing: Relationship, batch: WriteBatch, now: str) -> None:
        row, rel_type = item["row"], item["type"]
        if existing.type != rel_type.name:
            self.error(row, item["column"] or "type",
                       f"Relationship '{existing.id}' is a {existing.type}, not a {rel_type.name}.")
            return
        merged = {**existing.properties, **item["properties"]}
        if self.options.mode == "create_only":
            self.error(row, item["column"] or "id", f"Relationship '{existing.id}' already exists "
                                                    "(mode=create_only); use mode=merge to update it.")
        elif (existing.source, existing.target) == (item["from"], item["to"]) and merged == existing.properties:
            self.result.unchanged += 1
        elif self.may(row, item["column"] or "type", rel_type.write_role,
                      f"Changing a {rel_type.name} relationship"):
            batch.remove_relationships.append(existing)
            batch.create_relationships.append(Relationship(existing.id, rel_type.name, item["from"], item["to"],
                                                           merged, now))
            self.result.updated += 1

    def _cardinality(self, rel_type: str, target_type: str) -> list:
        key = (rel_type, target_type)
        if key not in self._limits:
            self._limits[key] = cardinality_limits(self.vocabulary, rel_type, target_type)
        return self._limits[key]

    def _within_limits(self, item, target_type: str, stored, added: Counter) -> bool:
        for rule in self._cardinality(item["type"].name, target_type):
            target = item["to"]
            if stored[rule.id].get(target, 0) + added[rule.id, target] + 1 > rule.max:
                if rule.id not in self.options.tolerate:
                    self.error(item["row"], item["column"] or "to", limit_breached(rule, target).message)
                    return False
                breach = limit_breached(rule, target).message
                self.result.tolerated.append({**problem(item["row"], None, breach), "rule": rule.id})
            added[rule.id, target] += 1
        return True


class _End(NamedTuple):
    """One end of a relationship row as link rules see it."""

    type: str
    properties: dict[str, Any]


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None  # not .match: "$" allows a final "\n"


def _flatten(found: Any) -> list[str]:
    if isinstance(found, dict):
        return [f"{key}: {message}" for key, value in found.items() for message in _flatten(value)]
    if isinstance(found, list | tuple):
        return [message for value in found for message in _flatten(value)]
    return [str(found)]
