"""Stored values as people read them: dates in words, enum values as phrases, names from ids."""

from __future__ import annotations

import datetime as dt

__all__ = ["label_of", "phrase", "readable_date", "readable_time", "readable_value", "relationship_heading"]

OPERATIONS = {
    "create_node": "Created", "update_node": "Changed", "delete_node": "Deleted",
    "create_relationship": "Linked", "delete_relationship": "Unlinked",
    "replace_relationships": "Links replaced", "erase_node": "Erased",
}


def phrase(name: str) -> str:
    """`not_started` -> "Not started", `WORKS_FOR` -> "Works for", `due_date` -> "Due date"."""
    words = str(name).replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:]


def readable_value(value, spec=None) -> str:
    """A property value in words, following its vocabulary type when known."""
    kind = spec.type if spec is not None else None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "enum":
        return phrase(value)
    if kind in ("date", "partial_date"):
        return readable_date(str(value))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def readable_time(stamp: str | None) -> str:
    """A change-log time (ISO 8601, UTC) as "30 November 2025 at 15:54 UTC"."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def label_of(vocabulary, node_type: str, properties: dict, fallback: str) -> str:
    """What a record is called: its type's main property (name, title or statement), else its id."""
    kind = vocabulary.node_type(node_type)
    label = properties.get(kind.main_property) if kind is not None else None
    return str(label) if label else fallback


def relationship_heading(rel_type: str, outgoing: bool, node_type: str) -> str:
    """How a group of links reads on a record's page: "Accountable for" (from this record) or
    "Accountable for this action" (to it)."""
    verb = phrase(rel_type)
    return verb if outgoing else f"{verb} this {phrase(node_type).lower()}"


def readable_date(text: str) -> str:
    """`2026-10-31` -> "31 October 2026"; partial dates as precise as they are (`2025-03` -> "March 2025")."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return f"{day.day} {day:%B %Y}"
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01").strftime("%B %Y")
    except ValueError:
        pass
    return text
