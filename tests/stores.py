"""Empty stores of each engine for contract tests: SQLite always; Neo4j when NEO4J_URI is set
(skipped, saying so, otherwise). The Neo4j database is emptied before each use."""

from __future__ import annotations

import os

import pytest

from graphsvc.store import open_store
from graphsvc.vocabulary import load_vocabulary

VOCABULARY = load_vocabulary()
NEO4J_REASON = ("Neo4j contract case skipped: NEO4J_URI is not set (run `NEO4J_PASSWORD=... docker compose up -d "
                "neo4j` and export NEO4J_URI=bolt://127.0.0.1:7687, NEO4J_USER, NEO4J_PASSWORD to run it)")


def store_config(kind: str, tmp_path) -> dict:
    if kind == "sqlite":
        return {"STORE": "sqlite", "DATABASE": str(tmp_path / "contract.sqlite3")}
    if not os.environ.get("NEO4J_URI"):
        pytest.skip(NEO4J_REASON)
    return {"STORE": "neo4j", "NEO4J_URI": os.environ["NEO4J_URI"],
            "NEO4J_USER": os.environ.get("NEO4J_USER", "neo4j"), "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", ""),
            "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j")}


def empty_store(kind: str, tmp_path):
    store = open_store(store_config(kind, tmp_path), VOCABULARY)
    if kind == "neo4j":
        store.erase_everything_for_tests()
    store.initialise()
    return store
