"""The vocabulary: node types, relationship types and rules, loaded from ``schema/``.

Everything that knows a type name reads it from here; nothing else hard-codes the vocabulary.
The loader checks the file thoroughly at start-up so that a bad edit fails loudly and early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# libyaml's safe loader when present: the same safety, ten times the speed.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "ANY_RELATIONSHIP",
    "EXAMPLE_PROPERTY",
    "PROPERTY_TYPES",
    "RELATIONSHIP_NAME",
    "RESERVED_NAMES",
    "RULE_KINDS",
    "TYPE_NAME",
    "WRITE_ROLES",
    "LinkColumn",
    "NodeType",
    "PropertySpec",
    "RelationshipType",
    "Rule",
    "Vocabulary",
    "VocabularyError",
    "default_vocabulary_path",
    "load_vocabulary",
    "yaml_load",
]

PROPERTY_TYPES = frozenset({"string", "text", "enum", "date", "partial_date", "integer", "number", "boolean", "email",
                            "url"})
RESERVED_NAMES = frozenset({"id", "type", "from", "to", "created_at", "updated_at", "version"})
RULE_KINDS = frozenset({"forbidden_link", "max_incoming", "example_boundary", "link_needs_property"})
ANY_RELATIONSHIP = "*"  # a rule's relationship: every type, including any added to the vocabulary later
EXAMPLE_PROPERTY = "example"  # the common property marking fictional example records
WRITE_ROLES = ("coordinator", "governance", "admin")
# What node type and relationship type names may look like: checked on load, and again wherever a
# name becomes part of a statement (the Cypher of the Neo4j store).
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
RELATIONSHIP_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")



class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message says where."""


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    max_length: int | None = None
    sensitive: bool = False
    description: str = ""
    write_role: str | None = None
    personal: bool = False
    # The least value a number or integer may take, and what a smaller one is told (e.g. small numbers).
    minimum: int | float | None = None
    below_minimum: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "required": self.required}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.write_role:
            out["write_role"] = self.write_role
        if self.personal:
            out["personal"] = True
        if self.values:
            out["values"] = list(self.values)
        if self.max_length is not None:
            out["max_length"] = self.max_length
        if self.sensitive:
            out["sensitive"] = True
        if self.description:
            out["description"] = self.description
        return out


@dataclass(frozen=True)
class NodeType:
    name: str
    plural: str
    properties: dict[str, PropertySpec]
    description: str = ""
    default_sort: str | None = None

    @property
    def main_property(self) -> str:
        """The property that names the node (its name, title or statement)."""
        return next(iter(self.properties))

    @property
    def sensitive_properties(self) -> frozenset[str]:
        """Properties shown only to readers who may see sensitive values (e.g. a person's email)."""
        return frozenset(name for name, spec in self.properties.items() if spec.sensitive)

    @property
    def personal_properties(self) -> tuple[str, ...]:
        """Properties holding personal data about an individual (erased by `graphsvc forget`)."""
        return tuple(name for name, spec in self.properties.items() if spec.personal)

    @property
    def sort_property(self) -> str:
        """What lists of this type are ordered by unless the reader asks otherwise."""
        return self.default_sort or self.main_property

    def as_dict(self) -> dict[str, Any]:
        return {
            "plural": self.plural,
            "description": self.description,
            "main_property": self.main_property,
            "default_sort": self.sort_property,
            "properties": {name: spec.as_dict() for name, spec in self.properties.items()},
        }


@dataclass(frozen=True)
class RelationshipType:
    name: str
    endpoints: frozenset[tuple[str, str]]
    properties: dict[str, PropertySpec]
    description: str = ""
    write_role: str | None = None
    delete_role: str | None = None

    @property
    def role_to_delete(self) -> str | None:
        """The role deleting one needs beyond a coordinator's (its write role unless it says otherwise)."""
        return self.delete_role or self.write_role

    def allows(self, from_type: str, to_type: str) -> bool:
        return (from_type, to_type) in self.endpoints

    def describe_endpoints(self) -> str:
        return ", ".join(f"{a}->{b}" for a, b in sorted(self.endpoints))

    def as_dict(self) -> dict[str, Any]:
        out = {
            "description": self.description,
            "endpoints": [list(pair) for pair in sorted(self.endpoints)],
            "properties": {name: spec.as_dict() for name, spec in self.properties.items()},
        }
        if self.write_role:
            out["write_role"] = self.write_role
        if self.delete_role:
            out["delete_role"] = self.delete_role
        return out


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    relationship: str
    message: str
    from_type: str | None = None
    to_type: str | None = None
    to_where: dict[str, Any] = field(default_factory=dict)
    max: int | None = None
    either_direction: bool = False
    may_cross: tuple[str, ...] = ()
    property: str | None = None  # link_needs_property: what the from end must hold before it links

    def covers(self, rel_type: str) -> bool:
        return self.relationship in (rel_type, ANY_RELATIONSHIP)

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "relationship": self.relationship, "message": self.message}
        for key in ("from_type", "to_type", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.to_where:
            out["to_where"] = dict(self.to_where)
        if self.either_direction:
            out["either_direction"] = True
        if self.may_cross:
            out["may_cross"] = list(self.may_cross)
        if self.property:
            out["property"] = self.property
        return out


@dataclass(frozen=True)
class LinkColumn:
    """A spreadsheet convenience column: ``|``-separated names of ``node_type`` nodes, each linked to
    the row's node by ``relationship`` (row → named node when ``direction`` is out, else named → row)."""

    name: str
    node_type: str
    relationship: str
    direction: str
    description: str = ""

    def ends(self, row_type: str) -> tuple[str, str]:
        """(from type, to type) of the relationship this column makes for a row of ``row_type``."""
        return (row_type, self.node_type) if self.direction == "out" else (self.node_type, row_type)

    def as_dict(self) -> dict[str, Any]:
        return {"node_type": self.node_type, "relationship": self.relationship, "direction": self.direction,
                "description": self.description}


@dataclass(frozen=True)
class Vocabulary:
    version: int
    node_types: dict[str, NodeType]
    relationship_types: dict[str, RelationshipType]
    rules: tuple[Rule, ...]
    source: str = ""
    link_columns: dict[str, LinkColumn] = field(default_factory=dict)
    # The rules covering each relationship type, worked out once: imports ask for every row.
    _rules_by_type: dict[str, tuple[Rule, ...]] = field(default_factory=dict, init=False, repr=False,
                                                        compare=False)

    def __post_init__(self):
        for name in self.relationship_types:
            self._rules_by_type[name] = tuple(rule for rule in self.rules if rule.covers(name))

    def node_type(self, name: str) -> NodeType | None:
        return self.node_types.get(name)

    def by_plural(self, plural: str) -> NodeType | None:
        return next((t for t in self.node_types.values() if t.plural == plural), None)

    def relationship_type(self, name: str) -> RelationshipType | None:
        return self.relationship_types.get(name)

    def rules_for(self, relationship: str) -> tuple[Rule, ...]:
        found = self._rules_by_type.get(relationship)
        return found if found is not None else tuple(rule for rule in self.rules if rule.covers(relationship))

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "node_types": {name: t.as_dict() for name, t in self.node_types.items()},
            "relationship_types": {name: t.as_dict() for name, t in self.relationship_types.items()},
            "rules": [rule.as_dict() for rule in self.rules],
            "import_columns": {name: column.as_dict() for name, column in self.link_columns.items()},
        }


def default_vocabulary_path() -> Path:
    """``schema/vocabulary.yaml`` beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent / "schema" / "vocabulary.yaml"


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Read and check the vocabulary file; raise VocabularyError naming the first problem.

    >>> vocab = load_vocabulary()
    >>> vocab.by_plural("initiatives").name
    'Initiative'
    """
    path = Path(path) if path else default_vocabulary_path()
    try:
        raw = yaml_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"cannot read vocabulary {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise VocabularyError(f"{path}: expected a mapping at the top level")
    from .vocabulary_checks import parse_vocabulary  # (it builds the records defined above)

    return parse_vocabulary(raw, str(path))


def yaml_load(source) -> Any:
    """Parse YAML (or JSON) safely, with libyaml's loader when it is installed."""
    return yaml.load(source, Loader=_YAML_LOADER)
