"""The SQL behind SqliteStore's searches, filters and orders, and the ``search_text`` column.

Values always travel as ``?`` parameters (property paths too); the statement text is built only
from fixed fragments and the number of words searched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from typing import Any

from .search import FIELD_SEPARATOR, STAMPS, Order, Words, high_bound, search_text

__all__ = ["LOWER_TEXT", "lower_text", "node_filter", "order_clause", "rank_expression", "refresh_search_text",
           "types_filter"]

_MAIN_LINE = f"substr(search_text, 1, instr(search_text, char({ord(FIELD_SEPARATOR)})))"
_FILL_BATCH = 5_000
# Text orders case-insensitively in every alphabet, as Neo4j's toLower orders it: SQLite's NOCASE and
# lower() fold only A-Z, which put "élodie" after "Zoë" and "Ünal". So the label column holds the main
# property lower-cased (in Python), and other text sort keys go through LOWER_TEXT, a function each
# connection registers (lower_text).
LOWER_TEXT = "graphsvc_lower"
_LABEL_VERSION = "lower-cased"  # part of the stored signature: a store with labels as given refills them


def node_filter(words: Words | None, equals: Mapping[str, Any] | None,
                ranges: Mapping[str, tuple[Any, Any]] | None) -> tuple[list[str], list[Any]]:
    """WHERE conditions (to AND) and their arguments: every word, each exact value, each range end.
    search_text and the words are folded alike, so a plain ``instr`` is case- and accent-blind."""
    where: list[str] = []
    args: list[Any] = []
    for word in words.words if words else ():
        where.append("instr(search_text, ?) > 0")
        args.append(word)
    for name, value in (equals or {}).items():
        where.append("json_extract(props, ?) = ?")
        args += [_path(name), value]
    for name, (low, high) in (ranges or {}).items():
        if low is not None:
            where.append("json_extract(props, ?) >= ?")
            args += [_path(name), low]
        if high is not None:
            where.append("json_extract(props, ?) <= ?")
            args += [_path(name), high_bound(high)]
    return where, args


def types_filter(types: Collection[str] | None) -> tuple[list[str], list[Any]]:
    if types is None:
        return [], []
    return ["type IN (SELECT value FROM json_each(?))"], [json.dumps(sorted(types))]


def rank_expression(words: Words) -> tuple[str, list[Any]]:
    """0: the main property starts with the whole query; 1: it holds every word; 2: other fields do."""
    in_main = " AND ".join(f"instr({_MAIN_LINE}, ?) > 0" for _ in words.words)
    return f"CASE WHEN instr(search_text, ?) = 1 THEN 0 WHEN {in_main} THEN 1 ELSE 2 END", [words.phrase,
                                                                                         *words.words]


def order_clause(order: Order, words: Words | None) -> tuple[str, list[Any]]:
    """ORDER BY terms: rank, the key (missing values last whichever the direction), main property, id."""
    terms: list[str] = []
    args: list[Any] = []
    if order.ranked and words:
        rank, rank_args = rank_expression(words)
        terms.append(rank)
        args += rank_args
    direction = " DESC" if order.descending else ""
    if order.key is None:
        return ", ".join([*terms, f"label COLLATE NOCASE{direction}", "id"]), args
    if order.key in STAMPS:
        value = key = order.key
    else:
        value = "json_extract(props, ?)"
        key = f"{LOWER_TEXT}({value})"
        args += [_path(order.key), _path(order.key)]
    terms += [f"{value} IS NULL", f"{key}{direction}", "label COLLATE NOCASE", "id"]
    return ", ".join(terms), args


def lower_text(value: Any) -> Any:
    """Text lower-cased in every alphabet (what the label column holds, and LOWER_TEXT computes);
    other values as they are.

    >>> lower_text("Élodie"), lower_text(3)
    ('élodie', 3)
    """
    return value.lower() if isinstance(value, str) else value


def refresh_search_text(conn: sqlite3.Connection, fields: Mapping[str, tuple[str, ...]]) -> None:
    """Add the ``search_text`` column to a store made before it existed and (re)fill it, and the label
    column, whenever the searched fields change (e.g. a property made sensitive must stop being
    searchable) or labels were stored before they were lower-cased. ``fields`` name the main property first."""
    signature = json.dumps({"search_fields": fields, "label": _LABEL_VERSION}, sort_keys=True)
    if _up_to_date(conn, signature):
        return
    conn.execute("BEGIN IMMEDIATE")  # another process may be doing the same: check again under the lock
    try:
        if not _up_to_date(conn, signature):
            if "search_text" not in _columns(conn):
                conn.execute("ALTER TABLE nodes ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
            _fill(conn, fields)
            conn.execute("INSERT INTO store_settings (name, value) VALUES ('search_fields', ?) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (signature,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _up_to_date(conn: sqlite3.Connection, signature: str) -> bool:
    conn.execute("CREATE TABLE IF NOT EXISTS store_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = conn.execute("SELECT value FROM store_settings WHERE name = 'search_fields'").fetchone()
    return row is not None and row[0] == signature and "search_text" in _columns(conn)


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute("PRAGMA table_info(nodes)")}


def _fill(conn: sqlite3.Connection, fields: Mapping[str, tuple[str, ...]]) -> None:
    last = 0
    while rows := conn.execute("SELECT rowid, type, props, label FROM nodes WHERE rowid > ? ORDER BY rowid "
                               "LIMIT ?", (last, _FILL_BATCH)).fetchall():
        updates = []
        for rowid, kind, props, label in rows:
            record, searched = json.loads(props), fields.get(kind, ())
            if searched:  # the main property comes first; a type the vocabulary lost keeps its label
                label = str(record.get(searched[0], ""))
            updates.append((search_text(record, searched), lower_text(label), rowid))
        conn.executemany("UPDATE nodes SET search_text = ?, label = ? WHERE rowid = ?", updates)
        last = rows[-1][0]


def _path(name: str) -> str:
    return f'$."{name}"'  # quoted: a property name is never read as JSON-path syntax
