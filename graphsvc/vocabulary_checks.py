"""Checking a vocabulary file as it is read: every name, type, endpoint, rule and column, so that a bad
edit stops start-up with a message naming the place (``node_types.Person.properties.email.type: …``)."""

from __future__ import annotations

import re
from typing import Any

from .privacy import identity_term
from .vocabulary import (
    ANY_RELATIONSHIP,
    PROPERTY_TYPES,
    RELATIONSHIP_NAME,
    RESERVED_NAMES,
    RULE_KINDS,
    TYPE_NAME,
    WRITE_ROLES,
    LinkColumn,
    NodeType,
    PropertySpec,
    RelationshipType,
    Rule,
    Vocabulary,
    VocabularyError,
)

__all__ = ["parse_vocabulary"]

_PROP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_PLURAL = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def parse_vocabulary(raw: dict[str, Any], source: str) -> Vocabulary:
    """The vocabulary a parsed file describes; VocabularyError naming the first problem."""
    node_types = _node_types(raw.get("node_types"), _properties(raw.get("common_properties"), "common_properties",
                                                                need_one=False))
    relationship_types = _relationship_types(raw.get("relationship_types"), node_types)
    rules = tuple(_rule(i, r, node_types, relationship_types) for i, r in enumerate(raw.get("rules") or []))
    link_columns = _link_columns(raw.get("import_columns"), node_types, relationship_types)
    return Vocabulary(int(raw.get("version", 1)), node_types, relationship_types, rules, source, link_columns)


def _node_types(raw: Any, common: dict[str, PropertySpec]) -> dict[str, NodeType]:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError("node_types: expected a non-empty mapping")
    types: dict[str, NodeType] = {}
    plurals: set[str] = set()
    for name, body in raw.items():
        where = f"node_types.{name}"
        _check(TYPE_NAME.match(str(name)), f"{where}: type names are CamelCase")
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
        _check(RELATIONSHIP_NAME.match(str(name)), f"{where}: relationship names are UPPER_SNAKE_CASE")
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
        minimum = body.get("minimum")
        _check(minimum is None or (kind in {"integer", "number"} and isinstance(minimum, int | float)
                                   and not isinstance(minimum, bool)),
               f"{at}.minimum: a number, on an integer or number property")
        specs[name] = PropertySpec(name, kind, bool(body.get("required", False)), values, max_length,
                                   bool(body.get("sensitive", False)), str(body.get("description", "")),
                                   _write_role(body, at), bool(body.get("personal", False)), minimum,
                                   " ".join(str(body.get("below_minimum", "")).split()))
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
    needs = raw.get("property")
    _check(kind != "link_needs_property" or (raw.get("from_type") in node_types
                                            and needs in node_types[raw["from_type"]].properties),
           f"{where}.property: a property of its from_type required")
    may_cross = tuple(raw.get("may_cross") or ())
    _check(all(name in relationship_types for name in may_cross), f"{where}.may_cross: unknown relationship type")
    return Rule(str(raw.get("id") or f"rule-{index}"), kind, rel, " ".join(str(raw.get("message", "")).split()),
                raw.get("from_type"), raw.get("to_type"), dict(raw.get("to_where") or {}), raw.get("max"),
                bool(raw.get("either_direction", False)), may_cross, needs)


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
