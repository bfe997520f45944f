"""Matching names on import: rows without an id, and the names in convenience columns.

A name whose normalised form equals an existing node's is that node; a name that only comes close
(rapidfuzz ``token_sort_ratio``, token order ignored) is a possible duplicate for a person to decide on.

Comparing each new name with every name of its type makes an import of n id-less rows cost n²
comparisons, so once a type holds more than ``SCAN_ALL_UP_TO`` names the comparison is blocked: only
names sharing a block key with the new one are scored. The keys are those of the duplicate-records
analysis (words, neighbouring word pairs also with one letter left out, the name run together), so
a slip of one letter, a dropped space or a changed word order still meets the right spelling.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# The analysis's own blocking keys: one rule for "which names might be the same name", not two.
from ..analysis.duplicates import block_keys, normalise_name
from ..store.port import GraphReader

__all__ = ["NameIndex", "slug_id"]

CLOSE_ENOUGH = 90  # rapidfuzz score (0-100) from which two names are reported as possible duplicates
SCAN_ALL_UP_TO = 1_000  # up to this many names of a type, compare with every one (exact, and still quick)
BLOCK_CAP = 200  # a key shared by more names than this is too common to narrow anything down


@dataclass
class _Names:
    """The names of one node type: exact lookups, the lists rapidfuzz scans, and the block index."""

    named: dict[str, str] = field(default_factory=dict)  # name in lower case → id
    exact: dict[str, str] = field(default_factory=dict)  # normalised name → id
    normalised: list[str] = field(default_factory=list)  # parallel lists, in the order the names came
    ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    blocks: dict[str, list[int]] = field(default_factory=dict)  # key → positions in the lists above
    common: set[str] = field(default_factory=set)  # keys held by more than BLOCK_CAP names
    indexed: int = 0  # the names before this position are in ``blocks``
    asked: tuple[str, set[str]] = ("", set())  # the last name looked up and its keys

    def keys(self, normalised: str) -> set[str]:
        """The block keys of a name looked up: kept, since a name looked up is usually added next."""
        if self.asked[0] != normalised:
            self.asked = (normalised, block_keys(normalised))
        return self.asked[1]

    def candidates(self, key_set: set[str]) -> list[int]:
        """Positions of the names sharing a usable key with ``key_set``, oldest first."""
        self._index_new_names()
        found: set[int] = set()
        for key in key_set:
            found.update(self.blocks.get(key, ()))
        return sorted(found)

    def _index_new_names(self) -> None:
        # Built only when a close match is first asked for at scale, and caught up lazily: an import
        # whose rows all carry ids never pays for keys.
        for position in range(self.indexed, len(self.normalised)):
            normalised = self.normalised[position]
            for key in self.asked[1] if normalised == self.asked[0] else block_keys(normalised):
                if key in self.common:
                    continue
                members = self.blocks.setdefault(key, [])
                members.append(position)
                if len(members) > BLOCK_CAP:
                    self.common.add(key)
                    del self.blocks[key]
        self.indexed = len(self.normalised)


class NameIndex:
    """The names of the nodes of each type, read from the store once per type when first needed,
    plus the nodes this import creates."""

    def __init__(self, reader: GraphReader, scan_all_up_to: int = SCAN_ALL_UP_TO):
        self.reader = reader
        self.scan_all_up_to = scan_all_up_to
        self._types: dict[str, _Names] = {}

    def exact(self, node_type: str, name: str) -> str | None:
        """The id of the node of this type with this name (ignoring case), else whose name normalises
        to the same text, if any."""
        names = self._load(node_type)
        return names.named.get(name.strip().casefold()) or names.exact.get(normalise_name(name))

    def close(self, node_type: str, name: str) -> dict | None:
        """The closest node of this type whose name is close enough: {id, name, score}, or None."""
        names = self._load(node_type)
        query = normalise_name(name)
        if len(names.normalised) <= self.scan_all_up_to:
            positions, choices = None, names.normalised
        else:
            positions = names.candidates(names.keys(query))
            choices = [names.normalised[position] for position in positions]
        found = process.extractOne(query, choices, scorer=fuzz.token_sort_ratio, score_cutoff=CLOSE_ENOUGH)
        if found is None:
            return None
        _, score, index = found
        index = index if positions is None else positions[index]
        return {"id": names.ids[index], "name": names.labels[index], "score": round(score / 100, 2)}

    def add(self, node_type: str, node_id: str, name: str) -> None:
        _remember(self._load(node_type), node_id, normalise_name(name), name)

    def _load(self, node_type: str) -> _Names:
        if node_type not in self._types:
            names = self._types[node_type] = _Names()
            for node_id, label in self.reader.node_labels(node_type):
                _remember(names, node_id, normalise_name(label), label)
        return self._types[node_type]


def _remember(names: _Names, node_id: str, normalised: str, label: str) -> None:
    names.named.setdefault(label.strip().casefold(), node_id)
    names.exact.setdefault(normalised, node_id)
    names.normalised.append(normalised)
    names.ids.append(node_id)
    names.labels.append(label)


def slug_id(node_type: str, name: str) -> str:
    """A readable id for a node given without one: ``<type>-<name as a slug>``.

    >>> slug_id("Theme", "Maternity & neonatal outcomes")
    'theme-maternity-neonatal-outcomes'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")
    return f"{node_type.lower()}-{slug or uuid.uuid4().hex[:12]}"
