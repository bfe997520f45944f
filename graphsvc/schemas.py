"""Marshmallow schemas generated from the vocabulary.

One set of schemas validates every write path (HTTP, seeding, import) and documents the API,
so a property added to ``schema/vocabulary.yaml`` is validated and documented everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cached_property
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .spreadsheet_safety import first_invalid_character
from .vocabulary import NodeType, PropertySpec, RelationshipType, Vocabulary

__all__ = ["ID_PATTERN", "SAFE_INTEGER", "IsoDate", "PartialDate", "SchemaSet", "id_validator", "is_id",
           "storable_text"]

# As the OpenAPI document shows it (ECMA regex: `$` is the very end). Python's `$` also matches
# before a final newline, so check ids with `id_validator`/`is_id`, which match the whole string.
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,127}$"
_ID_REGEX = re.compile(ID_PATTERN)
ID_MESSAGE = "Ids are 1-128 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."
TEXT_MAX = 20_000
# Whole numbers every store and client can hold exactly (JavaScript's safe range; SQLite and Neo4j
# hold 64 bits): a larger one is refused rather than overflowing a store.
SAFE_INTEGER = validate.Range(-(2**53 - 1), 2**53 - 1)
# Ids are unique across nodes and relationships, so an id always names one record.
ID_TAKEN = "'{}' is already the id of another record; ids are unique across nodes and relationships."


class IsoDate(fields.Date):
    """A calendar date kept as its ISO string (``YYYY-MM-DD``), so stores hold plain JSON."""

    default_error_messages = {"invalid": "Not a valid date: use YYYY-MM-DD."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value if isinstance(value, str) or value is None else value.isoformat()


class PartialDate(fields.String):
    """A date as precise as its source: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a report dated
    "March 2025" is ``2025-03``, not an invented first of March). Sorts correctly as text."""

    default_error_messages = {"invalid": "Not a valid date: use YYYY, YYYY-MM or YYYY-MM-DD."}
    _FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a spreadsheet cell holding just a year
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        layout = self._FORMATS.get(len(text))
        try:
            if layout is None:
                raise ValueError(text)
            dt.datetime.strptime(text, layout)
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        return text


class FiniteNumber(fields.Float):
    """A JSON number that is neither NaN nor infinite, kept as int when it is whole."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        return int(number) if math.isfinite(number) and number.is_integer() and abs(number) < 2**53 else number


def property_field(spec: PropertySpec, for_patch: bool = False) -> fields.Field:
    """The marshmallow field for one vocabulary property (never required in a PATCH body)."""
    options: dict[str, Any] = {"required": spec.required and not for_patch, "allow_none": not spec.required,
                               "metadata": {"description": spec.description} if spec.description else {}}
    checks: list = [storable_text]
    if spec.type in {"string", "text"}:
        limit = spec.max_length or (TEXT_MAX if spec.type == "text" else 500)
        checks.append(validate.Length(min=1 if spec.required else 0, max=limit))
        field: fields.Field = fields.String(validate=checks, **options)
    elif spec.type == "enum":
        field = fields.String(validate=validate.OneOf(spec.values), **options)
    elif spec.type == "date":
        field = IsoDate(**options)
    elif spec.type == "partial_date":
        field = PartialDate(**options)
    elif spec.type == "integer":
        field = fields.Integer(strict=True, validate=[SAFE_INTEGER, *_at_least(spec)], **options)
    elif spec.type == "number":
        field = FiniteNumber(validate=_at_least(spec), **options)
    elif spec.type == "boolean":
        field = fields.Boolean(**options)
    elif spec.type == "email":
        field = fields.Email(validate=[validate.Length(max=320), storable_text], **options)
    else:  # url
        field = fields.URL(schemes={"http", "https"}, validate=[validate.Length(max=2000), storable_text],
                           **options)
    return field


def _at_least(spec: PropertySpec) -> list:
    """The vocabulary's minimum for a number, with its own message (the small-numbers rule's, say)."""
    if spec.minimum is None:
        return []
    return [validate.Range(min=spec.minimum, error=spec.below_minimum or "Must be at least {min}.")]


def storable_text(value: str) -> str:
    """Refuse characters XML 1.0 text cannot hold (most control characters, lone surrogates,
    U+FFFE/U+FFFF): they cannot be stored as UTF-8 or written to GraphML, GEXF or Excel."""
    found = first_invalid_character(value)
    if found is not None:
        position, character = found
        raise ValidationError(f"Contains a character that is not allowed in text: U+{ord(character):04X} "
                              f"at position {position + 1}.")
    return value


class WholeMatch(validate.Regexp):
    """``validate.Regexp`` over the whole string: with ``re.match``, ``$`` accepts ``"x\\n"``."""

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def id_validator(error: str = ID_MESSAGE) -> WholeMatch:
    """The validator for every id field (documented in OpenAPI as ``ID_PATTERN``)."""
    return WholeMatch(ID_PATTERN, error=error)


def is_id(value) -> bool:
    return isinstance(value, str) and _ID_REGEX.fullmatch(value) is not None


def _id_field(**kwargs) -> fields.Field:
    return fields.String(validate=id_validator(), **kwargs)


def _stamp_fields() -> dict[str, fields.Field]:
    return {
        "created_at": fields.String(dump_only=True, metadata={"description": "UTC time the record was created."}),
        "updated_at": fields.String(dump_only=True, metadata={"description": "UTC time of the last change."}),
        "version": fields.Integer(dump_only=True, metadata={"description": "Increases with every change."}),
    }


class SchemaSet:
    """All schemas for one vocabulary, built once and cached."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self._cache: dict[tuple[str, str], type[Schema]] = {}
        self._instances: dict[tuple[str, str], Schema] = {}

    def node_input(self, node_type: NodeType) -> type[Schema]:
        """Body of POST and PATCH on a typed collection: the type's properties and an optional id."""
        def build():
            attrs: dict[str, Any] = {name: property_field(spec) for name, spec in node_type.properties.items()}
            attrs["id"] = _id_field(load_only=True, metadata={"description": "Optional id; generated if absent."})
            return _schema_class(f"{node_type.name}Input", attrs)
        return self._cached("node_input", node_type.name, build)

    def node_patch(self, node_type: NodeType) -> type[Schema]:
        """Body of PATCH: any of the type's properties; ``null`` removes an optional one."""
        def build():
            attrs: dict[str, Any] = {name: property_field(spec, for_patch=True)
                                     for name, spec in node_type.properties.items()}
            attrs["id"] = _id_field(load_only=True, metadata={"description": "Must equal the node's id if given."})
            return _schema_class(f"{node_type.name}Patch", attrs)
        return self._cached("node_patch", node_type.name, build)

    def node_output(self, node_type: NodeType) -> type[Schema]:
        def build():
            attrs: dict[str, Any] = {"id": fields.String(dump_only=True), "type": fields.String(dump_only=True)}
            attrs.update({name: property_field(spec) for name, spec in node_type.properties.items()})
            attrs.update(_stamp_fields())
            return _schema_class(node_type.name, attrs)
        return self._cached("node_output", node_type.name, build)

    def node_page(self, node_type: NodeType) -> type[Schema]:
        def build():
            return _schema_class(f"{node_type.name}Page", {
                "items": fields.List(fields.Nested(self.node_output(node_type))),
                "total": fields.Integer(), "limit": fields.Integer(), "offset": fields.Integer()})
        return self._cached("node_page", node_type.name, build)

    def relationship_properties(self, rel_type: RelationshipType) -> type[Schema]:
        def build():
            attrs = {name: property_field(spec) for name, spec in rel_type.properties.items()}
            return _schema_class(f"{rel_type.name}Properties", attrs)
        return self._cached("rel_props", rel_type.name, build)

    @cached_property
    def relationship_input(self) -> type[Schema]:
        """Body of POST /relationships: type, from, to, optional id and the type's properties."""
        names = sorted(self.vocabulary.relationship_types)

        class RelationshipInput(Schema):
            class Meta:
                unknown = "include"  # the type's own properties, checked against that type afterwards

            id = _id_field(load_only=True)
            type = fields.String(required=True, validate=validate.OneOf(names))
            from_ = _id_field(required=True, data_key="from")
            to = _id_field(required=True)

        return RelationshipInput

    def validate_node(self, node_type: NodeType, data: Any, partial: bool = False) -> dict[str, Any]:
        """Check a node body; return the clean properties or raise marshmallow's ValidationError."""
        return self._instance("node_input", node_type.name, self.node_input, node_type).load(
            _mapping(data), partial=partial)

    def validate_relationship_properties(self, rel_type: RelationshipType, data: dict) -> dict[str, Any]:
        return self._instance("rel_props", rel_type.name, self.relationship_properties, rel_type).load(
            _mapping(data))

    def _instance(self, kind: str, name: str, schema_class, subject) -> Schema:
        # Building a schema instance copies all its fields; bulk loads validate thousands of rows,
        # so each schema is instantiated once and reused (loading does not mutate it).
        key = (kind + ":instance", name)
        if key not in self._instances:
            self._instances[key] = schema_class(subject)()
        return self._instances[key]

    def _cached(self, kind: str, name: str, build) -> type[Schema]:
        key = (kind, name)
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


def _schema_class(name: str, attrs: dict[str, Any]) -> type[Schema]:
    class Meta:
        unknown = RAISE
        ordered = True

    return type(name, (Schema,), {"Meta": Meta, **attrs})


def _mapping(data: Any) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["Expected a JSON object."]})
    return data


def load_collecting(schema: Schema, body: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(the valid fields, every field's errors)``: a service that checks more than the schema does (dates
    against today, links, rules) still judges the fields that were valid, so a person hears of every
    problem at once rather than one round trip each."""
    try:
        return schema.load(body), {}
    except ValidationError as exc:
        clean = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        return clean, exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
