"""Empty stores of each engine for contract tests: SQLite always; Neo4j on the run's live Neo4j
(tests/neo4j_server.py: the launcher `make test` builds, or the server NEO4J_URI names). The Neo4j
database is emptied before each use, so cases cannot leak into each other."""

from __future__ import annotations

from graphsvc.store import open_store
from graphsvc.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()


def store_config(kind: str, tmp_path, request) -> dict:
    """The app settings for a store of ``kind``; the Neo4j case starts (once) or reuses the run's server."""
    if kind == "sqlite":
        return {"STORE": "sqlite", "DATABASE": str(tmp_path / "contract.sqlite3")}
    return request.getfixturevalue("neo4j_server").config()


def empty_store(kind: str, tmp_path, request):
    store = open_store(store_config(kind, tmp_path, request), VOCABULARY)
    if kind == "neo4j":
        store.erase_everything_for_tests()
    store.initialise()
    return store
