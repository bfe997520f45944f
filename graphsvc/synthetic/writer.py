"""The streaming writer: nodes to the output, relationships to a spool copied after them."""

from __future__ import annotations

import json
import shutil
from typing import Any, TextIO

__all__ = ["GraphWriter"]


class GraphWriter:
    """Streams nodes to ``out`` and relationships to a spool, one JSON record per line."""

    def __init__(self, out: TextIO, spool: TextIO, relationship_ids: bool):
        self.out, self.spool, self.relationship_ids = out, spool, relationship_ids
        self.relationships = 0
        self.node_counts: dict[str, int] = {}
        self.rel_counts: dict[str, int] = {}
        self.planted: list[dict[str, str]] = []
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        out.write('{"nodes": [\n')

    def node(self, node_type: str, node_id: str, example: bool = True, **properties: Any) -> str:
        # Generated records are fictional: marked as examples like the shipped demo, so they can
        # never be mistaken for real ones (or linked to them) if a generated file is imported. Only
        # the shipped taxonomy's themes and populations, copied as they are, are not.
        mark = {"example": True} if example else {}
        self.out.write((",\n" if self.node_counts else "") + self._encode({"id": node_id, "type": node_type,
                                                                           **properties, **mark}))
        self.node_counts[node_type] = self.node_counts.get(node_type, 0) + 1
        return node_id

    def rel(self, rel_type: str, source: str, target: str, **properties: Any) -> None:
        head = {"id": f"rel-s{self.relationships + 1:07d}"} if self.relationship_ids else {}
        self.spool.write((",\n" if self.relationships else "") + self._encode({**head, "type": rel_type, "from": source,
                                                                                "to": target, **properties}))
        self.relationships += 1
        self.rel_counts[rel_type] = self.rel_counts.get(rel_type, 0) + 1

    def finish(self) -> None:
        self.out.write('\n],\n"relationships": [\n')
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, self.out)
        self.out.write("\n]}\n")
        self.out.flush()

    def summary(self) -> dict[str, Any]:
        return {"nodes": sum(self.node_counts.values()), "relationships": sum(self.rel_counts.values()),
                "node_types": dict(self.node_counts), "relationship_types": dict(self.rel_counts),
                "planted": list(self.planted)}
