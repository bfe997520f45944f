"""What the sub-collections recorded through their parent share (an action's progress updates, an
indicator's measurements): their bodies' schemas are built from the vocabulary when the app loads it and
registered by name, so the OpenAPI document refers to them; and they page like the generic lists."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from .nodes import MAX_PAGE

__all__ = ["PageQuerySchema", "json_answer", "schema_ref"]


def schema_ref(name: str) -> dict:
    """A reference to a schema registered by ``name`` in the OpenAPI document."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(name: str, description: str) -> dict:
    """An OpenAPI response whose JSON body is the registered schema ``name``."""
    return {"description": description, "content": {"application/json": {"schema": schema_ref(name)}}}


class PageQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE),
                           metadata={"description": f"Page size, 1 to {MAX_PAGE}."})
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000))
