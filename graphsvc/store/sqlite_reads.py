"""Reads of the SQLite store over one connection, shared by the store and its transactions."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .model import Node, Relationship
from .port import GraphReader, Page
from .search import RANK, Words, plan_order
from .sqlite_search import node_filter, order_clause, rank_expression, types_filter

__all__ = ["NODE_COLUMNS", "REL_COLUMNS", "SqliteReader", "loads", "node_from_row", "relationship_from_row"]

NODE_COLUMNS = "id, type, props, created_at, updated_at, version"
REL_COLUMNS = "id, type, source, target, props, created_at"


class SqliteReader(GraphReader):
    """Reads over one connection; shared by the store and its transactions."""

    main_property: dict[str, str]

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def get_node(self, node_id: str) -> Node | None:
        row = self._conn().execute(f"SELECT {NODE_COLUMNS} FROM nodes WHERE id = ?", (node_id,)).fetchone()
        return node_from_row(row) if row else None

    def find_nodes(self, node_type, *, text=None, equals=None, ranges=None, sort=None, limit=50, offset=0) -> Page:
        words = Words.of(text)
        where, args = node_filter(words, equals, ranges)
        order = plan_order(sort if sort is not None else [RANK] if words else [], self.main_property.get(node_type))
        return self._page(["type = ?", *where], [node_type, *args], order_clause(order, words), limit, offset)

    def search(self, text, types=None, limit=50, offset=0) -> Page:
        words = Words.of(text)
        where, args = node_filter(words, None, None)
        type_where, type_args = types_filter(types)
        # No words: every node, by main property ("ORDER BY 0" would name a column that is not there).
        rank, rank_args = rank_expression(words) if words else (None, [])
        order = ", ".join(term for term in (rank, "label COLLATE NOCASE", "id") if term)
        return self._page([*type_where, *where], [*type_args, *args], (order, rank_args), limit, offset)

    def _page(self, where: list[str], args: list, order: tuple[str, list], limit: int, offset: int) -> Page:
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        total = self._conn().execute(f"SELECT count(*) FROM nodes {clause}", args).fetchone()[0]
        rows = self._conn().execute(f"SELECT {NODE_COLUMNS} FROM nodes {clause} ORDER BY {order[0]} LIMIT ? OFFSET ?",
                                    [*args, *order[1], limit, offset]).fetchall()
        return [node_from_row(row) for row in rows], total

    def get_relationship(self, rel_id: str) -> Relationship | None:
        row = self._conn().execute(f"SELECT {REL_COLUMNS} FROM relationships WHERE id = ?", (rel_id,)).fetchone()
        return relationship_from_row(row) if row else None

    def find_relationships(self, *, rel_type=None, source=None, target=None, limit=50, offset=0) -> Page:
        where, args = [], []
        for column, value in (("type", rel_type), ("source", source), ("target", target)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        total = self._conn().execute(f"SELECT count(*) FROM relationships {clause}", args).fetchone()[0]
        rows = self._conn().execute(
            f"SELECT {REL_COLUMNS} FROM relationships {clause} ORDER BY created_at, id LIMIT ? OFFSET ?",
            [*args, limit, offset]).fetchall()
        return [relationship_from_row(row) for row in rows], total

    def relationships_of(self, node_id: str) -> list[Relationship]:
        rows = self._conn().execute(
            f"SELECT {REL_COLUMNS} FROM relationships WHERE source = ? "
            f"UNION SELECT {REL_COLUMNS} FROM relationships WHERE target = ? ORDER BY 6, 1",
            (node_id, node_id)).fetchall()
        return [relationship_from_row(row) for row in rows]

    # -- bulk reads: the ids travel as one JSON array parameter (json_each), whatever their number --

    def get_nodes(self, node_ids) -> dict[str, Node]:
        rows = self._conn().execute(
            f"SELECT {NODE_COLUMNS} FROM nodes WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(node_ids)),)).fetchall()
        return {row[0]: node_from_row(row) for row in rows}

    def get_relationships(self, rel_ids) -> dict[str, Relationship]:
        rows = self._conn().execute(
            f"SELECT {REL_COLUMNS} FROM relationships WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(rel_ids)),)).fetchall()
        return {row[0]: relationship_from_row(row) for row in rows}

    def find_links(self, keys) -> dict:
        rows = self._conn().execute(
            f"SELECT {', '.join('r.' + c for c in REL_COLUMNS.split(', '))} FROM json_each(?) AS k "
            "JOIN relationships AS r ON r.source = k.value ->> 1 AND r.target = k.value ->> 2 "
            "AND r.type = k.value ->> 0 ORDER BY r.created_at DESC, r.id DESC",
            (json.dumps([list(key) for key in keys]),)).fetchall()
        # newest first, so the oldest of several matches is the one left in the dict
        return {(rel.type, rel.source, rel.target): rel for rel in map(relationship_from_row, rows)}

    def count_incoming(self, rel_type, targets) -> dict[str, int]:
        rows = self._conn().execute(
            "SELECT target, count(*) FROM relationships WHERE type = ? "
            "AND target IN (SELECT value FROM json_each(?)) GROUP BY target",
            (rel_type, json.dumps(list(targets)))).fetchall()
        return dict(rows)

    def node_labels(self, node_type) -> list[tuple[str, str]]:
        # From the record: the label column holds the main property lower-cased, for order.
        path = f'$."{self.main_property.get(node_type, "")}"'
        return [(node_id, "" if label is None else str(label)) for node_id, label in self._conn().execute(
            "SELECT id, json_extract(props, ?) FROM nodes WHERE type = ? ORDER BY id", (path, node_type)).fetchall()]



def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def node_from_row(row) -> Node:
    return Node(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5])


def relationship_from_row(row) -> Relationship:
    return Relationship(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])
