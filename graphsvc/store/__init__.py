"""Stores of record behind one port; ``open_store`` picks the engine from settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..vocabulary import Vocabulary
from .port import GraphStore

__all__ = ["GraphStore", "open_store"]


def open_store(config: Mapping[str, Any], vocabulary: Vocabulary) -> GraphStore:
    engine = config.get("STORE", "sqlite")
    main_property = {name: t.main_property for name, t in vocabulary.node_types.items()}
    if engine == "sqlite":
        from .sqlite import SqliteStore

        return SqliteStore(config["DATABASE"], main_property)
    raise ValueError(f"Unknown store '{engine}': set GRAPHSVC_STORE to 'sqlite'.")
