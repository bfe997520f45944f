"""Plain records the store port hands out: nodes, relationships and change-log entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["ERASED", "Change", "Node", "Operation", "Redaction", "Relationship", "json_text", "utc_now"]

ERASED = "[erased]"  # what an erased personal value reads as in the change log


class Operation:
    """The change-log operation names (stable: they are stored)."""

    CREATE_NODE = "create_node"
    UPDATE_NODE = "update_node"
    DELETE_NODE = "delete_node"
    CREATE_RELATIONSHIP = "create_relationship"
    DELETE_RELATIONSHIP = "delete_relationship"
    REPLACE_RELATIONSHIPS = "replace_relationships"
    ERASE_NODE = "erase_node"  # a person erased; its subject is a pseudonym, never the erased id
    # A bulk import's last entry, in its own transaction: changes no record; ``after`` summarises the import,
    # and its ``entries`` are the entries just before it (an import holds the writers' lock throughout).
    IMPORT = "import"
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


@dataclass(frozen=True)
class Redaction:
    """How an erasure rewrites the change log: the one rule for every engine.

    ``subject`` (the erased node's id) becomes ``pseudonym`` wherever it is an exact string value:
    subject, record ids, ``from``/``to``, lists. In the node's own records its ``node_properties``
    read ``ERASED``; so do the ``relationship_properties`` (per relationship type) of relationship
    records touching the node. Everything else (seq, time, actor, operation, other keys) is kept.
    """

    subject: str
    pseudonym: str
    node_properties: frozenset[str]
    relationship_properties: dict[str, frozenset[str]] = field(default_factory=dict)

    def scrub(self, value: Any) -> Any:
        """``value`` (JSON-shaped) with the subject's id pseudonymised and its personal values erased.

        >>> r = Redaction("person-ann-example", "erased-1f", frozenset({"name"}), {"WORKS_FOR": frozenset({"role"})})
        >>> r.scrub({"id": "person-ann-example", "type": "Person", "name": "Ann Example"})
        {'id': 'erased-1f', 'type': 'Person', 'name': '[erased]'}
        >>> r.scrub({"type": "WORKS_FOR", "from": "person-ann-example", "to": "org-1", "role": "Chair"})
        {'type': 'WORKS_FOR', 'from': 'erased-1f', 'to': 'org-1', 'role': '[erased]'}
        """
        if isinstance(value, str):
            return self.pseudonym if value == self.subject else value
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            personal = self._personal_keys(value)
            return {key: ERASED if key in personal else self.scrub(item) for key, item in value.items()}
        return value

    def scrub_change(self, change: Change) -> Change:
        return Change(change.seq, change.at, change.actor, change.operation, self.scrub(change.subject),
                      self.scrub(change.before), self.scrub(change.after))

    def _personal_keys(self, record: dict) -> frozenset[str]:
        if record.get("id") == self.subject:  # the node's own record
            return self.node_properties
        if self.subject in (record.get("from"), record.get("to")):  # a relationship touching it
            return self.relationship_properties.get(record.get("type"), frozenset())
        return frozenset()


def utc_now() -> str:
    """UTC time as ISO 8601 with microseconds and a Z, so stamps sort as text."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_text(value: Any) -> str:
    """Records as stored (properties, change-log before/after): compact JSON, keys sorted, UTF-8 text.

    >>> json_text({"b": 1, "a": "é"})
    '{"a":"é","b":1}'
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
