"""Spreadsheet cells to record values (the CSV and Excel layout; see docs/import.md).

A ``nodes`` table has ``id``, ``type``, any property of any node type, and the vocabulary's
convenience columns (``themes``, ``populations``, ...: names separated by ``|``). A
``relationships`` table has ``id``, ``type``, ``from``, ``to`` and any relationship property. Blank
cells mean "not given". Dates may be ISO text or Excel dates; numbers may be text.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from openpyxl.utils.datetime import from_excel

from ..vocabulary import PropertySpec, Vocabulary
from .rows import Row

__all__ = ["LINK_SEPARATOR", "TableLayout"]

LINK_SEPARATOR = "|"
HEADS = {"nodes": ("id", "type"), "relationships": ("id", "type", "from", "to")}
STAMPS = frozenset({"created_at", "updated_at", "version"})  # kept by the store; ignored on import


class TableLayout:
    """The columns a vocabulary allows in each table, and how to read their cells."""

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.node_columns = _union(t.properties for t in vocabulary.node_types.values())
        self.relationship_columns = _union(t.properties for t in vocabulary.relationship_types.values())

    def columns(self, section: str) -> list[str]:
        """Every column a table of this section may have, in template order."""
        if section == "nodes":
            return [*HEADS["nodes"], *self.node_columns, *self.vocabulary.link_columns]
        return [*HEADS["relationships"], *self.relationship_columns]

    def header_problems(self, section: str, header: list[str]) -> dict[str, str]:
        """Columns the table may not have (column → message); reported once, against row 1."""
        allowed = set(self.columns(section)) | STAMPS
        found: dict[str, str] = {}
        for column in header:
            if column and column not in allowed:
                found[column] = f"Unknown column '{column}' in the {section} table."
        for name in HEADS[section][1:]:
            if name not in header:
                found[name] = f"The {section} table needs a '{name}' column."
        if len([c for c in header if c]) != len({c for c in header if c}):
            found["_header"] = "A column name appears twice in the header."
        return found

    def row(self, section: str, cells: dict[str, Any], file: str, sheet: str, number: int) -> Row:
        """A Row from one table row's non-blank cells (column → cell value), values typed."""
        row = Row(section, {}, file, sheet, number)
        heads = HEADS[section]
        for column in heads:
            if column in cells:
                row.data[column] = _text(cells[column])
        specs = self._specs(section, row.data.get("type"))
        for column, value in cells.items():
            if column in heads or column in STAMPS or not column:
                continue
            if section == "nodes" and column in self.vocabulary.link_columns:
                row.links[column] = [name.strip() for name in str(value).split(LINK_SEPARATOR) if name.strip()]
            elif specs is None:
                row.data[column] = value  # unknown type: the importer reports the type, not every cell
            elif column not in specs:
                row.problems[column] = f"{row.data.get('type')} has no property '{column}'; leave this cell blank."
            else:
                try:
                    row.data[column] = cell_value(specs[column], value)
                except ValueError as exc:
                    row.problems[column] = str(exc)
        return row

    def _specs(self, section: str, type_name: Any) -> dict[str, PropertySpec] | None:
        kinds = self.vocabulary.node_types if section == "nodes" else self.vocabulary.relationship_types
        kind = kinds.get(type_name) if isinstance(type_name, str) else None
        return None if kind is None else kind.properties


def cell_value(spec: PropertySpec, value: Any) -> Any:
    """The property value a cell holds; ValueError with a reader-friendly message if it holds none."""
    if spec.type == "date" or (spec.type == "partial_date" and isinstance(value, dt.date)):
        return _date(value)
    if spec.type in ("number", "integer"):
        return _number(value, spec.type == "integer")
    if spec.type == "boolean":
        return _boolean(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = _text(value)
    return text.strip() if spec.type in ("enum", "email", "url") else text


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return from_excel(value).date().isoformat()  # an Excel serial day number
        except (ValueError, OverflowError, TypeError):
            raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD.") from None
    return str(value).strip()  # the property's own check reports text that is not an ISO date


def _number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number.")
    if isinstance(value, int | float):
        number = value
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"'{value}' is not a number.") from None
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is not a finite number.")
    if integer or (isinstance(number, float) and number.is_integer() and not isinstance(value, float)):
        if not float(number).is_integer():
            raise ValueError(f"'{value}' is not a whole number.")
        return int(number)
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1"):
        return True
    if text in ("false", "no", "n", "0"):
        return False
    raise ValueError(f"'{value}' is not true or false.")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 123 as 123.0
    return value if isinstance(value, str) else str(value)


def _union(property_maps) -> list[str]:
    return list(dict.fromkeys(name for properties in property_maps for name in properties))
