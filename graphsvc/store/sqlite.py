"""SqliteStore: the embedded store of record (one SQLite file, WAL, durable commits)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Conflict, NotFound, StoreUnavailable
from .logged import LoggedTransaction
from .model import Change, Node, Relationship, json_text, utc_now
from .port import GraphStore, GraphTransaction
from .search import search_text
from .sqlite_reads import NODE_COLUMNS, REL_COLUMNS, SqliteReader, loads, node_from_row, relationship_from_row
from .sqlite_search import LOWER_TEXT, lower_text, refresh_search_text
from .sqlite_tokens import SqliteTokens

__all__ = ["SqliteStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',  -- the main property lower-cased, for order (_label)
    props TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    search_text TEXT NOT NULL DEFAULT ''  -- folded searchable text (search.py); never part of a record
);
CREATE INDEX IF NOT EXISTS nodes_by_type_label ON nodes(type, label COLLATE NOCASE, id);
CREATE TABLE IF NOT EXISTS relationships (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    source TEXT NOT NULL REFERENCES nodes(id),
    target TEXT NOT NULL REFERENCES nodes(id),
    props TEXT NOT NULL,
    created_at TEXT NOT NULL
);
DROP INDEX IF EXISTS relationships_by_source;  -- relationships_by_ends serves lookups by source too
CREATE INDEX IF NOT EXISTS relationships_by_target ON relationships(target, type);
CREATE INDEX IF NOT EXISTS relationships_by_type ON relationships(type);
CREATE INDEX IF NOT EXISTS relationships_by_ends ON relationships(source, target, type);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    operation TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_subject ON changes(subject, seq);
CREATE INDEX IF NOT EXISTS changes_by_actor ON changes(actor, seq);
CREATE INDEX IF NOT EXISTS changes_by_at ON changes(at, seq);
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""

class _SqliteTransaction(SqliteReader, LoggedTransaction):
    def __init__(self, conn: sqlite3.Connection, actor: str, main_property: dict[str, str],
                 search_fields: dict[str, tuple[str, ...]]):
        self.conn, self.actor, self.main_property = conn, actor, main_property
        self.search_fields = search_fields

    def _conn(self) -> sqlite3.Connection:
        return self.conn

    def _insert_node(self, node: Node) -> None:
        self._insert_nodes([node])

    def _write_node(self, node: Node) -> None:
        self._write_nodes([node])

    def _erase_node(self, node_id: str) -> None:
        self.conn.execute("DELETE FROM relationships WHERE source = ? OR target = ?", (node_id, node_id))
        self.conn.execute("DELETE FROM nodes WHERE id = ?", (node_id,))

    def _remove_relationship(self, rel_id: str) -> Relationship:
        rel = self.get_relationship(rel_id)
        if rel is None:
            raise NotFound(f"No relationship has id '{rel_id}'.")
        self.conn.execute("DELETE FROM relationships WHERE id = ?", (rel_id,))
        return rel

    def _insert_relationship(self, rel_type, source, target, properties, rel_id) -> Relationship:
        rel = Relationship(rel_id, rel_type, source, target, dict(properties), utc_now())
        try:
            self.conn.execute(f"INSERT INTO relationships ({REL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                              (rel.id, rel.type, rel.source, rel.target, _dumps(rel.properties), rel.created_at))
        except sqlite3.IntegrityError as exc:
            if self.get_relationship(rel_id):
                raise Conflict(f"A relationship with id '{rel_id}' already exists.",
                               {"id": ["Already in use."]}) from exc
            raise NotFound("A relationship must join two existing nodes.") from exc
        return rel

    def _insert_nodes(self, nodes: list[Node]) -> None:
        try:
            self.conn.executemany(f"INSERT INTO nodes ({NODE_COLUMNS}, label, search_text) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                  [(n.id, n.type, _dumps(n.properties), n.created_at, n.updated_at, n.version,
                                    self._label(n), self._search_text(n)) for n in nodes])
        except sqlite3.IntegrityError as exc:
            which = f"with id '{nodes[0].id}'" if len(nodes) == 1 else "with one of these ids"
            raise Conflict(f"A node {which} already exists.", {"id": ["Already in use."]}) from exc

    def _write_nodes(self, nodes: list[Node]) -> None:
        self.conn.executemany(
            "UPDATE nodes SET props = ?, label = ?, search_text = ?, updated_at = ?, version = ? WHERE id = ?",
            [(_dumps(n.properties), self._label(n), self._search_text(n), n.updated_at, n.version, n.id)
             for n in nodes])

    def _remove_relationships(self, rel_ids: list[str]) -> None:
        self.conn.executemany("DELETE FROM relationships WHERE id = ?", [(rel_id,) for rel_id in rel_ids])

    def _insert_relationships(self, relationships: list[Relationship]) -> None:
        try:
            self.conn.executemany(f"INSERT INTO relationships ({REL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                                  [(r.id, r.type, r.source, r.target, _dumps(r.properties), r.created_at)
                                   for r in relationships])
        except sqlite3.IntegrityError as exc:
            raise Conflict("A relationship in the batch reuses an id or misses an end.") from exc

    def _log_many(self, entries) -> None:
        self.conn.executemany(
            "INSERT INTO changes (at, actor, operation, subject, before, after) VALUES (?, ?, ?, ?, ?, ?)",
            [(at, self.actor, operation, subject, None if before is None else _dumps(before),
              None if after is None else _dumps(after)) for operation, subject, before, after, at in entries])

    def _label(self, node: Node) -> str:
        """The main property as the label column holds it, for order: lower-cased (sqlite_search.LOWER_TEXT)."""
        return lower_text(str(node.properties.get(self.main_property.get(node.type, ""), "")))

    def _search_text(self, node: Node) -> str:
        return search_text(node.properties, self.search_fields.get(node.type, ()))

    def _changes_mentioning(self, value: str) -> list[Change]:
        quoted = json_text(value)  # as the value is written inside stored before/after JSON
        rows = self.conn.execute(
            "SELECT seq, at, actor, operation, subject, before, after FROM changes WHERE subject = ? "
            "OR instr(before, ?) > 0 OR instr(after, ?) > 0 ORDER BY seq", (value, quoted, quoted)).fetchall()
        return [Change(s, at, who, op, subj, loads(b), loads(a)) for s, at, who, op, subj, b, a in rows]

    def _rewrite_changes(self, changes: list[Change]) -> None:
        self.conn.executemany("UPDATE changes SET subject = ?, before = ?, after = ? WHERE seq = ?",
                              [(c.subject, None if c.before is None else _dumps(c.before),
                                None if c.after is None else _dumps(c.after), c.seq) for c in changes])

    def _log(self, operation, subject, before, after, at=None) -> None:
        self._log_many([(operation, subject, before, after, at or utc_now())])


class SqliteStore(SqliteTokens, SqliteReader, GraphStore):
    """One SQLite file in WAL mode; ``synchronous=FULL`` so a commit is on disk before we answer.

    Each thread gets its own connection. Writers take the write lock up front (BEGIN IMMEDIATE),
    so rules checked inside a transaction still hold when it commits, across processes too.
    """

    name = "sqlite"

    def __init__(self, path: str | Path, main_property: dict[str, str], busy_timeout_ms: int = 10_000,
                 search_fields: dict[str, tuple[str, ...]] | None = None):
        self.path = str(path)
        self.main_property = dict(main_property)
        # What search_text holds per type (search.search_fields); the main property alone if not given.
        self.search_fields = search_fields or {name: (main,) for name, main in self.main_property.items()}
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout_ms / 1000)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache: bulk imports touch every index
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")  # deleted and rewritten rows are zeroed, not left as free space
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            conn.create_function(LOWER_TEXT, 1, lower_text, deterministic=True)  # for ORDER BY only, not the schema
            with _translate_errors():
                conn.executescript(SCHEMA)  # idempotent: a fresh file is usable at once
                refresh_search_text(conn, self.search_fields)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def initialise(self) -> None:
        with _translate_errors():
            self._conn().executescript(SCHEMA)

    @contextmanager
    def transaction(self, actor: str) -> Iterator[GraphTransaction]:
        conn = self._conn()
        with _translate_errors():
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTransaction(conn, actor, self.main_property, self.search_fields)
            with _translate_errors():
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back (e.g. after SQLITE_FULL)
                conn.execute("ROLLBACK")
            raise

    def count(self) -> tuple[int, int]:
        conn = self._conn()
        return (conn.execute("SELECT count(*) FROM nodes").fetchone()[0],
                conn.execute("SELECT count(*) FROM relationships").fetchone()[0])

    def last_seq(self) -> int:
        return self._conn().execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def seq_at(self, moment: str) -> int:
        row = self._conn().execute("SELECT seq FROM changes WHERE at <= ? ORDER BY at DESC, seq DESC LIMIT 1",
                                   (moment,)).fetchone()
        return row[0] if row else 0

    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]:
        rows = self._conn().execute(
            "SELECT seq, at, actor, operation, subject, before, after FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit)).fetchall()
        return [Change(s, at, actor, op, subj, loads(b), loads(a)) for s, at, actor, op, subj, b, a in rows]

    def history(self, *, subject=None, actor=None, since=None, limit=100) -> list[Change]:
        where, args = [], []
        for clause, value in (("subject = ?", subject), ("actor = ?", actor), ("at >= ?", since)):
            if value is not None:
                where.append(clause)
                args.append(value)
        sql = "SELECT seq, at, actor, operation, subject, before, after FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._conn().execute(sql + " ORDER BY seq DESC LIMIT ?", [*args, limit]).fetchall()
        return [Change(s, at, who, op, subj, loads(b), loads(a)) for s, at, who, op, subj, b, a in rows]

    @contextmanager
    def snapshot(self, *, for_replay: bool = False):
        # Exact either way: a WAL reader sees one moment and never holds the writer back.
        conn = self._conn()
        conn.execute("BEGIN")  # a WAL read transaction: one consistent view for all three queries
        try:
            seq = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
            nodes = (node_from_row(row) for row in conn.execute(f"SELECT {NODE_COLUMNS} FROM nodes ORDER BY id"))
            rel_cursor = conn.cursor()
            rels = (relationship_from_row(row)
                    for row in rel_cursor.execute(f"SELECT {REL_COLUMNS} FROM relationships ORDER BY id"))
            yield seq, nodes, rels
        finally:
            conn.execute("COMMIT")

    def copy_in(self, nodes, relationships, changes, tokens) -> None:
        with self.transaction("migration") as tx:
            if nodes:
                tx._insert_nodes(nodes)  # records exactly as given, stamps and versions too
            if relationships:
                tx._insert_relationships(relationships)
            tx.conn.executemany(
                "INSERT INTO changes (seq, at, actor, operation, subject, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(c.seq, c.at, c.actor, c.operation, c.subject, None if c.before is None else _dumps(c.before),
                  None if c.after is None else _dumps(c.after)) for c in changes])
            tx.conn.executemany(
                "INSERT INTO tokens (name, role, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
                [(t.name, t.role, t.token_hash, t.created_at, t.revoked_at) for t in tokens])

    def purge_deleted(self) -> bool:
        """Rebuild the file without free pages (VACUUM), then copy the WAL back and truncate it to zero
        bytes, so erased values survive in neither. Other connections may keep the WAL open (that is
        harmless once it is empty); a reader mid-transaction makes the checkpoint wait up to the busy
        timeout and, if it is still there, report False (the next erasure or checkpoint finishes it)."""
        with _translate_errors():
            self._conn().execute("VACUUM")
        return self.checkpoint(wait_ms=self.busy_timeout_ms)

    def checkpoint(self, wait_ms: int = 1000) -> bool:
        """Copy the write-ahead log into the file and truncate it: a bulk import, even one rolled back,
        can leave it hundreds of MB long, and SQLite never shrinks it by itself. Waits at most ``wait_ms``
        for readers still on an older snapshot; if they stay, it answers False and the next checkpoint
        finishes the job."""
        conn = self._conn()
        try:
            conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return busy == 0
        except sqlite3.OperationalError:
            return False  # busy or locked: tidying up must not fail work that has already finished
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


@contextmanager
def _translate_errors():
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreUnavailable("The store is busy; try again in a moment.") from exc
        raise


_dumps = json_text
