"""Neo4jStore: the store of record on Neo4j 5 (a server, a cluster or Aura), via the official driver.

One driver per store, made on first use (so building the app never dials out) and closed by
``close``. Reads run in managed read transactions; ``transaction(actor)`` is an explicit write
transaction because the service reads (rule checks) and writes in one block. Every write
transaction first write-locks the change-log counter, so writers are serialised as on SQLite and
rules checked inside still hold at commit. Statements and the data model: cypher.py.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from neo4j import GraphDatabase
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConstraintError,
    Forbidden,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from ..auth import TokenRecord
from ..errors import Conflict, StoreUnavailable
from ..vocabulary import Vocabulary
from . import cypher
from .model import Change
from .neo4j_tx import Catalogue, Neo4jReader, Neo4jTransaction, change_from, node_from, relationship_from
from .port import GraphStore, GraphTransaction
from .search import search_text

__all__ = ["Neo4jStore"]

log = logging.getLogger(__name__)
PROCEDURE_NOT_FOUND = "Neo.ClientError.Procedure.ProcedureNotFound"
SEARCH_FIELDS = "search_fields"  # the setting naming the fields search_text is made from


class Neo4jStore(Neo4jReader, GraphStore):
    """The graph in one Neo4j database. ``driver`` lets a caller supply its own (e.g. a shared one)."""

    name = "neo4j"

    def __init__(self, uri: str, user: str, password: str, vocabulary: Vocabulary, database: str = "neo4j", *,
                 connection_timeout: float = 5.0, max_retry_time: float = 15.0, driver=None):
        self.uri, self.database = uri, database
        self._auth = (user, password)
        # No server notifications: the catalogue names every vocabulary type and property, so a store where
        # a type has no records yet would log "label does not exist" for each read of it. Statements are
        # checked by Neo4j's own front end in the tests (docs/cypher-check.md) instead.
        self._options = {"connection_timeout": connection_timeout, "max_transaction_retry_time": max_retry_time,
                         "user_agent": "graphsvc", "notifications_min_severity": "OFF"}
        self.catalogue = Catalogue(vocabulary)
        self._driver_instance = driver
        self._lock = threading.Lock()

    # -- the driver and its errors -----------------------------------------------------------------

    def _driver(self):
        with self._lock:
            if self._driver_instance is None:
                with self._errors():
                    try:
                        driver = GraphDatabase.driver(self.uri, auth=self._auth, **self._options)
                    except ValueError as exc:
                        raise ConfigurationError(str(exc)) from exc
                    try:
                        driver.verify_connectivity()  # fail fast and clearly, not after the retry budget
                    except BaseException:
                        driver.close()
                        raise
                self._driver_instance = driver
            return self._driver_instance

    def _session(self):
        driver = self._driver()
        # Sessions share execute_query's bookmarks: a read sees every write this process committed,
        # even on a cluster member that is catching up.
        return driver.session(database=self.database, bookmark_manager=driver.execute_query_bookmark_manager)

    @contextmanager
    def _errors(self):
        """Driver errors as domain errors with one-line messages naming the setting to check."""
        where = _safe_uri(self.uri)
        try:
            yield
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {where} refused the credentials: check NEO4J_USER and "
                                   "NEO4J_PASSWORD.") from exc
        except Forbidden as exc:
            raise StoreUnavailable(f"Neo4j at {where} refused this operation for NEO4J_USER: "
                                   f"{_one_line(exc)}") from exc
        except ConstraintError as exc:
            raise Conflict("The write clashes with a stored record (an id or name already in use).",
                           {"id": ["Already in use."]}) from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"Cannot reach Neo4j at {where} (check NEO4J_URI): {_one_line(exc)}") from exc
        except ConfigurationError as exc:
            raise StoreUnavailable(f"NEO4J_URI '{where}' is not usable: {_one_line(exc)}") from exc
        except TransientError as exc:
            raise StoreUnavailable(f"Neo4j is busy ({_one_line(exc)}); try again in a moment.") from exc
        except ClientError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreUnavailable(f"Neo4j at {where} has no database '{self.database}' "
                                       "(check NEO4J_DATABASE).") from exc
            raise

    def _query(self, *queries):
        def work(tx):  # idempotent and returns plain data, so the driver may retry it
            return [tx.run(text, parameters).data() for text, parameters in queries]

        with self._errors(), self._session() as session:
            return session.execute_read(work)

    @contextmanager
    def _locked(self, actor: str):
        """An explicit write transaction holding the writers' lock; the caller commits or not."""
        with self._errors():
            session = self._session()
            try:
                tx = session.begin_transaction()
                try:
                    work = Neo4jTransaction(tx, actor, self.catalogue)
                    work.begin()
                    yield work
                finally:
                    if not tx.closed():
                        _quietly(tx.rollback)
            finally:
                _quietly(session.close)

    # -- the port ----------------------------------------------------------------------------------

    def initialise(self) -> None:
        driver = self._driver()
        with self._errors():
            for statement in self.catalogue.schema:
                driver.execute_query(statement, database_=self.database)
            self._fill_search_text(driver)

    def _fill_search_text(self, driver, batch: int = 5_000) -> None:
        """Give nodes stored before search existed their search_text, and every node a new one when the
        searched fields changed (as SQLite does on opening). Folding is done here, in Python."""
        def run(statement, parameters):
            return driver.execute_query(statement, parameters, database_=self.database).records

        signature = json.dumps(self.catalogue.search_fields, sort_keys=True)
        refill = run(cypher.GET_SETTING, {"name": SEARCH_FIELDS})[0]["value"] != signature
        after = ""
        while records := (run(cypher.NODES_AFTER, {"after": after, "limit": batch}) if refill else
                          run(cypher.NODES_WITHOUT_SEARCH_TEXT, {"limit": batch})):
            nodes = [node_from(record.data()) for record in records]
            rows = [{"id": n.id, "version": n.version,
                     "search_text": search_text(n.properties, self.catalogue.search_fields.get(n.type, ()))}
                    for n in nodes]
            run(cypher.SET_SEARCH_TEXT, {"rows": rows})  # a node updated meanwhile has its own already
            after = nodes[-1].id
        if refill:
            run(cypher.SET_SETTING, {"name": SEARCH_FIELDS, "value": signature})

    @contextmanager
    def transaction(self, actor: str) -> Iterator[GraphTransaction]:
        with self._locked(actor) as work:
            yield work
            work.finish()
            work.tx.commit()

    def count(self) -> tuple[int, int]:
        nodes, rels = self._query((cypher.COUNT_NODES, {}), (cypher.COUNT_RELATIONSHIPS, {}))
        return nodes[0]["total"], rels[0]["total"]

    def last_seq(self) -> int:
        [rows] = self._query((cypher.LAST_SEQ, {}))
        return rows[0]["seq"]

    def seq_at(self, moment: str) -> int:
        [rows] = self._query((cypher.SEQ_AT, {"at": moment}))
        return rows[0]["seq"] if rows else 0

    def changes_since(self, seq: int, limit: int = 10_000) -> list[Change]:
        [rows] = self._query((cypher.CHANGES_SINCE, {"seq": seq, "limit": limit}))
        return [change_from(row) for row in rows]

    def history(self, *, subject=None, actor=None, since=None, limit=100) -> list[Change]:
        if subject is not None:
            query = (cypher.HISTORY_OF_SUBJECT, {"subject": subject, "actor": actor, "since": since, "limit": limit})
        elif actor is not None:
            query = (cypher.HISTORY_BY_ACTOR, {"actor": actor, "since": since, "limit": limit})
        else:
            query = (cypher.HISTORY, {"since": since, "limit": limit})
        [rows] = self._query(query)
        return [change_from(row) for row in rows]

    @contextmanager
    def snapshot(self, *, for_replay: bool = False):
        # Neo4j reads are read-committed, not snapshots. An exact snapshot (migrate) holds the writers'
        # lock while reading, so the records are exactly those after `seq`, and writers wait for the
        # length of the read (a minute at 100k nodes). For a replaying caller the newest committed seq
        # is read first and the records after it without the lock: anything committed meanwhile is in
        # the log after that seq, and the caller applies it again.
        if for_replay:
            [[row]] = self._query((cypher.LAST_SEQ, {}))
            seq = row["seq"]
            nodes, rels = self._query((cypher.ALL_NODES, {}), (cypher.ALL_RELATIONSHIPS, {}))
        else:
            with self._locked("snapshot") as work:
                nodes, rels = work._query((cypher.ALL_NODES, {}), (cypher.ALL_RELATIONSHIPS, {}))
                seq = work.base_seq
        yield seq, (node_from(row) for row in nodes), (relationship_from(row) for row in rels)

    def copy_in(self, nodes, relationships, changes, tokens) -> None:
        with self.transaction("migration") as tx:
            tx.copy_in(nodes, relationships, changes, tokens)

    def save_token(self, record: TokenRecord, actor: str) -> None:
        with self.transaction(actor) as tx:
            tx.create_token(record)

    def find_token(self, token_hash: str) -> TokenRecord | None:
        [rows] = self._query((cypher.FIND_TOKEN, {"token_hash": token_hash}))
        return TokenRecord(**rows[0]) if rows else None

    def list_tokens(self) -> list[TokenRecord]:
        [rows] = self._query((cypher.LIST_TOKENS, {}))
        return [TokenRecord(**row) for row in rows]

    def revoke_token(self, name: str, actor: str) -> TokenRecord:
        with self.transaction(actor) as tx:
            return tx.revoke_token(name)

    def purge_deleted(self) -> bool:
        """Ask the server for a checkpoint. Erased values stay in its transaction logs until they are
        pruned (``db.tx_log.rotation.retention_policy``) and in backups: docs/data-protection.md.

        ``db.checkpoint()`` is an Enterprise Edition procedure: Community Edition checkpoints only on its
        own schedule (``db.checkpoint.interval.time``), so there the answer is False, not an error."""
        try:
            with self._errors():
                self._driver().execute_query(cypher.CHECKPOINT, database_=self.database)
        except StoreUnavailable as exc:  # e.g. NEO4J_USER may not checkpoint: the erasure itself stands
            log.warning("erasure committed, but the checkpoint was refused: %s", exc.message)
            return False
        except ClientError as exc:
            if exc.code != PROCEDURE_NOT_FOUND:
                raise
            log.info("erasure committed; this Neo4j (Community Edition) checkpoints on its own schedule")
            return False
        return True

    def checkpoint(self) -> None:
        """Nothing to do: the server manages its own transaction logs."""

    def close(self) -> None:
        with self._lock:
            if self._driver_instance is not None:
                self._driver_instance.close()
                self._driver_instance = None

    # -- for test fixtures only --------------------------------------------------------------------

    def erase_everything_for_tests(self) -> None:
        """Delete every node, relationship, change-log entry and token (constraints stay). Tests only."""
        driver = self._driver()
        with self._errors():
            driver.execute_query(cypher.ERASE_EVERYTHING, database_=self.database)


def _safe_uri(uri: str) -> str:
    """The URI without any user:password@ part, for messages."""
    parts = urlsplit(str(uri))
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl() if "@" in parts.netloc else str(uri)


_REASON = re.compile(r"\(reason (.+)\)$")


def _one_line(exc: BaseException, limit: int = 240) -> str:
    # A server error's own message; a driver error's text (its .message is a generic GQL status).
    text = " ".join(str((exc.message if isinstance(exc, Neo4jError) else None) or exc).split())
    reason = _REASON.search(text)  # "Couldn't connect to … (reason [Errno 111] Connection refused)"
    text = reason.group(1) if reason else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quietly(close: Any) -> None:
    """Rollback or close whose failure must not hide the error already on its way (or a commit)."""
    try:
        close()
    except Exception:  # noqa: BLE001 - the connection may already be gone; the server rolls back then
        pass
