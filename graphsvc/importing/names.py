"""Matching names on import: rows without an id, and the names in convenience columns.

A name whose normalised form equals an existing node's is that node; a name that only comes close
(rapidfuzz, token order ignored) is a possible duplicate for a person to decide on.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from rapidfuzz import fuzz, process

from ..analysis.duplicates import normalise_name
from ..store.port import GraphReader

__all__ = ["NameIndex", "slug_id"]

CLOSE_ENOUGH = 90  # rapidfuzz score (0-100) from which two names are reported as possible duplicates


class NameIndex:
    """The names of the nodes of each type, read from the store once per type when first needed,
    plus the nodes this import creates."""

    def __init__(self, reader: GraphReader):
        self.reader = reader
        self._named: dict[str, dict[str, str]] = {}  # type → name in lower case → id
        self._exact: dict[str, dict[str, str]] = {}  # type → normalised name → id
        # type → parallel lists (normalised names, ids, labels) for rapidfuzz to scan in C
        self._choices: dict[str, tuple[list[str], list[str], list[str]]] = {}

    def exact(self, node_type: str, name: str) -> str | None:
        """The id of the node of this type with this name (ignoring case), else whose name normalises
        to the same text, if any."""
        normalised = self._load(node_type)
        return self._named[node_type].get(name.strip().casefold()) or normalised.get(normalise_name(name))

    def close(self, node_type: str, name: str) -> dict | None:
        """The closest node of this type whose name is close enough: {id, name, score}, or None."""
        self._load(node_type)
        normalised, ids, labels = self._choices[node_type]
        found = process.extractOne(normalise_name(name), normalised, scorer=fuzz.token_sort_ratio,
                                   score_cutoff=CLOSE_ENOUGH)
        if found is None:
            return None
        _, score, index = found
        return {"id": ids[index], "name": labels[index], "score": round(score / 100, 2)}

    def add(self, node_type: str, node_id: str, name: str) -> None:
        self._load(node_type)
        normalised = normalise_name(name)
        self._remember(node_type, node_id, normalised, name)

    def _load(self, node_type: str) -> dict[str, str]:
        if node_type not in self._exact:
            self._named[node_type], self._exact[node_type], self._choices[node_type] = {}, {}, ([], [], [])
            for node_id, label in self.reader.node_labels(node_type):
                self._remember(node_type, node_id, normalise_name(label), label)
        return self._exact[node_type]

    def _remember(self, node_type: str, node_id: str, normalised: str, label: str) -> None:
        self._named[node_type].setdefault(label.strip().casefold(), node_id)
        self._exact[node_type].setdefault(normalised, node_id)
        for column, value in zip(self._choices[node_type], (normalised, node_id, label), strict=True):
            column.append(value)


def slug_id(node_type: str, name: str) -> str:
    """A readable id for a node given without one: ``<type>-<name as a slug>``.

    >>> slug_id("Theme", "Maternity & neonatal outcomes")
    'theme-maternity-neonatal-outcomes'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")
    return f"{node_type.lower()}-{slug or uuid.uuid4().hex[:12]}"
