"""Finding nodes by their words, the same way in every store.

Each node keeps a ``search_text`` beside its record (never part of it): its searchable properties
folded (case-folded, accents stripped, runs of white space made one space), the main property on
the first line and the others after it, one a line. A search folds its words the same way, so
"zoe" finds "Zoë" and "STRASSE" finds "Straße" in any engine, with no engine-specific collation.

Ranking (``rank``): 0 when the main property starts with the whole query, 1 when every word is in
the main property, 2 when the words are spread over the other fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FIELD_SEPARATOR", "RANK", "SEARCHABLE_TYPES", "STAMPS", "Order", "Words", "fold", "high_bound",
           "plan_order", "search_fields", "search_text", "snippet"]

FIELD_SEPARATOR = "\n"  # folded text never holds one, so the first line is exactly the main property
SEARCHABLE_TYPES = frozenset({"string", "text"})  # names, titles, descriptions; not emails or urls
RANK = "_rank"  # the sort key for "best match first" (property names start with a letter, so no clash)
STAMPS = frozenset({"created_at", "updated_at"})  # sort keys that are record stamps, not properties
# Appended to a text upper bound so that it also covers every value it begins: "2025-03" as the end
# of a range takes in "2025-03-31" (a partial date is a prefix of the dates it covers).
_PREFIX_CEILING = "\uffff"


def fold(text: Any) -> str:
    """Text as it is searched: case-folded, accents stripped, white space collapsed.

    >>> fold("  Zoë   ÉTÉ\\nStraße ")
    'zoe ete strasse'
    """
    text = str(text)
    if not text.isascii():  # most text is ASCII: no accents to strip, and folding it is cheap
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def search_fields(vocabulary) -> dict[str, tuple[str, ...]]:
    """Per node type, the properties searched: the main property first, then every other string or
    text property that is not sensitive (a search must not reveal what a reader may not see)."""
    fields = {}
    for name, node_type in vocabulary.node_types.items():
        others = [prop for prop, spec in node_type.properties.items()
                  if prop != node_type.main_property and spec.type in SEARCHABLE_TYPES and not spec.sensitive]
        fields[name] = (node_type.main_property, *others)
    return fields


def search_text(properties: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The stored search text of a node with these properties: main property first, one field a line.

    >>> search_text({"name": "Zoë Example", "job_title": "Lead Midwife"}, ("name", "job_title"))
    'zoe example\\nlead midwife'
    """
    main, *others = fields or ("",)
    rest = [fold(properties[name]) for name in others if properties.get(name) not in (None, "")]
    # The separator always follows the main property, so "the first line" is well defined.
    return fold(properties.get(main, "")) + FIELD_SEPARATOR + FIELD_SEPARATOR.join(rest)


@dataclass(frozen=True)
class Words:
    """A query folded for the stores: its words (all must match) and its whole phrase (for rank 0)."""

    words: tuple[str, ...]
    phrase: str

    @classmethod
    def of(cls, text: str | None) -> Words | None:
        phrase = fold(text or "")
        return cls(tuple(dict.fromkeys(phrase.split())), phrase) if phrase else None


@dataclass(frozen=True)
class Order:
    """How a page is ordered: best match first or not, then one key (a property or stamp, ascending
    or not, missing values last either way), then the main property and the id. With no key,
    ``descending`` turns the main property's order."""

    ranked: bool = False
    key: str | None = None
    descending: bool = False


def plan_order(sort: Sequence[str] | str | None, main_property: str | None) -> Order:
    """Read a port ``sort`` (``[RANK]``, ``["-due_date"]``, ``[RANK, "number"]``…) into an Order.
    A key naming the main property is left out: the main property always orders the rest."""
    keys = [sort] if isinstance(sort, str) else list(sort or ())
    ranked = bool(keys) and keys[0] == RANK
    rest = keys[1:] if ranked else keys
    if len(rest) > 1 or any(key.lstrip("-") in ("", RANK) for key in rest):
        raise ValueError(f"Sort by at most {RANK!r} and then one key, not {keys!r}.")
    if not rest:
        return Order(ranked)
    descending, key = rest[0].startswith("-"), rest[0].lstrip("-")
    return Order(ranked, None if key == main_property else key, descending)


def high_bound(value: Any) -> Any:
    """The value a range's inclusive upper end is compared with (see _PREFIX_CEILING)."""
    return value + _PREFIX_CEILING if isinstance(value, str) else value


def snippet(properties: Mapping[str, Any], fields: Sequence[str], words: Words, width: int = 160) -> str | None:
    """A short extract of the first field besides the main one that holds a searched word, or None."""
    for name in fields[1:]:
        value = properties.get(name)
        if not isinstance(value, str):
            continue
        folded = fold(value)
        hits = [folded.find(word) for word in words.words if word in folded]
        if hits:
            return _extract(" ".join(value.split()), min(hits), width)
    return None


def _extract(text: str, at: int, width: int) -> str:
    # Positions in the folded text are close to those in the original (folding rarely changes
    # lengths), which is good enough to centre an extract.
    start = max(0, min(at - width // 4, len(text) - width))
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
