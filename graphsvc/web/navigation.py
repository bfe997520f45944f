"""The header's navigation: one entry per area of the service, in the order people work through them.

Each page module adds its own entry here, so the header never links to a page that does not exist.
"""

from __future__ import annotations

__all__ = ["NAVIGATION"]

# (label, path, who may see it: the least role)
NAVIGATION: list[tuple[str, str, str]] = [
    ("What needs attention", "/", "viewer"),
    ("Action register", "/actions", "viewer"),
    ("Initiatives", "/initiatives", "viewer"),
    ("Overlaps", "/overlaps", "viewer"),
    ("Coverage", "/coverage", "viewer"),
    ("Connections", "/connections", "viewer"),
    ("Changes", "/changes", "viewer"),
    ("Flags over time", "/gaps/changes", "viewer"),
    ("Board pack", "/board-pack", "viewer"),
    ("Meetings", "/meetings", "viewer"),
    ("Impact", "/impact", "viewer"),
    ("Frameworks", "/frameworks", "viewer"),
    ("Add a record", "/records/new", "coordinator"),
    ("Import", "/import", "coordinator"),
]
