"""Imports in the change log.

An import closes with an ``import`` entry (Operation.IMPORT) whose summary says how many entries before
it the import wrote; those entries are that import, exactly. Logs written before imports were recorded
have no such entry, and for their entries the marks a bulk write leaves are read instead:

An import (graphsvc.importing) is one store transaction written in batches (``write_batch``), one per
chunk of rows. It leaves two marks. Every entry of a batch carries the batch's one time stamp to the
microsecond, where single writes each take their own; and a relationship the importer names itself gets
an id made of the import's own prefix (``rel-<10 hex>-<n>``, ``Importer.new_relationship_id``), where
single writes make ``rel-<16 hex>``. For entries no ``import`` entry covers (docs/changes.md), the rule is:

1. an entry is *marked* when it is one of two or more consecutive entries by one actor with one time
   stamp, each creating or changing a node or creating or deleting a relationship, and not part of an
   erasure (whose entries share a stamp too); or when it creates a relationship with an importer's id;
2. marked entries by one actor with nothing between them but that actor's node and relationship
   entries are one import.

What it cannot see: an import of a single node (one entry looks like a single write), and two imports
by one actor straight after each other, with no other entry between them (read as one).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

from ..store.model import Operation

__all__ = ["find_imports"]

BATCHED = frozenset({Operation.CREATE_NODE, Operation.UPDATE_NODE, Operation.CREATE_RELATIONSHIP,
                     Operation.DELETE_RELATIONSHIP})

# A trail entry: (seq, at, actor, operation, node type or None, relationship id or None), in seq order; for
# an ``import`` entry the last slot is the number of entries the import wrote before it.
Entry = tuple
IMPORTED_ID = re.compile(r"rel-[0-9a-f]{10}-[0-9a-f]+")


def find_imports(trail: list[Entry], types: Collection[str] | None = None) -> list[dict]:
    """The imports among ``trail``, oldest first; with ``types``, those that wrote records of those types,
    counting only those types' records."""
    recorded = _recorded(trail)
    covered = {index for first, last in recorded for index in range(first, last + 1)}
    runs: list[list[int]] = []
    for index, marked in enumerate(_marked(trail)):
        if not marked or index in covered:
            continue
        if runs and _joins(trail, runs[-1][1], index):
            runs[-1][1] = index
        else:
            runs.append([index, index])
    found = (_describe(trail[first:last + 1], types) for first, last in sorted([*recorded, *runs]))
    return [item for item in found if item is not None]


def _recorded(trail: list[Entry]) -> list[list[int]]:
    """[first, last] trail indexes of each import its own ``import`` entry (the last) closes; an import
    that began before the window starts at the window's first entry."""
    return [[max(0, index - (entry[5] or 0)), index] for index, entry in enumerate(trail)
            if entry[3] == Operation.IMPORT]


def _marked(trail: list[Entry]) -> list[bool]:
    erasing = {(entry[1], entry[2]) for entry in trail if entry[3] == Operation.ERASE_NODE}
    marked = [entry[3] == Operation.CREATE_RELATIONSHIP and bool(IMPORTED_ID.fullmatch(entry[5] or ""))
              for entry in trail]
    start = 0
    while start < len(trail):
        end = start
        while end + 1 < len(trail) and _one_batch(trail[start], trail[end + 1]):
            end += 1
        if end > start and trail[start][1:3] not in erasing:
            marked[start:end + 1] = [True] * (end + 1 - start)
        start = end + 1
    return marked


def _one_batch(first: Entry, other: Entry) -> bool:
    return first[3] in BATCHED and other[3] in BATCHED and other[1:3] == first[1:3]


def _joins(trail: list[Entry], previous_end: int, start: int) -> bool:
    """Whether everything from the previous run's last entry up to ``start`` is one actor's node and link entries."""
    actor = trail[start][2]
    return all(entry[2] == actor and entry[3] in BATCHED for entry in trail[previous_end:start])


def _describe(entries: list[Entry], types: Collection[str] | None) -> dict | None:
    created, changed, links = Counter(), Counter(), Counter()
    for _, _, _, operation, kind, _ in entries:
        if operation == Operation.CREATE_NODE:
            created[kind] += 1
        elif operation == Operation.UPDATE_NODE:
            changed[kind] += 1
        elif operation in (Operation.CREATE_RELATIONSHIP, Operation.DELETE_RELATIONSHIP):
            links["created" if operation == Operation.CREATE_RELATIONSHIP else "deleted"] += 1
    if types and not (set(created) | set(changed)) & set(types):
        return None
    first, last = entries[0], entries[-1]
    return {"actor": first[2], "entries": sum(entry[3] != Operation.IMPORT for entry in entries),
            "first": {"seq": first[0], "at": first[1]}, "last": {"seq": last[0], "at": last[1]},
            "created": _kept(created, types), "changed": _kept(changed, types),
            "relationships": {"created": links["created"], "deleted": links["deleted"]}}


def _kept(counts: Counter, types: Collection[str] | None) -> dict[str, int]:
    return {kind: count for kind, count in sorted(counts.items(), key=lambda item: str(item[0]))
            if not types or kind in types}
