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

from .privacy import identity_term

# libyaml's safe loader when present: the same safety, ten times the speed.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "PROPERTY_TYPES",
    "RESERVED_NAMES",
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
RULE_KINDS = frozenset({"forbidden_link", "max_incoming", "example_boundary"})
ANY_RELATIONSHIP = "*"  # a rule's relationship: every type, including any added to the vocabulary later
EXAMPLE_PROPERTY = "example"  # the common property marking fictional example records
WRITE_ROLES = ("coordinator", "governance", "admin")

_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]{0,63}$")
_REL_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
_PROP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PLURAL = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


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

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "required": self.required}
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
    node_types = _node_types(raw.get("node_types"), _properties(raw.get("common_properties"), "common_properties",
                                                                need_one=False))
    relationship_types = _relationship_types(raw.get("relationship_types"), node_types)
    rules = tuple(_rule(i, r, node_types, relationship_types) for i, r in enumerate(raw.get("rules") or []))
    link_columns = _link_columns(raw.get("import_columns"), node_types, relationship_types)
    return Vocabulary(int(raw.get("version", 1)), node_types, relationship_types, rules, str(path), link_columns)


def yaml_load(source) -> Any:
    """Parse YAML (or JSON) safely, with libyaml's loader when it is installed."""
    return yaml.load(source, Loader=_YAML_LOADER)


def _node_types(raw: Any, common: dict[str, PropertySpec]) -> dict[str, NodeType]:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError("node_types: expected a non-empty mapping")
    types: dict[str, NodeType] = {}
    plurals: set[str] = set()
    for name, body in raw.items():
        where = f"node_types.{name}"
        _check(_TYPE_NAME.match(str(name)), f"{where}: type names are CamelCase")
        _check(isinstance(body, dict), f"{where}: expected a mapping")
        plural = body.get("plural")
        _check(isinstance(plural, str) and _PLURAL.match(plural), f"{where}.plural: lower-case word required")
        _check(plural not in plurals, f"{where}.plural: '{plural}' is used twice")
        plurals.add(plural)
        properties = _properties(body.get("properties"), where, need_one=True)
        main = next(iter(properties.values()))
        _check(main.type in {"string", "text"}, f"{where}: the first (main) property must be a string")
        _check(not set(properties) & set(common), f"{where}: redeclares a common property")
        default_sort = body.get("default_sort")
        _check(default_sort is None or default_sort in properties, f"{where}.default_sort: not one of its properties")
        types[name] = NodeType(name, plural, {**properties, **common}, str(body.get("description", "")),
                               default_sort)
    return types


def _relationship_types(raw: Any, node_types: dict[str, NodeType]) -> dict[str, RelationshipType]:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError("relationship_types: expected a non-empty mapping")
    types: dict[str, RelationshipType] = {}
    for name, body in raw.items():
        where = f"relationship_types.{name}"
        _check(_REL_NAME.match(str(name)), f"{where}: relationship names are UPPER_SNAKE_CASE")
        _check(isinstance(body, dict), f"{where}: expected a mapping")
        pairs = body.get("endpoints")
        _check(isinstance(pairs, list) and pairs, f"{where}.endpoints: list of [from, to] pairs required")
        endpoints = set()
        for pair in pairs:
            _check(isinstance(pair, list) and len(pair) == 2, f"{where}.endpoints: {pair!r} is not a pair")
            for end in pair:
                _check(end in node_types, f"{where}.endpoints: unknown node type {end!r}")
            endpoints.add((pair[0], pair[1]))
        properties = _properties(body.get("properties"), where, need_one=False)
        types[name] = RelationshipType(name, frozenset(endpoints), properties, str(body.get("description", "")),
                                       _write_role(body, where), _write_role(body, where, "delete_role"))
    return types


def _properties(raw: Any, where: str, need_one: bool) -> dict[str, PropertySpec]:
    raw = raw or {}
    _check(isinstance(raw, dict), f"{where}.properties: expected a mapping")
    _check(raw or not need_one, f"{where}.properties: at least one property is required")
    specs: dict[str, PropertySpec] = {}
    for name, body in raw.items():
        at = f"{where}.properties.{name}"
        _check(_PROP_NAME.match(str(name)), f"{at}: property names are lower_snake_case")
        _check(name not in RESERVED_NAMES, f"{at}: '{name}' is reserved")
        term = identity_term(str(name))
        _check(term is None, f"{at}: '{term}' could record a person's ethnicity, racial identity or a proxy "
               "for them, which the service never records")
        _check(isinstance(body, dict), f"{at}: expected a mapping")
        kind = body.get("type")
        _check(kind in PROPERTY_TYPES, f"{at}.type: one of {sorted(PROPERTY_TYPES)} required")
        values = tuple(str(v) for v in body.get("values") or ())
        _check(kind != "enum" or values, f"{at}.values: an enum needs values")
        max_length = body.get("max_length")
        _check(max_length is None or (isinstance(max_length, int) and max_length > 0),
               f"{at}.max_length: positive integer required")
        specs[name] = PropertySpec(name, kind, bool(body.get("required", False)), values, max_length,
                                   bool(body.get("sensitive", False)), str(body.get("description", "")),
                                   _write_role(body, at), bool(body.get("personal", False)))
    return specs


def _rule(index: int, raw: Any, node_types: dict, relationship_types: dict) -> Rule:
    where = f"rules[{index}]"
    _check(isinstance(raw, dict), f"{where}: expected a mapping")
    kind = raw.get("kind")
    rel = raw.get("relationship", ANY_RELATIONSHIP if kind == "example_boundary" else None)
    _check(kind in RULE_KINDS, f"{where}.kind: one of {sorted(RULE_KINDS)} required")
    _check(rel in relationship_types or (rel == ANY_RELATIONSHIP and kind != "max_incoming"),
           f"{where}.relationship: unknown relationship type {rel!r}")
    for key in ("from_type", "to_type"):
        _check(raw.get(key) is None or raw[key] in node_types, f"{where}.{key}: unknown node type")
    _check(kind != "max_incoming" or isinstance(raw.get("max"), int), f"{where}.max: integer required")
    may_cross = tuple(raw.get("may_cross") or ())
    _check(all(name in relationship_types for name in may_cross), f"{where}.may_cross: unknown relationship type")
    return Rule(str(raw.get("id") or f"rule-{index}"), kind, rel, " ".join(str(raw.get("message", "")).split()),
                raw.get("from_type"), raw.get("to_type"), dict(raw.get("to_where") or {}), raw.get("max"),
                bool(raw.get("either_direction", False)), may_cross)


def _link_columns(raw: Any, node_types: dict, relationship_types: dict) -> dict[str, LinkColumn]:
    _check(isinstance(raw or {}, dict), "import_columns: expected a mapping of column name to its link")
    columns = {}
    for name, body in (raw or {}).items():
        where = f"import_columns.{name}"
        _check(isinstance(name, str) and _PROP_NAME.match(name) and name not in RESERVED_NAMES,
               f"{where}: a column name must be lower_snake_case and not reserved")
        _check(isinstance(body, dict), f"{where}: expected a mapping")
        column = LinkColumn(name, body.get("node_type"), body.get("relationship"), body.get("direction", "out"),
                            str(body.get("description", "")))
        _check(column.node_type in node_types, f"{where}: unknown node_type {column.node_type!r}")
        _check(column.relationship in relationship_types, f"{where}: unknown relationship {column.relationship!r}")
        _check(column.direction in ("out", "in"), f"{where}: direction must be 'out' or 'in'")
        side = 1 if column.direction == "out" else 0
        _check(any(pair[side] == column.node_type for pair in relationship_types[column.relationship].endpoints),
               f"{where}: {column.relationship} never has a {column.node_type} at that end")
        columns[name] = column
    return columns


def _write_role(body: dict, where: str, key: str = "write_role") -> str | None:
    """The role needed to write (or delete) this, beyond the coordinator every write needs, if any."""
    role = body.get(key)
    _check(role is None or role in WRITE_ROLES, f"{where}.{key}: one of {list(WRITE_ROLES)} required")
    return role


def _check(condition: Any, message: str) -> None:
    if not condition:
        raise VocabularyError(message)
