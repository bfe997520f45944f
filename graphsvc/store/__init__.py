"""Stores of record behind one port; ``open_store`` picks the engine from settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..vocabulary import Vocabulary
from .port import GraphStore
from .search import search_fields

__all__ = ["GraphStore", "open_store"]


def open_store(config: Mapping[str, Any], vocabulary: Vocabulary) -> GraphStore:
    engine = config.get("STORE", "sqlite")
    main_property = {name: t.main_property for name, t in vocabulary.node_types.items()}
    if engine == "sqlite":
        from .sqlite import SqliteStore

        return SqliteStore(config["DATABASE"], main_property, search_fields=search_fields(vocabulary))
    if engine == "neo4j":
        from .neo4j import Neo4jStore

        return Neo4jStore(config.get("NEO4J_URI") or "neo4j://localhost:7687", config.get("NEO4J_USER") or "neo4j",
                          config.get("NEO4J_PASSWORD") or "", vocabulary, config.get("NEO4J_DATABASE") or "neo4j",
                          connection_timeout=float(config.get("NEO4J_CONNECTION_TIMEOUT") or 5),
                          max_retry_time=float(config.get("NEO4J_MAX_RETRY_TIME") or 15))
    raise ValueError(f"Unknown store '{engine}': set GRAPHSVC_STORE to 'sqlite' or 'neo4j'.")
