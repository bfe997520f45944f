"""Plain records the store port hands out: nodes, relationships and change-log entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["Change", "Node", "Operation", "Relationship", "json_text", "utc_now"]


class Operation:
    """The change-log operation names (stable: they are stored)."""

    CREATE_NODE = "create_node"
    UPDATE_NODE = "update_node"
    DELETE_NODE = "delete_node"
    CREATE_RELATIONSHIP = "create_relationship"
    DELETE_RELATIONSHIP = "delete_relationship"
    REPLACE_RELATIONSHIPS = "replace_relationships"
    CREATE_TOKEN = "create_token"
    REVOKE_TOKEN = "revoke_token"


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    properties: dict[str, Any]
    created_at: str
    updated_at: str
    version: int = 1

    def as_record(self) -> dict[str, Any]:
        """Flat form used by the API and the change log: id, type, properties, stamps."""
        return {"id": self.id, "type": self.type, **self.properties,
                "created_at": self.created_at, "updated_at": self.updated_at, "version": self.version}


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    source: str
    target: str
    properties: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""

    def as_record(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "from": self.source, "to": self.target,
                **self.properties, "created_at": self.created_at}


@dataclass(frozen=True)
class Change:
    seq: int
    at: str
    actor: str
    operation: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_record(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "operation": self.operation,
                "subject": self.subject, "before": self.before, "after": self.after}


def utc_now() -> str:
    """UTC time as ISO 8601 with microseconds and a Z, so stamps sort as text."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_text(value: Any) -> str:
    """Records as stored (properties, change-log before/after): compact JSON, keys sorted, UTF-8 text.

    >>> json_text({"b": 1, "a": "é"})
    '{"a":"é","b":1}'
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
